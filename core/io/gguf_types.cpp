// GGUF v3: metadata value types, ggml tensor type names and the float
// conversions (f16, bf16, Q8_0). Written from the format description in
// ggml's docs/gguf.md; see gguf.h for the llama.cpp facts it follows.

#include "io/gguf.h"
#include "io/gguf_internal.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <sstream>

namespace mm::io {

namespace gguf_detail {

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

std::string quoteText(const std::string& s, size_t max) {
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

} // namespace gguf_detail

using namespace gguf_detail;

namespace {

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

} // namespace mm::io
