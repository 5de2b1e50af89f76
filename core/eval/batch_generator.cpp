#include "eval/batch_generator.h"

#include "common/error.h"

#include <algorithm>
#include <chrono>

namespace mm::eval {

using torch::Tensor;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// Keeps rows `keep` (indices into the current batch) of the cache and logits.
void compact(model::KvCache& cache, Tensor& logits, const std::vector<int64_t>& keep) {
    Tensor idx = torch::tensor(keep, torch::kLong).to(logits.device());
    for (size_t l = 0; l < cache.k.size(); ++l) {
        cache.k[l] = cache.k[l].index_select(0, idx).contiguous();
        cache.v[l] = cache.v[l].index_select(0, idx).contiguous();
    }
    std::vector<int64_t> starts;
    for (int64_t r : keep)
        starts.push_back(cache.rowStart[size_t(r)]);
    cache.rowStart = std::move(starts);
    logits = logits.index_select(0, idx);
}

} // namespace

std::vector<GenerationResult> generateBatch(model::MiniMind& model, const std::vector<BatchRequest>& requests,
                                            const RowCallback& onRowDone, const std::function<bool()>& stopRequested) {
    const size_t n = requests.size();
    std::vector<GenerationResult> results(n);
    if (n == 0)
        return results;
    const int64_t maxPos = model->config().maxPositions;
    int64_t longest = 0, maxNew = 0;
    for (size_t r = 0; r < n; ++r) {
        const auto& p = requests[r].prompt;
        if (p.empty())
            throw InputError("generation needs a non-empty prompt (batch row " + std::to_string(r) + ")");
        if (int64_t(p.size()) >= maxPos)
            throw InputError("prompt of " + std::to_string(p.size()) + " tokens (batch row " + std::to_string(r) +
                             ") exceeds the model's " + std::to_string(maxPos) + " positions");
        longest = std::max<int64_t>(longest, int64_t(p.size()));
        maxNew = std::max<int64_t>(maxNew, requests[r].options.maxNewTokens);
    }
    c10::InferenceMode guard;
    const bool wasTraining = model->is_training();
    model->eval();
    const torch::Device dev = model->embed_tokens->weight.device();
    const SamplingOptions& shared = requests[0].options;
    model->setDecodeDtype(shared.decodeDtype);
    const int64_t capacity = std::min<int64_t>(maxPos, longest + maxNew);

    // Left-padded prompts: row r occupies slots [longest - len_r, longest).
    model::KvCache cache = model->makeCache(int64_t(n), capacity);
    Tensor ids = torch::zeros({int64_t(n), longest}, torch::kLong);
    auto acc = ids.accessor<int64_t, 2>();
    for (size_t r = 0; r < n; ++r) {
        const auto& p = requests[r].prompt;
        const int64_t pad = longest - int64_t(p.size());
        cache.rowStart.push_back(pad);
        for (size_t j = 0; j < p.size(); ++j)
            acc[int64_t(r)][pad + int64_t(j)] = p[j];
    }
    const auto t0 = Clock::now();
    Tensor logits = model->forward(ids.to(dev), &cache, true).logits.reshape({int64_t(n), -1});
    const double prefill = since(t0);
    const auto t1 = Clock::now();

    std::vector<at::Generator> gens;
    std::vector<std::vector<int>> seen;
    for (size_t r = 0; r < n; ++r) {
        gens.push_back(at::make_generator<at::CPUGeneratorImpl>(requests[r].options.seed));
        seen.push_back(requests[r].prompt);
    }
    std::vector<int64_t> live(n); // batch row -> request index
    for (size_t r = 0; r < n; ++r)
        live[r] = int64_t(r);
    bool cancelAll = false;
    auto finish = [&](int64_t r) {
        results[size_t(r)].seconds = since(t1);
        results[size_t(r)].prefillSeconds = prefill;
        if (onRowDone && !onRowDone(size_t(r), results[size_t(r)]))
            cancelAll = true;
    };

    for (int64_t i = 0; !live.empty(); ++i) {
        if (stopRequested && stopRequested())
            cancelAll = true;
        Tensor last = logits.to(torch::kCPU, torch::kFloat32);
        std::vector<int64_t> keep, next;
        for (size_t b = 0; b < live.size(); ++b) {
            const int64_t r = live[b];
            const SamplingOptions& o = requests[size_t(r)].options;
            GenerationResult& res = results[size_t(r)];
            if (cancelAll) {
                res.cancelled = true;
                finish(r);
                continue;
            }
            if (i >= o.maxNewTokens || cache.length >= capacity) {
                finish(r);
                continue;
            }
            Tensor row = last[int64_t(b)];
            int tok;
            if (o.greedy || o.temperature <= 0)
                tok = int((o.repetitionPenalty != 1.0 ? samplingDistribution(row, seen[size_t(r)], o) : row)
                              .argmax()
                              .item<int64_t>());
            else
                tok = int(torch::multinomial(samplingDistribution(row, seen[size_t(r)], o), 1, false, gens[size_t(r)])
                              .item<int64_t>());
            if (std::find(o.stopIds.begin(), o.stopIds.end(), tok) != o.stopIds.end()) {
                res.hitStop = true;
                finish(r);
                continue;
            }
            res.tokens.push_back(tok);
            seen[size_t(r)].push_back(tok);
            // Like Generator::generate: the last token needs no forward pass.
            if (int64_t(res.tokens.size()) >= o.maxNewTokens || cache.length >= capacity) {
                finish(r);
                continue;
            }
            keep.push_back(int64_t(b));
            next.push_back(tok);
        }
        if (keep.empty())
            break;
        if (keep.size() != live.size()) {
            std::vector<int64_t> still;
            for (int64_t b : keep)
                still.push_back(live[size_t(b)]);
            compact(cache, logits, keep);
            live = std::move(still);
        }
        logits = model->forward(torch::tensor(next, torch::kLong).view({-1, 1}).to(dev), &cache, true)
                     .logits.reshape({int64_t(live.size()), -1});
    }
    model->train(wasTraining);
    return results;
}

} // namespace mm::eval
