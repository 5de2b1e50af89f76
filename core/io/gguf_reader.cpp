// GGUF v3 reader: bounds-checked parsing of the header, metadata and tensor
// infos from memory or a file, and tensor reads as raw bytes or floats.
// Written from the format description in ggml's docs/gguf.md; see gguf.h for
// the llama.cpp facts it follows.

#include "io/gguf.h"
#include "io/gguf_internal.h"

#include "common/error.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <unordered_map>
#include <unordered_set>

namespace mm::io {

using namespace gguf_detail;

namespace {

bool validType(uint32_t t) { return t <= static_cast<uint32_t>(GgufType::Float64); }

} // namespace

// ---------------------------------------------------------------------------
// Reader

struct GgufFile::Source {
    virtual ~Source() = default;
    virtual uint64_t size() const = 0;
    /// Reads [off, off + n); the caller has checked the bounds.
    virtual void readAt(uint64_t off, void* dst, size_t n) = 0;
};

namespace {

struct MemorySource : GgufFile::Source {
    const uint8_t* data;
    size_t n;
    MemorySource(const uint8_t* d, size_t s) : data(d), n(s) {}
    uint64_t size() const override { return n; }
    void readAt(uint64_t off, void* dst, size_t k) override {
        if (k)
            std::memcpy(dst, data + off, k);
    }
};

struct FileSource : GgufFile::Source {
    std::ifstream in;
    std::string path;
    uint64_t n = 0;
    uint64_t pos = 0;
    explicit FileSource(const std::string& p) : path(p) {
        in.open(p, std::ios::binary);
        if (!in)
            throw IoError("cannot open " + p + ": " + std::strerror(errno));
        in.seekg(0, std::ios::end);
        const std::streamoff end = in.tellg();
        if (end < 0)
            throw IoError("cannot read " + p);
        n = static_cast<uint64_t>(end);
        in.seekg(0, std::ios::beg);
    }
    uint64_t size() const override { return n; }
    void readAt(uint64_t off, void* dst, size_t k) override {
        if (k == 0)
            return;
        if (off != pos) {
            in.clear();
            in.seekg(static_cast<std::streamoff>(off), std::ios::beg);
        }
        in.read(static_cast<char*>(dst), static_cast<std::streamsize>(k));
        if (static_cast<size_t>(in.gcount()) != k) {
            pos = std::numeric_limits<uint64_t>::max();
            throw IoError("cannot read " + path + " at offset " + std::to_string(off));
        }
        pos = off + k;
    }
};

[[noreturn]] void failGguf(const std::string& label, const std::string& what) {
    throw InputError(label + ": not a valid GGUF file: " + what);
}

/// Sequential bounds-checked reads over a Source.
class Cursor {
public:
    Cursor(GgufFile::Source& src, const std::string& label) : m_src(src), m_size(src.size()), m_label(label) {}

    uint64_t pos() const { return m_pos; }
    uint64_t remaining() const { return m_size - m_pos; }

