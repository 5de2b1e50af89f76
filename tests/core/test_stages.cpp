// Post-training stages: SFT/reasoning masks and weights token by token, the DPO
// loss against hand-computed values, LoRA (frozen base, adapter-only file,
// merge), and for each stage a few steps, a checkpoint and an exact resume.

#include "common/error.h"
#include "common/fs.h"
#include "data/token_cache.h"
#include "fixtures.h"
#include "model_fixtures.h"
#include "model/lora.h"
#include "text/tokenizer.h"
#include "train/dpo_stage.h"
#include "train/pretrain_stage.h"
#include "train/sft_stage.h"
#include "train/stage_losses.h"
#include "train/trainer.h"
#include "weights/lora_adapter.h"
#include "weights/state_dict.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <functional>

using namespace mm;
using namespace mm::train;
using namespace mm::weights;
using torch::Tensor;

namespace {

const text::Tokenizer& tokenizer() { return test::stageTokenizer(); }
model::MiniMind tinyModel(uint64_t seed = 5) { return test::tinyStageModel(seed); }

// The first bytes of s, at most n, cut at a UTF-8 character boundary.
std::string prefix(const std::string& s, size_t n) {
    n = std::min(n, s.size());
    while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;
    return s.substr(0, n);
}

std::string conv(const std::vector<std::pair<std::string, std::string>>& turns) {
    nlohmann::json c = nlohmann::json::array();
    for (auto& [r, t] : turns)
        c.push_back({{"role", r}, {"content", t}});
    return nlohmann::json{{"conversations", c}}.dump();
}

data::TokenCache sftCache(const std::string& path, const std::string& dir) {
    data::CacheBuildOptions co;
    co.format = data::CacheFormat::Sft;
    return data::TokenCache::openOrBuild(path, tokenizer(), dir + "/cache", co);
}

std::vector<int> ids(const std::string& s) { return tokenizer().encode(s); }

std::string writeReasonJsonl(const std::string& dir, int n) {
    std::vector<std::string> lines;
    auto texts = test::corpusTexts(2 * n);
    for (int i = 0; i < n; ++i)
        lines.push_back(conv({{"user", "问题" + std::to_string(i) + "：" + prefix(texts[2 * i], 30)},
                              {"assistant", "<think>\n" + prefix(texts[2 * i + 1], 40) + "\n</think>\n<answer>\n" +
                                                std::to_string(i % 7) + "\n</answer>"}}));
    test::writeLines(dir + "/reason.jsonl", lines);
    return dir + "/reason.jsonl";
}

std::string writeDpoJsonl(const std::string& dir, int n) {
    std::vector<std::string> lines;
    auto texts = test::corpusTexts(3 * n);
    for (int i = 0; i < n; ++i) {
        nlohmann::json prompt = {{"role", "user"}, {"content", "请回答：" + prefix(texts[3 * i], 30)}};
        nlohmann::json j{{"chosen", {prompt, {{"role", "assistant"}, {"content", texts[3 * i + 1]}}}},
                         {"rejected", {prompt, {{"role", "assistant"}, {"content", texts[3 * i + 2]}}}}};
        lines.push_back(j.dump());
    }
    test::writeLines(dir + "/dpo.jsonl", lines);
    return dir + "/dpo.jsonl";
}

TrainOptions trainOpts(const test::TempDir& d, const std::string& stem, int maxSteps) {
    TrainOptions o;
    o.batchSize = 2;
    o.accumulation = 1;
    o.learningRate = 3e-3;
    o.logInterval = 1;
    o.saveInterval = 2;
    o.epochs = 20;
    o.maxSteps = maxSteps;
    o.weightsPath = d.file(stem + "_32.pth");
    o.resumePath = d.file("checkpoints/" + stem + "_32_resume.pt");
    o.dataKey = stem;
    return o;
}

// Runs `steps` steps uninterrupted in one directory, and steps/2 + resume to
// `steps` in another; the two must end with identical weights files.
void expectExactResume(const std::function<std::unique_ptr<Stage>()>& makeStage,
                       const std::function<model::MiniMind()>& makeModel, const std::string& stem, int steps) {
    test::TempDir a, b;
    std::vector<double> la, lb;
    {
        auto st = makeStage();
        TrainCallbacks cb;
        cb.onLog = [&](const LogRecord& r) { la.push_back(r.loss); };
        Trainer(trainOpts(a, stem, steps), makeModel(), *st, cb).run();
    }
    {
        auto st = makeStage();
        TrainCallbacks cb;
        int64_t at = 0;
        cb.onLog = [&](const LogRecord& r) {
            lb.push_back(r.loss);
            at = r.step;
        };
        cb.shouldStop = [&] { return at == steps / 2; }; // as a signal would, mid-schedule
        auto res = Trainer(trainOpts(b, stem, steps), makeModel(), *st, cb).run();
        EXPECT_TRUE(res.stopped);
    }
    {
        auto st = makeStage();
        TrainCallbacks cb;
        cb.onLog = [&](const LogRecord& r) { lb.push_back(r.loss); };
        TrainOptions o = trainOpts(b, stem, steps);
        o.resume = true;
        auto res = Trainer(o, makeModel(), *st, cb).run();
        EXPECT_EQ(res.steps, steps);
    }
    ASSERT_TRUE(fs::isFile(a.file(stem + "_32.pth")));
    ASSERT_EQ(la.size(), lb.size());
    for (size_t i = 0; i < la.size(); ++i)
        EXPECT_EQ(la[i], lb[i]) << stem << " step " << i + 1;
    auto wa = loadStateDict(a.file(stem + "_32.pth")), wb = loadStateDict(b.file(stem + "_32.pth"));
    ASSERT_EQ(wa.size(), wb.size());
    for (auto& [k, v] : wa)
        EXPECT_TRUE(torch::equal(v, wb.at(k))) << stem << ": " << k;
}

std::map<std::string, Tensor> snapshot(model::MiniMind& m) {
    std::map<std::string, Tensor> s;
    for (auto& p : m->named_parameters())
        s[p.key()] = p.value().detach().clone();
    return s;
}

} // namespace

