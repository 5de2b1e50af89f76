// GGUF v3 writer and reader. Written from the format description in ggml's
// docs/gguf.md; see gguf.h for the llama.cpp facts it follows.

#include "io/gguf.h"

#include "common/error.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#ifdef _WIN32
#include <io.h>
#include <process.h>
#else
#include <unistd.h>
#endif

namespace mm::io {

namespace {

constexpr uint32_t kVersion = 3;
constexpr uint32_t kDefaultAlignment = 32;
constexpr size_t kMaxTensorName = 63; // GGML_MAX_NAME (64) includes the NUL
constexpr uint32_t kMaxDims = 4;      // GGML_MAX_DIMS
constexpr size_t kMaxKeyLength = 65535;
constexpr int kQk8_0 = 32;
constexpr size_t kBlockQ8_0 = 2 + kQk8_0;
const char* const kAlignmentKey = "general.alignment";

// ---- little-endian helpers (portable: no assumption on the host order) ----

inline void putLE(uint8_t* p, uint64_t v, size_t n) {
    for (size_t i = 0; i < n; ++i)
        p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline uint64_t getLE(const uint8_t* p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i)
        v |= static_cast<uint64_t>(p[i]) << (8 * i);
    return v;
}
inline uint32_t floatBits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}
inline float bitsFloat(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}
inline uint64_t doubleBits(double d) {
    uint64_t u;
    std::memcpy(&u, &d, 8);
    return u;
}
inline double bitsDouble(uint64_t u) {
    double d;
    std::memcpy(&d, &u, 8);
    return d;
}

/// Byte size of a scalar metadata type; 0 for string / array / invalid.
size_t scalarSize(GgufType t) {
    switch (t) {
    case GgufType::UInt8:
    case GgufType::Int8:
    case GgufType::Bool: return 1;
    case GgufType::UInt16:
    case GgufType::Int16: return 2;
    case GgufType::UInt32:
    case GgufType::Int32:
    case GgufType::Float32: return 4;
    case GgufType::UInt64:
    case GgufType::Int64:
    case GgufType::Float64: return 8;
    default: return 0;
    }
}

bool validType(uint32_t t) { return t <= static_cast<uint32_t>(GgufType::Float64); }

bool isIntegerType(GgufType t) {
    switch (t) {
    case GgufType::UInt8:
    case GgufType::Int8:
    case GgufType::UInt16:
    case GgufType::Int16:
    case GgufType::UInt32:
    case GgufType::Int32:
    case GgufType::UInt64:
    case GgufType::Int64:
    case GgufType::Bool: return true;
    default: return false;
    }
}
bool isSignedType(GgufType t) {
    return t == GgufType::Int8 || t == GgufType::Int16 || t == GgufType::Int32 || t == GgufType::Int64;
}
bool isFloatType(GgufType t) { return t == GgufType::Float32 || t == GgufType::Float64; }

/// Sign-extends an n-byte little-endian value.
int64_t signExtend(uint64_t v, size_t n) {
    if (n >= 8)
        return static_cast<int64_t>(v);
    const uint64_t sign = uint64_t{1} << (8 * n - 1);
    if (v & sign)
        return static_cast<int64_t>(v | ~((sign << 1) - 1));
    return static_cast<int64_t>(v);
}

struct TypeTraits {
    const char* name;
    uint32_t block; // elements per block
    uint32_t bytes; // bytes per block
};

/// Known ggml types (gguf-py GGML_QUANT_SIZES); nullptr when unknown.
const TypeTraits* ggmlTraits(uint32_t type) {
    static const TypeTraits kTable[] = {
        {"f32", 1, 4},        // 0
        {"f16", 1, 2},        // 1
        {"q4_0", 32, 18},     // 2
        {"q4_1", 32, 20},     // 3
        {nullptr, 0, 0},      // 4 (removed)
        {nullptr, 0, 0},      // 5 (removed)
        {"q5_0", 32, 22},     // 6
        {"q5_1", 32, 24},     // 7
        {"q8_0", 32, 34},     // 8
        {"q8_1", 32, 36},     // 9
        {"q2_K", 256, 84},    // 10
        {"q3_K", 256, 110},   // 11
        {"q4_K", 256, 144},   // 12
        {"q5_K", 256, 176},   // 13
        {"q6_K", 256, 210},   // 14
        {"q8_K", 256, 292},   // 15
        {"iq2_xxs", 256, 66}, // 16
        {"iq2_xs", 256, 74},  // 17
        {"iq3_xxs", 256, 98}, // 18
        {"iq1_s", 256, 50},   // 19
        {"iq4_nl", 32, 18},   // 20
        {"iq3_s", 256, 110},  // 21
        {"iq2_s", 256, 82},   // 22
        {"iq4_xs", 256, 136}, // 23
        {"i8", 1, 1},         // 24
        {"i16", 1, 2},        // 25
        {"i32", 1, 4},        // 26
        {"i64", 1, 8},        // 27
        {"f64", 1, 8},        // 28
        {"iq1_m", 256, 56},   // 29
        {"bf16", 1, 2},       // 30
        {nullptr, 0, 0},      // 31
        {nullptr, 0, 0},      // 32
        {nullptr, 0, 0},      // 33
        {"tq1_0", 256, 54},   // 34
        {"tq2_0", 256, 66},   // 35
        {nullptr, 0, 0},      // 36
        {nullptr, 0, 0},      // 37
        {nullptr, 0, 0},      // 38
        {"mxfp4", 32, 17},    // 39
        {"nvfp4", 64, 36},    // 40
        {"q1_0", 128, 18},    // 41
        {"q2_0", 64, 18},     // 42
    };
    if (type >= sizeof(kTable) / sizeof(kTable[0]) || kTable[type].name == nullptr)
        return nullptr;
    return &kTable[type];
}

inline uint64_t alignUp(uint64_t v, uint64_t a) { return (v + (a - 1)) / a * a; }
inline bool isPow2(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

std::string quoteText(const std::string& s, size_t max = 64) {
    std::string out = "\"";
    for (size_t i = 0; i < s.size() && i < max; ++i) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    if (s.size() > max)
        out += "...";
    return out + "\"";
}

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
// Types and conversions

std::string ggufTypeName(GgufType t) {
    switch (t) {
    case GgufType::UInt8: return "u8";
    case GgufType::Int8: return "i8";
    case GgufType::UInt16: return "u16";
    case GgufType::Int16: return "i16";
    case GgufType::UInt32: return "u32";
    case GgufType::Int32: return "i32";
    case GgufType::Float32: return "f32";
    case GgufType::Bool: return "bool";
    case GgufType::String: return "string";
    case GgufType::Array: return "array";
    case GgufType::UInt64: return "u64";
    case GgufType::Int64: return "i64";
    case GgufType::Float64: return "f64";
    }
    return "type" + std::to_string(static_cast<uint32_t>(t));
}

std::string ggmlTypeName(uint32_t type) {
    const TypeTraits* t = ggmlTraits(type);
    return t ? t->name : "type" + std::to_string(type);
}

GgmlType ggmlTypeFromName(const std::string& name) {
    if (name == "f32" || name == "float32" || name == "F32")
        return GgmlType::F32;
    if (name == "f16" || name == "float16" || name == "F16")
        return GgmlType::F16;
    if (name == "bf16" || name == "bfloat16" || name == "BF16")
        return GgmlType::BF16;
    if (name == "q8_0" || name == "Q8_0")
        return GgmlType::Q8_0;
    throw InputError("unknown GGUF tensor type '" + name + "' (f32, f16 or q8_0)");
}

uint16_t floatToHalf(float f) {
    const uint32_t x = floatBits(f);
    const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
    const uint32_t ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u)
        return static_cast<uint16_t>(sign | 0x7e00u); // NaN: the quiet NaN ggml writes
    if (ax >= 0x47800000u)
        return static_cast<uint16_t>(sign | 0x7c00u); // >= 65536 (or inf): inf
    if (ax < 0x38800000u) {
        // Below the smallest normal half (2^-14): a subnormal half in units of 2^-24.
        if (ax < 0x33000000u)
            return sign;             // < 2^-25 rounds to zero (2^-25 itself is a tie to even 0)
        const uint32_t e = ax >> 23; // 102..112
        const uint32_t m = (ax & 0x7fffffu) | 0x800000u;
        const uint32_t shift = 126 - e; // 14..24
        uint32_t q = m >> shift;
        const uint32_t rem = m & ((1u << shift) - 1);
        const uint32_t half = 1u << (shift - 1);
        if (rem > half || (rem == half && (q & 1u)))
            ++q; // may carry into the smallest normal: right
        return static_cast<uint16_t>(sign | q);
    }
    const uint32_t e = (ax >> 23) - 127 + 15; // 1..30
    const uint32_t m = ax & 0x7fffffu;
    uint32_t h = (e << 10) | (m >> 13);
    const uint32_t rem = m & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1u)))
        ++h; // carry may reach inf: right
    return static_cast<uint16_t>(sign | h);
}

