#pragma once
// Losses and checks of the post-training stages, as pure functions on tensors
// and strings (no model, no I/O), so each can be tested against hand-computed
// values.

#include <torch/torch.h>

#include <string>

namespace mm::train {

/// Per-position log-probability of the targets: log softmax(logits)[y],
/// (B, T, V) x (B, T) -> (B, T), float32.
torch::Tensor tokenLogProbs(const torch::Tensor& logits, const torch::Tensor& targets);

/// Mean of `tokenLogProbs` over the positions where mask > 0, per sequence:
/// (B, T) x (B, T) -> (B). A row with an empty mask gives 0 (callers reject
/// such rows when building data).
torch::Tensor sequenceMeanLogProbs(const torch::Tensor& tokenLogp, const torch::Tensor& mask);

/// Terms of the DPO objective for a batch of pairs (all (N) tensors).
struct DpoTerms {
    torch::Tensor loss;                         ///< scalar: mean over pairs
    torch::Tensor margin;                       ///< scalar: mean of beta * ((pc - pr) - (rc - rr))
    torch::Tensor accuracy;                     ///< scalar: share of pairs whose implicit reward prefers chosen
    torch::Tensor chosenReward, rejectedReward; ///< scalars: mean beta * (pc - rc), beta * (pr - rr)
};

/// Direct Preference Optimization (Rafailov et al. 2023, "Direct Preference
/// Optimization: Your Language Model is Secretly a Reward Model", eq. 7):
///   loss = -log sigmoid(beta * ((pc - pr) - (rc - rr)))
/// with p = policy and r = reference log-probabilities of the chosen (c) and
/// rejected (r) answers. Departure from the paper (as minimind's older
/// trainer): the log-probabilities are sequence MEANS over the answer tokens,
/// not sums, so long and short answers weigh the same and beta's scale does
/// not depend on answer length.
DpoTerms dpoLoss(const torch::Tensor& policyChosen, const torch::Tensor& policyRejected, const torch::Tensor& refChosen,
                 const torch::Tensor& refRejected, double beta);

/// Loss weights for reasoning distillation: `mask` (B, T) with every target
/// position whose id is one of <think> </think> <answer> </answer> (ids 3..6)
/// multiplied by `tagWeight`. Only positions already in the mask change, so a
/// tag that appears in a prompt stays unweighted. minimind's
/// train_distill_reason.py does the same with weight 10, but its tags were
/// split into several ordinary tokens, so it weighted fragments such as "th"
/// everywhere; here each tag is one special token and exactly its positions
/// are weighted.
torch::Tensor reasoningWeights(const torch::Tensor& targets, const torch::Tensor& mask, double tagWeight);

/// True when `text` (a generated answer) is "<think>...</think>" followed by
/// "<answer>...</answer>", each tag exactly once and in that order; leading and
/// trailing whitespace is ignored (minimind's format reward, without its
/// insistence on newlines next to the tags).
bool followsThinkFormat(const std::string& text);

} // namespace mm::train
