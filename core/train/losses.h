#pragma once
// Loss functions as pure functions on tensors.

#include "model/minimind.h"
#include "train/trainer.h"

#include <torch/torch.h>

namespace mm::train {

/// Next-token cross-entropy of logits (B, T, V) against targets (B, T),
/// weighted per position by w (undefined = all ones): sum(w * ce) / sum(w).
/// The caller guarantees sum(w) > 0 (batches with an empty mask are rejected
/// when they are built).
torch::Tensor weightedCrossEntropy(const torch::Tensor& logits, const torch::Tensor& targets, const torch::Tensor& w);

/// Language-model step shared by pretraining and SFT-style stages: forward,
/// weighted cross-entropy, plus the MoE auxiliary loss when the model has one.
/// Metrics: "lm_loss" and, with MoE, "aux_loss".
StepOutput languageModelStep(model::MiniMind& model, const Batch& batch);

} // namespace mm::train
