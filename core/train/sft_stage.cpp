#include "train/sft_stage.h"

#include <algorithm>

#include "common/error.h"
#include "data/jsonl.h"
#include "train/losses.h"
#include "train/pretrain_stage.h"
#include "train/stage_losses.h"
#include "weights/lora_adapter.h"

namespace mm::train {

using torch::Tensor;

std::vector<int64_t> trainableDocuments(const data::TokenCache& cache, int seqLen, const std::vector<bool>& exclude,
                                        int64_t& dropped) {
    if (!cache.hasMask())
        throw Error("trainableDocuments needs a masked (SFT) token cache");
    const uint8_t* mask = cache.mask();
    std::vector<int64_t> docs;
    dropped = 0;
    for (int64_t d = 0; d < cache.numDocuments(); ++d) {
        if (d < int64_t(exclude.size()) && exclude[size_t(d)])
            continue;
        const int64_t b = cache.docBegin(d), n = std::min<int64_t>(cache.docEnd(d) - b, int64_t(seqLen) + 1);
        bool any = false;
        for (int64_t j = 1; j < n && !any; ++j)
            any = mask[b + j] != 0;
        if (any)
            docs.push_back(d);
        else
            ++dropped;
    }
    return docs;
}

std::vector<bool> checkReasoningData(const std::string& path, bool skipBadLines, int64_t& bad) {
    data::JsonlReader reader(path, skipBadLines);
    std::vector<bool> excluded;
    nlohmann::json rec;
    bad = 0;
    const char* tags[] = {"<think>", "</think>", "<answer>", "</answer>"};
    while (reader.next(rec)) {
        std::vector<text::Message> msgs;
        try {
            msgs = data::conversation(rec, reader.where());
        } catch (const InputError&) {
            continue; // not a document of the cache either (the cache build reported it)
        }
        std::string problem;
        int turn = 0;
        for (const auto& m : msgs) {
            if (m.role != "assistant")
                continue;
            ++turn;
            size_t pos = 0;
            for (const char* t : tags) {
                const size_t p = m.content.find(t, pos);
                if (p == std::string::npos || m.content.find(t, p + 1) != std::string::npos) {
                    problem = "assistant turn " + std::to_string(turn) + " does not hold " + t +
                              " exactly once after the previous tag";
                    break;
                }
                pos = p;
            }
            if (!problem.empty())
                break;
        }
        excluded.push_back(!problem.empty());
        if (!problem.empty()) {
            ++bad;
            reader.reject(reader.where() + ": " + problem +
                          "; distill_reason needs answers shaped <think>...</think><answer>...</answer>");
        }
    }
    return excluded;
}

SftStage::SftStage(std::string name, const data::TokenCache& cache, std::vector<int64_t> docs, int seqLen,
                   double tagWeight, std::vector<int> tagIds)
    : m_name(std::move(name)), m_cache(cache), m_docs(std::move(docs)), m_seqLen(seqLen), m_tagWeight(tagWeight),
      m_tagIds(std::move(tagIds)) {
    std::sort(m_tagIds.begin(), m_tagIds.end());
    if (!cache.hasMask())
        throw Error("SftStage needs a masked (SFT) token cache");
}

void SftStage::sample(int64_t i, data::Example& out) const {
    const int64_t d = m_docs.at(size_t(i));
    const size_t T = size_t(m_seqLen);
    const uint16_t* tok = m_cache.tokens();
    const uint8_t* mask = m_cache.mask();
    const size_t b = size_t(m_cache.docBegin(d)), len = size_t(m_cache.docEnd(d)) - b;
    out.x.assign(T, text::special::kPad);
    out.y.assign(T, text::special::kPad);
    out.w.assign(T, 0.f);
    // The rendering starts with <|im_start|> already, so unlike pretraining no
    // extra BOS is put in front (as minimind's SFTDataset).
    const size_t n = len > 0 ? std::min(len - 1, T) : 0;
    for (size_t j = 0; j < n; ++j) {
        out.x[j] = tok[b + j];
        const int y = tok[b + j + 1];
        out.y[j] = y;
        float w = mask[b + j + 1] ? 1.f : 0.f;
        if (w > 0 && m_tagWeight > 0 && std::binary_search(m_tagIds.begin(), m_tagIds.end(), y))
            w = float(m_tagWeight);
        out.w[j] = w;
    }
}

Batch SftStage::makeBatch(const std::vector<int64_t>& indices) {
    std::vector<data::Example> ex(indices.size());
    for (size_t i = 0; i < indices.size(); ++i)
        sample(indices[i], ex[i]);
    Batch b = examplesToBatch(ex);
    if (m_tagWeight > 0)
        b.extra = {(b.w > 0).to(torch::kFloat32)}; // the plain mask, for the unweighted loss metric
    // The loss is sum(w * ce) / sum(w) (tag weights included).
    b.lossDenominator = b.w.defined() ? b.w.sum().item<double>() : double(b.x.numel());
    return b;
}

StepOutput SftStage::step(model::MiniMind& model, const Batch& batch) {
    if (m_tagWeight <= 0)
        return languageModelStep(model, batch);
    // distill_reason: weighted loss to optimise, plain assistant-token loss to
    // report (comparable with full_sft's loss).
    model::ForwardOutput out = model->forward(batch.x);
    const int64_t V = out.logits.size(-1);
    Tensor ce =
        torch::nn::functional::cross_entropy(out.logits.reshape({-1, V}).to(torch::kFloat32), batch.y.reshape({-1}),
                                             torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone))
            .view(batch.y.sizes());
    const Tensor& mask = batch.extra.at(0);
    // Departure from minimind: normalised by the sum of the weights (a weighted
    // mean), not by the number of targets, so the loss keeps its scale.
    Tensor loss = (ce * batch.w).sum() / batch.w.sum();
    StepOutput s;
    s.loss = model->config().useMoe ? loss + out.auxLoss : loss;
    s.metrics = {{"token_loss", ((ce * mask).sum() / mask.sum()).detach()}};
    if (model->config().useMoe)
        s.metrics.emplace_back("aux_loss", out.auxLoss.detach());
    return s;
}