TEST(SftStage, MaskCoversAssistantContentAndItsImEndTokenByToken) {
    test::TempDir d;
    const std::string a1 = "白日依山尽，黄河入海流。", a2 = "The quick brown fox.";
    test::writeLines(d.file("two.jsonl"), {conv({{"system", "你是助手"},
                                                 {"user", "第一问"},
                                                 {"assistant", a1},
                                                 {"user", "second question"},
                                                 {"assistant", a2}})});
    auto cache = sftCache(d.file("two.jsonl"), d.path());
    SftStage stage("full_sft", cache, {0}, 256);
    data::Example ex;
    stage.sample(0, ex);
    // Targets with weight 1, in order, are exactly answer 1 + <|im_end|> +
    // answer 2 + <|im_end|>; everything else (system, user turns, role
    // headers, the newline after <|im_end|>, padding) has weight 0.
    std::vector<int> want = ids(a1);
    want.push_back(text::special::kImEnd);
    for (int id : ids(a2))
        want.push_back(id);
    want.push_back(text::special::kImEnd);
    std::vector<int> got;
    const int64_t len = cache.docEnd(0) - cache.docBegin(0);
    for (size_t j = 0; j < ex.y.size(); ++j) {
        if (int64_t(j) + 1 < len) {
            EXPECT_EQ(ex.y[j], cache.tokens()[cache.docBegin(0) + j + 1]) << j;
            EXPECT_EQ(ex.x[j], cache.tokens()[cache.docBegin(0) + j]) << j;
        } else {
            EXPECT_EQ(ex.w[j], 0.f) << "padding position " << j;
        }
        ASSERT_TRUE(ex.w[j] == 0.f || ex.w[j] == 1.f);
        if (ex.w[j] == 1.f)
            got.push_back(int(ex.y[j]));
    }
    EXPECT_EQ(got, want);
    EXPECT_EQ(ex.x[0], text::special::kImStart); // no second BOS in front of the rendering
    // The decoded targets read back as the answers.
    EXPECT_EQ(tokenizer().decode(got), a1 + "<|im_end|>" + a2 + "<|im_end|>");
}

