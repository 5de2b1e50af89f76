#include "common/error.h"
#include "common/fs.h"
#include "data/token_cache.h"
#include "fixtures.h"
#include "model/fused_ops.h"
#include "train/losses.h"
#include "train/pretrain_stage.h"
#include "train/trainer.h"
#include "weights/state_dict.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

using namespace mm;
using namespace mm::train;
using namespace mm::weights;

namespace {

model::ModelConfig cfg() {
    model::ModelConfig c;
    c.vocabSize = 37;
    c.hiddenSize = 32;
    c.numLayers = 2;
    c.numHeads = 4;
    c.numKvHeads = 2;
    c.maxPositions = 64;
    return c;
}

// Sequences that count upwards modulo the vocabulary from a per-sample start:
// trivially learnable, so the loss must fall quickly.
class CountingStage : public Stage {
public:
    explicit CountingStage(int64_t n, int nanAtCall = -1) : m_n(n), m_nanAt(nanAtCall) {}
    std::string name() const override { return "pretrain"; }
    int64_t numSamples() const override { return m_n; }
    Batch makeBatch(const std::vector<int64_t>& idx) override {
        std::vector<data::Example> ex(idx.size());
        for (size_t i = 0; i < idx.size(); ++i) {
            for (int t = 0; t < 16; ++t) {
                ex[i].x.push_back((idx[i] * 7 + t) % 37);
                ex[i].y.push_back((idx[i] * 7 + t + 1) % 37);
                ex[i].w.push_back(1.f);
            }
        }
        return examplesToBatch(ex);
    }
    StepOutput step(model::MiniMind& m, const Batch& b) override {
        StepOutput s = languageModelStep(m, b);
        if (++m_calls == m_nanAt)
            s.loss = s.loss * std::numeric_limits<float>::quiet_NaN();
        return s;
    }

private:
    int64_t m_n;
    int m_nanAt;
    int m_calls = 0;
};

TrainOptions opts(const test::TempDir& d) {
    TrainOptions o;
    o.batchSize = 4;
    o.accumulation = 2;
    o.learningRate = 3e-3;
    o.logInterval = 1;
    o.saveInterval = 3;
    o.epochs = 3;
    o.weightsPath = d.file("pretrain_32.pth");
    o.resumePath = d.file("checkpoints/pretrain_32_resume.pt");
    o.dataKey = "counting";
    return o;
}

model::MiniMind freshModel() {
    model::MiniMind m(cfg());
    m->resetParameters(11);
    return m;
}

} // namespace

TEST(Schedule, WarmupThenCosineToTenPercent) {
    EXPECT_DOUBLE_EQ(learningRateAt(0, 100, 0, 1.0, 0.1), 1.0);
    EXPECT_NEAR(learningRateAt(50, 100, 0, 1.0, 0.1), 0.55, 1e-12);
    EXPECT_NEAR(learningRateAt(100, 100, 0, 1.0, 0.1), 0.1, 1e-12);
    EXPECT_NEAR(learningRateAt(0, 100, 10, 1.0, 0.1), 0.1, 1e-12);
    EXPECT_NEAR(learningRateAt(9, 100, 10, 1.0, 0.1), 1.0, 1e-12);
}

TEST(Schedule, EpochPermutationIsSeededAndComplete) {
    auto a = epochPermutation(1000, 42, 0), b = epochPermutation(1000, 42, 0), c = epochPermutation(1000, 42, 1);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    EXPECT_EQ(std::set<int64_t>(a.begin(), a.end()).size(), 1000u);
}

TEST(Trainer, LossFallsOnALearnableTask) {
    test::TempDir d;
    CountingStage stage(64);
    std::vector<double> losses;
    TrainCallbacks cb;
    cb.onLog = [&](const LogRecord& r) { losses.push_back(r.loss); };
    TrainOptions o = opts(d);
    o.epochs = 8;
    o.learningRate = 1e-2;
    Trainer t(o, freshModel(), stage, cb);
    auto res = t.run();
    EXPECT_EQ(res.steps, 64); // 64 / (4*2) = 8 steps/epoch x 8 epochs
    ASSERT_EQ(losses.size(), 64u);
    EXPECT_LT(losses.back(), losses.front() * 0.5) << losses.front() << " -> " << losses.back();
    EXPECT_TRUE(fs::isFile(d.file("pretrain_32.pth")));
    EXPECT_TRUE(fs::isFile(d.file("checkpoints/pretrain_32_resume.pt")));
}

// --dtype bfloat16 on the CPU: bfloat16 products, float32 weights. The loss
// curve follows float32's closely (here within 5 % at every step) and the saved
// weights are float32.
TEST(Trainer, CpuBfloat16MatmulsFollowTheFloat32LossCurve) {
    std::vector<double> curve[2];
    for (int i = 0; i < 2; ++i) {
        test::TempDir d;
        CountingStage stage(64);
        TrainCallbacks cb;
        cb.onLog = [&](const LogRecord& r) { curve[i].push_back(r.loss); };
        TrainOptions o = opts(d);
        o.epochs = 4;
        o.learningRate = 1e-2;
        o.dtype = i == 0 ? torch::kFloat32 : torch::kBFloat16;
        model::MiniMind m = freshModel();
        Trainer(o, m, stage, cb).run();
        for (auto& p : m->parameters())
            EXPECT_EQ(p.scalar_type(), torch::kFloat32);
    }
    ASSERT_EQ(curve[0].size(), curve[1].size());
    ASSERT_FALSE(curve[0].empty());
    EXPECT_LT(curve[1].back(), curve[1].front() * 0.7);
    bool differs = false;
    for (size_t s = 0; s < curve[0].size(); ++s) {
        EXPECT_NEAR(curve[1][s], curve[0][s], 0.05 * curve[0][s]) << "step " << s + 1;
        differs = differs || curve[1][s] != curve[0][s];
    }
    EXPECT_TRUE(differs) << "the bfloat16 products did not run";
    EXPECT_EQ(model::ops::cpuGemmDtype(), torch::kFloat32) << "the trainer restores float32 products";
}

