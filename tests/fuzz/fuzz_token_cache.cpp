// libFuzzer target: the token cache reader (core/data/token_cache_header.cpp,
// TokenCache::open, PretrainDataset and summarize over what it opens). Each
// input is a whole cache file, read twice: as it is, and with the header's
// file size patched to the input's, so that the checks behind the size check
// are reached without the fuzzer having to guess it. For each:
//  - validateCacheFile on an exact-size heap copy (so that ASan sees any read
//    past the end): a file it accepts has every section inside the file and
//    offsets that start at 0, never decrease and end at the token count; every
//    document's tokens and mask are read;
//  - the same bytes as a file: TokenCache::open must open exactly the files
//    validateCacheFile accepts and throw mm::InputError for the others; the
//    pack and pad samples and the summary of what it opens must keep their
//    promises (ids from the file, weights 0 or 1, shares within 0-1).
// Nothing else may come out.

#include "common/error.h"
#include "data/token_cache.h"
#include "data/token_cache_header.h"

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

namespace {

using namespace mm::data;

void check(bool ok) {
    if (!ok)
        __builtin_trap();
}

const std::string& tempPath() {
    static const std::string p = "/tmp/mm_fuzz_token_cache_" + std::to_string(::getpid()) + ".bin";
    return p;
}

/// [p, p + bytes) lies inside [base, base + size). Plain integer arithmetic:
/// the pointers come from the header and may point anywhere.
bool inside(const void* base, size_t size, const void* p, uint64_t bytes) {
    const uintptr_t b = reinterpret_cast<uintptr_t>(base), q = reinterpret_cast<uintptr_t>(p);
    return q >= b && q - b <= size && bytes <= size - (q - b);
}

/// Returns whether the bytes are a valid cache.
bool checkInMemory(const std::string& bytes) {
    const size_t size = bytes.size();
    // new[] gives malloc's alignment (16), as a mapping's start is aligned.
    std::unique_ptr<char[]> buf(new char[std::max<size_t>(size, 1)]);
    std::memcpy(buf.get(), bytes.data(), size);
    const std::string why = validateCacheFile(buf.get(), size);
    if (!why.empty())
        return false;
    const CacheSections s = cacheSections(buf.get());
    const CacheHeader& h = s.header;
    check(h.documents >= 1 && h.tokens >= 1 && h.fileSize == size);
    const uint64_t docs = uint64_t(h.documents), toks = uint64_t(h.tokens);
    check(inside(buf.get(), size, s.tokens, 2 * toks));
    check(inside(buf.get(), size, s.offsets, 8 * (docs + 1)));
    check(reinterpret_cast<uintptr_t>(s.offsets) % 8 == 0);
    check((s.mask != nullptr) == bool(h.flags & kCacheHasMask));
    if (s.mask)
        check(inside(buf.get(), size, s.mask, toks));
    check(s.offsets[0] == 0 && s.offsets[docs] == toks);
    volatile unsigned sink = 0;
    for (uint64_t d = 0; d < docs; ++d) {
        check(s.offsets[d] <= s.offsets[d + 1]);
        for (uint64_t t = s.offsets[d]; t < s.offsets[d + 1]; ++t)
            sink = sink + s.tokens[t] + (s.mask ? s.mask[t] : 0);
    }
    (void)sink;
    return true;
}

void checkSamples(const TokenCache& c, int seqLen, PretrainDataset::Mode mode) {
    std::unique_ptr<PretrainDataset> ds;
    try {
        ds = std::make_unique<PretrainDataset>(c, seqLen, mode);
    } catch (const mm::InputError&) {
        check(mode == PretrainDataset::Mode::Pack && c.numTokens() <= seqLen);
        return;
    }
    const int64_t n = ds->size();
    check(n >= 1);
    Example e;
    // The first and last samples and a few between: enough to reach every edge.
    for (int64_t k = 0; k < 8; ++k) {
        const int64_t i = k == 7 ? n - 1 : std::min(n - 1, k * (n / 7 + 1));
        ds->get(i, e);
        check(e.x.size() == size_t(seqLen) && e.y.size() == size_t(seqLen) && e.w.size() == size_t(seqLen));
        for (int j = 0; j < seqLen; ++j) {
            check(e.x[size_t(j)] >= 0 && e.x[size_t(j)] < 65536 && e.y[size_t(j)] >= 0 && e.y[size_t(j)] < 65536);
            check(e.w[size_t(j)] == 0.0f || e.w[size_t(j)] == 1.0f || c.hasMask());
        }
    }
}

void checkFile(const std::string& bytes, bool valid) {
    std::FILE* f = std::fopen(tempPath().c_str(), "wb");
    if (!f)
        return;
    std::fwrite(bytes.data(), 1, bytes.size(), f);
    std::fclose(f);
    try {
        const TokenCache c = TokenCache::open(tempPath());
        check(valid);
        check(c.numDocuments() >= 1 && c.numTokens() >= 1);
        check(c.docBegin(0) == 0 && c.docEnd(c.numDocuments() - 1) == c.numTokens());
        for (int seqLen : {1, 5, 64}) {
            checkSamples(c, seqLen, PretrainDataset::Mode::Pack);
            checkSamples(c, seqLen, PretrainDataset::Mode::Pad);
            const DataSummary s = summarize(c, seqLen);
            check(s.documents == c.numDocuments() && s.tokens == c.numTokens());
            check(s.p50TokensPerDoc <= s.p95TokensPerDoc && s.p95TokensPerDoc <= s.maxTokensPerDoc);
            check(s.maxTokensPerDoc <= s.tokens && s.packedDroppedTokens >= 0);
            for (double share : {s.truncatedShare, s.truncatedTokenShare, s.paddingShare})
                check(share >= 0 && share <= 1);
        }
    } catch (const mm::InputError&) {
        check(!valid);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    checkFile(bytes, checkInMemory(bytes));
    if (size >= kCacheHeaderSize) {
        const uint64_t fileSize = size;
        std::memcpy(&bytes[offsetof(CacheHeader, fileSize)], &fileSize, sizeof fileSize);
        checkFile(bytes, checkInMemory(bytes));
    }
    return 0;
}