TEST(SftStage, ReasoningWeightsExactlyTheFourTagTargets) {
    test::TempDir d;
    const std::string answer = "<think>\n先想一想 think answer\n</think>\n<answer>\n42\n</answer>";
    // A tag inside the prompt is not a target and must stay unweighted.
    test::writeLines(d.file("r.jsonl"), {conv({{"user", "用 <think> 标签回答"}, {"assistant", answer}})});
    auto cache = sftCache(d.file("r.jsonl"), d.path());
    SftStage stage("distill_reason", cache, {0}, 256, 10.0);
    data::Example ex;
    stage.sample(0, ex);
    int tags = 0, ones = 0;
    std::vector<int> weightedIds;
    for (size_t j = 0; j < ex.y.size(); ++j) {
        const bool tag = ex.y[j] >= 3 && ex.y[j] <= 6;
        if (ex.w[j] == 10.f) {
            ++tags;
            weightedIds.push_back(int(ex.y[j]));
            EXPECT_TRUE(tag) << "position " << j << " id " << ex.y[j];
        } else if (ex.w[j] == 1.f) {
            ++ones;
            EXPECT_FALSE(tag) << "unweighted tag at " << j;
        } else {
            EXPECT_EQ(ex.w[j], 0.f);
        }
    }
    EXPECT_EQ(tags, 4);
    EXPECT_EQ(weightedIds, (std::vector<int>{3, 4, 5, 6}));
    EXPECT_EQ(size_t(ones), ids(answer).size() - 4 + 1); // content minus the tags, plus <|im_end|>
    // The pure function agrees.
    Tensor y = torch::tensor({3, 7, 4, 5, 9, 6, 3}, torch::kLong).view({1, -1});
    Tensor m = torch::tensor({1, 1, 1, 1, 1, 1, 0}, torch::kFloat32).view({1, -1});
    Tensor w = reasoningWeights(y, m, 10.0);
    EXPECT_TRUE(torch::equal(w, torch::tensor({10.f, 1.f, 10.f, 10.f, 1.f, 10.f, 0.f}).view({1, -1})));
}

TEST(SftStage, ReasoningSampleWithoutTagsIsNamedBySkippedOnRequest) {
    test::TempDir d;
    test::writeLines(d.file("r.jsonl"), {conv({{"user", "q"}, {"assistant", "<think>a</think><answer>b</answer>"}}),
                                         conv({{"user", "q"}, {"assistant", "no tags at all"}}),
                                         conv({{"user", "q"}, {"assistant", "<answer>b</answer><think>a</think>"}})});
    int64_t bad = 0;
    try {
        checkReasoningData(d.file("r.jsonl"), false, bad);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("r.jsonl:2"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("<think>"), std::string::npos) << e.what();
    }
    auto flags = checkReasoningData(d.file("r.jsonl"), true, bad);
    EXPECT_EQ(flags, (std::vector<bool>{false, true, true}));
    EXPECT_EQ(bad, 2);
}

TEST(SftStage, ConversationsWithNoTargetInTheWindowAreDroppedAndAnEmptyBatchIsAnError) {
    test::TempDir d;
    std::string longPrompt(600, 'x');
    test::writeLines(d.file("s.jsonl"), {conv({{"user", longPrompt}, {"assistant", "ok"}}),
                                         conv({{"user", "hi"}, {"assistant", "hello"}})});
    auto cache = sftCache(d.file("s.jsonl"), d.path());
    int64_t dropped = 0;
    auto docs = trainableDocuments(cache, 64, {}, dropped);
    EXPECT_EQ(docs, (std::vector<int64_t>{1}));
    EXPECT_EQ(dropped, 1);
    SftStage stage("full_sft", cache, {0, 0}, 64); // forced: nothing to learn
    EXPECT_THROW(stage.makeBatch({0, 1}), InputError);
}

