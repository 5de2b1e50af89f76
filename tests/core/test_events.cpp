// The typed training events (train/events.h): each kind's --json form round
// trips, malformed lines are refused, and a run's history rows replay as the
// same chart samples and probes as its live event stream.

#include "config/stages.h"
#include "data/token_cache.h"
#include "fixtures.h"
#include "model_fixtures.h"
#include "store/history.h"
#include "train/events.h"
#include "train/pretrain_stage.h"
#include "train/run_setup.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <tuple>

using namespace mm;
using namespace mm::train;
using nlohmann::json;

namespace {

std::set<std::string> keysOf(const json& j) {
    std::set<std::string> out;
    for (auto it = j.begin(); it != j.end(); ++it)
        out.insert(it.key());
    return out;
}

// JSON -> typed -> JSON through a printed line, as the workbench reads stdout.
json roundTrip(const json& j) {
    const auto e = eventFromJson(json::parse(j.dump()));
    EXPECT_TRUE(e.has_value()) << j.dump();
    return e ? toJson(*e) : json();
}

void expectRoundTrip(const Event& e, const std::set<std::string>& keys) {
    const json j = toJson(e);
    EXPECT_EQ(keysOf(j), keys) << j.dump();
    EXPECT_EQ(roundTrip(j).dump(), j.dump());
    const auto back = eventFromJson(j);
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(back->index(), e.index());
    EXPECT_EQ(eventKind(*back), j["event"].get<std::string>());
}

} // namespace

TEST(Events, StartRoundTrips) {
    StartEvent e;
    e.runId = 3;
    e.stage = "pretrain";
    e.parameters = 123456;
    e.weights = "/w/pretrain_32.pth";
    e.device = "cpu";
    e.database = "/w/micromind.db";
    e.threads = 4;
    e.tokensPerStep = 128;
    e.totalSteps = 10;
    e.stepsPerEpoch = 5;
    e.samples = 20;
    e.startStep = 2;
    e.samplesPerStep = 4;
    e.epochs = 2;
    e.worldSize = 1;
    expectRoundTrip(e, {"event", "run_id", "stage", "parameters", "weights", "device", "threads", "tokens_per_step",
                        "database", "total_steps", "steps_per_epoch", "samples", "start_step", "samples_per_step",
                        "epochs", "world_size"});
    e.backend = "gloo";
    e.resumeRescaled = json{{"from_batch", 8}};
    const json j = toJson(e);
    EXPECT_EQ(j["backend"], "gloo");
    EXPECT_EQ(j["resume_rescaled"]["from_batch"], 8);
    EXPECT_EQ(roundTrip(j), j);
    EXPECT_EQ(j["parameters"].get<int64_t>(), 123456);
    EXPECT_TRUE(j["parameters"].is_number_integer());
}

TEST(Events, LogRoundTripsWithMetricsAndGrpoSamples) {
    LogEvent e;
    e.step = 7;
    e.totalSteps = 10;
    e.epoch = 1;
    e.epochs = 1;
    e.loss = 2.25;
    e.lr = 3e-4;
    e.gradNorm = 0.75;
    e.tokensPerSec = 1234.5;
    e.tokens = 896;
    e.elapsed = 1.5;
    e.eta = 0.5;
    e.runId = 4;
    e.metrics = {{"token_loss", 2.5}, {"rss_mb", 300.0}};
    expectRoundTrip(e, {"event", "step", "total_steps", "epoch", "epochs", "loss", "lr", "grad_norm", "tokens_per_sec",
                        "tokens", "elapsed_s", "eta_s", "run_id", "token_loss", "rss_mb"});
    const json j = toJson(e);
    EXPECT_TRUE(j["step"].is_number_integer());
    EXPECT_TRUE(j["tokens"].is_number_integer());
    EXPECT_TRUE(j["loss"].is_number_float());
    EXPECT_DOUBLE_EQ(j["token_loss"].get<double>(), 2.5);

    e.samples.push_back({"1+1?", "<answer>2</answer>", "2", 1.0, {{"format", 0.5}, {"answer", 0.5}}});
    e.samples.push_back({"2+2?", "5", "4", 0.0, {{"format", 0.0}, {"answer", 0.0}}});
    const json g = toJson(e);
    ASSERT_TRUE(g["samples"].is_array());
    ASSERT_EQ(g["samples"].size(), 2u);
    EXPECT_EQ(g["sample"], g["samples"][0]); // the first again, for older readers
    EXPECT_EQ(keysOf(g["sample"]), (std::set<std::string>{"question", "completion", "answer", "reward", "rewards"}));
    EXPECT_DOUBLE_EQ(g["samples"][0]["rewards"]["format"].get<double>(), 0.5);
    EXPECT_EQ(g["samples"][1]["completion"], "5");
    EXPECT_EQ(roundTrip(g).dump(), g.dump());
}

