#pragma once
// Answers to DIFFERENT prompts in one batched, KV-cached decode (evaluation):
// prompts are left-padded to a common length so every row's next token goes
// to the same cache slot, the padding slots are masked out of attention
// (KvCache::rowStart), and rows that finish are dropped from the batch so the
// remaining ones stop paying for them. Each row samples with its own seeded
// generator exactly as Generator::generate does for that prompt alone, so a
// batched answer equals the batch-1 answer up to float rounding (matrix
// products over several rows round differently from single-row ones).

#include "eval/generator.h"
#include "model/minimind.h"

#include <functional>
#include <vector>

namespace mm::eval {

/// One row of a batch: the prompt's ids and its sampling options (its seed).
struct BatchRequest {
    std::vector<int> prompt;
    SamplingOptions options;
};

/// Called when row `index` has finished (stop id, token limit or cancel);
/// return false to cancel the rows still running.
using RowCallback = std::function<bool(size_t index, const GenerationResult& result)>;

/// Decodes every request together. All rows must share maxNewTokens' upper
/// bound of the cache, the stop ids and decodeDtype of requests[0] (only
/// seeds and sampling knobs may differ per row). `seconds` of a result is the
/// wall time its row spent in the batch; prefillSeconds is the shared
/// prefill. Runs under InferenceMode in eval mode. Throws InputError for an
/// empty prompt or one that leaves no room in the model's positions.
/// `stopRequested`, polled once per step, cancels the rows still running.
/// (The cache is sized for the longest prompt, so near the model's position
/// limit a short prompt may stop earlier than it would alone.)
std::vector<GenerationResult> generateBatch(model::MiniMind& model, const std::vector<BatchRequest>& requests,
                                            const RowCallback& onRowDone = {},
                                            const std::function<bool()>& stopRequested = {});

} // namespace mm::eval
