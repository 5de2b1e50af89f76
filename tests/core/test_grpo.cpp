// GRPO: the loss and the group advantages against hand-computed values, each
// reward on hand-made strings, the record format and its errors, batched group
// sampling against the batch-1 generator, and the stage on the one training
// loop (weights move, the reference does not, equal rewards are harmless, a
// resumed run ends bit-identical).

#include "common/error.h"
#include "common/fs.h"
#include "eval/generator.h"
#include "eval/group_generator.h"
#include "fixtures.h"
#include "model_fixtures.h"
#include "text/tokenizer.h"
#include "train/grpo_rewards.h"
#include "train/grpo_stage.h"
#include "train/trainer.h"
#include "weights/state_dict.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>

using namespace mm;
using namespace mm::train;
using namespace mm::weights;
using torch::Tensor;

namespace {

const text::Tokenizer& tokenizer() { return test::stageTokenizer(); }
model::MiniMind tinyModel(uint64_t seed = 5) { return test::tinyStageModel(seed); }

std::string record(const std::string& user, const nlohmann::json& answer = nullptr) {
    nlohmann::json j{{"conversations", {{{"role", "user"}, {"content", user}}}}};
    if (!answer.is_null())
        j["answer"] = answer;
    return j.dump();
}

std::string writeGrpoJsonl(const std::string& dir, int n) {
    std::vector<std::string> lines;
    for (int i = 0; i < n; ++i)
        lines.push_back(record(std::to_string(i) + " + " + std::to_string(i % 3) + " = ?", std::to_string(i + i % 3)));
    test::writeLines(dir + "/grpo.jsonl", lines);
    return dir + "/grpo.jsonl";
}

Tensor logs(std::vector<std::vector<double>> rows) {
    std::vector<Tensor> t;
    for (auto& r : rows) {
        for (auto& v : r)
            v = v > 0 ? std::log(v) : 0.0;
        t.push_back(torch::tensor(r, torch::kFloat64).to(torch::kFloat32));
    }
    return torch::stack(t);
}

std::map<std::string, Tensor> snapshot(model::MiniMind& m) {
    std::map<std::string, Tensor> s;
    for (auto& p : m->named_parameters())
        s[p.key()] = p.value().detach().clone();
    return s;
}

TrainOptions trainOpts(const test::TempDir& d, int maxSteps) {
    TrainOptions o;
    o.batchSize = 2;
    o.accumulation = 1;
    o.learningRate = 1e-2;
    o.weightDecay = 0; // only the gradient moves the weights
    o.logInterval = 1;
    o.saveInterval = 2;
    o.epochs = 20;
    o.maxSteps = maxSteps;
    o.weightsPath = d.file("grpo_32.pth");
    o.resumePath = d.file("checkpoints/grpo_32_resume.pt");
    o.dataKey = "grpo";
    return o;
}

GrpoOptions smallOpts(double beta = 0.05) {
    GrpoOptions g;
    g.numGenerations = 4;
    g.maxGenLen = 10;
    g.temperature = 1.0;
    g.beta = beta;
    return g;
}

// A reward that differs between random completions: the share of ASCII bytes.
RewardSet asciiReward() {
    RewardSet r;
    r.add("ascii", [](const Completion& c) {
        if (c.text.empty())
            return 0.0;
        double n = 0;
        for (unsigned char ch : c.text)
            n += ch < 0x80;
        return n / double(c.text.size());
    });
    return r;
}

} // namespace

TEST(GrpoLoss, AdvantagesAreNormalisedWithinEachGroup) {
    Tensor a = groupAdvantages(torch::tensor({1.f, 2.f, 3.f, 4.f, 5.f, 5.f, 5.f, 5.f}), 4);
    ASSERT_EQ(a.size(0), 8);
    // Group 1: mean 2.5, unbiased std sqrt(5/3) = 1.290994.
    const double sd = std::sqrt(5.0 / 3.0) + 1e-4;
    const double want[] = {-1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd};
    for (int i = 0; i < 4; ++i)
        EXPECT_NEAR(a[i].item<double>(), want[i], 1e-6);
    // Group 2: equal rewards -> exactly zero, not NaN.
    for (int i = 4; i < 8; ++i)
        EXPECT_EQ(a[i].item<double>(), 0.0);
    EXPECT_THROW(groupAdvantages(torch::ones({6}), 4), Error);
}

