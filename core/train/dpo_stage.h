#pragma once
// DPO on {"chosen": [...], "rejected": [...]} pairs. The reference model's
// log-probabilities are computed once, before training, and cached on disk
// next to the token caches (keyed by reference checkpoint + data + tokenizer +
// sequence length), so training holds only the policy in memory: the seed's
// "the reference model's outputs can be saved in advance".

#include "model/minimind.h"
#include "text/tokenizer.h"
#include "train/trainer.h"

#include <string>
#include <vector>

namespace mm::train {

/// Tokenized preference pairs. Sequence 2i is pair i's chosen conversation,
/// 2i+1 its rejected one; the mask marks the final assistant answer and its
/// closing <|im_end|> (the turns before it are identical in both).
struct PreferenceData {
    std::vector<std::vector<int32_t>> tokens;
    std::vector<std::vector<uint8_t>> mask;
    int64_t pairs() const { return int64_t(tokens.size() / 2); }
    int64_t badLines = 0;       ///< skipped by --skip_bad_lines
    int64_t truncatedPairs = 0; ///< dropped: an answer starts beyond max_seq_len
    std::string key;            ///< data file stamp + tokenizer + seq len
};

/// Reads and tokenizes a DPO jsonl. Bad records (see data::preferencePair)
/// throw InputError naming file:line unless skipBadLines. Pairs whose answer
/// would be cut off entirely by seqLen are dropped and counted; when none is
/// left, InputError says to raise --max_seq_len.
PreferenceData loadPreferencePairs(const std::string& path, const text::Tokenizer& tok, int seqLen, bool skipBadLines);

/// The (2B, T) batch of pairs `idx`: rows 0..B-1 chosen, B..2B-1 rejected;
/// w = answer mask of the targets.
Batch preferenceBatch(const PreferenceData& data, const std::vector<int64_t>& idx, int seqLen);

/// Sequence-mean log-probs of every pair under `model` (no gradients, eval
/// mode): (pairs, 2) float32 on the CPU, column 0 chosen, 1 rejected.
torch::Tensor pairLogProbs(model::MiniMind& model, const PreferenceData& data, int seqLen, int batchSize);

/// Reference log-probs from the cache file `cachePath` when its key matches
/// `key`; otherwise computes them with `model` and writes the cache
/// atomically. `computed` tells which happened.
torch::Tensor referenceLogProbs(const std::string& cachePath, const std::string& key, model::MiniMind& model,
                                const PreferenceData& data, int seqLen, int batchSize, bool& computed);

class DpoStage : public Stage {
public:
    /// `reference`: (pairs, 2) from referenceLogProbs. `rpoAlpha` > 0 adds
    /// alpha x the chosen answers' mean negative log-likelihood to the loss
    /// (RPO, Pang et al. 2024; TRL's rpo_alpha): DPO alone may lower the chosen
    /// answers' likelihood along with the rejected ones'.
    DpoStage(const PreferenceData& data, torch::Tensor reference, int seqLen, double beta, double rpoAlpha = 0);
    std::string name() const override { return "dpo"; }
    int64_t numSamples() const override { return m_data.pairs(); }
    Batch makeBatch(const std::vector<int64_t>& indices) override;
    /// Metrics: reward_margin, pref_accuracy, chosen_reward, rejected_reward,
    /// and chosen_nll when rpoAlpha > 0.
    StepOutput step(model::MiniMind& model, const Batch& batch) override;

private:
    const PreferenceData& m_data;
    torch::Tensor m_ref;
    int m_seqLen;
    double m_beta;
    double m_rpoAlpha;
};

} // namespace mm::train