float halfToFloat(uint16_t h) {
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    const uint32_t e = (h >> 10) & 0x1fu;
    uint32_t m = h & 0x3ffu;
    if (e == 0) {
        if (m == 0)
            return bitsFloat(sign);
        // Subnormal: m * 2^-24.
        const float v = static_cast<float>(m) * 5.9604644775390625e-8f;
        return sign ? -v : v;
    }
    if (e == 31)
        return bitsFloat(sign | 0x7f800000u | (m << 13));
    return bitsFloat(sign | ((e - 15 + 127) << 23) | (m << 13));
}

float bf16ToFloat(uint16_t b) { return bitsFloat(static_cast<uint32_t>(b) << 16); }

void quantizeQ8_0(const float* x, int64_t n, uint8_t* out) {
    if (n % kQk8_0 != 0)
        throw InputError("q8_0: " + std::to_string(n) + " values do not split into blocks of 32");
    for (int64_t b = 0; b < n / kQk8_0; ++b) {
        const float* xb = x + b * kQk8_0;
        uint8_t* ob = out + b * static_cast<int64_t>(kBlockQ8_0);
        float amax = 0.0f;
        for (int j = 0; j < kQk8_0; ++j) {
            if (!std::isfinite(xb[j]))
                throw InputError("q8_0: value " + std::to_string(xb[j]) + " is not finite");
            amax = std::max(amax, std::fabs(xb[j]));
        }
        // As ggml's quantize_row_q8_0_ref: scale from the float d, d stored as fp16.
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        putLE(ob, floatToHalf(d), 2);
        for (int j = 0; j < kQk8_0; ++j) {
            const float q = std::roundf(xb[j] * id); // half away from zero, |q| <= 127
            ob[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(q));
        }
    }
}

