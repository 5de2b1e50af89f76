#pragma once
// Live probes: every --probe_interval optimizer steps the training loop lets
// the model answer a few fixed prompts greedily (KV cache, no sampling, no RNG),
// so a run shows what the model says, not only how its loss falls. The trainer
// decides when (rank 0 only, eval mode, no grad, time excluded from tokens/s;
// see TrainCallbacks::onProbe); this file decides what: the prompts and the
// decoding.

#include "model/minimind.h"
#include "text/tokenizer.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mm::train {

/// The prompts a run probes with and how they are encoded.
struct ProbeSet {
    std::vector<std::string> prompts;
    bool raw = false;   ///< raw continuation (pretrain) instead of the chat template
    std::string source; ///< file the prompts came from
};

/// Raw continuation for pretrain, the chat template for every other stage.
bool probeUsesRawPrompts(const std::string& stage);

/// The seed's prompt set a stage probes with by default: "pretrain" (raw
/// continuation) for pretrain, "eval" (the reasoning-style questions) for
/// distill_reason and grpo, "chat" for full_sft, dpo and lora.
std::string defaultProbeSetName(const std::string& stage);

/// The first `n` prompts of the stage's default set (see defaultProbeSetName)
/// from `resourceDir`/prompts. Throws InputError when the set is missing.
ProbeSet defaultProbeSet(const std::string& stage, const std::string& resourceDir, size_t n = 3);

/// --probe_prompts: a .jsonl file of {"prompt": ...} objects or any other file
/// with one prompt per non-empty line (eval/prompts.h's format). Throws
/// InputError naming file:line for a malformed line and for an empty file.
ProbeSet loadProbeFile(const std::string& path, const std::string& stage);

/// One probe answer.
struct ProbeSample {
    std::string prompt;
    std::string completion; ///< decoded text of the generated tokens (stop token excluded)
    int64_t tokens = 0;     ///< generated tokens
    bool stopped = false;   ///< ended at <|im_end|> rather than at the token limit
};

/// Greedy KV-cached decoding of a fixed prompt set. The prompts are encoded
/// once; run() leaves the model's weights, mode and grad state as it found
/// them and consumes no random numbers.
class Prober {
public:
    /// Throws InputError when a prompt does not fit the model's positions
    /// together with `maxNewTokens`.
    Prober(const text::Tokenizer& tok, ProbeSet set, int maxNewTokens, int64_t maxPositions,
           double repetitionPenalty = 1.1);
    std::vector<ProbeSample> run(model::MiniMind& model) const;
    const ProbeSet& set() const { return m_set; }
    int maxNewTokens() const { return m_maxNew; }

private:
    const text::Tokenizer& m_tok;
    ProbeSet m_set;
    std::vector<std::vector<int>> m_ids;
    int m_maxNew;
    double m_penalty;
};

} // namespace mm::train