    void need(uint64_t n, const char* what) {
        if (n > remaining())
            m_fail("truncated: " + std::string(what) + " needs " + std::to_string(n) + " bytes at offset " +
                   std::to_string(m_pos) + " but the file ends at " + std::to_string(m_size));
    }
    void read(void* dst, uint64_t n, const char* what) {
        need(n, what);
        m_src.readAt(m_pos, dst, static_cast<size_t>(n));
        m_pos += n;
    }
    uint64_t readLE(size_t n, const char* what) {
        uint8_t b[8];
        read(b, n, what);
        return getLE(b, n);
    }
    uint32_t u32(const char* what) { return static_cast<uint32_t>(readLE(4, what)); }
    uint64_t u64(const char* what) { return readLE(8, what); }
    std::string str(const char* what) {
        const uint64_t len = u64(what);
        if (len > remaining())
            m_fail("truncated: " + std::string(what) + " of " + std::to_string(len) + " bytes at offset " +
                   std::to_string(m_pos) + " runs past the end of the file (" + std::to_string(m_size) + " bytes)");
        std::string s(static_cast<size_t>(len), '\0');
        if (len)
            read(&s[0], len, what);
        return s;
    }

private:
    GgufFile::Source& m_src;
    uint64_t m_size;
    uint64_t m_pos = 0;
    const std::string& m_label;
    [[noreturn]] void m_fail(const std::string& what) const { failGguf(m_label, what); }
};

} // namespace

GgufFile GgufFile::open(const std::string& path) {
    GgufFile f;
    f.m_label = path;
    f.m_src = std::make_shared<FileSource>(path);
    f.parse();
    return f;
}

GgufFile GgufFile::fromMemory(const uint8_t* data, size_t size, const std::string& label) {
    GgufFile f;
    f.m_label = label;
    static const uint8_t kEmpty = 0;
    f.m_src = std::make_shared<MemorySource>(data ? data : &kEmpty, data ? size : 0);
    f.parse();
    return f;
}

void GgufFile::fail(const std::string& what) const { failGguf(m_label, what); }

void GgufFile::parse() {
    m_size = m_src->size();
    Cursor c(*m_src, m_label);

    char magic[4];
    c.read(magic, 4, "the magic");
    if (std::memcmp(magic, "GGUF", 4) != 0)
        fail("it does not start with \"GGUF\"");
    m_version = c.u32("the version");
    if (m_version != 0 && (m_version & 0xffffu) == 0)
        fail("version " + std::to_string(m_version) + " looks byte-swapped: big-endian GGUF is not supported");
    if (m_version == 1)
        fail("GGUF v1 is not supported (v2 and v3 are)");
    if (m_version < 2 || m_version > kVersion)
        fail("unsupported version " + std::to_string(m_version) + " (v2 and v3 are read)");
    const uint64_t nTensors = c.u64("the tensor count");
    const uint64_t nKv = c.u64("the key/value count");
    // Each key/value takes at least 13 bytes, each tensor info at least 24.
    if (nKv > c.remaining() / 13)
        fail("it claims " + std::to_string(nKv) + " key/values but only " + std::to_string(c.remaining()) +
             " bytes follow");
    if (nTensors > c.remaining() / 24)
        fail("it claims " + std::to_string(nTensors) + " tensors but only " + std::to_string(c.remaining()) +
             " bytes follow");

    std::unordered_map<std::string, size_t> keys;
    for (uint64_t i = 0; i < nKv; ++i) {
        std::string key = c.str("a key");
        if (key.empty())
            fail("key/value " + std::to_string(i) + " has an empty key");
        if (keys.count(key))
            fail("duplicate key " + quoteText(key));
        const uint32_t type = c.u32("a value type");
        if (!validType(type))
            fail("key " + quoteText(key) + " has invalid value type " + std::to_string(type));
        GgufValue v;
        v.m_type = static_cast<GgufType>(type);
        v.m_raw.clear();
        if (v.m_type == GgufType::String) {
            v.m_elem = GgufType::String;
            v.m_str = c.str("a string value");
        } else if (v.m_type == GgufType::Array) {
            const uint32_t elem = c.u32("an array type");
            if (!validType(elem))
                fail("key " + quoteText(key) + " is an array of invalid type " + std::to_string(elem));
            v.m_elem = static_cast<GgufType>(elem);
            if (v.m_elem == GgufType::Array)
                fail("key " + quoteText(key) + " is a nested array (not supported)");
            const uint64_t n = c.u64("an array length");
            v.m_count = n;
            if (v.m_elem == GgufType::String) {
                if (n > c.remaining() / 8)
                    fail("key " + quoteText(key) + ": array of " + std::to_string(n) +
                         " strings runs past the end of the file");
                v.m_strs.reserve(static_cast<size_t>(n));
                for (uint64_t j = 0; j < n; ++j)
                    v.m_strs.push_back(c.str("a string in an array"));
            } else {
                const size_t es = scalarSize(v.m_elem);
                if (n > c.remaining() / es)
                    fail("key " + quoteText(key) + ": array of " + std::to_string(n) + " " + ggufTypeName(v.m_elem) +
                         " runs past the end of the file");
                v.m_raw.resize(static_cast<size_t>(n * es));
                if (n)
                    c.read(v.m_raw.data(), n * es, "array data");
                if (v.m_elem == GgufType::Bool)
                    for (uint8_t b : v.m_raw)
                        if (b > 1)
                            fail("key " + quoteText(key) + ": bool array element " + std::to_string(b) +
                                 " is not 0 or 1");
            }
        } else {
            const size_t es = scalarSize(v.m_type);
            v.m_elem = v.m_type;
            v.m_raw.resize(es);
            c.read(v.m_raw.data(), es, "a value");
            if (v.m_type == GgufType::Bool && v.m_raw[0] > 1)
                fail("key " + quoteText(key) + ": bool value " + std::to_string(v.m_raw[0]) + " is not 0 or 1");
        }
        keys.emplace(key, m_kv.size());
        m_kv.emplace_back(std::move(key), std::move(v));
    }

    m_alignment = kDefaultAlignment;
    if (const GgufValue* a = find(kAlignmentKey)) {
        if (a->type() != GgufType::UInt32)
            fail("general.alignment is " + a->describe() + ", not a u32");
        const uint64_t v = a->toUInt();
        if (!isPow2(v))
            fail("general.alignment " + std::to_string(v) + " is not a power of two");
        m_alignment = static_cast<uint32_t>(v);
    }

    std::unordered_set<std::string> names;
    for (uint64_t i = 0; i < nTensors; ++i) {
        GgufTensorInfo t;
        t.name = c.str("a tensor name");
        const std::string tn = "tensor " + std::to_string(i) + " " + quoteText(t.name);
        if (t.name.empty())
            fail("tensor " + std::to_string(i) + " has an empty name");
        if (t.name.size() > kMaxTensorName)
            fail(tn + ": name longer than 63 bytes");
        if (!names.insert(t.name).second)
            fail("duplicate tensor name " + quoteText(t.name));
        const uint32_t nDims = c.u32("a tensor's dimension count");
        if (nDims > kMaxDims)
            fail(tn + " has " + std::to_string(nDims) + " dimensions (at most 4)");
        t.numel = 1;
        for (uint32_t d = 0; d < nDims; ++d) {
            const uint64_t ne = c.u64("a tensor dimension");
            if (ne > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
                fail(tn + ": dimension " + std::to_string(ne) + " is out of range");
            if (ne != 0 &&
                static_cast<uint64_t>(t.numel) > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / ne)
                fail(tn + ": element count overflows");
            t.numel = static_cast<int64_t>(static_cast<uint64_t>(t.numel) * ne);
            t.ne.push_back(ne);
        }
        for (auto it = t.ne.rbegin(); it != t.ne.rend(); ++it)
            t.shape.push_back(static_cast<int64_t>(*it));
        t.type = c.u32("a tensor type");
        const TypeTraits* tr = ggmlTraits(t.type);
        if (!tr)
            fail(tn + " has unknown ggml type " + std::to_string(t.type));
        const uint64_t inner = t.ne.empty() ? 1 : t.ne[0];
        if (inner % tr->block != 0)
            fail(tn + ": innermost dimension " + std::to_string(inner) + " is not a multiple of the " + tr->name +
                 " block size " + std::to_string(tr->block));
        const uint64_t blocks = static_cast<uint64_t>(t.numel) / tr->block;
        if (blocks > std::numeric_limits<uint64_t>::max() / tr->bytes)
            fail(tn + ": byte size overflows");
        t.nbytes = blocks * tr->bytes;
        t.offset = c.u64("a tensor offset");
        if (t.offset % m_alignment != 0)
            fail(tn + ": data offset " + std::to_string(t.offset) + " is not a multiple of the alignment " +
                 std::to_string(m_alignment));
        m_tensors.push_back(std::move(t));
    }

    // The data section starts at the next multiple of the alignment.
    const uint64_t pos = c.pos();
    m_dataOffset = pos + (m_alignment - pos % m_alignment) % m_alignment;
    if (!m_tensors.empty() && m_dataOffset > m_size)
        fail("truncated: the data section would start at offset " + std::to_string(m_dataOffset) +
             " but the file ends at " + std::to_string(m_size));
    const uint64_t dataSize = m_dataOffset <= m_size ? m_size - m_dataOffset : 0;
    for (const auto& t : m_tensors) {
        if (t.offset > dataSize || t.nbytes > dataSize - t.offset)
            fail("truncated: tensor " + quoteText(t.name) + " (" + std::to_string(t.nbytes) + " bytes at data offset " +
                 std::to_string(t.offset) + ") runs past the end of the file (data section of " +
                 std::to_string(dataSize) + " bytes)");
    }
}

const GgufValue* GgufFile::find(const std::string& key) const {
    for (const auto& kv : m_kv)
        if (kv.first == key)
            return &kv.second;
    return nullptr;
}

const GgufValue& GgufFile::get(const std::string& key) const {
    const GgufValue* v = find(key);
    if (!v)
        throw InputError(m_label + ": missing GGUF key '" + key + "'");
    return *v;
}

#define MM_GGUF_GET(ret, fn, call)                                                                                     \
    ret GgufFile::fn(const std::string& key) const {                                                                   \
        const GgufValue& v = get(key);                                                                                 \
        try {                                                                                                          \
            return v.call();                                                                                           \
        } catch (const InputError& e) {                                                                                \
            throw InputError(m_label + ": GGUF key '" + key + "': " + e.what());                                       \
        }                                                                                                              \
    }
MM_GGUF_GET(int64_t, getInt, toInt)
MM_GGUF_GET(double, getDouble, toDouble)
MM_GGUF_GET(bool, getBool, toBool)
MM_GGUF_GET(const std::string&, getString, toString)
MM_GGUF_GET(const std::vector<std::string>&, getStrings, strings)
#undef MM_GGUF_GET

const GgufTensorInfo* GgufFile::findTensor(const std::string& name) const {
    for (const auto& t : m_tensors)
        if (t.name == name)
            return &t;
    return nullptr;
}

std::vector<uint8_t> GgufFile::readRaw(const GgufTensorInfo& t) const {
    // Bounds were checked at parse time; re-check in case `t` is not ours.
    if (m_dataOffset > m_size || t.offset > m_size - m_dataOffset || t.nbytes > m_size - m_dataOffset - t.offset)
        throw InputError(m_label + ": tensor '" + t.name + "' lies outside the file");
    std::vector<uint8_t> raw(static_cast<size_t>(t.nbytes));
    m_src->readAt(m_dataOffset + t.offset, raw.data(), raw.size());
    return raw;
}

std::vector<float> GgufFile::readFloat(const GgufTensorInfo& t) const {
    const GgmlType type = static_cast<GgmlType>(t.type);
    if (type != GgmlType::F32 && type != GgmlType::F16 && type != GgmlType::BF16 && type != GgmlType::Q8_0)
        throw InputError(m_label + ": tensor '" + t.name + "' is " + ggmlTypeName(t.type) +
                         ", which is not read here (f32, f16, bf16 and q8_0 are)");
    const std::vector<uint8_t> raw = readRaw(t);
    const size_t n = static_cast<size_t>(t.numel);
    std::vector<float> out(n);
    switch (type) {
    case GgmlType::F32:
        for (size_t i = 0; i < n; ++i)
            out[i] = bitsFloat(static_cast<uint32_t>(getLE(raw.data() + 4 * i, 4)));
        break;
    case GgmlType::F16:
        for (size_t i = 0; i < n; ++i)
            out[i] = halfToFloat(static_cast<uint16_t>(getLE(raw.data() + 2 * i, 2)));
        break;
    case GgmlType::BF16:
        for (size_t i = 0; i < n; ++i)
            out[i] = bf16ToFloat(static_cast<uint16_t>(getLE(raw.data() + 2 * i, 2)));
        break;
    default: dequantizeQ8_0(raw.data(), t.numel, out.data()); break;
    }
    return out;
}

std::vector<float> GgufFile::readFloat(const std::string& name) const {
    const GgufTensorInfo* t = findTensor(name);
    if (!t)
        throw InputError(m_label + ": no tensor '" + name + "'");
    return readFloat(*t);
}

} // namespace mm::io
