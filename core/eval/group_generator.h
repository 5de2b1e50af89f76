#pragma once
// Several sampled continuations of ONE prompt in a single batched decode: the
// prompt is prefilled once, its KV cache copied to every row, and the rows
// then advance together (same positions, so no padding mask is needed); a row
// that has produced its stop token is fed padding and ignored from then on.
// GRPO's rollouts use it; Generator (generator.h) stays the batch-1 engine of
// chat and eval.

#include "eval/generator.h"
#include "model/minimind.h"

#include <vector>

namespace mm::eval {

/// The continuations of one prompt.
struct GroupGeneration {
    std::vector<std::vector<int>> tokens; ///< per row: generated ids, without the stop token
    std::vector<bool> hitStop;            ///< per row: ended with a stop id (else cut at maxNewTokens)
};

/// Samples `n` continuations of `prompt` with `opts` (temperature, top-k,
/// top-p, repetition penalty and greedy as in samplingDistribution; row r
/// draws from one CPU generator seeded with opts.seed, rows in order). Runs
/// without gradients (NoGradGuard, not InferenceMode, so the ids can feed a
/// training forward pass) and in eval mode, restoring the model's mode after.
/// Throws InputError for an empty prompt or one that fills the model's
/// positions.
GroupGeneration generateGroup(model::MiniMind& model, const std::vector<int>& prompt, int n,
                              const SamplingOptions& opts);

} // namespace mm::eval