TEST(GrpoLoss, ClippedObjectiveAndK3KlMatchHandComputedValues) {
    // Row 0: A = 2, token 0 ratio 0.5/0.4 = 1.25 (clipped to 1.2), token 1
    // ratio 1, position 2 padding. Row 1: A = -1, token 0 ratio 0.5 (clipped
    // to 0.8, the pessimistic side for a negative advantage), tokens 1, 2 ratio 1.
    Tensor logp = logs({{0.5, 0.25, 0}, {0.5, 0.5, 0.1}}).requires_grad_(true);
    Tensor old = logs({{0.4, 0.25, 0}, {1.0, 0.5, 0.1}});
    Tensor ref = logs({{0.25, 0.25, 0}, {0.5, 0.25, 0.2}});
    Tensor adv = torch::tensor({2.f, -1.f});
    Tensor mask = torch::tensor({{1.f, 1.f, 0.f}, {1.f, 1.f, 1.f}});
    GrpoTerms t = grpoLoss(logp, old, ref, adv, mask, 0.1, 0.2);
    // k3 at p/ref = 2: 0.5 - ln 0.5 - 1; at p/ref = 0.5: 2 - ln 2 - 1.
    const double k2 = 0.5 + std::log(2.0) - 1.0, kHalf = 2.0 - std::log(2.0) - 1.0;
    const double row0 = ((-2.4 + 0.1 * k2) + (-2.0)) / 2.0;
    const double row1 = ((0.8) + (1.0 + 0.1 * k2) + (1.0 + 0.1 * kHalf)) / 3.0;
    EXPECT_NEAR(t.loss.item<double>(), (row0 + row1) / 2.0, 1e-5);
    EXPECT_NEAR(t.kl.item<double>(), (k2 / 2.0 + (k2 + kHalf) / 3.0) / 2.0, 1e-5);
    EXPECT_NEAR(t.clipFraction.item<double>(), 2.0 / 5.0, 1e-6);

    // Without the KL term, clipped tokens get no gradient; unclipped ones get
    // -A * ratio / |o| / N; padding none.
    Tensor lp = logs({{0.5, 0.25, 0}, {0.5, 0.5, 0.1}}).requires_grad_(true);
    grpoLoss(lp, old, {}, adv, mask, 0.0, 0.2).loss.backward();
    Tensor g = lp.grad();
    EXPECT_NEAR(g[0][0].item<double>(), 0.0, 1e-7);
    EXPECT_NEAR(g[0][1].item<double>(), -2.0 / 2.0 / 2.0, 1e-6);
    EXPECT_NEAR(g[0][2].item<double>(), 0.0, 1e-7);
    EXPECT_NEAR(g[1][0].item<double>(), 0.0, 1e-7);
    EXPECT_NEAR(g[1][1].item<double>(), 1.0 / 3.0 / 2.0, 1e-6);
    EXPECT_NEAR(g[1][2].item<double>(), 1.0 / 3.0 / 2.0, 1e-6);
}

TEST(GrpoLoss, OnPolicyRatioIsOneAndKlIsZeroAtTheReference) {
    Tensor lp = logs({{0.3, 0.6}, {0.9, 0.2}}).requires_grad_(true);
    Tensor mask = torch::ones({2, 2});
    GrpoTerms t = grpoLoss(lp, lp.detach(), lp.detach(), torch::tensor({1.f, -1.f}), mask, 0.5, 0.2);
    EXPECT_NEAR(t.loss.item<double>(), 0.0, 1e-6); // (-1 + 1) / 2 with ratio 1 and KL 0
    EXPECT_NEAR(t.kl.item<double>(), 0.0, 1e-7);
    EXPECT_EQ(t.clipFraction.item<double>(), 0.0);
    t.loss.backward();
    // The policy gradient: -A / |o| / N per token; k3 has zero slope here.
    EXPECT_NEAR(lp.grad()[0][0].item<double>(), -0.25, 1e-6);
    EXPECT_NEAR(lp.grad()[1][1].item<double>(), 0.25, 1e-6);
}