LoraStage::LoraStage(const data::TokenCache& cache, std::vector<int64_t> docs, int seqLen, model::LoraOptions opts)
    : SftStage("lora", cache, std::move(docs), seqLen), m_opts(std::move(opts)) {}

std::vector<Tensor> LoraStage::trainableParameters(model::MiniMind& model) {
    auto p = model::loraParameters(model);
    if (p.empty())
        throw Error("LoraStage: attach the adapters (model::attachLora) before training");
    return p;
}

void LoraStage::writeWeights(const std::string& path, model::MiniMind& model, const nlohmann::json& meta) {
    weights::saveLora(path, model, m_opts, meta);
}

MaskedLoss maskedLoss(model::MiniMind& model, const data::TokenCache& cache, const std::vector<int64_t>& docs,
                      int seqLen, int batchSize) {
    SftStage view("eval", cache, docs, seqLen);
    torch::NoGradGuard ng;
    const bool wasTraining = model->is_training();
    model->eval();
    const torch::Device dev = model->embed_tokens->weight.device();
    double sum = 0;
    MaskedLoss r;
    std::vector<data::Example> ex;
    for (size_t i = 0; i < docs.size(); i += size_t(batchSize)) {
        const size_t n = std::min(docs.size() - i, size_t(batchSize));
        ex.resize(n);
        for (size_t k = 0; k < n; ++k)
            view.sample(int64_t(i + k), ex[k]);
        Batch b = examplesToBatch(ex);
        Tensor logits = model->forward(b.x.to(dev)).logits;
        Tensor lp = tokenLogProbs(logits, b.y.to(dev));
        Tensor w = b.w.defined() ? b.w.to(dev) : torch::ones_like(lp);
        sum += -(lp * w).sum().item<double>();
        r.targets += b.targets;
        r.samples += int64_t(n);
    }
    model->train(wasTraining);
    r.loss = r.targets > 0 ? sum / double(r.targets) : 0;
    return r;
}

} // namespace mm::train
