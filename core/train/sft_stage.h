#pragma once
// Supervised fine-tuning on ChatML conversations (full_sft, distill_reason and
// LoRA): one conversation per sample, truncated to max_seq_len and padded;
// the loss covers assistant content and its closing <|im_end|> only (the mask
// of a CacheFormat::Sft token cache).

#include "data/token_cache.h"
#include "model/lora.h"
#include "train/trainer.h"

#include <string>
#include <vector>

namespace mm::train {

/// Documents of a masked cache that keep at least one loss target within
/// seqLen + 1 tokens (the rest have nothing to learn from: a prompt longer than
/// the window). `exclude` (may be empty) drops documents by index; `dropped`
/// receives the number of documents left out for having no target.
std::vector<int64_t> trainableDocuments(const data::TokenCache& cache, int seqLen, const std::vector<bool>& exclude,
                                        int64_t& dropped);

/// Reads a reasoning jsonl and checks every assistant turn holds
/// <think>…</think><answer>…</answer> (each tag once, in order). Returns one
/// flag per document of the SFT cache built from the same file (true = the
/// sample lacks the tags and was skipped); throws InputError naming file:line
/// unless skipBadLines. `bad` receives the number of skipped samples.
std::vector<bool> checkReasoningData(const std::string& path, bool skipBadLines, int64_t& bad);

/// full_sft / distill_reason / lora samples.
class SftStage : public Stage {
public:
    /// `tagWeight` > 0 weights the target positions of the reasoning tags
    /// (distill_reason), whose ids are `tagIds` (Tokenizer::tagIds(); the
    /// default is MicroMind's own tokenizer's four tag ids); 0 = plain SFT.
    SftStage(std::string name, const data::TokenCache& cache, std::vector<int64_t> docs, int seqLen,
             double tagWeight = 0, std::vector<int> tagIds = {3, 4, 5, 6});
    std::string name() const override { return m_name; }
    int64_t numSamples() const override { return int64_t(m_docs.size()); }
    Batch makeBatch(const std::vector<int64_t>& indices) override;
    StepOutput step(model::MiniMind& model, const Batch& batch) override;
    /// Sample i: x = doc[0..T), y = doc[1..T], w = mask of y (0 on padding),
    /// times tagWeight on tag targets.
    void sample(int64_t i, data::Example& out) const;

private:
    std::string m_name;
    const data::TokenCache& m_cache;
    std::vector<int64_t> m_docs;
    int m_seqLen;
    double m_tagWeight;
    std::vector<int> m_tagIds; ///< sorted
};

/// LoRA: SFT with only the adapters trained and only the adapters saved.
class LoraStage : public SftStage {
public:
    LoraStage(const data::TokenCache& cache, std::vector<int64_t> docs, int seqLen, model::LoraOptions opts);
    std::vector<torch::Tensor> trainableParameters(model::MiniMind& model) override;
    void writeWeights(const std::string& path, model::MiniMind& model, const nlohmann::json& meta) override;

private:
    model::LoraOptions m_opts;
};

/// Held-out masked loss: token-weighted mean cross-entropy over every target
/// of the given documents (no tag weights), evaluated without gradients.
struct MaskedLoss {
    double loss = 0;
    int64_t targets = 0;
    int64_t samples = 0;
};
MaskedLoss maskedLoss(model::MiniMind& model, const data::TokenCache& cache, const std::vector<int64_t>& docs,
                      int seqLen, int batchSize);

} // namespace mm::train