TEST(GrpoRewards, EachRewardOnHandMadeStrings) {
    EXPECT_DOUBLE_EQ(formatReward("<think>a</think><answer>b</answer>"), 1.0);
    EXPECT_DOUBLE_EQ(formatReward("\n<think>\na\n</think>\n<answer>\nb\n</answer>\n"), 1.0);
    EXPECT_DOUBLE_EQ(formatReward("<think>a</think> b"), 0.25);
    EXPECT_DOUBLE_EQ(formatReward("<think>a</think><answer>b</answer><answer>"), 0.375);
    EXPECT_DOUBLE_EQ(formatReward("just text"), 0.0);

    EXPECT_EQ(extractAnswer("<think>x</think><answer> 42 </answer>"), "42");
    EXPECT_EQ(extractAnswer("  42\n"), "42");
    EXPECT_EQ(extractAnswer("<answer> 7"), "<answer> 7"); // unclosed: the whole text
    EXPECT_DOUBLE_EQ(exactMatchReward("<think>x</think><answer>42</answer>", " 42\n"), 1.0);
    EXPECT_DOUBLE_EQ(exactMatchReward("42", "42"), 1.0);
    EXPECT_DOUBLE_EQ(exactMatchReward("<answer>43</answer>", "42"), 0.0);
    EXPECT_DOUBLE_EQ(exactMatchReward("<think>42</think>", "42"), 0.0);
    EXPECT_DOUBLE_EQ(exactMatchReward("", ""), 0.0); // no known answer: nothing to match

    // DAPO soft overlong punishment, L_max 100, L_cache 25.
    EXPECT_DOUBLE_EQ(lengthPenalty(10, 100, true), 0.0);
    EXPECT_DOUBLE_EQ(lengthPenalty(75, 100, true), 0.0);
    EXPECT_DOUBLE_EQ(lengthPenalty(90, 100, true), -0.6);
    EXPECT_DOUBLE_EQ(lengthPenalty(100, 100, true), -1.0);
    EXPECT_DOUBLE_EQ(lengthPenalty(50, 100, false), -1.0); // cut off

    EXPECT_DOUBLE_EQ(repetitionPenalty("the cat sat on the mat"), 0.0);
    EXPECT_NEAR(repetitionPenalty("ha ha ha ha ha"), -2.0 / 3.0, 1e-12);
    EXPECT_NEAR(repetitionPenalty("哈哈哈哈哈"), -2.0 / 3.0, 1e-12); // characters are units
    EXPECT_NEAR(repetitionPenalty("ab ab ab ab"), -0.5, 1e-12);      // 4 units, 2 trigrams, 1 distinct
    EXPECT_DOUBLE_EQ(repetitionPenalty("two words"), 0.0);
    EXPECT_DOUBLE_EQ(repetitionPenalty("ab c x a bc x"), 0.0); // (ab, c, x) is not (a, bc, x)

    RewardSet s = RewardSet::parse(" format, exact ,length,repetition");
    ASSERT_EQ(s.names(), (std::vector<std::string>{"format", "exact", "length", "repetition"}));
    Completion c;
    c.text = "<think>1+1</think><answer>2</answer>";
    c.answer = "2";
    c.tokens = 8;
    c.maxTokens = 100;
    c.hitStop = true;
    EXPECT_DOUBLE_EQ(s.total(c), 1.0 + 1.0 + 0.0 + 0.0);
    try {
        RewardSet::parse("format,bogus");
        FAIL() << "unknown reward accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("--rewards"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("bogus"), std::string::npos) << e.what();
    }
    EXPECT_THROW(RewardSet::parse("format,format"), InputError);
    EXPECT_THROW(RewardSet::parse(" , "), InputError);
}

