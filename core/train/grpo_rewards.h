#pragma once
// Reward functions of the GRPO stage: pure functions on a completion's text
// (and its length), plus a small registry that turns `--rewards
// format,exact,...` into one scoring function. Custom rewards plug in through
// RewardSet::add.

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace mm::train {

/// What a reward function sees of one sampled completion.
struct Completion {
    std::string text;      ///< decoded completion (without the stop token)
    std::string answer;    ///< the prompt's known answer; "" = none
    int64_t tokens = 0;    ///< generated tokens, the stop token included when hit
    int64_t maxTokens = 0; ///< the generation budget (--max_gen_len)
    bool hitStop = false;  ///< ended with <|im_end|> (false: cut off at maxTokens)
};

/// Think/answer format reward in [0, 1]: 0.125 for each of <think>, </think>,
/// <answer>, </answer> that occurs exactly once, plus 0.5 when the whole text
/// is <think>…</think><answer>…</answer> (followsThinkFormat). minimind's
/// train_grpo.py gives 0.25 per tag and 0.5 for the shape (max 1.5) and
/// insists on newlines next to the tags; here the maximum is 1 and whitespace
/// is free, so a model that writes the tags on one line is not punished.
double formatReward(const std::string& text);

/// The answer a completion gives: the text inside <answer>…</answer> when both
/// tags are present (the first pair), otherwise the whole text; trimmed.
std::string extractAnswer(const std::string& text);

/// 1 when extractAnswer(text) equals the trimmed known answer, else 0 (also 0
/// when there is no known answer).
double exactMatchReward(const std::string& text, const std::string& answer);

/// Soft overlong punishment of DAPO (Yu et al. 2025, "DAPO: An Open-Source LLM
/// Reinforcement Learning System at Scale", eq. 13) with L_max = maxTokens and
/// an interval L_cache = maxTokens / 4: 0 up to L_max - L_cache tokens, then
/// falling linearly to -1 at L_max. Departure: a completion cut off without
/// its stop token always gets -1 (DAPO's "> L_max" case; here generation
/// cannot pass L_max, so "did not stop" is what marks it).
double lengthPenalty(int64_t tokens, int64_t maxTokens, bool hitStop);

/// Repetition penalty in [-1, 0]: -(1 - distinct n-grams / n-grams) over the
/// text's units, n = 3 (as Open-R1's repetition penalty reward, which counts
/// word n-grams). A unit is a run of ASCII letters/digits or any other single
/// non-space character, so Chinese text (no spaces) counts characters. Texts
/// with fewer than n units get 0.
double repetitionPenalty(const std::string& text, int n = 3);

/// Scores a completion.
using RewardFn = std::function<double(const Completion&)>;

/// The rewards of a run, summed. Names: format, exact, length, repetition.
class RewardSet {
public:
    /// Parses a comma list such as "format,exact,repetition". Throws
    /// InputError naming `flag` for an unknown, duplicate or missing name.
    static RewardSet parse(const std::string& list, const std::string& flag = "--rewards");
    /// The built-in reward called `name`, or an empty function.
    static RewardFn builtin(const std::string& name);
    /// Adds a reward (custom or built-in) under `name`.
    void add(std::string name, RewardFn fn);
    /// Each reward's value, in the order added.
    std::vector<double> components(const Completion& c) const;
    /// Sum of the components.
    double total(const Completion& c) const;
    const std::vector<std::string>& names() const { return m_names; }
    bool empty() const { return m_fns.empty(); }

private:
    std::vector<std::string> m_names;
    std::vector<RewardFn> m_fns;
};

} // namespace mm::train
