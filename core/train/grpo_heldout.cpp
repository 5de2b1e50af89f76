#include "train/grpo_heldout.h"

#include "eval/generator.h"
#include "train/stage_losses.h"

#include <algorithm>
#include <cmath>

#include <torch/torch.h>

namespace mm::train {

HeldoutReward heldoutReward(model::MiniMind model, const text::Tokenizer& tok, const GrpoData& data,
                            const RewardSet& rewards, const HeldoutRewardOptions& o) {
    torch::NoGradGuard noGrad;
    eval::Generator gen(model);
    eval::SamplingOptions so;
    so.temperature = o.temperature;
    so.greedy = o.temperature <= 0;
    so.topP = 1.0;
    so.topK = 0;
    so.maxNewTokens = o.maxNewTokens;
    so.repetitionPenalty = o.repetitionPenalty;
    const size_t K = rewards.names().size();
    HeldoutReward out;
    out.parts.assign(K, 0.0);
    double sum = 0, sumSq = 0, exact = 0, format = 0, tokens = 0;
    for (int64_t i = 0; i < data.size(); ++i) {
        so.seed = o.seed + uint64_t(i);
        const eval::GenerationResult r = gen.generate(data.prompts[size_t(i)], so);
        Completion c;
        c.text = tok.decode(r.tokens);
        c.answer = data.answers[size_t(i)];
        c.hitStop = r.hitStop;
        c.tokens = int64_t(r.tokens.size()) + (r.hitStop ? 1 : 0);
        c.maxTokens = so.maxNewTokens;
        const std::vector<double> comp = rewards.components(c);
        double total = 0;
        for (size_t k = 0; k < K; ++k) {
            out.parts[k] += comp[k];
            total += comp[k];
        }
        sum += total;
        sumSq += total * total;
        exact += exactMatchReward(c.text, c.answer);
        const bool good = followsThinkFormat(c.text);
        format += good;
        tokens += double(c.tokens);
        if (out.examples.size() < o.examples)
            out.examples.push_back({data.questions[size_t(i)], c.text, c.answer, total, good});
    }
    const double n = std::max<double>(1.0, double(data.size()));
    out.rewardMean = sum / n;
    out.rewardStd = std::sqrt(std::max(0.0, sumSq / n - out.rewardMean * out.rewardMean));
    out.accuracy = data.withAnswer > 0 ? exact / double(data.withAnswer) : 0.0;
    out.formatRate = format / n;
    out.meanTokens = tokens / n;
    for (auto& p : out.parts)
        p /= n;
    return out;
}

} // namespace mm::train