TEST(GrpoData, RecordsAnswersAndMinimindFormatAndBadLinesByFileAndLine) {
    test::TempDir d;
    const std::string path = d.file("p.jsonl");
    nlohmann::json sys{{"conversations",
                        {{{"role", "system"}, {"content", "You are terse."}}, {{"role", "user"}, {"content", "2+2?"}}}},
                       {"answer", 4}};
    // minimind's RL format: the trailing assistant turn is a placeholder.
    nlohmann::json mm{
        {"conversations", {{{"role", "user"}, {"content", "hello"}}, {{"role", "assistant"}, {"content", "空"}}}}};
    test::writeLines(path, {record("1+1?", "2"), sys.dump(), mm.dump()});
    GrpoData data = loadGrpoData(path, tokenizer(), 128, false);
    ASSERT_EQ(data.size(), 3);
    EXPECT_EQ(data.answers, (std::vector<std::string>{"2", "4", ""}));
    EXPECT_EQ(data.withAnswer, 2);
    EXPECT_EQ(data.questions[2], "hello");
    const std::string want = text::renderChat({{"system", "You are terse."}, {"user", "2+2?"}}, true);
    EXPECT_EQ(tokenizer().decode(data.prompts[1]), want);
    EXPECT_FALSE(data.key.empty());

    auto expectError = [&](const std::vector<std::string>& lines, const std::string& where, const std::string& what) {
        test::writeLines(path, lines);
        try {
            loadGrpoData(path, tokenizer(), 128, false);
            ADD_FAILURE() << "accepted: " << lines.back();
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find(path + ":" + where), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
        }
    };
    const std::string good = record("q", "a");
    expectError({good, nlohmann::json{{"conversations", {{{"role", "system"}, {"content", "s"}}}}}.dump()}, "2",
                "no user turn");
    expectError({good, good, record("   ")}, "3", "empty");
    expectError({nlohmann::json{{"prompt", "x"}}.dump()}, "1", "\"conversations\" is missing");
    expectError({nlohmann::json{{"conversations", {{{"role", "user"}, {"content", "q"}}}}, {"answer", {1}}}.dump()},
                "1", "\"answer\"");
    expectError({nlohmann::json{{"conversations", {{{"role", "assistant"}, {"content", "a"}}}}}.dump()}, "1",
                "expected \"user\"");

    // GSM8K's own format: {"question", "answer": "worked solution #### 42"}.
    test::writeLines(path, {nlohmann::json{{"question", "Tom has 3 apples and buys 39 more. How many?"},
                                           {"answer", "3 + 39 = <<3+39=42>>42\n#### 42"}}
                                .dump(),
                            nlohmann::json{{"question", "7*6?"}, {"answer", 42}}.dump(), good});
    GrpoData gsm = loadGrpoData(path, tokenizer(), 128, false);
    ASSERT_EQ(gsm.size(), 3);
    EXPECT_EQ(gsm.answers, (std::vector<std::string>{"42", "42", "a"}));
    EXPECT_EQ(gsm.questions[0], "Tom has 3 apples and buys 39 more. How many?");
    EXPECT_EQ(tokenizer().decode(gsm.prompts[1]), text::renderChat({{"user", "7*6?"}}, true));
    expectError({good, nlohmann::json{{"question", 7}, {"answer", "#### 7"}}.dump()}, "2", "\"question\"");
    expectError({nlohmann::json{{"question", "  "}, {"answer", "#### 7"}}.dump()}, "1", "question is empty");
    expectError({nlohmann::json{{"question", "q"}, {"answer", {1}}}.dump()}, "1", "\"answer\"");

    // --skip_bad_lines counts them instead; too-long prompts are dropped and counted.
    test::writeLines(path, {good, record(""), record(std::string(400, 'x'), "1"), "not json"});
    GrpoData skipped = loadGrpoData(path, tokenizer(), 64, true);
    EXPECT_EQ(skipped.size(), 1);
    EXPECT_EQ(skipped.badLines, 2);
    EXPECT_EQ(skipped.tooLong, 1);
    test::writeLines(path, {record(std::string(400, 'x'))});
    try {
        loadGrpoData(path, tokenizer(), 64, false);
        ADD_FAILURE() << "an all-too-long file was accepted";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("--max_seq_len"), std::string::npos) << e.what();
    }
}

