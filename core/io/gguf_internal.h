// Private to the GGUF implementation (gguf_types.cpp, gguf_writer.cpp,
// gguf_reader.cpp): the format's constants, the little-endian codec and the
// ggml type table they share. Not part of the public API (see gguf.h).
#pragma once

#include "io/gguf.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace mm::io::gguf_detail {

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
size_t scalarSize(GgufType t);

struct TypeTraits {
    const char* name;
    uint32_t block; // elements per block
    uint32_t bytes; // bytes per block
};

/// Known ggml types (gguf-py GGML_QUANT_SIZES); nullptr when unknown.
const TypeTraits* ggmlTraits(uint32_t type);

inline uint64_t alignUp(uint64_t v, uint64_t a) { return (v + (a - 1)) / a * a; }
inline bool isPow2(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

std::string quoteText(const std::string& s, size_t max = 64);

} // namespace mm::io::gguf_detail
