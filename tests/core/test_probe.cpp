// Live probes: the training loop's greedy answers to fixed prompts every
// --probe_interval steps. They come at the right steps with real text, and they
// leave the training exactly as it would be without them (loss curve, weights,
// stop + resume); bad prompt files are named with their line.

#include "common/error.h"
#include "config/stages.h"
#include "data/token_cache.h"
#include "fixtures.h"
#include "model/lora.h"
#include "model_fixtures.h"
#include "train/pretrain_stage.h"
#include "eval/prompts.h"
#include "train/probe.h"
#include "train/run_setup.h"
#include "train/losses.h"
#include "train/trainer.h"
#include "weights/state_dict.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <thread>

using namespace mm;
using namespace mm::train;
using namespace mm::weights;

namespace {

struct RunOutput {
    std::vector<nlohmann::json> events;
    std::vector<double> losses;
    TrainResult res;
    std::vector<nlohmann::json> of(const std::string& kind) const {
        std::vector<nlohmann::json> v;
        for (const auto& e : events)
            if (e.value("event", "") == kind)
                v.push_back(e);
        return v;
    }
};

// A tiny pretrain run through runStage, exactly as `micromind pretrain` runs it
// (history, events, checkpoints), 5 steps of batch 4 x 32 tokens.
RunOutput tinyPretrain(const std::string& data, const std::string& out, const std::vector<std::string>& extra,
                       const std::atomic<bool>* stop = nullptr,
                       const std::function<void(const nlohmann::json&)>& onEvent = {}) {
    std::vector<std::string> a{"--data_path",
                               data,
                               "--out_dir",
                               out,
                               "--tokenizer",
                               test::fixtureTokenizer(),
                               "--hidden_size",
                               "32",
                               "--num_hidden_layers",
                               "2",
                               "--num_attention_heads",
                               "4",
                               "--num_key_value_heads",
                               "2",
                               "--batch_size",
                               "4",
                               "--accumulation_steps",
                               "1",
                               "--max_seq_len",
                               "32",
                               "--max_steps",
                               "5",
                               "--epochs",
                               "10",
                               "--learning_rate",
                               "3e-3",
                               "--log_interval",
                               "1",
                               "--save_interval",
                               "100",
                               "--device",
                               "cpu",
                               "--seed",
                               "7"};
    a.insert(a.end(), extra.begin(), extra.end());
    config::Values cfg = config::parseArgs(config::schemaFor("pretrain"), a);
    EXPECT_TRUE(config::applyPresetAndCheck(cfg).empty());
    const text::Tokenizer& tok = test::stageTokenizer();
    data::CacheBuildOptions co;
    data::TokenCache cache = data::TokenCache::openOrBuild(data, tok, out + "/cache", co);
    data::PretrainDataset ds(cache, 32, data::PretrainDataset::Mode::Pack);
    model::MiniMind m(modelConfigFrom(cfg, tok.vocabSize()));
    m->resetParameters(7);
    PretrainStage stage(ds);
    StageRun run;
    run.opts = config::pretrainOptions(cfg);
    run.config = cfg.toJson();
    run.model = m;
    run.stage = &stage;
    run.dataKey = cache.key() + "|32";
    RunOutput r;
    r.res = runStage(
        run,
        [&](const Event& ev) {
            const nlohmann::json e = toJson(ev);
            r.events.push_back(e);
            if (e.value("event", "") == "log")
                r.losses.push_back(e["loss"].get<double>());
            if (onEvent)
                onEvent(e);
        },
        stop);
    return r;
}

void expectSameWeights(const std::string& a, const std::string& b) {
    auto wa = loadStateDict(a), wb = loadStateDict(b);
    ASSERT_EQ(wa.size(), wb.size());
    for (auto& [k, v] : wa)
        EXPECT_TRUE(torch::equal(v, wb.at(k))) << k;
}

ProbeSet chatSet(std::vector<std::string> prompts) {
    ProbeSet s;
    s.prompts = std::move(prompts);
    s.source = "test";
    return s;
}

// Counting sequences (trivially learnable); records whether every step ran in
// training mode.
class CountingStage : public Stage {
public:
    std::string name() const override { return "pretrain"; }
    int64_t numSamples() const override { return 64; }
    Batch makeBatch(const std::vector<int64_t>& idx) override {
        std::vector<data::Example> ex(idx.size());
        for (size_t i = 0; i < idx.size(); ++i)
            for (int t = 0; t < 16; ++t) {
                ex[i].x.push_back(int((idx[i] * 7 + t) % 37));
                ex[i].y.push_back(int((idx[i] * 7 + t + 1) % 37));
                ex[i].w.push_back(1.f);
            }
        return examplesToBatch(ex);
    }
    StepOutput step(model::MiniMind& m, const Batch& b) override {
        if (!m->is_training() || !torch::GradMode::is_enabled())
            ++badSteps;
        return languageModelStep(m, b);
    }
    int badSteps = 0;
};

} // namespace