TEST(GrpoRollout, BatchedGroupMatchesTheBatchOneGeneratorAndIsSeeded) {
    model::MiniMind m = tinyModel();
    const std::vector<int> prompt = tokenizer().encode(text::renderChat({{"user", "床前明月光"}}, true));
    eval::SamplingOptions so;
    so.greedy = true;
    so.maxNewTokens = 12;
    so.stopIds = {text::special::kImEnd};
    eval::GroupGeneration g = eval::generateGroup(m, prompt, 3, so);
    eval::Generator gen(m);
    const std::vector<int> want = gen.generate(prompt, so).tokens;
    ASSERT_EQ(g.tokens.size(), 3u);
    for (const auto& row : g.tokens)
        EXPECT_EQ(row, want); // every row continues the shared cache exactly as batch 1 does

    so.greedy = false;
    so.temperature = 1.5;
    so.topP = 1.0;
    so.topK = 0;
    so.seed = 9;
    eval::GroupGeneration a = eval::generateGroup(m, prompt, 4, so), b = eval::generateGroup(m, prompt, 4, so);
    EXPECT_EQ(a.tokens, b.tokens);
    bool differ = false;
    for (size_t r = 1; r < a.tokens.size(); ++r)
        differ = differ || a.tokens[r] != a.tokens[0];
    EXPECT_TRUE(differ) << "sampled rows of a group should differ";
    EXPECT_THROW(eval::generateGroup(m, {}, 2, so), InputError);
}

TEST(GrpoStage, FewStepsChangeTheWeightsAndLeaveTheReferenceUntouched) {
    test::TempDir d;
    GrpoData data = loadGrpoData(writeGrpoJsonl(d.path(), 8), tokenizer(), 64, false);
    model::MiniMind policy = tinyModel(), reference = tinyModel();
    const auto before = snapshot(policy), refBefore = snapshot(reference);
    GrpoStage stage(data, reference, asciiReward(), tokenizer(), smallOpts());
    std::vector<LogRecord> logs;
    TrainCallbacks cb;
    cb.onLog = [&](const LogRecord& r) { logs.push_back(r); };
    Trainer(trainOpts(d, 3), policy, stage, cb).run();

    ASSERT_EQ(logs.size(), 3u);
    std::map<std::string, double> m(logs.back().metrics.begin(), logs.back().metrics.end());
    for (const char* k :
         {"reward_mean", "reward_std", "accuracy", "kl", "completion_len", "clip_frac", "reward_ascii"}) {
        ASSERT_TRUE(m.count(k)) << k;
        EXPECT_TRUE(std::isfinite(m[k])) << k;
    }
    EXPECT_GT(m["completion_len"], 0);
    EXPECT_LE(m["completion_len"], 10);
    EXPECT_GT(m["reward_std"], 0); // the groups were informative
    EXPECT_EQ(m["clip_frac"], 0);  // on-policy: ratio 1
    EXPECT_GT(m["kl"], 0);         // the policy has moved away from the reference
    ASSERT_TRUE(stage.lastSample().valid);
    EXPECT_EQ(stage.lastSample().components.size(), 1u);
    // Display samples: at most opts.logSamples, every one complete.
    ASSERT_FALSE(stage.lastSamples().empty());
    EXPECT_LE(stage.lastSamples().size(), size_t(smallOpts().logSamples));
    for (const auto& s : stage.lastSamples()) {
        EXPECT_TRUE(s.valid);
        EXPECT_EQ(s.components.size(), 1u);
        EXPECT_FALSE(s.question.empty());
    }

    int changed = 0;
    for (auto& p : policy->named_parameters())
        changed += !torch::equal(p.value(), before.at(p.key()));
    EXPECT_EQ(changed, int(before.size())) << "every trainable tensor should move";
    for (auto& p : reference->named_parameters()) {
        EXPECT_TRUE(torch::equal(p.value(), refBefore.at(p.key()))) << p.key();
        EXPECT_FALSE(p.value().requires_grad()) << p.key();
    }
    EXPECT_TRUE(fs::isFile(d.file("grpo_32.pth")));
}

