#include "train/stage_losses.h"

#include "text/tokenizer.h"

namespace mm::train {

using torch::Tensor;

Tensor tokenLogProbs(const Tensor& logits, const Tensor& targets) {
    Tensor l = logits.to(torch::kFloat32);
    // gather - logsumexp avoids materialising a second (B, T, V) tensor.
    Tensor picked = l.gather(-1, targets.unsqueeze(-1)).squeeze(-1);
    return picked - torch::logsumexp(l, -1);
}

Tensor sequenceMeanLogProbs(const Tensor& tokenLogp, const Tensor& mask) {
    Tensor m = mask.to(tokenLogp.scalar_type());
    return (tokenLogp * m).sum(-1) / m.sum(-1).clamp_min(1.0);
}

DpoTerms dpoLoss(const Tensor& pc, const Tensor& pr, const Tensor& rc, const Tensor& rr, double beta) {
    Tensor chosen = beta * (pc - rc);
    Tensor rejected = beta * (pr - rr);
    Tensor z = chosen - rejected;
    DpoTerms t;
    // -log sigmoid(z) written as softplus(-z): stable for large |z|.
    t.loss = torch::nn::functional::softplus(-z).mean();
    t.margin = z.detach().mean();
    t.accuracy = (z.detach() > 0).to(torch::kFloat32).mean();
    t.chosenReward = chosen.detach().mean();
    t.rejectedReward = rejected.detach().mean();
    return t;
}

Tensor reasoningWeights(const Tensor& targets, const Tensor& mask, double tagWeight) {
    Tensor w = mask.to(torch::kFloat32).clone();
    Tensor isTag = (targets >= text::special::kThinkOpen) & (targets <= text::special::kAnswerClose);
    Tensor scaled = torch::where(isTag & (w > 0), w * tagWeight, w);
    return scaled;
}

bool followsThinkFormat(const std::string& raw) {
    const char* ws = " \t\r\n";
    const size_t b = raw.find_first_not_of(ws);
    if (b == std::string::npos)
        return false;
    const std::string s = raw.substr(b, raw.find_last_not_of(ws) - b + 1);
    auto once = [&s](const std::string& tag) {
        const size_t p = s.find(tag);
        return p != std::string::npos && s.find(tag, p + 1) == std::string::npos ? p : std::string::npos;
    };
    const size_t t0 = once("<think>"), t1 = once("</think>"), a0 = once("<answer>"), a1 = once("</answer>");
    if (t0 != 0 || t1 == std::string::npos || a0 == std::string::npos || a1 == std::string::npos)
        return false;
    return t1 > t0 && a0 > t1 && a1 > a0 && a1 + 9 == s.size();
}

} // namespace mm::train