TEST(Probe, TrainerCallsItInEvalModeAndLeavesItsTimeOutOfTokensPerSecond) {
    test::TempDir d;
    model::ModelConfig c;
    c.vocabSize = 37;
    c.hiddenSize = 32;
    c.numLayers = 2;
    c.numHeads = 4;
    c.numKvHeads = 2;
    c.maxPositions = 64;
    model::MiniMind m(c);
    m->resetParameters(11);
    CountingStage stage;
    TrainOptions o;
    o.batchSize = 4;
    o.accumulation = 1;
    o.logInterval = 1;
    o.saveInterval = 1000;
    o.maxSteps = 6;
    o.probeInterval = 2;
    o.weightsPath = d.file("pretrain_32.pth");
    o.resumePath = d.file("checkpoints/pretrain_32_resume.pt");
    std::vector<LogRecord> logs;
    std::vector<int64_t> probeSteps;
    TrainCallbacks cb;
    cb.onLog = [&](const LogRecord& r) { logs.push_back(r); };
    const double nap = 0.3;
    cb.onProbe = [&](model::MiniMind& pm, int64_t step, int64_t tokens) {
        EXPECT_FALSE(pm->is_training());
        EXPECT_FALSE(torch::GradMode::is_enabled());
        EXPECT_EQ(tokens, step * 4 * 16);
        probeSteps.push_back(step);
        std::this_thread::sleep_for(std::chrono::duration<double>(nap));
    };
    const TrainResult res = Trainer(o, m, stage, cb).run();
    EXPECT_EQ(probeSteps, (std::vector<int64_t>{2, 4, 6}));
    EXPECT_EQ(stage.badSteps, 0);
    EXPECT_TRUE(m->is_training());
    EXPECT_GE(res.probeSeconds, 3 * nap);
    ASSERT_EQ(logs.size(), 6u);
    // The log after a probe step (3, 5) covers the probe's nap in its wall time
    // (elapsed) but not in its throughput: one step of 64 tokens at the nap's
    // pace would be ~213 tok/s; a 32-wide model does far more.
    for (size_t i : {2u, 4u}) {
        EXPECT_GE(logs[i].elapsed - logs[i - 1].elapsed, nap) << "step " << logs[i].step;
        EXPECT_GT(logs[i].tokensPerSec, 10 * 64 / nap) << "step " << logs[i].step;
    }
}

TEST(Probe, EventsAtEachIntervalAndTheLastStepWithoutChangingTheTraining) {
    test::TempDir d;
    const std::string data = test::writePretrainJsonl(d.path(), 200);
    const RunOutput probed =
        tinyPretrain(data, d.file("probed"), {"--probe_interval", "2", "--probe_max_tokens", "12"});
    const RunOutput plain = tinyPretrain(data, d.file("plain"), {"--probe_interval", "0"});

    const auto probes = probed.of("probe");
    ASSERT_EQ(probes.size(), 3u);
    const std::vector<int64_t> steps{2, 4, 5}; // every 2 steps, and the last one
    const std::vector<std::string> seed{"马克思主义基本原理", "人类大脑的主要功能", "万有引力原理是"};
    const auto logs = probed.of("log");
    for (size_t i = 0; i < probes.size(); ++i) {
        const auto& p = probes[i];
        EXPECT_EQ(p["step"], steps[i]);
        EXPECT_EQ(p["tokens"], logs[size_t(steps[i] - 1)]["tokens"]);
        EXPECT_EQ(p["raw"], true);
        EXPECT_GT(p["probe_s"].get<double>(), 0.0);
        ASSERT_EQ(p["samples"].size(), 3u);
        for (size_t k = 0; k < 3; ++k) {
            const auto& s = p["samples"][k];
            EXPECT_EQ(s["prompt"], seed[k]);
            EXPECT_GT(s["tokens"].get<int64_t>(), 0) << p.dump();
            EXPECT_LE(s["tokens"].get<int64_t>(), 12);
            EXPECT_FALSE(s["completion"].get<std::string>().empty()) << p.dump();
        }
    }
    // Each probe follows its step's log line and precedes the next step's.
    for (size_t i = 0; i + 1 < probed.events.size(); ++i)
        if (probed.events[i + 1].value("event", "") == "probe")
            EXPECT_EQ(probed.events[i]["event"], "log") << probed.events[i].dump();
    EXPECT_GT(probed.res.probeSeconds, 0.0);
    EXPECT_GT(probed.of("done").at(0)["probe_s"].get<double>(), 0.0);

    // Off: no probe events; and the probes changed nothing, bit for bit.
    EXPECT_TRUE(plain.of("probe").empty());
    EXPECT_FALSE(plain.of("done").at(0).contains("probe_s"));
    ASSERT_EQ(probed.losses.size(), 5u);
    EXPECT_EQ(probed.losses, plain.losses);
    expectSameWeights(d.file("probed/pretrain_32.pth"), d.file("plain/pretrain_32.pth"));
}

