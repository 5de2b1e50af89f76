#include "eval/generator.h"

#include "common/error.h"

#include <algorithm>
#include <chrono>

namespace mm::eval {

using torch::Tensor;
using Clock = std::chrono::steady_clock;

torch::ScalarType decodeDtypeFromName(const std::string& name) {
    if (name == "float32")
        return torch::kFloat32;
    if (name == "bfloat16")
        return torch::kBFloat16;
    if (name == "int8")
        return torch::kChar;
    throw InputError("unknown inference dtype \"" + name + "\"; use float32, bfloat16 or int8");
}

std::string decodeDtypeName(torch::ScalarType dtype) {
    return dtype == torch::kBFloat16 ? "bfloat16" : dtype == torch::kChar ? "int8" : "float32";
}

Tensor samplingDistribution(const Tensor& logitsIn, const std::vector<int>& seen, const SamplingOptions& o) {
    Tensor logits = logitsIn.to(torch::kFloat32).flatten().clone();
    const int64_t V = logits.size(0);
    if (o.repetitionPenalty != 1.0 && !seen.empty()) {
        // CTRL-style penalty (Keskar et al. 2019), as HF/minimind: divide positive
        // logits, multiply negative ones, once per distinct token.
        std::vector<int64_t> ids(seen.begin(), seen.end());
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        float* lp = logits.data_ptr<float>();
        for (int64_t id : ids) {
            if (id < 0 || id >= V)
                continue;
            lp[id] = lp[id] > 0 ? lp[id] / float(o.repetitionPenalty) : lp[id] * float(o.repetitionPenalty);
        }
    }
    if (o.greedy || o.temperature <= 0) {
        Tensor p = torch::zeros({V});
        p[logits.argmax().item<int64_t>()] = 1.0;
        return p;
    }
    logits = logits / o.temperature;
    if (o.topK > 0 && o.topK < V) {
        auto kth = std::get<0>(torch::topk(logits, o.topK)).index({o.topK - 1});
        logits.masked_fill_(logits < kth, -std::numeric_limits<float>::infinity());
    }
    Tensor probs = torch::softmax(logits, -1);
    if (o.topP > 0 && o.topP < 1) {
        auto [sorted, order] = torch::sort(probs, -1, /*descending=*/true);
        Tensor cum = sorted.cumsum(-1);
        // Keep the smallest prefix whose mass reaches top_p (the token that
        // crosses the threshold stays in).
        Tensor drop = (cum - sorted) >= o.topP;
        sorted.masked_fill_(drop, 0);
        probs = torch::zeros_like(probs).scatter_(0, order, sorted);
        probs = probs / probs.sum();
    }
    return probs;
}

Generator::Generator(model::MiniMind model) : m_model(std::move(model)) { m_model->eval(); }

GenerationResult Generator::generate(const std::vector<int>& prompt, const SamplingOptions& o,
                                     const TokenCallback& onToken) {
    if (prompt.empty())
        throw InputError("generation needs a non-empty prompt");
    c10::InferenceMode guard;
    GenerationResult res;
    const torch::Device dev = m_model->embed_tokens->weight.device();
    const int64_t maxPos = m_model->config().maxPositions;
    const int64_t capacity = std::min<int64_t>(maxPos, int64_t(prompt.size()) + o.maxNewTokens);
    if (int64_t(prompt.size()) >= maxPos)
        throw InputError("prompt of " + std::to_string(prompt.size()) + " tokens exceeds the model's " +
                         std::to_string(maxPos) + " positions");
    model::KvCache cache = m_model->makeCache(1, capacity);
    // Refreshed per call: the weights may have changed since (GRPO rollouts).
    m_model->setDecodeDtype(o.decodeDtype);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed);

    std::vector<int> seen(prompt.begin(), prompt.end());
    std::vector<int64_t> ids(prompt.begin(), prompt.end());
    auto t0 = Clock::now();
    Tensor logits = m_model->forward(torch::tensor(ids, torch::kLong).view({1, -1}).to(dev), &cache, true).logits;
    auto t1 = Clock::now();
    res.prefillSeconds = std::chrono::duration<double>(t1 - t0).count();
    Tensor step = torch::empty({1, 1}, torch::kLong);
    for (int i = 0; i < o.maxNewTokens && cache.length < capacity; ++i) {
        Tensor last = logits.view({-1}).to(torch::kCPU);
        int next;
        if (o.greedy || o.temperature <= 0) {
            if (o.repetitionPenalty != 1.0)
                next = int(samplingDistribution(last, seen, o).argmax().item<int64_t>());
            else
                next = int(last.argmax().item<int64_t>());
        } else {
            Tensor p = samplingDistribution(last, seen, o);
            next = int(torch::multinomial(p, 1, false, gen).item<int64_t>());
        }
        if (std::find(o.stopIds.begin(), o.stopIds.end(), next) != o.stopIds.end()) {
            res.hitStop = true;
            break;
        }
        res.tokens.push_back(next);
        seen.push_back(next);
        if (onToken && !onToken(next)) {
            res.cancelled = true;
            break;
        }
        if (cache.length >= capacity)
            break;
        step.fill_(next);
        logits = m_model->forward(step.to(dev), &cache, true).logits;
    }
    res.seconds = std::chrono::duration<double>(Clock::now() - t1).count();
    return res;
}

} // namespace mm::eval