TEST(StageLosses, DpoLossMatchesHandComputedValues) {
    Tensor pc = torch::tensor({-1.0f, -3.0f}), pr = torch::tensor({-2.0f, -1.0f});
    Tensor rc = torch::tensor({-1.5f, -2.0f}), rr = torch::tensor({-1.5f, -2.0f});
    DpoTerms t = dpoLoss(pc, pr, rc, rr, 0.1);
    // z = 0.1 * ((pc - pr) - (rc - rr)) = {0.1, -0.2}; loss = mean(log(1 + e^-z)).
    const double l0 = std::log1p(std::exp(-0.1)), l1 = std::log1p(std::exp(0.2));
    EXPECT_NEAR(t.loss.item<double>(), (l0 + l1) / 2, 1e-6);
    EXPECT_NEAR(t.margin.item<double>(), -0.05, 1e-6);
    EXPECT_NEAR(t.accuracy.item<double>(), 0.5, 1e-6);
    EXPECT_NEAR(t.chosenReward.item<double>(), (0.1 * 0.5 + 0.1 * -1.0) / 2, 1e-6);
    EXPECT_NEAR(t.rejectedReward.item<double>(), (0.1 * -0.5 + 0.1 * 1.0) / 2, 1e-6);
    // Gradient w.r.t. the policy's chosen log-prob: -beta * sigmoid(-z) / N.
    Tensor p = pc.clone().requires_grad_(true);
    dpoLoss(p, pr, rc, rr, 0.1).loss.backward();
    EXPECT_NEAR(p.grad()[0].item<double>(), -0.1 / (1 + std::exp(0.1)) / 2, 1e-6);
}

TEST(StageLosses, SequenceMeanLogProbsOverTheMask) {
    // Two positions, vocabulary 2: logits (0, 0) -> log 0.5 each; (ln 3, 0) -> p(0) = 3/4.
    Tensor logits = torch::tensor({0.f, 0.f, float(std::log(3.0)), 0.f}).view({1, 2, 2});
    Tensor y = torch::tensor({1, 0}, torch::kLong).view({1, 2});
    Tensor lp = tokenLogProbs(logits, y);
    EXPECT_NEAR(lp[0][0].item<double>(), std::log(0.5), 1e-6);
    EXPECT_NEAR(lp[0][1].item<double>(), std::log(0.75), 1e-6);
    Tensor m = torch::tensor({1.f, 1.f}).view({1, 2});
    EXPECT_NEAR(sequenceMeanLogProbs(lp, m).item<double>(), (std::log(0.5) + std::log(0.75)) / 2, 1e-6);
    m = torch::tensor({0.f, 1.f}).view({1, 2});
    EXPECT_NEAR(sequenceMeanLogProbs(lp, m).item<double>(), std::log(0.75), 1e-6);
}

TEST(StageLosses, ThinkFormatCheck) {
    EXPECT_TRUE(followsThinkFormat("<think>\na\n</think>\n<answer>\nb\n</answer>"));
    EXPECT_TRUE(followsThinkFormat("  <think>a</think><answer>b</answer>\n"));
    EXPECT_FALSE(followsThinkFormat("<think>a</think>"));
    EXPECT_FALSE(followsThinkFormat("x<think>a</think><answer>b</answer>"));
    EXPECT_FALSE(followsThinkFormat("<think>a</think><answer>b</answer> trailing"));
    EXPECT_FALSE(followsThinkFormat("<think>a</think><think>c</think><answer>b</answer>"));
    EXPECT_FALSE(followsThinkFormat("<answer>b</answer><think>a</think>"));
}

TEST(SftStage, FewStepsCheckpointAndExactResume) {
    test::TempDir d;
    auto cache = sftCache(test::writeSftJsonl(d.path(), 24), d.path());
    int64_t dropped = 0;
    auto docs = trainableDocuments(cache, 48, {}, dropped);
    ASSERT_GE(docs.size(), 8u); // the rest have no answer token within 48 tokens
    expectExactResume([&] { return std::make_unique<SftStage>("full_sft", cache, docs, 48); },
                      [] { return tinyModel(); }, "full_sft", 6);
    // distill_reason plugs into the same loop with its weights.
    auto rcache = sftCache(writeReasonJsonl(d.path(), 16), d.path());
    auto rdocs = trainableDocuments(rcache, 64, {}, dropped);
    expectExactResume([&] { return std::make_unique<SftStage>("distill_reason", rcache, rdocs, 64, 10.0); },
                      [] { return tinyModel(); }, "reason", 6);
}

TEST(SftStage, TrainingLowersHeldOutAssistantLoss) {
    test::TempDir d;
    auto cache = sftCache(test::writeSftJsonl(d.path(), 40), d.path());
    int64_t dropped = 0;
    auto docs = trainableDocuments(cache, 64, {}, dropped);
    model::MiniMind m = tinyModel();
    const double before = maskedLoss(m, cache, docs, 64, 8).loss;
    SftStage stage("full_sft", cache, docs, 64);
    TrainOptions o = trainOpts(d, "full_sft", 60);
    o.batchSize = 4;
    o.saveInterval = 1000;
    Trainer(o, m, stage, {}).run();
    const double after = maskedLoss(m, cache, docs, 64, 8).loss;
    EXPECT_LT(after, before - 1.0) << before << " -> " << after;
}

