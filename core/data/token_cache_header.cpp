#include "data/token_cache_header.h"

#include <cstring>

namespace mm::data {

namespace {

/// `count` elements of `elemSize` bytes from `offset` lie inside `size` bytes.
bool fits(uint64_t offset, uint64_t count, uint64_t elemSize, uint64_t size) {
    return offset <= size && count <= (size - offset) / elemSize;
}

} // namespace

std::string validateCacheFile(const void* map, size_t size) {
    if (size < kCacheHeaderSize)
        return "file is shorter than the header";
    CacheHeader h;
    std::memcpy(&h, map, sizeof h);
    if (std::memcmp(h.magic, kCacheMagic, sizeof kCacheMagic) != 0)
        return "bad magic";
    if (h.version != kCacheVersion)
        return "cache version " + std::to_string(h.version) + ", expected " + std::to_string(kCacheVersion);
    if (h.key[sizeof h.key - 1] != '\0')
        return "corrupt key";
    if (h.fileSize != size)
        return "file is " + std::to_string(size) + " bytes, header says " + std::to_string(h.fileSize) +
               " (truncated?)";
    if (h.documents < 1 || h.tokens < 1)
        return "empty cache";
    // Counts come from the file: every bound is checked without computing an
    // end that could wrap around (8 * (documents + 1) does for 2^61 documents).
    const uint64_t docs = static_cast<uint64_t>(h.documents), toks = static_cast<uint64_t>(h.tokens);
    if (h.tokensOffset != kCacheHeaderSize || !fits(h.tokensOffset, toks, 2, size))
        return "token array out of bounds";
    const uint64_t tokensEnd = h.tokensOffset + 2 * toks;
    if (h.offsetsOffset % 8 != 0 || h.offsetsOffset < tokensEnd || !fits(h.offsetsOffset, docs + 1, 8, size))
        return "offset array out of bounds";
    const uint64_t offsetsEnd = h.offsetsOffset + 8 * (docs + 1);
    if (h.flags & kCacheHasMask) {
        if (h.maskOffset < offsetsEnd || !fits(h.maskOffset, toks, 1, size))
            return "mask out of bounds";
    }
    // Offsets index the token array directly; checking them once here means no
    // later access can run outside the mapping.
    const auto* offsets = reinterpret_cast<const uint64_t*>(static_cast<const char*>(map) + h.offsetsOffset);
    if (offsets[0] != 0 || offsets[docs] != toks)
        return "document offsets do not span the tokens";
    for (uint64_t i = 0; i < docs; ++i)
        if (offsets[i] > offsets[i + 1])
            return "document offsets are not sorted";
    return {};
}

CacheSections cacheSections(const void* map) {
    CacheSections s;
    std::memcpy(&s.header, map, sizeof s.header);
    const char* base = static_cast<const char*>(map);
    s.tokens = reinterpret_cast<const uint16_t*>(base + s.header.tokensOffset);
    s.offsets = reinterpret_cast<const uint64_t*>(base + s.header.offsetsOffset);
    s.mask = (s.header.flags & kCacheHasMask) ? reinterpret_cast<const uint8_t*>(base + s.header.maskOffset) : nullptr;
    return s;
}

} // namespace mm::data
