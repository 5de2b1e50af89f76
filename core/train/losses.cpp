#include "train/losses.h"

namespace mm::train {

using torch::Tensor;

Tensor weightedCrossEntropy(const Tensor& logits, const Tensor& targets, const Tensor& w) {
    const int64_t V = logits.size(-1);
    Tensor flat = logits.reshape({-1, V}).to(torch::kFloat32);
    Tensor tgt = targets.reshape({-1});
    if (!w.defined())
        return torch::nn::functional::cross_entropy(flat, tgt);
    Tensor ce = torch::nn::functional::cross_entropy(
        flat, tgt, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kNone));
    Tensor wf = w.reshape({-1}).to(ce.scalar_type());
    return (ce * wf).sum() / wf.sum();
}

StepOutput languageModelStep(model::MiniMind& model, const Batch& batch) {
    model::ForwardOutput out = model->forward(batch.x);
    Tensor lm = weightedCrossEntropy(out.logits, batch.y, batch.w);
    StepOutput s;
    if (model->config().useMoe) {
        s.loss = lm + out.auxLoss;
        s.metrics = {{"lm_loss", lm.detach()}, {"aux_loss", out.auxLoss.detach()}};
    } else {
        s.loss = lm;
    }
    return s;
}

} // namespace mm::train
