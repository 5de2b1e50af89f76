// GGUF v3 writer: metadata, tensors (f32, f16, bf16, Q8_0) and the atomic
// write of the file. Written from the format description in ggml's
// docs/gguf.md; see gguf.h for the llama.cpp facts it follows.

#include "io/gguf.h"
#include "io/gguf_internal.h"

#include "common/error.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>

#ifdef _WIN32
#include <io.h>
#include <process.h>
#else
#include <unistd.h>
#endif

namespace mm::io {

using namespace gguf_detail;

namespace {

std::string shapeText(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

long currentPid() {
#ifdef _WIN32
    return static_cast<long>(_getpid());
#else
    return static_cast<long>(getpid());
#endif
}

} // namespace

// ---------------------------------------------------------------------------
// Writer

GgufWriter::GgufWriter(uint32_t alignment) : m_alignment(kDefaultAlignment) {
    if (alignment != kDefaultAlignment)
        set(kAlignmentKey, GgufValue::u32(alignment));
}

void GgufWriter::set(const std::string& key, GgufValue value) {
    if (key.empty())
        throw InputError("GGUF: empty metadata key");
    if (key.size() > kMaxKeyLength)
        throw InputError("GGUF: metadata key longer than 65535 bytes");
    if (key == kAlignmentKey) {
        if (value.type() != GgufType::UInt32)
            throw InputError("GGUF: general.alignment must be a u32");
        const uint64_t a = value.toUInt();
        if (!isPow2(a) || a < 8 || a > 65536)
            throw InputError("GGUF: alignment " + std::to_string(a) + " is not a power of two in 8..65536");
        m_alignment = static_cast<uint32_t>(a);
    }
    for (auto& kv : m_kv) {
        if (kv.first == key) {
            kv.second = std::move(value);
            return;
        }
    }
    m_kv.emplace_back(key, std::move(value));
}

bool GgufWriter::has(const std::string& key) const { return find(key) != nullptr; }

const GgufValue* GgufWriter::find(const std::string& key) const {
    for (const auto& kv : m_kv)
        if (kv.first == key)
            return &kv.second;
    return nullptr;
}

GgmlType GgufWriter::addTensor(const std::string& name, const std::vector<int64_t>& shape, const float* data,
                               GgmlType type) {
    if (name.empty())
        throw InputError("GGUF: tensor with an empty name");
    if (name.size() > kMaxTensorName)
        throw InputError("GGUF: tensor name '" + name + "' is longer than 63 bytes (llama.cpp's limit)");
    for (const auto& t : m_tensors)
        if (t.name == name)
            throw InputError("GGUF: tensor '" + name + "' added twice");
    if (shape.empty() || shape.size() > kMaxDims)
        throw InputError("GGUF: tensor '" + name + "' has " + std::to_string(shape.size()) + " dims (1..4 supported)");
    int64_t numel = 1;
    for (int64_t d : shape) {
        if (d < 1)
            throw InputError("GGUF: tensor '" + name + "' has shape " + shapeText(shape));
        if (numel > std::numeric_limits<int64_t>::max() / 16 / d)
            throw InputError("GGUF: tensor '" + name + "' is too large");
        numel *= d;
    }
    if (data == nullptr)
        throw InputError("GGUF: tensor '" + name + "' has no data");
    if (type != GgmlType::F32 && type != GgmlType::F16 && type != GgmlType::Q8_0)
        throw InputError("GGUF: tensor '" + name + "': type " + ggmlTypeName(static_cast<uint32_t>(type)) +
                         " is not written (f32, f16 or q8_0)");
    const int64_t inner = shape.back();
    if (type == GgmlType::Q8_0 && inner % kQk8_0 != 0) {
        m_notes.push_back(name + ": innermost dimension " + std::to_string(inner) +
                          " is not a multiple of 32, stored as f16 instead of q8_0");
        type = GgmlType::F16;
    }

    Tensor t;
    t.name = name;
    t.type = type;
    for (auto it = shape.rbegin(); it != shape.rend(); ++it)
        t.ne.push_back(static_cast<uint64_t>(*it));
    const size_t n = static_cast<size_t>(numel);
    switch (type) {
    case GgmlType::F32:
        t.bytes.resize(n * 4);
        for (size_t i = 0; i < n; ++i)
            putLE(t.bytes.data() + 4 * i, floatBits(data[i]), 4);
        break;
    case GgmlType::F16:
        t.bytes.resize(n * 2);
        for (size_t i = 0; i < n; ++i)
            putLE(t.bytes.data() + 2 * i, floatToHalf(data[i]), 2);
        break;
    default: // Q8_0
        t.bytes.resize(n / kQk8_0 * kBlockQ8_0);
        try {
            quantizeQ8_0(data, numel, t.bytes.data());
        } catch (const InputError& e) {
            throw InputError("GGUF: tensor '" + name + "': " + e.what());
        }
        break;
    }
    m_tensors.push_back(std::move(t));
    return type;
}

namespace {

struct VectorSink {
    std::vector<uint8_t>& out;
    void write(const void* p, size_t n) {
        const uint8_t* b = static_cast<const uint8_t*>(p);
        out.insert(out.end(), b, b + n);
    }
    uint64_t pos() const { return out.size(); }
};

struct FileSink {
    std::FILE* f;
    std::string path;
    uint64_t written = 0;
    void write(const void* p, size_t n) {
        if (n == 0)
            return;
        if (std::fwrite(p, 1, n, f) != n)
            throw IoError("cannot write " + path + ": " + std::strerror(errno) + " (disk full?)");
        written += n;
    }
    uint64_t pos() const { return written; }
};

template <class Sink>
void putU32(Sink& s, uint32_t v) {
    uint8_t b[4];
    putLE(b, v, 4);
    s.write(b, 4);
}
template <class Sink>
void putU64(Sink& s, uint64_t v) {
    uint8_t b[8];
    putLE(b, v, 8);
    s.write(b, 8);
}
template <class Sink>
void putString(Sink& s, const std::string& str) {
    putU64(s, str.size());
    s.write(str.data(), str.size());
}
template <class Sink>
void pad(Sink& s, uint64_t alignment) {
    static const uint8_t zeros[256] = {};
    uint64_t n = alignUp(s.pos(), alignment) - s.pos();
    while (n > 0) {
        const size_t k = static_cast<size_t>(std::min<uint64_t>(n, sizeof zeros));
        s.write(zeros, k);
        n -= k;
    }
}

} // namespace

template <class Sink>
void GgufWriter::emit(Sink& s) const {
    s.write("GGUF", 4);
    putU32(s, kVersion);
    putU64(s, m_tensors.size());
    putU64(s, m_kv.size());
    for (const auto& kv : m_kv) {
        putString(s, kv.first);
        const GgufValue& v = kv.second;
        putU32(s, static_cast<uint32_t>(v.m_type));
        if (v.m_type == GgufType::String) {
            putString(s, v.m_str);
        } else if (v.m_type == GgufType::Array) {
            putU32(s, static_cast<uint32_t>(v.m_elem));
            putU64(s, v.m_count);
            if (v.m_elem == GgufType::String)
                for (const auto& str : v.m_strs)
                    putString(s, str);
            else
                s.write(v.m_raw.data(), v.m_raw.size());
        } else {
            s.write(v.m_raw.data(), v.m_raw.size());
        }
    }
    uint64_t offset = 0;
    for (const auto& t : m_tensors) {
        putString(s, t.name);
        putU32(s, static_cast<uint32_t>(t.ne.size()));
        for (uint64_t d : t.ne)
            putU64(s, d);
        putU32(s, static_cast<uint32_t>(t.type));
        putU64(s, offset);
        offset += alignUp(t.bytes.size(), m_alignment);
    }
    pad(s, m_alignment);
    for (const auto& t : m_tensors) {
        s.write(t.bytes.data(), t.bytes.size());
        pad(s, m_alignment);
    }
}

std::vector<uint8_t> GgufWriter::serialize() const {
    std::vector<uint8_t> out;
    VectorSink sink{out};
    emit(sink);
    return out;
}

void GgufWriter::write(const std::string& path) const {
    const std::string tmp = path + ".tmp-" + std::to_string(currentPid());
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f)
        throw IoError("cannot write " + path + ": " + std::strerror(errno));
    bool ok = false;
    std::string error;
    try {
        FileSink sink{f, path};
        emit(sink);
        if (std::fflush(f) != 0)
            throw IoError("cannot write " + path + ": " + std::strerror(errno));
#ifdef _WIN32
        _commit(_fileno(f));
#else
        fsync(fileno(f));
#endif
        ok = true;
    } catch (const std::exception& e) {
        error = e.what();
    }
    if (std::fclose(f) != 0 && ok) {
        ok = false;
        error = "cannot write " + path + ": " + std::strerror(errno);
    }
    std::error_code ec;
    if (ok) {
        std::filesystem::rename(tmp, path, ec);
        if (ec) {
            ok = false;
            error = "cannot rename " + tmp + " to " + path + ": " + ec.message();
        }
    }
    if (!ok) {
        std::filesystem::remove(tmp, ec);
        throw IoError(error);
    }
}

} // namespace mm::io