TEST(SftStage, ValidationDuringTrainingLeavesTheTrainingUnchanged) {
    test::TempDir d;
    auto cache = sftCache(test::writeSftJsonl(d.path(), 40), d.path());
    int64_t dropped = 0;
    auto docs = trainableDocuments(cache, 64, {}, dropped);
    ASSERT_GE(docs.size(), 12u);
    const std::vector<int64_t> trainDocs(docs.begin() + 4, docs.end()), heldDocs(docs.begin(), docs.begin() + 4);
    auto train = [&](bool validate, std::vector<std::pair<int64_t, double>>& evals, std::vector<double>& losses) {
        model::MiniMind m = tinyModel();
        SftStage stage("full_sft", cache, trainDocs, 64);
        TrainOptions o = trainOpts(d, validate ? "with" : "without", 10);
        o.batchSize = 4;
        o.logInterval = 1;
        o.saveInterval = 1000;
        o.evalInterval = validate ? 3 : 0;
        TrainCallbacks cb;
        cb.onLog = [&](const LogRecord& r) { losses.push_back(r.loss); };
        cb.onEval = [&](model::MiniMind& model, int64_t step, int64_t) {
            EXPECT_FALSE(model->is_training());
            EXPECT_FALSE(torch::GradMode::is_enabled());
            evals.emplace_back(step, maskedLoss(model, cache, heldDocs, 64, 2).loss);
        };
        Trainer(o, m, stage, cb).run();
        EXPECT_TRUE(m->is_training());
        return snapshot(m);
    };
    std::vector<std::pair<int64_t, double>> evals, none;
    std::vector<double> lossWith, lossWithout;
    auto with = train(true, evals, lossWith);
    auto without = train(false, none, lossWithout);
    // Every third step and the last one; nothing when the interval is 0.
    ASSERT_EQ(evals.size(), 4u);
    EXPECT_EQ(evals[0].first, 3);
    EXPECT_EQ(evals[3].first, 10);
    EXPECT_TRUE(none.empty());
    EXPECT_LT(evals.back().second, evals.front().second); // held-out loss goes down while training
    // Same curve and bit-identical weights with and without validation.
    EXPECT_EQ(lossWith, lossWithout);
    for (const auto& [name, t] : with)
        EXPECT_TRUE(torch::equal(t, without.at(name))) << name;
}

TEST(Lora, BaseFrozenAdapterOnlyFileMergeMatchesAndResumeIsExact) {
    test::TempDir d;
    auto cache = sftCache(test::writeSftJsonl(d.path(), 24), d.path());
    int64_t dropped = 0;
    auto docs = trainableDocuments(cache, 48, {}, dropped);
    model::LoraOptions lo;
    lo.rank = 4;
    lo.alpha = 8;
    model::MiniMind m = tinyModel();
    auto base = snapshot(m);
    auto wrapped = model::attachLora(m, lo, 1);
    EXPECT_EQ(wrapped.size(), 2u * 7u); // 2 layers x (4 attention + 3 FFN)
    // A fresh adapter is a no-op (B = 0).
    Tensor probe = torch::randint(0, 400, {2, 12}, torch::kLong);
    {
        torch::NoGradGuard ng;
        model::MiniMind plain = tinyModel();
        EXPECT_TRUE(torch::allclose(m->forward(probe).logits, plain->forward(probe).logits));
    }
    LoraStage stage(cache, docs, 48, lo);
    TrainOptions o = trainOpts(d, "lora/lora_test", 6);
    o.learningRate = 1e-2;
    Trainer(o, m, stage, {}).run();
    for (auto& p : m->named_parameters()) {
        if (p.key().find(".lora.") == std::string::npos)
            EXPECT_TRUE(torch::equal(p.value(), base.at(p.key()))) << "frozen " << p.key() << " changed";
        else if (p.key().find(".B.") != std::string::npos)
            EXPECT_GT(p.value().abs().sum().item<double>(), 0) << p.key() << " did not train";
    }
    // The weights file holds only the adapter, under minimind's names.
    auto sd = loadStateDict(d.file("lora/lora_test_32.pth"));
    EXPECT_EQ(sd.size(), 2u * 14u);
    for (auto& [k, v] : sd)
        EXPECT_NE(k.find(".lora."), std::string::npos) << k;
    EXPECT_TRUE(sd.count("model.layers.0.self_attn.q_proj.lora.A.weight"));
    // Base + adapter loaded from disk == trained model; merged == base + adapter.
    torch::NoGradGuard ng;
    m->eval();
    Tensor want = m->forward(probe).logits;
    model::MiniMind loaded = tinyModel();
    auto opts = weights::loadLora(loaded, d.file("lora/lora_test_32.pth"));
    EXPECT_EQ(opts.rank, 4);
    EXPECT_DOUBLE_EQ(opts.alpha, 8);
    EXPECT_TRUE(torch::allclose(loaded->forward(probe).logits, want, 1e-5, 1e-5));
    model::mergeLora(loaded);
    EXPECT_TRUE(model::loraStateDict(loaded).empty());
    EXPECT_TRUE(torch::allclose(loaded->forward(probe).logits, want, 1e-4, 1e-4))
        << (loaded->forward(probe).logits - want).abs().max().item<double>();
}

