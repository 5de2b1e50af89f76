#pragma once
// Does a model read back from an exported or imported file compute what the
// original computes? Logits on fixed prompts and greedy continuations.

#include "model/minimind.h"
#include "text/tokenizer.h"

#include <string>
#include <vector>

namespace mm::interop {

struct ParityPrompt {
    std::string text;
    std::vector<int> ids;
};

struct ParityReport {
    double maxAbsDiff = 0;  ///< max |logit_a - logit_b| over every position of every prompt
    double logitSpread = 0; ///< max - min of the reference logits (scale for maxAbsDiff)
    int prompts = 0;
    int greedyTokens = 0;             ///< tokens generated per prompt
    int greedyAgree = 0;              ///< prompts whose greedy continuations are identical
    std::vector<int> firstDivergence; ///< per prompt: index of the first differing token, -1 if none
    std::vector<std::vector<int>> greedyA, greedyB;
};

/// Three fixed prompts (Chinese chat, English text, the raw BOS start) in
/// this tokenizer's ids.
std::vector<ParityPrompt> parityPrompts(const text::Tokenizer& tok);

/// Full-forward greedy decoding of `n` tokens (no cache, no stop token): the
/// plainest reference there is.
std::vector<int> greedyPlain(model::MiniMind& m, const std::vector<int>& prompt, int n);

/// Compares `b` against the reference `a` on `prompts`, float32 on the CPU.
ParityReport compareModels(model::MiniMind& a, model::MiniMind& b, const std::vector<ParityPrompt>& prompts,
                           int greedyTokens = 64);

/// One line: "max |Δlogit| 3.1e-06 (spread 18.2); greedy 64 tokens: 3/3 prompts identical".
std::string describe(const ParityReport& r);

} // namespace mm::interop