TEST(Trainer, StopAndResumeReproducesTheUninterruptedRun) {
    test::TempDir a, b;
    std::vector<double> full, part;
    {
        CountingStage stage(64);
        TrainCallbacks cb;
        cb.onLog = [&](const LogRecord& r) { full.push_back(r.loss); };
        Trainer(opts(a), freshModel(), stage, cb).run();
    }
    {
        CountingStage stage(64);
        TrainCallbacks cb;
        int steps = 0;
        cb.onLog = [&](const LogRecord& r) {
            part.push_back(r.loss);
            steps = int(r.step);
        };
        cb.shouldStop = [&] { return steps == 10; }; // mid-epoch 2, off the save interval
        auto res = Trainer(opts(b), freshModel(), stage, cb).run();
        EXPECT_TRUE(res.stopped);
        EXPECT_EQ(res.steps, 10);
    }
    {
        CountingStage stage(64);
        TrainCallbacks cb;
        cb.onLog = [&](const LogRecord& r) { part.push_back(r.loss); };
        TrainOptions o = opts(b);
        o.resume = true;
        auto res = Trainer(o, freshModel(), stage, cb).run();
        EXPECT_EQ(res.steps, 24);
    }
    ASSERT_EQ(part.size(), full.size());
    for (size_t i = 0; i < full.size(); ++i)
        EXPECT_EQ(part[i], full[i]) << "step " << i + 1;
    auto wa = loadStateDict(a.file("pretrain_32.pth")), wb = loadStateDict(b.file("pretrain_32.pth"));
    for (auto& [k, v] : wa)
        EXPECT_TRUE(torch::equal(v, wb.at(k))) << k;
}

TEST(Trainer, NanStopsTheRunAndKeepsTheLastGoodCheckpoint) {
    test::TempDir d;
    CountingStage stage(64, /*nanAtCall=*/7); // micro-step 7 = optimizer step 4
    TrainOptions o = opts(d);
    o.saveInterval = 1;
    Trainer t(o, freshModel(), stage, {});
    try {
        t.run();
        FAIL() << "expected NumericError";
    } catch (const NumericError& e) {
        EXPECT_NE(std::string(e.what()).find("step 4"), std::string::npos) << e.what();
    }
    auto side = readSidecar(d.file("pretrain_32.pth"));
    EXPECT_EQ(side["step"], 3);
    model::MiniMind m(cfg());
    EXPECT_NO_THROW(loadInto(m, loadStateDict(d.file("pretrain_32.pth")), "w"));
    for (auto& p : m->parameters())
        EXPECT_TRUE(torch::isfinite(p).all().item<bool>());
}

TEST(Trainer, TooLittleDataIsAClearError) {
    test::TempDir d;
    CountingStage stage(5);
    try {
        Trainer(opts(d), freshModel(), stage, {}).run();
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("5 training samples"), std::string::npos) << e.what();
    }
}

TEST(Trainer, EmptyLossMaskIsReportedNotAveragedIntoNaN) {
    std::vector<data::Example> ex(2);
    for (auto& e : ex) {
        e.x.assign(8, 3);
        e.y.assign(8, 4);
        e.w.assign(8, 0.f);
    }
    EXPECT_THROW(examplesToBatch(ex), InputError);
    ex[1].w[3] = 1.f;
    Batch b = examplesToBatch(ex);
    EXPECT_EQ(b.targets, 1);
    ASSERT_TRUE(b.w.defined());
}

TEST(Trainer, TinyPretrainOnFixtureCorpusLowersLoss) {
    test::TempDir d;
    auto tok = text::Tokenizer::load(test::fixtureTokenizer());
    std::string data = test::writePretrainJsonl(d.path(), 200);
    data::CacheBuildOptions co;
    auto cache = data::TokenCache::openOrBuild(data, tok, d.file("cache"), co);
    data::PretrainDataset ds(cache, 32, data::PretrainDataset::Mode::Pack);
    PretrainStage stage(ds);
    model::ModelConfig c = cfg();
    c.vocabSize = tok.vocabSize();
    model::MiniMind m(c);
    m->resetParameters(3);
    TrainOptions o = opts(d);
    o.epochs = 2;
    o.accumulation = 1;
    o.learningRate = 2e-3;
    o.saveInterval = 1000;
    std::vector<double> losses;
    TrainCallbacks cb;
    cb.onLog = [&](const LogRecord& r) { losses.push_back(r.loss); };
    Trainer(o, m, stage, cb).run();
    ASSERT_GT(losses.size(), 10u);
    EXPECT_LT(losses.back(), losses.front() - 1.0) << losses.front() << " -> " << losses.back();
}