void dequantizeQ8_0(const uint8_t* blocks, int64_t n, float* out) {
    for (int64_t b = 0; b < n / kQk8_0; ++b) {
        const uint8_t* ib = blocks + b * static_cast<int64_t>(kBlockQ8_0);
        const float d = halfToFloat(static_cast<uint16_t>(getLE(ib, 2)));
        for (int j = 0; j < kQk8_0; ++j)
            out[b * kQk8_0 + j] = static_cast<float>(static_cast<int8_t>(ib[2 + j])) * d;
    }
}

// ---------------------------------------------------------------------------
// GgufValue

#define MM_GGUF_SCALAR(fn, ctype, gtype, bitsexpr)                                                                     \
    GgufValue GgufValue::fn(ctype x) {                                                                                 \
        GgufValue v;                                                                                                   \
        v.m_type = GgufType::gtype;                                                                                    \
        v.m_elem = GgufType::gtype;                                                                                    \
        v.m_count = 1;                                                                                                 \
        const size_t n = scalarSize(GgufType::gtype);                                                                  \
        v.m_raw.assign(n, 0);                                                                                          \
        putLE(v.m_raw.data(), static_cast<uint64_t>(bitsexpr), n);                                                     \
        return v;                                                                                                      \
    }

MM_GGUF_SCALAR(u8, uint8_t, UInt8, x)
MM_GGUF_SCALAR(i8, int8_t, Int8, static_cast<uint8_t>(x))
MM_GGUF_SCALAR(u16, uint16_t, UInt16, x)
MM_GGUF_SCALAR(i16, int16_t, Int16, static_cast<uint16_t>(x))
MM_GGUF_SCALAR(u32, uint32_t, UInt32, x)
MM_GGUF_SCALAR(i32, int32_t, Int32, static_cast<uint32_t>(x))
MM_GGUF_SCALAR(u64, uint64_t, UInt64, x)
MM_GGUF_SCALAR(i64, int64_t, Int64, static_cast<uint64_t>(x))
MM_GGUF_SCALAR(f32, float, Float32, floatBits(x))
MM_GGUF_SCALAR(f64, double, Float64, doubleBits(x))
MM_GGUF_SCALAR(boolean, bool, Bool, x ? 1u : 0u)
#undef MM_GGUF_SCALAR