TEST(GrpoStage, AGroupWithEqualRewardsHasZeroAdvantageAndNoNaN) {
    test::TempDir d;
    GrpoData data = loadGrpoData(writeGrpoJsonl(d.path(), 4), tokenizer(), 64, false);
    model::MiniMind policy = tinyModel();
    const auto before = snapshot(policy);
    RewardSet constant;
    constant.add("constant", [](const Completion&) { return 0.7; });
    // beta 0: without a KL term a zero advantage leaves nothing to learn.
    GrpoStage stage(data, model::MiniMind{nullptr}, constant, tokenizer(), smallOpts(0.0));
    std::vector<LogRecord> logs;
    TrainCallbacks cb;
    cb.onLog = [&](const LogRecord& r) { logs.push_back(r); };
    Trainer(trainOpts(d, 2), policy, stage, cb).run();
    ASSERT_EQ(logs.size(), 2u);
    for (const auto& r : logs) {
        EXPECT_EQ(r.loss, 0.0);
        EXPECT_EQ(r.gradNorm, 0.0);
        std::map<std::string, double> m(r.metrics.begin(), r.metrics.end());
        EXPECT_NEAR(m["reward_mean"], 0.7, 1e-6);
        EXPECT_EQ(m["reward_std"], 0.0);
        EXPECT_EQ(m["kl"], 0.0);
    }
    for (auto& p : policy->named_parameters())
        EXPECT_TRUE(torch::equal(p.value(), before.at(p.key()))) << p.key();
}

TEST(GrpoStage, ResumedRunDrawsTheSameRolloutsAndEndsBitIdentical) {
    test::TempDir dir;
    GrpoData data = loadGrpoData(writeGrpoJsonl(dir.path(), 8), tokenizer(), 64, false);
    auto run = [&](const test::TempDir& d, int steps, bool resume, const std::function<bool(int64_t)>& stopAt,
                   std::vector<double>& losses) {
        GrpoStage stage(data, tinyModel(), asciiReward(), tokenizer(), smallOpts());
        TrainCallbacks cb;
        int64_t at = 0;
        cb.onLog = [&](const LogRecord& r) {
            losses.push_back(r.loss);
            at = r.step;
        };
        cb.shouldStop = [&] { return stopAt(at); };
        TrainOptions o = trainOpts(d, steps);
        o.resume = resume;
        return Trainer(o, tinyModel(), stage, cb).run();
    };
    test::TempDir a, b;
    std::vector<double> la, lb;
    run(
        a, 4, false, [](int64_t) { return false; }, la);
    EXPECT_TRUE(run(
                    b, 4, false, [](int64_t s) { return s == 2; }, lb)
                    .stopped);
    EXPECT_EQ(run(
                  b, 4, true, [](int64_t) { return false; }, lb)
                  .steps,
              4);
    ASSERT_EQ(la.size(), lb.size());
    for (size_t i = 0; i < la.size(); ++i)
        EXPECT_EQ(la[i], lb[i]) << "step " << i + 1;
    auto wa = loadStateDict(a.file("grpo_32.pth")), wb = loadStateDict(b.file("grpo_32.pth"));
    ASSERT_EQ(wa.size(), wb.size());
    for (auto& [k, v] : wa)
        EXPECT_TRUE(torch::equal(v, wb.at(k))) << k;
}
