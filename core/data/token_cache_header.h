#pragma once
// The fixed header of a token cache file ("MMTOK001", layout in token_cache.h)
// and the check that a whole file agrees with it. TokenCache::open maps a file
// and goes through these; they need neither a tokenizer nor the file system, so
// scripts/fuzz.sh fuzzes them alone.

#include <cstddef>
#include <cstdint>
#include <string>

namespace mm::data {

inline constexpr char kCacheMagic[8] = {'M', 'M', 'T', 'O', 'K', '0', '0', '1'};
inline constexpr uint32_t kCacheVersion = 1;
/// CacheHeader::flags bit: the file has a loss-target mask.
inline constexpr uint32_t kCacheHasMask = 1;
inline constexpr size_t kCacheHeaderSize = 256;

// Fixed 256-byte header. Integers are host-endian: caches are local build
// artefacts, never shipped between machines.
struct CacheHeader {
    char magic[8];
    uint32_t version;
    uint32_t flags;
    int64_t documents;
    int64_t tokens;
    int64_t badLines;
    uint64_t tokensOffset;
    uint64_t offsetsOffset;
    uint64_t maskOffset; ///< 0 when there is no mask
    uint64_t fileSize;   ///< a truncated file is detected by comparing with stat
    uint32_t format;     ///< CacheFormat, for diagnostics
    uint32_t reserved;
    char key[64]; ///< NUL-padded cache key
    char padding[kCacheHeaderSize - 8 - 4 - 4 - 8 * 7 - 4 - 4 - 64];
};
static_assert(sizeof(CacheHeader) == kCacheHeaderSize, "cache header must stay 256 bytes");

/// Checks the `size` bytes of a whole cache file at `data` (8-byte aligned, as
/// a mapping is): the header, that every section lies inside the file and that
/// the document offsets span the tokens in order. Returns "" when the file is
/// a valid cache, otherwise why not.
std::string validateCacheFile(const void* data, size_t size);

/// The sections of a file that validateCacheFile accepted: every document
/// i has the tokens [offsets[i], offsets[i + 1]) of `tokens` (and of `mask`).
struct CacheSections {
    CacheHeader header;
    const uint16_t* tokens = nullptr;
    const uint64_t* offsets = nullptr;
    const uint8_t* mask = nullptr; ///< nullptr without kCacheHasMask
};
/// Only for a file validateCacheFile accepted.
CacheSections cacheSections(const void* data);

} // namespace mm::data