GgufValue GgufValue::string(std::string s) {
    GgufValue v;
    v.m_type = GgufType::String;
    v.m_elem = GgufType::String;
    v.m_count = 1;
    v.m_raw.clear();
    v.m_str = std::move(s);
    return v;
}

GgufValue GgufValue::stringArray(std::vector<std::string> a) {
    GgufValue v;
    v.m_type = GgufType::Array;
    v.m_elem = GgufType::String;
    v.m_count = a.size();
    v.m_raw.clear();
    v.m_strs = std::move(a);
    return v;
}

#define MM_GGUF_ARRAY(fn, ctype, gtype, bitsexpr)                                                                      \
    GgufValue GgufValue::fn(const std::vector<ctype>& a) {                                                             \
        GgufValue v;                                                                                                   \
        v.m_type = GgufType::Array;                                                                                    \
        v.m_elem = GgufType::gtype;                                                                                    \
        v.m_count = a.size();                                                                                          \
        const size_t n = scalarSize(GgufType::gtype);                                                                  \
        v.m_raw.assign(a.size() * n, 0);                                                                               \
        for (size_t i = 0; i < a.size(); ++i) {                                                                        \
            const ctype x = a[i];                                                                                      \
            putLE(v.m_raw.data() + i * n, static_cast<uint64_t>(bitsexpr), n);                                         \
        }                                                                                                              \
        return v;                                                                                                      \
    }

MM_GGUF_ARRAY(u8Array, uint8_t, UInt8, x)
MM_GGUF_ARRAY(i8Array, int8_t, Int8, static_cast<uint8_t>(x))
MM_GGUF_ARRAY(u16Array, uint16_t, UInt16, x)
MM_GGUF_ARRAY(i16Array, int16_t, Int16, static_cast<uint16_t>(x))
MM_GGUF_ARRAY(u32Array, uint32_t, UInt32, x)
MM_GGUF_ARRAY(i32Array, int32_t, Int32, static_cast<uint32_t>(x))
MM_GGUF_ARRAY(u64Array, uint64_t, UInt64, x)
MM_GGUF_ARRAY(i64Array, int64_t, Int64, static_cast<uint64_t>(x))
MM_GGUF_ARRAY(f32Array, float, Float32, floatBits(x))
MM_GGUF_ARRAY(f64Array, double, Float64, doubleBits(x))
#undef MM_GGUF_ARRAY

GgufValue GgufValue::boolArray(const std::vector<bool>& a) {
    GgufValue v;
    v.m_type = GgufType::Array;
    v.m_elem = GgufType::Bool;
    v.m_count = a.size();
    v.m_raw.assign(a.size(), 0);
    for (size_t i = 0; i < a.size(); ++i)
        v.m_raw[i] = a[i] ? 1 : 0;
    return v;
}

namespace {

/// Element i of a numeric value as int64 / uint64 / double.
struct Elem {
    GgufType type;
    const uint8_t* p;
    size_t n;
    uint64_t bitsU() const { return getLE(p, n); }
    int64_t asInt() const { return isSignedType(type) ? signExtend(bitsU(), n) : static_cast<int64_t>(bitsU()); }
    double asDouble() const {
        if (type == GgufType::Float32)
            return bitsFloat(static_cast<uint32_t>(bitsU()));
        if (type == GgufType::Float64)
            return bitsDouble(bitsU());
        if (isSignedType(type))
            return static_cast<double>(signExtend(bitsU(), n));
        return static_cast<double>(bitsU());
    }
};

[[noreturn]] void typeMismatch(const GgufValue& v, const char* wanted) {
    throw InputError("value is " + v.describe() + ", not " + wanted);
}

} // namespace