TEST(Probe, StopAndResumeWithProbesReproducesTheRunWithout) {
    test::TempDir d;
    const std::string data = test::writePretrainJsonl(d.path(), 200);
    const RunOutput plain = tinyPretrain(data, d.file("plain"), {"--probe_interval", "0"});

    std::atomic<bool> stop{false};
    const std::vector<std::string> probes{"--probe_interval", "2", "--probe_max_tokens", "8"};
    // Stop after step 4, a probe step (its probe runs before the stop check).
    const RunOutput first = tinyPretrain(data, d.file("w"), probes, &stop, [&](const nlohmann::json& e) {
        if (e.value("event", "") == "log" && e["step"] == 4)
            stop = true;
    });
    EXPECT_TRUE(first.res.stopped);
    EXPECT_EQ(first.res.steps, 4);
    ASSERT_EQ(first.of("probe").size(), 2u);
    stop = false;
    std::vector<std::string> resume = probes;
    resume.push_back("--resume");
    const RunOutput second = tinyPretrain(data, d.file("w"), resume, &stop);
    EXPECT_EQ(second.res.steps, 5);
    ASSERT_EQ(second.of("probe").size(), 1u);
    EXPECT_EQ(second.of("probe")[0]["step"], 5);

    std::vector<double> both = first.losses;
    both.insert(both.end(), second.losses.begin(), second.losses.end());
    EXPECT_EQ(both, plain.losses);
    expectSameWeights(d.file("w/pretrain_32.pth"), d.file("plain/pretrain_32.pth"));
}

TEST(Probe, BadPromptFileIsAnInputErrorNamingFileAndLine) {
    test::TempDir d;
    const std::string data = test::writePretrainJsonl(d.path(), 200);
    test::writeLines(d.file("probe.jsonl"), {"{\"prompt\": \"你好\"}", "{\"prompt\": 3}"});
    try {
        tinyPretrain(data, d.file("out"), {"--probe_prompts", d.file("probe.jsonl")});
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(d.file("probe.jsonl") + ":2"), std::string::npos) << e.what();
    }
    test::writeLines(d.file("broken.jsonl"), {"{\"prompt\": \"a\"}", "", "{\"prompt\": \"b\""});
    try {
        tinyPretrain(data, d.file("out"), {"--probe_prompts", d.file("broken.jsonl")});
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(d.file("broken.jsonl") + ":3"), std::string::npos) << e.what();
    }
    try {
        tinyPretrain(data, d.file("out"), {"--probe_prompts", d.file("missing.txt")});
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("--probe_prompts " + d.file("missing.txt")), std::string::npos)
            << e.what();
    }
    // Off: the file is not read at all.
    EXPECT_NO_THROW(
        tinyPretrain(data, d.file("off"), {"--probe_interval", "0", "--probe_prompts", d.file("probe.jsonl")}));
}

TEST(Probe, OwnPromptFileOnePromptPerLine) {
    test::TempDir d;
    const std::string data = test::writePretrainJsonl(d.path(), 200);
    test::writeLines(d.file("mine.txt"), {"床前明月光", "", "The quick brown fox"});
    const RunOutput r =
        tinyPretrain(data, d.file("out"),
                     {"--probe_prompts", d.file("mine.txt"), "--probe_interval", "5", "--probe_max_tokens", "4"});
    const auto probes = r.of("probe");
    ASSERT_EQ(probes.size(), 1u);
    ASSERT_EQ(probes[0]["samples"].size(), 2u);
    EXPECT_EQ(probes[0]["samples"][0]["prompt"], "床前明月光");
    EXPECT_EQ(probes[0]["samples"][1]["prompt"], "The quick brown fox");
}

