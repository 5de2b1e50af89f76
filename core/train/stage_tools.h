#pragma once
// Tools around the post-training stages: `merge_lora` folds an adapter into its
// base checkpoint; `heldout` measures a stage's own held-out metric
// (assistant-token loss, preference accuracy, think/answer format rate, GRPO
// reward) on a file the run did not train on.

#include "config/schema.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace mm::train {

/// Folds <out_dir>/lora/<lora_name>_<suffix>.pth into --from_weight and saves
/// it (merge_lora's flags); returns the line that says what was written.
std::string mergeLoraCommand(const config::Values& v);

struct HeldoutOptions {
    std::string weights, loraPath, dataPath, tokenizer, outDir = "out", device = "auto";
    std::string metric = "loss"; ///< loss, preference, think_format or reward (--stage resolved)
    std::string rewards;         ///< reward: the reward functions
    double temperature = 0, repetitionPenalty = 1.0;
    int64_t seed = 42, maxSeqLen = 512, batchSize = 16, maxSamples = 0, maxNewTokens = 128, threads = 0;
    bool skipBadLines = false;

    /// heldout's flags; --stage picks the stage's own metric (InputError when
    /// --metric names another).
    static HeldoutOptions from(const config::Values& v);
};

/// The metric's figures as heldout's JSON (weights, data_path, metric, the
/// figures, examples for generated metrics, seconds). `info` gets progress lines.
nlohmann::json heldoutMetrics(const HeldoutOptions& o, const std::function<void(const std::string&)>& info);
/// heldoutMetrics' JSON for a person: "name value" lines, then the examples.
std::string heldoutText(const nlohmann::json& out);

} // namespace mm::train
