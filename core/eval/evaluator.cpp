#include "eval/evaluator.h"

#include "common/error.h"
#include "eval/batch_generator.h"
#include "eval/text_stream.h"

#include <algorithm>

namespace mm::eval {

namespace {

/// The prompt's ids, refused with the set and index when it fills the model.
std::vector<int> checkedPromptIds(const text::Tokenizer& tok, const EvalItem& item, const EvalSettings& s,
                                  int64_t maxPos) {
    std::vector<int> ids = promptIds(tok, item.prompt, s.raw, s.systemPrompt);
    if (int64_t(ids.size()) >= maxPos)
        throw InputError("prompt " + std::to_string(item.index + 1) + " of set \"" + item.promptSet + "\" is " +
                         std::to_string(ids.size()) + " tokens, more than the model's " + std::to_string(maxPos) +
                         " positions; shorten it");
    return ids;
}

EvalAnswer makeAnswer(const text::Tokenizer& tok, const EvalItem& item, uint64_t seed, const GenerationResult& r) {
    EvalAnswer a;
    a.item = item;
    a.seed = seed;
    a.text = tok.decode(r.tokens);
    a.tokens = int64_t(r.tokens.size());
    a.seconds = r.seconds;
    a.tokensPerSecond = r.seconds > 0 ? double(a.tokens) / r.seconds : 0.0;
    a.hitStop = r.hitStop;
    a.cancelled = r.cancelled;
    return a;
}

} // namespace

uint64_t promptSeed(uint64_t base, int index) { return base + static_cast<uint64_t>(index); }

EvalAnswer answerPrompt(Generator& gen, const text::Tokenizer& tok, const EvalItem& item, const EvalSettings& s,
                        const TextCallback& onText) {
    SamplingOptions o = s.sampling;
    o.seed = promptSeed(s.sampling.seed, item.index);
    const std::vector<int> ids = checkedPromptIds(tok, item, s, gen.model()->config().maxPositions);
    StreamDecoder dec(tok);
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
    return makeAnswer(tok, item, o.seed, r);
}

void answerPromptsBatched(model::MiniMind& model, const text::Tokenizer& tok, const std::vector<EvalItem>& items,
                          const EvalSettings& s, int batchSize, const std::function<void(const EvalAnswer&)>& onAnswer,
                          const std::function<bool()>& stopRequested) {
    if (batchSize < 1)
        throw InputError("batch size must be at least 1");
    const int64_t maxPos = model->config().maxPositions;
    for (size_t first = 0; first < items.size(); first += size_t(batchSize)) {
        const size_t last = std::min(items.size(), first + size_t(batchSize));
        std::vector<BatchRequest> reqs;
        for (size_t i = first; i < last; ++i) {
            BatchRequest r{checkedPromptIds(tok, items[i], s, maxPos), s.sampling};
            r.options.seed = promptSeed(s.sampling.seed, items[i].index);
            reqs.push_back(std::move(r));
        }
        const bool stopped = stopRequested && stopRequested();
        std::vector<GenerationResult> results;
        if (!stopped)
            results = generateBatch(model, reqs, {}, stopRequested);
        for (size_t i = first; i < last; ++i) {
            GenerationResult r;
            if (stopped)
                r.cancelled = true;
            else
                r = results[i - first];
            onAnswer(makeAnswer(tok, items[i], reqs[i - first].options.seed, r));
        }
        if (stopped)
            return;
    }
}

nlohmann::json samplingJson(const SamplingOptions& o) {
    return {{"max_new_tokens", o.maxNewTokens},
            {"temperature", o.temperature},
            {"top_p", o.topP},
            {"top_k", o.topK},
            {"repetition_penalty", o.repetitionPenalty},
            {"greedy", o.greedy},
            {"infer_dtype", decodeDtypeName(o.decodeDtype)}};
}

} // namespace mm::eval