TEST(Events, EvalProbeWarningCheckpointDoneStoppedRoundTrip) {
    EvalEvent ev;
    ev.step = 4;
    ev.tokens = 512;
    ev.elapsed = 2.0;
    ev.evalSeconds = 0.25;
    ev.runId = 2;
    ev.metrics = {{"val_loss", 2.1}, {"val_bpb", 1.4}};
    expectRoundTrip(ev, {"event", "step", "tokens", "elapsed_s", "eval_s", "run_id", "val_loss", "val_bpb"});

    ProbeEvent p;
    p.step = 2;
    p.tokens = 256;
    p.probeSeconds = 0.1;
    p.raw = true;
    p.runId = 2;
    p.samples = {{"马克思主义", "基本原理", 3, false}, {"hi", "there", 2, true}};
    expectRoundTrip(p, {"event", "step", "tokens", "probe_s", "raw", "samples", "run_id"});
    const json pj = toJson(p);
    EXPECT_EQ(keysOf(pj["samples"][0]), (std::set<std::string>{"prompt", "completion", "tokens", "stopped"}));
    EXPECT_EQ(pj["samples"][1]["stopped"], true);
    EXPECT_EQ(pj["samples"][0]["completion"], "基本原理");

    WarningEvent w{5, "loss_spike", "loss jumped", 9.5, 2};
    expectRoundTrip(w, {"event", "step", "kind", "message", "value", "run_id"});
    w.value.reset(); // the history may not know it
    expectRoundTrip(w, {"event", "step", "kind", "message", "run_id"});

    expectRoundTrip(CheckpointEvent{"/w/pretrain_32.pth", 5, 2}, {"event", "path", "step", "run_id"});

    DoneEvent d;
    d.steps = 5;
    d.tokens = 640;
    d.loss = 1.75;
    d.weights = "/w/pretrain_32.pth";
    d.runId = 2;
    expectRoundTrip(d, {"event", "steps", "tokens", "loss", "weights", "run_id"});
    d.probeSeconds = 0.5;
    expectRoundTrip(d, {"event", "steps", "tokens", "loss", "weights", "run_id", "probe_s"});

    expectRoundTrip(StoppedEvent{3, "/w/a.pth", "/w/a_resume.pth", 2},
                    {"event", "step", "weights", "resume", "run_id"});

    // A kind this stream does not define is kept as it came.
    const json other{{"event", "stage"}, {"name", "sft"}, {"index", 2}};
    const auto o = eventFromJson(other);
    ASSERT_TRUE(o.has_value());
    EXPECT_TRUE(std::holds_alternative<OtherEvent>(*o));
    EXPECT_EQ(eventKind(*o), "stage");
    EXPECT_EQ(toJson(*o), other);
}

TEST(Events, MalformedObjectsAreNoEvents) {
    for (const char* line :
         {R"([1,2,3])", R"({"event":7})", R"({"step":1})", R"({"event":"log","step":"x","loss":"y","run_id":"z"})",
          R"({"event":"log","step":-5,"total_steps":"many"})", R"({"event":"log","loss":1})",
          R"({"event":"probe","step":-1})", R"({"event":"done","run_id":"3"})"})
        EXPECT_FALSE(eventFromJson(json::parse(line)).has_value()) << line;
    // Fields of the wrong type read as absent; a missing loop metric is NaN
    // (JSON null) and not plotted.
    const auto e = eventFromJson(json::parse(R"({"event":"log","step":2,"loss":"high","tokens":64,"elapsed_s":1})"));
    ASSERT_TRUE(e.has_value());
    const auto& log = std::get<LogEvent>(*e);
    EXPECT_EQ(log.step, 2);
    EXPECT_TRUE(std::isnan(log.loss));
    EXPECT_NE(toJson(*e).dump().find("\"loss\":null"), std::string::npos) << toJson(*e).dump();
    EXPECT_TRUE(metricSamples(*e).empty());
}

TEST(Events, MetricSamplesOfLogAndEvalEvents) {
    LogEvent l;
    l.step = 3;
    l.tokens = 384;
    l.elapsed = 0.5;
    l.loss = 4.0;
    l.lr = 1e-3;
    l.gradNorm = 1.5;
    l.tokensPerSec = 900;
    l.metrics = {{"reward_margin", 0.1}, {"pref_accuracy", 0.5}};
    std::vector<std::string> names;
    for (const auto& s : metricSamples(l)) {
        names.push_back(s.metric);
        EXPECT_EQ(s.step, 3);
        EXPECT_EQ(s.tokens, 384);
        EXPECT_EQ(s.wall, 0.5);
    }
    EXPECT_EQ(names, (std::vector<std::string>{"grad_norm", "loss", "lr", "pref_accuracy", "reward_margin",
                                               "tokens_per_sec"}));
    EvalEvent v;
    v.step = 3;
    v.metrics = {{"val_loss", 2.0}};
    ASSERT_EQ(metricSamples(v).size(), 1u);
    EXPECT_EQ(metricSamples(v)[0].value, 2.0);
    EXPECT_TRUE(metricSamples(ProbeEvent{}).empty());
    EXPECT_FALSE(isPlottedMetric("elapsed_s"));
    EXPECT_FALSE(isPlottedMetric("eval_s"));
    EXPECT_TRUE(isPlottedMetric("val_loss"));
}

