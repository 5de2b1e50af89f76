#include "data/token_cache.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace mm::data {

namespace {

int64_t packedCount(int64_t tokens, int seqLen) {
    // A window needs seqLen + 1 tokens (inputs plus the one-step-shifted targets);
    // consecutive windows share one token, hence the stride of seqLen.
    return tokens > seqLen ? (tokens - 1) / seqLen : 0;
}

void checkSeqLen(int seqLen) {
    if (seqLen < 1)
        throw InputError("sequence length must be at least 1 (got " + std::to_string(seqLen) + ")");
}

// Nearest-rank percentile of sorted values: the smallest value with at least q of
// the data at or below it. Always an actual document length.
int64_t percentile(const std::vector<int64_t>& sorted, double q) {
    if (sorted.empty())
        return 0;
    auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
    rank = std::clamp<size_t>(rank, 1, sorted.size());
    return sorted[rank - 1];
}

} // namespace

PretrainDataset::PretrainDataset(const TokenCache& cache, int seqLen, Mode mode)
    : m_cache(cache), m_seqLen(seqLen), m_mode(mode) {
    checkSeqLen(seqLen);
    if (mode == Mode::Pack && packedCount(cache.numTokens(), seqLen) == 0)
        throw InputError(cache.path() + " holds " + std::to_string(cache.numTokens()) +
                         " tokens, too few for one packed sample of " + std::to_string(seqLen + 1) +
                         "; use a shorter sequence length or more data");
}

int64_t PretrainDataset::size() const {
    return m_mode == Mode::Pack ? packedCount(m_cache.numTokens(), m_seqLen) : m_cache.numDocuments();
}

void PretrainDataset::get(int64_t i, Example& out) const {
    if (i < 0 || i >= size())
        throw std::out_of_range("PretrainDataset::get: sample " + std::to_string(i) + " of " + std::to_string(size()));
    const size_t T = static_cast<size_t>(m_seqLen);
    out.x.resize(T);
    out.y.resize(T);
    out.w.resize(T);
    const uint16_t* tok = m_cache.tokens();
    // Pretrain caches carry no mask (every token is a target). When a masked
    // cache is used, its mask is honoured rather than training on prompt tokens.
    const uint8_t* mask = m_cache.mask();

    if (m_mode == Mode::Pack) {
        const size_t base = static_cast<size_t>(i) * T;
        for (size_t j = 0; j < T; ++j) {
            out.x[j] = tok[base + j];
            out.y[j] = tok[base + j + 1];
            out.w[j] = mask ? static_cast<float>(mask[base + j + 1]) : 1.0f;
        }
        return;
    }

    // Pad: sequence s = [<|im_start|>] + document, cut to T + 1, padded with 0.
    // x = s[0..T), y = s[1..T]; y[j] is document token j.
    const size_t begin = static_cast<size_t>(m_cache.docBegin(i));
    const size_t len = static_cast<size_t>(m_cache.docEnd(i)) - begin;
    const size_t targets = std::min(len, T); // real (non-padding) targets
    for (size_t j = 0; j < T; ++j) {
        out.x[j] = j == 0 ? text::special::kImStart : (j - 1 < len ? tok[begin + j - 1] : text::special::kPad);
        if (j < targets) {
            out.y[j] = tok[begin + j];
            out.w[j] = mask ? static_cast<float>(mask[begin + j]) : 1.0f;
        } else {
            // Padding is recognised by position, not by id 0: a document may
            // legitimately contain <|endoftext|> (also id 0) as a target.
            out.y[j] = text::special::kPad;
            out.w[j] = 0.0f;
        }
    }
}

DataSummary summarize(const TokenCache& cache, int seqLen) {
    checkSeqLen(seqLen);
    DataSummary s;
    s.documents = cache.numDocuments();
    s.tokens = cache.numTokens();
    s.badLines = cache.badLines();
    s.seqLen = seqLen;
    if (s.documents == 0)
        return s;

    std::vector<int64_t> lengths(static_cast<size_t>(s.documents));
    int64_t truncatedDocs = 0, cutTokens = 0, paddingTargets = 0;
    for (int64_t i = 0; i < s.documents; ++i) {
        const int64_t len = cache.docEnd(i) - cache.docBegin(i);
        lengths[static_cast<size_t>(i)] = len;
        // Pad mode keeps [<|im_start|>] + the first seqLen document tokens.
        if (len > seqLen) {
            ++truncatedDocs;
            cutTokens += len - seqLen;
        } else {
            paddingTargets += seqLen - len;
        }
    }
    std::sort(lengths.begin(), lengths.end());
    s.meanTokensPerDoc = static_cast<double>(s.tokens) / static_cast<double>(s.documents);
    s.p50TokensPerDoc = percentile(lengths, 0.50);
    s.p95TokensPerDoc = percentile(lengths, 0.95);
    s.maxTokensPerDoc = lengths.back();

    s.packedSamples = packedCount(s.tokens, seqLen);
    // Windows cover tokens [0, samples * seqLen]; whatever follows is never seen.
    s.packedDroppedTokens = s.packedSamples > 0 ? s.tokens - (s.packedSamples * seqLen + 1) : s.tokens;

    s.paddedSamples = s.documents;
    s.truncatedShare = static_cast<double>(truncatedDocs) / static_cast<double>(s.documents);
    s.truncatedTokenShare = s.tokens > 0 ? static_cast<double>(cutTokens) / static_cast<double>(s.tokens) : 0.0;
    s.paddingShare =
        static_cast<double>(paddingTargets) / (static_cast<double>(s.documents) * static_cast<double>(seqLen));
    return s;
}

} // namespace mm::data