int64_t GgufValue::toInt() const {
    if (isArray() || !isIntegerType(m_type))
        typeMismatch(*this, "an integer");
    const Elem e{m_type, m_raw.data(), scalarSize(m_type)};
    if (m_type == GgufType::UInt64 && e.bitsU() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        throw InputError("value " + std::to_string(e.bitsU()) + " does not fit in int64");
    return e.asInt();
}

uint64_t GgufValue::toUInt() const {
    if (isArray() || !isIntegerType(m_type))
        typeMismatch(*this, "an integer");
    const Elem e{m_type, m_raw.data(), scalarSize(m_type)};
    if (isSignedType(m_type)) {
        const int64_t i = e.asInt();
        if (i < 0)
            throw InputError("value " + std::to_string(i) + " is negative");
        return static_cast<uint64_t>(i);
    }
    return e.bitsU();
}

double GgufValue::toDouble() const {
    if (isArray() || !(isIntegerType(m_type) || isFloatType(m_type)))
        typeMismatch(*this, "a number");
    return Elem{m_type, m_raw.data(), scalarSize(m_type)}.asDouble();
}

bool GgufValue::toBool() const {
    if (m_type != GgufType::Bool)
        typeMismatch(*this, "a bool");
    return m_raw[0] != 0;
}

const std::string& GgufValue::toString() const {
    if (m_type != GgufType::String)
        typeMismatch(*this, "a string");
    return m_str;
}

const std::vector<std::string>& GgufValue::strings() const {
    if (!isArray() || m_elem != GgufType::String)
        typeMismatch(*this, "an array of strings");
    return m_strs;
}

std::vector<int64_t> GgufValue::toInts() const {
    if (!isArray() || !isIntegerType(m_elem))
        typeMismatch(*this, "an array of integers");
    const size_t n = scalarSize(m_elem);
    std::vector<int64_t> out(static_cast<size_t>(m_count));
    for (size_t i = 0; i < out.size(); ++i) {
        const Elem e{m_elem, m_raw.data() + i * n, n};
        if (m_elem == GgufType::UInt64 && e.bitsU() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            throw InputError("array element " + std::to_string(e.bitsU()) + " does not fit in int64");
        out[i] = e.asInt();
    }
    return out;
}

std::vector<double> GgufValue::toDoubles() const {
    if (!isArray() || !(isIntegerType(m_elem) || isFloatType(m_elem)))
        typeMismatch(*this, "an array of numbers");
    const size_t n = scalarSize(m_elem);
    std::vector<double> out(static_cast<size_t>(m_count));
    for (size_t i = 0; i < out.size(); ++i)
        out[i] = Elem{m_elem, m_raw.data() + i * n, n}.asDouble();
    return out;
}

std::vector<float> GgufValue::toFloats() const {
    const std::vector<double> d = toDoubles();
    return std::vector<float>(d.begin(), d.end());
}

std::string GgufValue::describe() const {
    if (m_type == GgufType::Array)
        return "array<" + ggufTypeName(m_elem) + ">[" + std::to_string(m_count) + "]";
    if (m_type == GgufType::String)
        return "string " + quoteText(m_str);
    if (m_type == GgufType::Bool)
        return std::string("bool ") + (m_raw[0] ? "true" : "false");
    const Elem e{m_type, m_raw.data(), scalarSize(m_type)};
    std::ostringstream os;
    os << ggufTypeName(m_type) << ' ';
    if (isFloatType(m_type))
        os << e.asDouble();
    else if (isSignedType(m_type))
        os << e.asInt();
    else
        os << e.bitsU();
    return os.str();
}

bool GgufValue::operator==(const GgufValue& o) const {
    return m_type == o.m_type && (m_type != GgufType::Array || m_elem == o.m_elem) && m_count == o.m_count &&
           m_raw == o.m_raw && m_str == o.m_str && m_strs == o.m_strs;
}

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

// ---------------------------------------------------------------------------
// Llama helpers

void addLlamaMetadata(GgufWriter& w, const LlamaGgufSpec& s, const GgufVocab& v) {
    auto bad = [](const std::string& what) { throw InputError("GGUF export: " + what); };
    if (s.vocab <= 0 || s.hidden <= 0 || s.layers <= 0 || s.heads <= 0 || s.kvHeads <= 0 || s.ffn <= 0 ||
        s.contextLength <= 0)
        bad("vocab, hidden, layers, heads, kv heads, ffn and context length must all be positive");
    if (s.hidden % s.heads != 0)
        bad("hidden size " + std::to_string(s.hidden) + " is not a multiple of the head count " +
            std::to_string(s.heads));
    if (s.heads % s.kvHeads != 0)
        bad("head count " + std::to_string(s.heads) + " is not a multiple of the kv head count " +
            std::to_string(s.kvHeads));
    if ((s.hidden / s.heads) % 2 != 0)
        bad("head dimension " + std::to_string(s.hidden / s.heads) + " is odd");
    if (!(s.ropeTheta > 0) || !(s.rmsEps > 0))
        bad("rope theta and rms eps must be positive");
    if (v.model != "gpt2" && v.model != "llama")
        bad("tokenizer model '" + v.model + "' (gpt2 or llama)");
    if (v.tokens.empty())
        bad("the vocabulary is empty");
    if (v.tokens.size() > static_cast<size_t>(s.vocab))
        bad("the tokenizer has " + std::to_string(v.tokens.size()) + " tokens but the model only " +
            std::to_string(s.vocab) + " embeddings");
    if (!v.types.empty() && v.types.size() != v.tokens.size())
        bad(std::to_string(v.types.size()) + " token types for " + std::to_string(v.tokens.size()) + " tokens");
    if (!v.scores.empty() && v.scores.size() != v.tokens.size())
        bad(std::to_string(v.scores.size()) + " token scores for " + std::to_string(v.tokens.size()) + " tokens");
    if (v.model == "llama" && v.scores.empty())
        bad("a SentencePiece (llama) vocabulary needs scores");
    if (v.model == "gpt2" && v.merges.empty())
        bad("a byte-level BPE (gpt2) vocabulary needs merges");
    for (int id : {v.bos, v.eos, v.pad, v.unk})
        if (id < -1 || id >= s.vocab)
            bad("special token id " + std::to_string(id) + " is out of the vocabulary");

    std::vector<std::string> tokens = v.tokens;
    std::vector<int32_t> types = v.types.empty() ? std::vector<int32_t>(tokens.size(), kTokenNormal) : v.types;
    std::vector<float> scores = v.scores;
    for (size_t i = tokens.size(); i < static_cast<size_t>(s.vocab); ++i) {
        tokens.push_back("[PAD" + std::to_string(i) + "]");
        types.push_back(kTokenUnused);
        if (!scores.empty())
            scores.push_back(-10000.0f);
    }

    w.setString("general.architecture", "llama");
    w.setU32("general.quantization_version", 2);
    if (!s.name.empty())
        w.setString("general.name", s.name);
    if (s.fileType >= 0)
        w.setU32("general.file_type", static_cast<uint32_t>(s.fileType));

    w.setU32("llama.vocab_size", static_cast<uint32_t>(s.vocab));
    w.setU32("llama.context_length", static_cast<uint32_t>(s.contextLength));
    w.setU32("llama.embedding_length", static_cast<uint32_t>(s.hidden));
    w.setU32("llama.block_count", static_cast<uint32_t>(s.layers));
    w.setU32("llama.feed_forward_length", static_cast<uint32_t>(s.ffn));
    w.setU32("llama.attention.head_count", static_cast<uint32_t>(s.heads));
    w.setU32("llama.attention.head_count_kv", static_cast<uint32_t>(s.kvHeads));
    w.setF32("llama.rope.freq_base", static_cast<float>(s.ropeTheta));
    w.setU32("llama.rope.dimension_count", static_cast<uint32_t>(s.hidden / s.heads));
    w.setF32("llama.attention.layer_norm_rms_epsilon", static_cast<float>(s.rmsEps));

    w.setString("tokenizer.ggml.model", v.model);
    w.setString("tokenizer.ggml.pre", !v.pre.empty() ? v.pre : (v.model == "gpt2" ? "gpt-2" : "default"));
    w.setStrings("tokenizer.ggml.tokens", std::move(tokens));
    if (!scores.empty())
        w.setF32s("tokenizer.ggml.scores", scores);
    w.setI32s("tokenizer.ggml.token_type", types);
    if (!v.merges.empty())
        w.setStrings("tokenizer.ggml.merges", v.merges);
    if (v.bos >= 0)
        w.setU32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(v.bos));
    if (v.eos >= 0)
        w.setU32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(v.eos));
    if (v.unk >= 0)
        w.setU32("tokenizer.ggml.unknown_token_id", static_cast<uint32_t>(v.unk));
    if (v.pad >= 0)
        w.setU32("tokenizer.ggml.padding_token_id", static_cast<uint32_t>(v.pad));
    w.setBool("tokenizer.ggml.add_bos_token", v.addBos);
    w.setBool("tokenizer.ggml.add_eos_token", v.addEos);
    w.setBool("tokenizer.ggml.add_space_prefix", v.addSpacePrefix);
    if (!v.chatTemplate.empty())
        w.setString("tokenizer.chat_template", v.chatTemplate);
}

