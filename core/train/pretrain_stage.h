#pragma once
// Pretraining: next-token prediction over packed (or padded) documents.

#include "data/token_cache.h"
#include "train/trainer.h"

namespace mm::train {

/// Turns dataset examples into (B, T) tensors. Shared by stages whose samples
/// are data::Example (pretrain, SFT, reasoning distillation).
Batch examplesToBatch(const std::vector<data::Example>& examples);

class PretrainStage : public Stage {
public:
    explicit PretrainStage(const data::PretrainDataset& ds) : m_ds(ds) {}
    std::string name() const override { return "pretrain"; }
    int64_t numSamples() const override { return m_ds.size(); }
    Batch makeBatch(const std::vector<int64_t>& indices) override;
    StepOutput step(model::MiniMind& model, const Batch& batch) override;

private:
    const data::PretrainDataset& m_ds;
    std::vector<data::Example> m_buf;
};

} // namespace mm::train
