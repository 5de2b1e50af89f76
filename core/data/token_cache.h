#pragma once
// On-disk token cache: a data file tokenized once into uint16 ids, memory-mapped
// by later runs. One file per (data file stamp, tokenizer fingerprint, format):
//
//   header (magic "MMTOK001", version, flags, counts, key,    fixed 256 bytes
//           section offsets, total file size)
//   uint16 tokens[tokens]                                      all documents back to back
//   zero padding to a multiple of 8 bytes
//   uint64 offsets[documents + 1]                              document boundaries
//   uint8  mask[tokens]          (only when kHasMask)          1 = token is a loss target
//
// Tokens come first so a build can stream them to disk as it reads the data;
// offsets (8 bytes a document) are kept in memory and the mask goes to a side
// file, both appended at the end, and the header is written last. The file is
// written to "<name>.tmp.<pid>" and renamed, so a killed build leaves no half
// cache; a file whose size disagrees with its header is rebuilt.

#include "text/tokenizer.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mm::data {

/// How records become documents.
enum class CacheFormat {
    /// {"text"}: tokens of the text followed by <|im_end|> (the document separator).
    Pretrain,
    /// {"conversations"}: the ChatML rendering; mask marks assistant content and
    /// its closing <|im_end|> (the newline after it is NOT a target). Text is
    /// encoded in pieces split at mask boundaries, so ids may differ from encoding
    /// the whole rendering at once where BPE would merge across a boundary
    /// (decoding still gives the rendering back exactly).
    Sft,
};

struct CacheBuildOptions {
    CacheFormat format = CacheFormat::Pretrain;
    bool skipBadLines = false;
    /// Called now and then with (bytes read, file size).
    std::function<void(int64_t, int64_t)> progress;
};

/// A read-only, memory-mapped token cache.
class TokenCache {
public:
    /// Returns the cache for `dataPath` under `cacheDir`, building it first if no
    /// valid one exists. Bad records follow opts.skipBadLines (InputError naming
    /// file:line otherwise). Throws InputError if a token id does not fit uint16.
    static TokenCache openOrBuild(const std::string& dataPath, const text::Tokenizer& tok, const std::string& cacheDir,
                                  const CacheBuildOptions& opts);
    /// Opens an existing cache file; throws InputError if it is not a valid cache,
    /// IoError if it cannot be read.
    static TokenCache open(const std::string& cachePath);

    TokenCache(TokenCache&&) noexcept;
    TokenCache& operator=(TokenCache&&) noexcept;
    ~TokenCache();

    int64_t numDocuments() const { return m_docs; }
    int64_t numTokens() const { return m_tokens; }
    /// Lines skipped as bad when the cache was built.
    int64_t badLines() const { return m_badLines; }
    bool hasMask() const { return m_mask != nullptr; }
    const uint16_t* tokens() const { return m_tok; }
    /// Loss-target mask aligned with tokens() (nullptr when !hasMask()).
    const uint8_t* mask() const { return m_mask; }
    int64_t docBegin(int64_t i) const { return static_cast<int64_t>(m_offsets[i]); }
    int64_t docEnd(int64_t i) const { return static_cast<int64_t>(m_offsets[i + 1]); }
    const std::string& path() const { return m_path; }
    /// Key that identifies the data file + tokenizer + format (for run metadata).
    const std::string& key() const { return m_key; }

private:
    TokenCache() = default;
    void unmap();
    std::string m_path, m_key;
    void* m_map = nullptr;
    size_t m_mapSize = 0;
    int64_t m_docs = 0, m_tokens = 0, m_badLines = 0;
    const uint64_t* m_offsets = nullptr;
    const uint16_t* m_tok = nullptr;
    const uint8_t* m_mask = nullptr;
};

/// One training example: x = inputs, y = next-token targets, w = per-target
/// loss weight (0 = ignored). All of length seqLen.
struct Example {
    std::vector<int64_t> x, y;
    std::vector<float> w;
};

/// Pretraining sample views over a cache. Weights are 1 on every real target;
/// over a masked (SFT) cache they follow the mask instead.
class PretrainDataset {
public:
    enum class Mode {
        /// Documents back to back (each ends with <|im_end|>), cut into windows of
        /// seqLen+1 tokens with stride seqLen; no padding. The default.
        Pack,
        /// minimind's mode: one document per sample, <|im_start|> + tokens,
        /// truncated to seqLen+1, padded with 0; pad targets get weight 0.
        Pad,
    };
    PretrainDataset(const TokenCache& cache, int seqLen, Mode mode);
    int64_t size() const;
    /// Fills `out` with sample i (0 <= i < size()).
    void get(int64_t i, Example& out) const;
    int seqLen() const { return m_seqLen; }
    Mode mode() const { return m_mode; }

private:
    const TokenCache& m_cache;
    int m_seqLen;
    Mode m_mode;
};

/// What `micromind data summary` prints.
struct DataSummary {
    int64_t documents = 0;
    int64_t tokens = 0;
    int64_t badLines = 0;
    double meanTokensPerDoc = 0;
    int64_t p50TokensPerDoc = 0, p95TokensPerDoc = 0, maxTokensPerDoc = 0;
    int seqLen = 0;
    int64_t packedSamples = 0;       ///< samples in pack mode
    int64_t packedDroppedTokens = 0; ///< tail tokens that fill no whole window
    int64_t paddedSamples = 0;       ///< samples in pad mode (= documents)
    double truncatedShare = 0;       ///< pad mode: share of documents that lose tokens (longer than seqLen)
    double truncatedTokenShare = 0;  ///< pad mode: share of tokens cut off
    double paddingShare = 0;         ///< pad mode: share of target positions that are padding (weight 0)
};
DataSummary summarize(const TokenCache& cache, int seqLen);

} // namespace mm::data