namespace {

std::vector<float> permuteRows(const float* w, int64_t rows, int64_t cols, int nHead, bool toGguf) {
    if (nHead <= 0 || rows <= 0 || cols <= 0 || rows % nHead != 0 || (rows / nHead) % 2 != 0)
        throw InputError("q/k permutation: " + std::to_string(rows) + " rows do not split into " +
                         std::to_string(nHead) + " heads of even size");
    const int64_t hd = rows / nHead, half = hd / 2;
    std::vector<float> out(static_cast<size_t>(rows * cols));
    for (int64_t h = 0; h < nHead; ++h)
        for (int64_t s = 0; s < 2; ++s)
            for (int64_t i = 0; i < half; ++i) {
                const int64_t hf = h * hd + s * half + i; // HF rotate_half row
                const int64_t gg = h * hd + 2 * i + s;    // GGUF interleaved row
                const int64_t src = toGguf ? hf : gg, dst = toGguf ? gg : hf;
                std::memcpy(out.data() + dst * cols, w + src * cols, static_cast<size_t>(cols) * sizeof(float));
            }
    return out;
}

struct NamePair {
    const char* hf;
    const char* gguf;
};
const NamePair kLayerNames[] = {
    {"input_layernorm.weight", "attn_norm.weight"},    {"self_attn.q_proj.weight", "attn_q.weight"},
    {"self_attn.k_proj.weight", "attn_k.weight"},      {"self_attn.v_proj.weight", "attn_v.weight"},
    {"self_attn.o_proj.weight", "attn_output.weight"}, {"post_attention_layernorm.weight", "ffn_norm.weight"},
    {"mlp.gate_proj.weight", "ffn_gate.weight"},       {"mlp.up_proj.weight", "ffn_up.weight"},
    {"mlp.down_proj.weight", "ffn_down.weight"},
};
const NamePair kGlobalNames[] = {
    {"model.embed_tokens.weight", "token_embd.weight"},
    {"model.norm.weight", "output_norm.weight"},
    {"lm_head.weight", "output.weight"},
};

/// Splits "<prefix><digits>.<rest>"; false when it does not match.
bool splitLayer(const std::string& name, const std::string& prefix, std::string& index, std::string& rest) {
    if (name.compare(0, prefix.size(), prefix) != 0)
        return false;
    size_t i = prefix.size();
    const size_t start = i;
    while (i < name.size() && name[i] >= '0' && name[i] <= '9')
        ++i;
    if (i == start || i - start > 6 || i >= name.size() || name[i] != '.')
        return false;
    index = name.substr(start, i - start);
    rest = name.substr(i + 1);
    return true;
}

} // namespace