namespace {

using SampleKey = std::tuple<double, double, double, double>; // step, tokens, wall, value
using SampleMap = std::map<std::string, std::vector<SampleKey>>;

void addSamples(SampleMap& m, const Event& e) {
    for (const auto& s : metricSamples(e))
        m[s.metric].emplace_back(s.step, s.tokens, s.wall, s.value);
}

} // namespace

// A tiny pretrain with probes and validation: its events read back from their
// --json lines and its history rows give the same chart samples and probes.
TEST(Events, HistoryReplayGivesTheLiveSamples) {
    test::TempDir d;
    const std::string data = test::writePretrainJsonl(d.path(), 200);
    const std::string out = d.file("run");
    config::Values cfg = config::parseArgs(config::schemaFor("pretrain"), {"--data_path",
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
                                                                           "--max_seq_len",
                                                                           "32",
                                                                           "--max_steps",
                                                                           "6",
                                                                           "--epochs",
                                                                           "10",
                                                                           "--log_interval",
                                                                           "1",
                                                                           "--save_interval",
                                                                           "100",
                                                                           "--device",
                                                                           "cpu",
                                                                           "--seed",
                                                                           "7",
                                                                           "--probe_interval",
                                                                           "3",
                                                                           "--probe_max_tokens",
                                                                           "6"});
    ASSERT_TRUE(config::applyPresetAndCheck(cfg).empty());
    const text::Tokenizer& tok = test::stageTokenizer();
    data::CacheBuildOptions co;
    data::TokenCache cache = data::TokenCache::openOrBuild(data, tok, out + "/cache", co);
    data::PretrainDataset ds(cache, 32, data::PretrainDataset::Mode::Pack);
    model::MiniMind m(modelConfigFrom(cfg, tok.vocabSize()));
    m->resetParameters(7);
    PretrainStage stage(ds);
    StageRun run;
    run.opts = config::pretrainOptions(cfg);
    run.opts.evalData = data; // validation every 2 steps (a stand-in metric)
    run.opts.evalInterval = 2;
    int evals = 0;
    run.evaluate = [&evals](model::MiniMind&) {
        ++evals;
        return std::vector<std::pair<std::string, double>>{{"val_loss", 3.0 - 0.25 * evals}};
    };
    run.config = cfg.toJson();
    run.model = m;
    run.stage = &stage;
    run.dataKey = cache.key() + "|32";

    SampleMap live;
    std::vector<ProbeEvent> liveProbes;
    int64_t runId = 0;
    size_t logs = 0;
    runStage(
        run,
        [&](const Event& ev) {
            // As the workbench reads it: one printed line.
            const auto e = eventFromJson(json::parse(toJson(ev).dump()));
            ASSERT_TRUE(e.has_value());
            EXPECT_EQ(toJson(*e), toJson(ev));
            addSamples(live, *e);
            if (const auto* p = std::get_if<ProbeEvent>(&*e))
                liveProbes.push_back(*p);
            logs += std::holds_alternative<LogEvent>(*e);
            runId = eventRunId(*e);
        },
        nullptr);
    ASSERT_EQ(logs, 6u);
    ASSERT_GT(evals, 0);
    ASSERT_EQ(liveProbes.size(), 2u); // steps 3 and 6
    ASSERT_TRUE(live.count("val_loss"));
    ASSERT_TRUE(live.count("loss"));

    store::History h(out + "/micromind.db");
    SampleMap replay;
    std::vector<ProbeEvent> replayProbes;
    for (const Event& e : historyEvents(h, runId)) {
        EXPECT_EQ(eventRunId(e), runId);
        addSamples(replay, e);
        if (const auto* p = std::get_if<ProbeEvent>(&e))
            replayProbes.push_back(*p);
    }
    EXPECT_EQ(replay, live);
    ASSERT_EQ(replayProbes.size(), liveProbes.size());
    for (size_t i = 0; i < liveProbes.size(); ++i) {
        EXPECT_EQ(replayProbes[i].step, liveProbes[i].step);
        ASSERT_EQ(replayProbes[i].samples.size(), liveProbes[i].samples.size());
        for (size_t k = 0; k < liveProbes[i].samples.size(); ++k) {
            EXPECT_EQ(replayProbes[i].samples[k].prompt, liveProbes[i].samples[k].prompt);
            EXPECT_EQ(replayProbes[i].samples[k].completion, liveProbes[i].samples[k].completion);
            EXPECT_EQ(replayProbes[i].samples[k].tokens, liveProbes[i].samples[k].tokens);
            EXPECT_EQ(replayProbes[i].samples[k].stopped, liveProbes[i].samples[k].stopped);
        }
    }

    // A cursor reads each row once: nothing new after a full read.
    HistoryCursor cursor{0, -1, 0};
    EXPECT_FALSE(historyEvents(h, runId, &cursor).empty());
    EXPECT_EQ(cursor.afterStep, 6);
    EXPECT_EQ(cursor.afterProbeStep, 6);
    EXPECT_TRUE(historyEvents(h, runId, &cursor).empty());
}
