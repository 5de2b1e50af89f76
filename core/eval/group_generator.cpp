#include "eval/group_generator.h"

#include "common/error.h"

#include <algorithm>

namespace mm::eval {

using torch::Tensor;

GroupGeneration generateGroup(model::MiniMind& model, const std::vector<int>& prompt, int n, const SamplingOptions& o) {
    if (prompt.empty())
        throw InputError("generation needs a non-empty prompt");
    if (n < 1)
        throw InputError("generateGroup: n must be at least 1");
    const int64_t maxPos = model->config().maxPositions;
    if (int64_t(prompt.size()) >= maxPos)
        throw InputError("prompt of " + std::to_string(prompt.size()) + " tokens exceeds the model's " +
                         std::to_string(maxPos) + " positions");
    torch::NoGradGuard ng;
    const bool wasTraining = model->is_training();
    model->eval();
    const torch::Device dev = model->embed_tokens->weight.device();
    const int64_t capacity = std::min<int64_t>(maxPos, int64_t(prompt.size()) + o.maxNewTokens);

    model::KvCache cache = model->makeCache(1, capacity);
    std::vector<int64_t> ids(prompt.begin(), prompt.end());
    Tensor logits = model->forward(torch::tensor(ids, torch::kLong).view({1, -1}).to(dev), &cache, true).logits;
    // Every row continues the same prefix: copy the prefilled cache n times
    // (repeat gives the contiguous layout the decode kernel needs).
    for (size_t l = 0; l < cache.k.size(); ++l) {
        cache.k[l] = cache.k[l].repeat({n, 1, 1, 1});
        cache.v[l] = cache.v[l].repeat({n, 1, 1, 1});
    }
    const int64_t V = logits.size(-1);
    logits = logits.reshape({1, V}).expand({n, V});

    GroupGeneration g;
    g.tokens.assign(size_t(n), {});
    g.hitStop.assign(size_t(n), false);
    std::vector<std::vector<int>> seen(size_t(n), prompt);
    std::vector<bool> done(size_t(n), false);
    auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed);
    Tensor step = torch::zeros({n, 1}, torch::kLong);
    const bool greedy = o.greedy || o.temperature <= 0;
    for (int i = 0; i < o.maxNewTokens && cache.length < capacity; ++i) {
        Tensor last = logits.reshape({n, V}).to(torch::kCPU, torch::kFloat32);
        int64_t* next = step.data_ptr<int64_t>();
        bool allDone = true;
        for (int r = 0; r < n; ++r) {
            next[r] = 0; // padding for finished rows; their outputs are ignored
            if (done[size_t(r)])
                continue;
            Tensor p = samplingDistribution(last[r], seen[size_t(r)], o);
            const int tok =
                greedy ? int(p.argmax().item<int64_t>()) : int(torch::multinomial(p, 1, false, gen).item<int64_t>());
            if (std::find(o.stopIds.begin(), o.stopIds.end(), tok) != o.stopIds.end()) {
                done[size_t(r)] = true;
                g.hitStop[size_t(r)] = true;
                continue;
            }
            g.tokens[size_t(r)].push_back(tok);
            seen[size_t(r)].push_back(tok);
            next[r] = tok;
            allDone = false;
        }
        // No forward pass for the last token: nothing would read its logits.
        if (allDone || i + 1 >= o.maxNewTokens || cache.length >= capacity)
            break;
        logits = model->forward(step.to(dev), &cache, true).logits;
    }
    model->train(wasTraining);
    return g;
}

} // namespace mm::eval
