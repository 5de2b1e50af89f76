#include "eval/evaluator.h"

#include "common/error.h"
#include "eval/text_stream.h"

namespace mm::eval {

uint64_t promptSeed(uint64_t base, int index) { return base + static_cast<uint64_t>(index); }

EvalAnswer answerPrompt(Generator& gen, const text::Tokenizer& tok, const EvalItem& item, const EvalSettings& s,
                        const TextCallback& onText) {
    EvalAnswer a;
    a.item = item;
    SamplingOptions o = s.sampling;
    o.seed = promptSeed(s.sampling.seed, item.index);
    a.seed = o.seed;
    const std::vector<int> ids = promptIds(tok, item.prompt, s.raw, s.systemPrompt);
    const int64_t maxPos = gen.model()->config().maxPositions;
    if (int64_t(ids.size()) >= maxPos)
        throw InputError("prompt " + std::to_string(item.index + 1) + " of set \"" + item.promptSet + "\" is " +
                         std::to_string(ids.size()) + " tokens, more than the model's " + std::to_string(maxPos) +
                         " positions; shorten it");
    StreamDecoder dec(tok);
    std::vector<int> out;
    TokenCallback cb;
    if (onText)
        cb = [&](int id) {
            std::string piece = dec.push(id);
            return piece.empty() || onText(piece);
        };
    GenerationResult r = gen.generate(ids, o, cb);
    if (onText) {
        std::string tail = dec.flush();
        if (!tail.empty())
            onText(tail);
    }
    a.text = tok.decode(r.tokens);
    a.tokens = int64_t(r.tokens.size());
    a.seconds = r.seconds;
    a.tokensPerSecond = r.seconds > 0 ? double(a.tokens) / r.seconds : 0.0;
    a.hitStop = r.hitStop;
    a.cancelled = r.cancelled;
    return a;
}

nlohmann::json samplingJson(const SamplingOptions& o) {
    return {{"max_new_tokens", o.maxNewTokens}, {"temperature", o.temperature}, {"top_p", o.topP},
            {"top_k", o.topK}, {"repetition_penalty", o.repetitionPenalty}, {"greedy", o.greedy},
            {"infer_dtype", o.decodeDtype == torch::kBFloat16 ? "bfloat16" : "float32"}};
}

} // namespace mm::eval
