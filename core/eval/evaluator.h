#pragma once
// Answering prompt sets with one model: the work behind `micromind eval`, the
// GUI's compare panel and the server. Each prompt gets its own seed (base seed
// + prompt index), so any single answer can be reproduced on its own.

#include "eval/generator.h"
#include "text/tokenizer.h"

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mm::eval {

/// One prompt to answer.
struct EvalItem {
    std::string promptSet;
    int index = 0; ///< position in its set
    std::string prompt;
};

/// How prompts are fed and sampled.
struct EvalSettings {
    bool raw = false;         ///< mode 0: continue the raw text instead of chatting
    std::string systemPrompt; ///< optional system turn (chat modes)
    SamplingOptions sampling; ///< sampling.seed is the base seed
};

/// A generated answer.
struct EvalAnswer {
    EvalItem item;
    std::string text;   ///< decoded answer (special tags such as <think> kept)
    int64_t tokens = 0; ///< generated tokens
    double seconds = 0; ///< decode time after prefill
    double tokensPerSecond = 0;
    uint64_t seed = 0;    ///< the seed this answer was sampled with
    bool hitStop = false; ///< ended at <|im_end|> rather than the token limit
    bool cancelled = false;
};

/// Streams decoded text of the answer being generated; return false to cancel.
using TextCallback = std::function<bool(const std::string& piece)>;

/// The seed of prompt `index` for a base seed.
uint64_t promptSeed(uint64_t base, int index);

/// Answers one prompt. Prompts longer than the model's positions minus
/// max_new_tokens are refused with an InputError naming the set and index.
EvalAnswer answerPrompt(Generator& gen, const text::Tokenizer& tok, const EvalItem& item, const EvalSettings& s,
                        const TextCallback& onText = {});

/// Answers `items` in batches of up to `batchSize` prompts decoded together
/// (generateBatch: each answer equals its batch-1 answer up to float
/// rounding; the same per-prompt seeds). `onAnswer` receives the answers in
/// item order, each batch once it has finished; `seconds` of an answer is
/// the time its row spent in the batch. `stopRequested` cancels the batch
/// being decoded (its answers come back marked cancelled) and the rest.
void answerPromptsBatched(model::MiniMind& model, const text::Tokenizer& tok, const std::vector<EvalItem>& items,
                          const EvalSettings& s, int batchSize, const std::function<void(const EvalAnswer&)>& onAnswer,
                          const std::function<bool()>& stopRequested = {});

/// Sampling settings as stored with each answer.
nlohmann::json samplingJson(const SamplingOptions& o);

} // namespace mm::eval