TEST(Probe, DefaultPromptsFollowTheStage) {
    const std::string dir = eval::locateResourceDir();
    ASSERT_FALSE(dir.empty());
    ProbeSet p = defaultProbeSet("pretrain", dir);
    EXPECT_TRUE(p.raw);
    ASSERT_EQ(p.prompts.size(), 3u);
    EXPECT_EQ(p.prompts[0], "马克思主义基本原理");
    for (const char* chat : {"full_sft", "dpo", "lora"}) {
        ProbeSet c = defaultProbeSet(chat, dir);
        EXPECT_FALSE(c.raw) << chat;
        ASSERT_EQ(c.prompts.size(), 3u) << chat;
        EXPECT_EQ(c.prompts[0], "请介绍一下自己。") << chat;
    }
    for (const char* reason : {"distill_reason", "grpo"}) {
        ProbeSet c = defaultProbeSet(reason, dir);
        EXPECT_FALSE(c.raw) << reason;
        ASSERT_EQ(c.prompts.size(), 3u) << reason;
        EXPECT_EQ(c.prompts[0], "如果A比B高，B比C矮，谁最高？") << reason;
    }
    // Every training stage has the three flags, probes on by default.
    for (const char* stage : {"pretrain", "full_sft", "dpo", "distill_reason", "lora", "grpo"}) {
        const auto& s = config::schemaFor(stage);
        ASSERT_TRUE(s.find("probe_interval")) << stage;
        EXPECT_EQ(s.find("probe_interval")->defaultValue, "100") << stage;
        EXPECT_TRUE(s.find("probe_prompts")) << stage;
        EXPECT_TRUE(s.find("probe_max_tokens")) << stage;
    }
}

TEST(Probe, ProberLeavesModeWeightsAndRandomNumbersAlone) {
    model::MiniMind m = test::tinyStageModel();
    m->train();
    std::vector<torch::Tensor> before;
    for (auto& p : m->parameters())
        before.push_back(p.detach().clone());
    Prober prober(test::stageTokenizer(), chatSet({"你好", "hello"}), 6, m->config().maxPositions);
    torch::manual_seed(3);
    const auto samples = prober.run(m);
    const torch::Tensor afterProbe = torch::rand({4});
    torch::manual_seed(3);
    EXPECT_TRUE(torch::equal(afterProbe, torch::rand({4})));
    ASSERT_EQ(samples.size(), 2u);
    EXPECT_EQ(samples[0].prompt, "你好");
    EXPECT_LE(samples[1].tokens, 6);
    EXPECT_TRUE(m->is_training());
    auto params = m->parameters();
    for (size_t i = 0; i < params.size(); ++i)
        EXPECT_TRUE(torch::equal(params[i], before[i]));
    // Greedy: the same answers every time.
    const auto again = prober.run(m);
    for (size_t i = 0; i < samples.size(); ++i)
        EXPECT_EQ(again[i].completion, samples[i].completion);

    // A prompt longer than the model's positions is refused up front.
    EXPECT_THROW(Prober(test::stageTokenizer(), chatSet({std::string(2000, 'x')}), 6, 64), InputError);
}

TEST(Probe, LoraRunsDecodeThroughTheAdapter) {
    model::MiniMind base = test::tinyStageModel();
    Prober prober(test::stageTokenizer(), chatSet({"你好", "hello", "1+1="}), 10, base->config().maxPositions);
    std::vector<std::string> plain;
    for (const auto& s : prober.run(base))
        plain.push_back(s.completion);
    model::MiniMind adapted = test::tinyStageModel();
    model::LoraOptions lo;
    lo.rank = 4;
    lo.alpha = 4;
    model::attachLora(adapted, lo, 1);
    {
        torch::NoGradGuard ng;
        auto gen = at::make_generator<at::CPUGeneratorImpl>(9);
        for (auto& p : model::loraParameters(adapted))
            p.copy_(at::normal(0.0, 0.5, p.sizes(), gen, torch::TensorOptions().dtype(torch::kFloat32)));
    }
    std::vector<std::string> withAdapter;
    for (const auto& s : prober.run(adapted))
        withAdapter.push_back(s.completion);
    EXPECT_NE(withAdapter, plain);
}