TEST(Lora, ResumeIsExactAndNamesAreChecked) {
    test::TempDir d;
    auto cache = sftCache(test::writeSftJsonl(d.path(), 24), d.path());
    int64_t dropped = 0;
    auto docs = trainableDocuments(cache, 48, {}, dropped);
    model::LoraOptions lo;
    lo.rank = 2;
    expectExactResume([&] { return std::make_unique<LoraStage>(cache, docs, 48, lo); },
                      [&] {
                          model::MiniMind m = tinyModel();
                          model::attachLora(m, lo, 3);
                          return m;
                      },
                      "lora/x", 6);
    EXPECT_TRUE(model::validLoraName("lora_medical"));
    EXPECT_FALSE(model::validLoraName("../evil"));
    EXPECT_FALSE(model::validLoraName("a/b"));
    EXPECT_FALSE(model::validLoraName(""));
    EXPECT_FALSE(model::validLoraName(".hidden"));
    model::LoraOptions none;
    none.targets = {"no_such_proj"};
    model::MiniMind m = tinyModel();
    EXPECT_THROW(model::attachLora(m, none, 1), InputError);
}

TEST(Dpo, ReferenceCachedOnceTrainingRaisesPreferenceAndResumeIsExact) {
    test::TempDir d;
    const std::string path = writeDpoJsonl(d.path(), 16);
    PreferenceData pairs = loadPreferencePairs(path, tokenizer(), 64, false);
    ASSERT_EQ(pairs.pairs(), 16);
    // Masks: only the final answer + <|im_end|>.
    for (size_t s = 0; s < 2; ++s) {
        std::vector<int> got;
        for (size_t j = 0; j < pairs.tokens[s].size(); ++j)
            if (pairs.mask[s][j])
                got.push_back(pairs.tokens[s][j]);
        EXPECT_EQ(got.back(), text::special::kImEnd);
    }
    model::MiniMind policy = tinyModel();
    bool computed = false;
    const std::string cachePath = d.file("cache/ref.bin");
    Tensor ref = referenceLogProbs(cachePath, "key1", policy, pairs, 64, 4, computed);
    EXPECT_TRUE(computed);
    Tensor again = referenceLogProbs(cachePath, "key1", policy, pairs, 64, 4, computed);
    EXPECT_FALSE(computed);
    EXPECT_TRUE(torch::equal(ref, again));
    referenceLogProbs(cachePath, "key2", policy, pairs, 64, 4, computed);
    EXPECT_TRUE(computed); // another reference/data key recomputes

    const double accBefore =
        (pairLogProbs(policy, pairs, 64, 4).select(1, 0) > pairLogProbs(policy, pairs, 64, 4).select(1, 1))
            .to(torch::kFloat32)
            .mean()
            .item<double>();
    DpoStage stage(pairs, ref, 64, 0.1);
    std::vector<double> losses, acc;
    TrainCallbacks cb;
    cb.onLog = [&](const LogRecord& r) {
        losses.push_back(r.loss);
        for (auto& [k, v] : r.metrics)
            if (k == "pref_accuracy")
                acc.push_back(v);
    };
    auto before = snapshot(policy);
    TrainOptions o = trainOpts(d, "rlhf", 30);
    o.batchSize = 4;
    o.learningRate = 1e-2;
    Trainer(o, policy, stage, cb).run();
    ASSERT_FALSE(acc.empty());
    EXPECT_NEAR(losses.front(), std::log(2.0), 1e-4); // policy == reference at step 1
    EXPECT_LT(losses.back(), losses.front());
    Tensor lp = pairLogProbs(policy, pairs, 64, 4);
    const double accAfter = (lp.select(1, 0) > lp.select(1, 1)).to(torch::kFloat32).mean().item<double>();
    EXPECT_GT(accAfter, accBefore);
    int changed = 0;
    for (auto& p : policy->named_parameters())
        changed += !torch::equal(p.value(), before.at(p.key()));
    EXPECT_GT(changed, 0);
    EXPECT_TRUE(fs::isFile(d.file("rlhf_32.pth")));
    expectExactResume([&] { return std::make_unique<DpoStage>(pairs, ref, 64, 0.1); }, [] { return tinyModel(); },
                      "rlhf", 6);
}