std::vector<float> permuteQkForGguf(const float* w, int64_t rows, int64_t cols, int nHead) {
    return permuteRows(w, rows, cols, nHead, true);
}

std::vector<float> unpermuteQkFromGguf(const float* w, int64_t rows, int64_t cols, int nHead) {
    return permuteRows(w, rows, cols, nHead, false);
}

std::string ggufNameForHf(const std::string& hfName) {
    for (const auto& p : kGlobalNames)
        if (hfName == p.hf)
            return p.gguf;
    std::string idx, rest;
    if (!splitLayer(hfName, "model.layers.", idx, rest))
        return "";
    for (const auto& p : kLayerNames)
        if (rest == p.hf)
            return "blk." + idx + "." + p.gguf;
    return "";
}

std::string hfNameForGguf(const std::string& ggufName) {
    for (const auto& p : kGlobalNames)
        if (ggufName == p.gguf)
            return p.hf;
    std::string idx, rest;
    if (!splitLayer(ggufName, "blk.", idx, rest))
        return "";
    for (const auto& p : kLayerNames)
        if (rest == p.gguf)
            return "model.layers." + idx + "." + p.hf;
    return "";
}

GgmlType llamaTensorType(const std::string& ggufName, const std::vector<int64_t>& shape, GgmlType fileType) {
    const std::string suffix = "_norm.weight";
    const bool isNorm = ggufName.size() >= suffix.size() &&
                        ggufName.compare(ggufName.size() - suffix.size(), suffix.size(), suffix) == 0;
    if (shape.size() <= 1 || isNorm)
        return GgmlType::F32;
    return fileType;
}

} // namespace mm::io
