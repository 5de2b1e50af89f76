#include "io/tensor_blob.h"

#include "common/error.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sys/stat.h>

namespace mm::io {

namespace {

constexpr size_t kMaxDims = 64;
// contiguousBytes refuses to expand a storage (stride 0 repeats) beyond this.
constexpr uint64_t kMaxExpandedBytes = uint64_t(64) << 20;

std::string label(const RawTensor& t) { return "tensor '" + t.name + "'"; }

bool mulOverflow(int64_t a, int64_t b, int64_t& out) { return __builtin_mul_overflow(a, b, &out); }

bool addOverflow(int64_t a, int64_t b, int64_t& out) { return __builtin_add_overflow(a, b, &out); }

const std::vector<int64_t>& stridesOf(const RawTensor& t, std::vector<int64_t>& scratch) {
    if (t.stride.empty() && !t.shape.empty()) {
        scratch = contiguousStrides(t.shape);
        return scratch;
    }
    return t.stride;
}

} // namespace

size_t dtypeSize(DType d) {
    switch (d) {
    case DType::F64:
    case DType::I64: return 8;
    case DType::F32:
    case DType::I32: return 4;
    case DType::F16:
    case DType::BF16:
    case DType::I16: return 2;
    case DType::I8:
    case DType::U8:
    case DType::Bool: return 1;
    }
    throw Error("unknown tensor dtype");
}

const char* dtypeName(DType d) {
    switch (d) {
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    case DType::F64: return "F64";
    case DType::I64: return "I64";
    case DType::I32: return "I32";
    case DType::I16: return "I16";
    case DType::I8: return "I8";
    case DType::U8: return "U8";
    case DType::Bool: return "BOOL";
    }
    return "?";
}

std::optional<DType> dtypeFromName(const std::string& name) {
    for (DType d : {DType::F32, DType::F16, DType::BF16, DType::F64, DType::I64, DType::I32, DType::I16, DType::I8,
                    DType::U8, DType::Bool})
        if (name == dtypeName(d))
            return d;
    return std::nullopt;
}

int64_t numel(const RawTensor& t) {
    if (t.shape.size() > kMaxDims)
        throw InputError(label(t) + " has " + std::to_string(t.shape.size()) + " dimensions (at most " +
                         std::to_string(kMaxDims) + " are supported)");
    int64_t n = 1;
    bool zero = false;
    for (int64_t s : t.shape) {
        if (s < 0)
            throw InputError(label(t) + " has a negative size " + std::to_string(s));
        if (s == 0)
            zero = true;
    }
    if (zero)
        return 0;
    for (int64_t s : t.shape)
        if (mulOverflow(n, s, n))
            throw InputError(label(t) + ": the element count of its shape overflows 64 bits");
    return n;
}

std::vector<int64_t> contiguousStrides(const std::vector<int64_t>& shape) {
    std::vector<int64_t> st(shape.size(), 1);
    int64_t acc = 1;
    for (size_t i = shape.size(); i-- > 0;) {
        st[i] = acc;
        const int64_t s = shape[i] > 0 ? shape[i] : 1;
        if (mulOverflow(acc, s, acc))
            acc = INT64_MAX; // numel() reports the overflow
    }
    return st;
}

void checkExtent(const RawTensor& t) {
    const int64_t n = numel(t);
    std::vector<int64_t> scratch;
    const std::vector<int64_t>& st = stridesOf(t, scratch);
    if (st.size() != t.shape.size())
        throw InputError(label(t) + " has " + std::to_string(t.shape.size()) + " sizes but " +
                         std::to_string(st.size()) + " strides");
    for (int64_t s : st)
        if (s < 0)
            throw InputError(label(t) + " has a negative stride " + std::to_string(s));
    if (t.storageOffset < 0)
        throw InputError(label(t) + " has a negative storage offset " + std::to_string(t.storageOffset));
    if (n == 0)
        return;
    // Index of the last element addressed: offset + sum((size - 1) * stride).
    int64_t last = t.storageOffset;
    for (size_t i = 0; i < st.size(); ++i) {
        int64_t step = 0;
        if (mulOverflow(t.shape[i] - 1, st[i], step) || addOverflow(last, step, last))
            throw InputError(label(t) + ": its strides reach beyond 64-bit offsets");
    }
    int64_t endBytes = 0;
    if (addOverflow(last, 1, endBytes) || mulOverflow(endBytes, int64_t(dtypeSize(t.dtype)), endBytes))
        throw InputError(label(t) + ": its extent overflows 64 bits");
    const uint64_t have = t.storage ? t.storage->size() : 0;
    if (uint64_t(endBytes) > have)
        throw InputError(label(t) + " reaches byte " + std::to_string(endBytes) + " of a storage of " +
                         std::to_string(have) + " bytes (shape, strides or offset do not fit its data)");
}

std::string contiguousBytes(const RawTensor& t) {
    checkExtent(t);
    const int64_t n = numel(t);
    if (n == 0)
        return std::string();
    const size_t es = dtypeSize(t.dtype);
    int64_t outBytes = 0;
    if (mulOverflow(n, int64_t(es), outBytes))
        throw InputError(label(t) + ": its byte size overflows 64 bits");
    const std::string& src = *t.storage;
    if (uint64_t(outBytes) > src.size() && uint64_t(outBytes) > kMaxExpandedBytes)
        throw InputError(label(t) + ": its strides repeat elements, expanding " + std::to_string(src.size()) +
                         " bytes of storage into " + std::to_string(outBytes) +
                         " bytes; refusing (save a contiguous copy with .contiguous())");

    std::vector<int64_t> scratch;
    const std::vector<int64_t>& st = stridesOf(t, scratch);
    const size_t dims = t.shape.size();

    // Contiguous (strides of size-1 dimensions do not matter): one copy.
    bool contiguous = true;
    {
        int64_t expect = 1;
        for (size_t i = dims; i-- > 0;) {
            if (t.shape[i] != 1 && st[i] != expect) {
                contiguous = false;
                break;
            }
            expect *= t.shape[i]; // no overflow: numel() passed
        }
    }
    const size_t base = size_t(t.storageOffset) * es; // checkExtent bounded it
    if (contiguous)
        return src.substr(base, size_t(outBytes));

    std::string out(size_t(outBytes), '\0');
    char* dst = &out[0];
    const size_t inner = dims - 1; // dims >= 1 here: a 0-d tensor is contiguous
    const int64_t innerSize = t.shape[inner];
    const int64_t innerStride = st[inner];
    std::vector<int64_t> idx(dims, 0);
    int64_t offset = t.storageOffset; // element offset of idx, without the inner index
    for (;;) {
        if (innerStride == 1) {
            std::memcpy(dst, src.data() + size_t(offset) * es, size_t(innerSize) * es);
            dst += size_t(innerSize) * es;
        } else {
            int64_t o = offset;
            for (int64_t k = 0; k < innerSize; ++k, o += innerStride) {
                std::memcpy(dst, src.data() + size_t(o) * es, es);
                dst += es;
            }
        }
        // Advance the outer indices (odometer).
        size_t d = inner;
        for (;;) {
            if (d == 0)
                return out;
            --d;
            if (++idx[d] < t.shape[d]) {
                offset += st[d];
                break;
            }
            offset -= (t.shape[d] - 1) * st[d];
            idx[d] = 0;
        }
    }
}

namespace detail {

namespace {

std::ifstream openForReading(const std::string& path, uint64_t& size) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            throw InputError(path + ": no such file");
        throw IoError("cannot read " + path + ": " + std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
        throw InputError(path + ": not a regular file");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError("cannot open " + path + ": " + std::strerror(errno));
    size = uint64_t(st.st_size);
    return in;
}

} // namespace

std::string readFileBytes(const std::string& path) {
    uint64_t size = 0;
    std::ifstream in = openForReading(path, size);
    std::string out(size_t(size), '\0');
    if (size && !in.read(&out[0], std::streamsize(size)))
        throw IoError("cannot read " + path + " (it may have shrunk while being read)");
    return out;
}

std::string readFileHead(const std::string& path, size_t n) {
    uint64_t size = 0;
    std::ifstream in = openForReading(path, size);
    std::string out(size_t(std::min<uint64_t>(size, n)), '\0');
    if (!out.empty() && !in.read(&out[0], std::streamsize(out.size())))
        throw IoError("cannot read " + path);
    return out;
}

} // namespace detail

} // namespace mm::io
