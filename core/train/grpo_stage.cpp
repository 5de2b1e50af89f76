#include "train/grpo_stage.h"

#include "common/error.h"
#include "common/fs.h"
#include "data/jsonl.h"
#include "eval/group_generator.h"
#include "eval/metrics.h"
#include "train/stage_losses.h"

#include <algorithm>
#include <cstring>

namespace mm::train {

using torch::Tensor;

namespace {

const char* kShape =
    "GRPO records are {\"conversations\": [{\"role\": \"user\", \"content\": \"...\"}], \"answer\": \"...\"} "
    "or GSM8K's {\"question\": \"...\", \"answer\": \"... #### 42\"}";

/// GSM8K's own format: the final answer follows the last "####" of the worked
/// solution (the whole text when there is none).
GrpoRecord gsm8kRecord(const nlohmann::json& record, const std::string& where) {
    const auto& q = record.at("question");
    if (!q.is_string())
        throw InputError(where + ": field \"question\" is not a string; " + kShape);
    GrpoRecord r;
    r.turns.push_back({"user", q.get<std::string>()});
    if (auto a = record.find("answer"); a != record.end() && !a->is_null()) {
        std::string text;
        if (a->is_string())
            text = a->get<std::string>();
        else if (a->is_number())
            text = a->dump();
        else
            throw InputError(where + ": field \"answer\" is not a string or a number; " + kShape);
        r.answer = eval::referenceAnswer(text); // what `micromind metrics --task exact` compares with
    }
    return r;
}

[[noreturn]] void fail(const std::string& where, const std::string& problem) {
    throw InputError(where + ": " + problem);
}

std::string typeName(const nlohmann::json& v) {
    if (v.is_null())
        return "null";
    if (v.is_boolean())
        return "a boolean";
    if (v.is_number())
        return "a number";
    if (v.is_string())
        return "a string";
    if (v.is_array())
        return "an array";
    return "an object";
}

bool blank(const std::string& s) { return s.find_first_not_of(" \t\r\n") == std::string::npos; }

// splitmix64: spreads the bits of the run seed, the sample index and the
// weights fingerprint over the whole rollout seed.
uint64_t mix(uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

} // namespace

GrpoRecord grpoRecord(const nlohmann::json& record, const std::string& where) {
    if (record.is_object() && record.contains("question") && !record.contains("conversations")) {
        GrpoRecord g = gsm8kRecord(record, where);
        if (blank(g.turns.back().content))
            fail(where, "the question is empty; GRPO needs a prompt to answer");
        return g;
    }
    GrpoRecord r;
    r.turns = data::promptTurns(record, where, kShape);
    // minimind's RL data ends with an assistant turn that is not an answer to
    // learn from; the prompt is everything before it.
    if (r.turns.back().role == "assistant")
        r.turns.pop_back();
    if (r.turns.empty() || r.turns.back().role != "user")
        fail(where, "conversation has no user turn to answer; GRPO needs a prompt ending with a user turn");
    if (blank(r.turns.back().content))
        fail(where, "the last user turn is empty; GRPO needs a prompt to answer");
    if (auto a = record.find("answer"); a != record.end() && !a->is_null()) {
        if (a->is_string())
            r.answer = a->get<std::string>();
        else if (a->is_number())
            r.answer = a->dump();
        else
            fail(where, "field \"answer\" is " + typeName(*a) + "; expected a string or a number (or leave it out)");
    }
    return r;
}

GrpoData loadGrpoData(const std::string& path, const text::Tokenizer& tok, int maxPromptTokens, bool skipBadLines,
                      int64_t maxItems) {
    data::JsonlReader reader(path, skipBadLines);
    GrpoData d;
    nlohmann::json rec;
    while ((maxItems <= 0 || d.size() < maxItems) && reader.next(rec)) {
        GrpoRecord r;
        try {
            r = grpoRecord(rec, reader.where());
        } catch (const InputError& e) {
            reader.reject(e.what());
            continue;
        }
        std::vector<int> ids = tok.encode(tok.renderChat(r.turns, true));
        if (int64_t(ids.size()) > maxPromptTokens) {
            ++d.tooLong;
            continue;
        }
        d.withAnswer += blank(r.answer) ? 0 : 1;
        d.questions.push_back(r.turns.back().content);
        d.answers.push_back(std::move(r.answer));
        d.prompts.push_back(std::move(ids));
    }
    d.badLines = reader.badLines();
    if (d.prompts.empty()) {
        std::string msg = path + ": no usable prompts";
        if (d.tooLong)
            msg += " (" + std::to_string(d.tooLong) + " prompts are longer than --max_seq_len " +
                   std::to_string(maxPromptTokens) + " tokens; raise it)";
        else
            msg += std::string(" (") + kShape + ")";
        throw InputError(msg);
    }
    d.key = fs::fileStamp(path) + "|" + tok.fingerprint() + "|" + std::to_string(maxPromptTokens) + "|grpo-v1";
    return d;
}

Tensor groupAdvantages(const Tensor& rewards, int64_t groupSize, double eps) {
    if (groupSize < 2 || rewards.dim() != 1 || rewards.size(0) % groupSize != 0)
        throw Error("groupAdvantages: rewards must be (N) with N a multiple of a group size >= 2");
    Tensor r = rewards.to(torch::kFloat32).view({-1, groupSize});
    Tensor mean = r.mean(1, true);
    Tensor std = r.std(1, /*unbiased=*/true, /*keepdim=*/true);
    return ((r - mean) / (std + eps)).view({-1});
}

GrpoTerms grpoLoss(const Tensor& logp, const Tensor& oldLogp, const Tensor& refLogp, const Tensor& advantages,
                   const Tensor& mask, double beta, double clipEps) {
    Tensor m = mask.to(torch::kFloat32);
    Tensor len = m.sum(1).clamp_min(1.0);
    Tensor A = advantages.to(torch::kFloat32).unsqueeze(1);
    Tensor ratio = torch::exp(logp - oldLogp);
    Tensor unclipped = ratio * A;
    Tensor clipped = torch::clamp(ratio, 1.0 - clipEps, 1.0 + clipEps) * A;
    Tensor perToken = -torch::min(unclipped, clipped);
    GrpoTerms t;
    if (refLogp.defined()) {
        // k3 estimator (Schulman 2020, DeepSeekMath eq. 4): unbiased and
        // always >= 0, with zero gradient where policy and reference agree.
        Tensor d = refLogp - logp;
        Tensor kl = torch::exp(d) - d - 1.0;
        perToken = perToken + beta * kl;
        t.kl = ((kl.detach() * m).sum(1) / len).mean();
    } else {
        t.kl = torch::zeros({}, m.options());
    }
    t.loss = ((perToken * m).sum(1) / len).mean();
    Tensor took = (clipped.detach() < unclipped.detach()).to(torch::kFloat32) * m;
    t.clipFraction = took.sum() / m.sum().clamp_min(1.0);
    return t;
}

GrpoStage::GrpoStage(const GrpoData& data, model::MiniMind reference, RewardSet rewards, const text::Tokenizer& tok,
                     GrpoOptions opts)
    : m_data(data), m_ref(std::move(reference)), m_rewards(std::move(rewards)), m_tok(tok), m_o(opts) {
    if (m_o.numGenerations < 2)
        throw InputError("--num_generations " + std::to_string(m_o.numGenerations) +
                         ": GRPO compares completions within a group; use at least 2");
    if (m_o.temperature <= 0)
        throw InputError("--temperature must be > 0: GRPO needs sampled, differing completions");
    if (m_o.beta > 0 && !m_ref)
        throw Error("GrpoStage: a reference model is needed when beta > 0");
    if (m_rewards.empty())
        throw InputError("--rewards names no reward");
    if (m_ref) {
        for (auto& p : m_ref->parameters())
            p.set_requires_grad(false);
        m_ref->eval();
    }
}

Batch GrpoStage::makeBatch(const std::vector<int64_t>& indices) {
    const int64_t B = int64_t(indices.size());
    int64_t P = 0;
    for (int64_t i : indices)
        P = std::max<int64_t>(P, int64_t(m_data.prompts.at(size_t(i)).size()));
    Batch b;
    b.x = torch::full({B, P}, int64_t(text::special::kPad), torch::kLong);
    b.y = torch::tensor(indices, torch::kLong);
    int64_t* x = b.x.data_ptr<int64_t>();
    for (int64_t r = 0; r < B; ++r) {
        const auto& p = m_data.prompts[size_t(indices[size_t(r)])];
        for (size_t j = 0; j < p.size(); ++j)
            x[r * P + int64_t(j)] = p[j];
        b.tokens += int64_t(p.size()) * m_o.numGenerations;
    }
    b.targets = B * m_o.numGenerations;
    return b;
}

StepOutput GrpoStage::step(model::MiniMind& model, const Batch& batch) {
    const torch::Device dev = model->embed_tokens->weight.device();
    const Tensor idx = batch.y.to(torch::kCPU);
    const int64_t B = idx.size(0), G = m_o.numGenerations, N = B * G;
    const size_t K = m_rewards.names().size();

    // Rollout seeds depend on the current weights (through a checksum), so a
    // run resumed from a checkpoint draws the same completions as one that
    // never stopped.
    const double fp = model->embed_tokens->weight.detach().sum().item<double>();
    uint64_t fpBits = 0;
    std::memcpy(&fpBits, &fp, sizeof fpBits);

    std::vector<std::vector<int>> seqs(static_cast<size_t>(N)); // prompt + completion (+ stop)
    std::vector<int64_t> promptLen(static_cast<size_t>(N));
    std::vector<float> rewards(static_cast<size_t>(N));
    std::vector<double> compSum(K, 0.0);
    double completionTokens = 0, exact = 0, answerable = 0;
    const int64_t keep = std::min<int64_t>(N, std::max(1, m_o.logSamples));
    std::vector<GrpoSample> samples(static_cast<size_t>(keep));
    for (int64_t b = 0; b < B; ++b) {
        const int64_t i = idx[b].item<int64_t>();
        const auto& prompt = m_data.prompts.at(size_t(i));
        const std::string& answer = m_data.answers[size_t(i)];
        eval::SamplingOptions so;
        so.maxNewTokens = m_o.maxGenLen;
        so.temperature = m_o.temperature;
        so.topP = 1.0;
        so.topK = 0;
        so.repetitionPenalty = 1.0;
        so.seed = mix(m_o.seed ^ mix(uint64_t(i)) ^ mix(fpBits));
        so.stopIds = {text::special::kImEnd};
        eval::GroupGeneration gg = eval::generateGroup(model, prompt, int(G), so);
        for (int64_t g = 0; g < G; ++g) {
            const size_t n = size_t(b * G + g);
            Completion c;
            c.text = m_tok.decode(gg.tokens[size_t(g)]);
            c.answer = answer;
            c.hitStop = gg.hitStop[size_t(g)];
            c.tokens = int64_t(gg.tokens[size_t(g)].size()) + (c.hitStop ? 1 : 0);
            c.maxTokens = m_o.maxGenLen;
            const std::vector<double> comp = m_rewards.components(c);
            double total = 0;
            for (size_t k = 0; k < K; ++k) {
                total += comp[k];
                compSum[k] += comp[k];
            }
            rewards[n] = float(total);
            completionTokens += double(c.tokens);
            if (!blank(answer)) {
                answerable += 1;
                exact += exactMatchReward(c.text, answer);
            }
            seqs[n] = prompt;
            seqs[n].insert(seqs[n].end(), gg.tokens[size_t(g)].begin(), gg.tokens[size_t(g)].end());
            // The stop token is part of what the policy chose: it is trained too.
            if (c.hitStop)
                seqs[n].push_back(text::special::kImEnd);
            promptLen[n] = int64_t(prompt.size());
            // Display order: completion g of prompt b is kept as sample g * B + b.
            const int64_t slot = g * B + b;
            if (slot < keep) {
                GrpoSample& smp = samples[size_t(slot)];
                smp.question = m_data.questions[size_t(i)];
                smp.completion = c.text;
                smp.answer = answer;
                smp.reward = total;
                for (size_t k = 0; k < K; ++k)
                    smp.components.emplace_back(m_rewards.names()[k], comp[k]);
                smp.valid = true;
            }
        }
    }
    m_samples = std::move(samples);
    const Tensor r = torch::tensor(rewards, torch::kFloat32);
    const Tensor adv = groupAdvantages(r, G);

    // Policy and reference score the sampled tokens: inputs seq[0..L-1],
    // targets seq[1..L], mask on the completion's targets.
    int64_t L = 0;
    for (const auto& s : seqs)
        L = std::max<int64_t>(L, int64_t(s.size()) - 1);
    Tensor x = torch::full({N, L}, int64_t(text::special::kPad), torch::kLong);
    Tensor y = torch::full({N, L}, int64_t(text::special::kPad), torch::kLong);
    Tensor mask = torch::zeros({N, L}, torch::kFloat32);
    int64_t *xp = x.data_ptr<int64_t>(), *yp = y.data_ptr<int64_t>();
    float* mp = mask.data_ptr<float>();
    for (int64_t n = 0; n < N; ++n) {
        const auto& s = seqs[size_t(n)];
        for (int64_t j = 0; j + 1 < int64_t(s.size()); ++j) {
            xp[n * L + j] = s[size_t(j)];
            yp[n * L + j] = s[size_t(j + 1)];
            mp[n * L + j] = j + 1 >= promptLen[size_t(n)] ? 1.f : 0.f;
        }
    }
    x = x.to(dev);
    y = y.to(dev);
    mask = mask.to(dev);

    model->train();
    model::ForwardOutput out = model->forward(x);
    const double invT = 1.0 / m_o.temperature;
    const auto atTemperature = [&](const Tensor& logits) { return invT == 1.0 ? logits : logits * invT; };
    Tensor logp = tokenLogProbs(atTemperature(out.logits), y);
    Tensor refLogp;
    if (m_ref) {
        torch::NoGradGuard ng;
        if (m_ref->embed_tokens->weight.device() != dev)
            m_ref->to(dev);
        refLogp = tokenLogProbs(atTemperature(m_ref->forward(x).logits), y);
    }
    // One update per rollout: the old policy is this policy, detached.
    GrpoTerms t = grpoLoss(logp, logp.detach(), refLogp, adv.to(dev), mask, m_o.beta, m_o.clipEps);

    StepOutput s;
    s.loss = model->config().useMoe ? t.loss + out.auxLoss : t.loss;
    const auto scalar = [](double v) { return torch::tensor(float(v)); };
    s.metrics = {{"reward_mean", r.mean()},
                 {"reward_std", r.view({-1, G}).std(1, true).mean()},
                 // Groups whose completions all got the same reward: zero
                 // advantage, so they add nothing to the update.
                 {"zero_std_frac",
                  (r.view({-1, G}).amax(1) - r.view({-1, G}).amin(1)).abs().lt(1e-6).to(torch::kFloat32).mean()},
                 {"accuracy", scalar(answerable > 0 ? exact / answerable : 0.0)},
                 {"kl", t.kl},
                 {"completion_len", scalar(completionTokens / double(N))},
                 {"clip_frac", t.clipFraction}};
    for (size_t k = 0; k < K; ++k)
        s.metrics.emplace_back("reward_" + m_rewards.names()[k], scalar(compSum[k] / double(N)));
    if (model->config().useMoe)
        s.metrics.emplace_back("aux_loss", out.auxLoss.detach());
    return s;
}

} // namespace mm::train
