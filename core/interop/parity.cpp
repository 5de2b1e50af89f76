#include "interop/parity.h"

#include <cmath>
#include <cstdio>

namespace mm::interop {

std::vector<ParityPrompt> parityPrompts(const text::Tokenizer& tok) {
    std::vector<ParityPrompt> out;
    auto add = [&](const std::string& label, std::vector<int> ids) { out.push_back({label, std::move(ids)}); };
    add("chat: 你好，请介绍一下你自己。", tok.encode(tok.renderChat({{"user", "你好，请介绍一下你自己。"}}, true)));
    std::vector<int> en{text::special::kImStart};
    for (int id : tok.encode("The capital of France is"))
        en.push_back(id);
    add("text: The capital of France is", en);
    add("bos only", {text::special::kImStart});
    return out;
}

std::vector<int> greedyPlain(model::MiniMind& m, const std::vector<int>& prompt, int n) {
    torch::NoGradGuard ng;
    std::vector<int64_t> ids(prompt.begin(), prompt.end());
    std::vector<int> gen;
    const int64_t maxLen = m->config().maxPositions;
    for (int i = 0; i < n && int64_t(ids.size()) < maxLen; ++i) {
        torch::Tensor x = torch::tensor(ids, torch::kLong).unsqueeze(0);
        torch::Tensor logits = m->forward(x, nullptr, /*lastOnly=*/true).logits;
        const int next = int(logits.reshape({-1}).argmax().item<int64_t>());
        gen.push_back(next);
        ids.push_back(next);
    }
    return gen;
}

ParityReport compareModels(model::MiniMind& a, model::MiniMind& b, const std::vector<ParityPrompt>& prompts,
                           int greedyTokens) {
    torch::NoGradGuard ng;
    a->eval();
    b->eval();
    ParityReport r;
    r.prompts = int(prompts.size());
    r.greedyTokens = greedyTokens;
    for (const auto& p : prompts) {
        std::vector<int64_t> ids(p.ids.begin(), p.ids.end());
        torch::Tensor x = torch::tensor(ids, torch::kLong).unsqueeze(0);
        torch::Tensor la = a->forward(x).logits.to(torch::kFloat32);
        torch::Tensor lb = b->forward(x).logits.to(torch::kFloat32);
        r.maxAbsDiff = std::max(r.maxAbsDiff, (la - lb).abs().max().item<double>());
        r.logitSpread = std::max(r.logitSpread, (la.max() - la.min()).item<double>());
        std::vector<int> ga = greedyPlain(a, p.ids, greedyTokens);
        std::vector<int> gb = greedyPlain(b, p.ids, greedyTokens);
        int diverge = -1;
        for (size_t i = 0; i < ga.size() && i < gb.size(); ++i)
            if (ga[i] != gb[i]) {
                diverge = int(i);
                break;
            }
        if (diverge < 0 && ga.size() != gb.size())
            diverge = int(std::min(ga.size(), gb.size()));
        r.greedyAgree += diverge < 0 ? 1 : 0;
        r.firstDivergence.push_back(diverge);
        r.greedyA.push_back(std::move(ga));
        r.greedyB.push_back(std::move(gb));
    }
    return r;
}

std::string describe(const ParityReport& r) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "max |Δlogit| %.3g (logit spread %.3g); greedy %d tokens: %d/%d prompts identical",
                  r.maxAbsDiff, r.logitSpread, r.greedyTokens, r.greedyAgree, r.prompts);
    std::string s = buf;
    for (size_t i = 0; i < r.firstDivergence.size(); ++i)
        if (r.firstDivergence[i] >= 0)
            s +=
                "; prompt " + std::to_string(i + 1) + " first differs at token " + std::to_string(r.firstDivergence[i]);
    return s;
}

} // namespace mm::interop