TEST(Dpo, RpoAlphaAddsTheChosenAnswersNllAndKeepsTheirLikelihood) {
    test::TempDir d;
    PreferenceData pairs = loadPreferencePairs(writeDpoJsonl(d.path(), 16), tokenizer(), 64, false);
    model::MiniMind m = tinyModel();
    bool computed = false;
    Tensor ref = referenceLogProbs(d.file("ref.bin"), "k", m, pairs, 64, 4, computed);
    std::vector<int64_t> idx{0, 1, 2, 3};
    // One step's loss: plain DPO plus alpha x the chosen answers' mean NLL.
    DpoStage plain(pairs, ref, 64, 0.1), rpo(pairs, ref, 64, 0.1, 0.5);
    Batch b = plain.makeBatch(idx);
    StepOutput p = plain.step(m, b), r = rpo.step(m, b);
    double nll = NAN;
    for (auto& [k, v] : r.metrics)
        if (k == "chosen_nll")
            nll = v.item<double>();
    ASSERT_FALSE(std::isnan(nll));
    const Tensor chosen = ref.index_select(0, torch::tensor(idx)).select(1, 0); // policy == reference
    EXPECT_NEAR(nll, -chosen.mean().item<double>(), 1e-4);
    EXPECT_NEAR(r.loss.item<double>(), p.loss.item<double>() + 0.5 * nll, 1e-5);
    for (auto& [k, v] : p.metrics)
        EXPECT_NE(k, "chosen_nll");

    // Trained alike, the RPO run ends with the more likely chosen answers.
    auto train = [&](double alpha) {
        torch::manual_seed(3);
        model::MiniMind policy = tinyModel();
        DpoStage stage(pairs, ref, 64, 0.1, alpha);
        TrainOptions o = trainOpts(d, alpha > 0 ? "rpo" : "dpo", 30);
        o.batchSize = 4;
        o.learningRate = 1e-2;
        Trainer(o, policy, stage, TrainCallbacks{}).run();
        return pairLogProbs(policy, pairs, 64, 4).select(1, 0).mean().item<double>();
    };
    EXPECT_GT(train(1.0), train(0.0));
}

TEST(Dpo, PairsWithDifferentPromptsAreNamedByLine) {
    test::TempDir d;
    nlohmann::json good{
        {"chosen", {{{"role", "user"}, {"content", "q"}}, {{"role", "assistant"}, {"content", "a"}}}},
        {"rejected", {{{"role", "user"}, {"content", "q"}}, {{"role", "assistant"}, {"content", "b"}}}}};
    nlohmann::json bad = good;
    bad["rejected"][0]["content"] = "another question";
    test::writeLines(d.file("p.jsonl"), {good.dump(), bad.dump()});
    try {
        loadPreferencePairs(d.file("p.jsonl"), tokenizer(), 64, false);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("p.jsonl:2"), std::string::npos) << e.what();
    }
    PreferenceData p = loadPreferencePairs(d.file("p.jsonl"), tokenizer(), 64, true);
    EXPECT_EQ(p.pairs(), 1);
    EXPECT_EQ(p.badLines, 1);
}
