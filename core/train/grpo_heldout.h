#pragma once
// GRPO's held-out figures: one generated answer per prompt (greedy, or
// sampled at a temperature with seed + i), scored with the same reward
// functions as training. `micromind heldout --stage grpo` reports them after a
// run; `micromind grpo --eval_data` logs them during one (val_reward_mean,
// val_accuracy, ...), without touching the training's weights or generators.

#include "model/minimind.h"
#include "text/tokenizer.h"
#include "train/grpo_rewards.h"
#include "train/grpo_stage.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mm::train {

struct HeldoutRewardOptions {
    int maxNewTokens = 128;
    double temperature = 0; ///< <= 0: greedy
    double repetitionPenalty = 1.0;
    uint64_t seed = 42;  ///< prompt i samples with seed + i
    size_t examples = 3; ///< completions kept for display
};

struct HeldoutReward {
    double rewardMean = 0, rewardStd = 0;
    double accuracy = 0;       ///< exact match over the prompts that have an answer
    double formatRate = 0;     ///< share in <think>…</think><answer>…</answer> form
    double meanTokens = 0;     ///< generated tokens per answer (stop token included)
    std::vector<double> parts; ///< mean of each reward component, in RewardSet::names() order
    struct Example {
        std::string question, output, answer;
        double reward = 0;
        bool formatOk = false;
    };
    std::vector<Example> examples;
};

/// Answers every prompt of `data` and scores it. Runs without autograd; the
/// model's mode is left to the caller (the generator sets eval mode).
HeldoutReward heldoutReward(model::MiniMind model, const text::Tokenizer& tok, const GrpoData& data,
                            const RewardSet& rewards, const HeldoutRewardOptions& o);

} // namespace mm::train
