// The torch-free commands' pieces in the core: printf into strings, comma
// lists, shell quoting of the printed command lines, the demo's "finished
// stage" rule and the pipeline runner's dry run, list and empty queue.

#include "common/console.h"
#include "common/error.h"
#include "common/format.h"
#include "common/subprocess.h"
#include "commands/pipeline_run.h"
#include "config/stages.h"
#include "commands/demo_run.h"
#include "expect_error.h"
#include "fixtures.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

using namespace mm;

namespace {

/// A console that keeps what it is given.
struct Captured {
    std::string out, err;
    std::atomic<bool> stop{false};
    Console console() {
        Console c;
        c.out = [this](const std::string& s) { out += s; };
        c.err = [this](const std::string& s) { err += s; };
        c.readLine = [](std::string&) { return false; };
        c.stop = &stop;
        return c;
    }
};

} // namespace

TEST(CommandText, StrfAndSplitList) {
    EXPECT_EQ(strf("%d/%d %s %.1f%%", 3, 7, "pretrain", 12.34), "3/7 pretrain 12.3%");
    EXPECT_EQ(strf("%s", std::string(5000, 'x').c_str()).size(), 5000u);
    EXPECT_EQ(strf("%s", ""), "");
    EXPECT_EQ(splitList("a,b,,c"), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_TRUE(splitList("").empty());
    EXPECT_EQ(splitList(",x,"), (std::vector<std::string>{"x"}));
}

TEST(CommandText, ShellLinesQuoteOnlyWhatNeedsIt) {
    EXPECT_EQ(proc::shellQuote("plain/path.jsonl"), "plain/path.jsonl");
    EXPECT_EQ(proc::shellQuote(""), "''");
    EXPECT_EQ(proc::shellQuote("a b"), "'a b'");
    EXPECT_EQ(proc::shellQuote("it's"), "'it'\\''s'");
    EXPECT_EQ(proc::shellLine({"eval", "--out_dir", "my ws", "--seed", "42"}),
              "micromind eval --out_dir 'my ws' --seed 42");
}

TEST(DemoRun, AStageIsFinishedWhenItsCheckpointReachedTheStepsAskedFor) {
    test::TempDir dir;
    const std::string product = dir.file("pretrain_128.pth");
    const std::vector<std::string> args{"pretrain", "--max_steps", "600"};
    EXPECT_FALSE(eval::demoStageFinished(product, args)); // no checkpoint
    test::writeLines(product, {"weights"});
    EXPECT_TRUE(eval::demoStageFinished(dir.file("pretrain_128.pth"), {"train_tokenizer"})); // no --max_steps
    EXPECT_FALSE(eval::demoStageFinished(product, args));                                    // no sidecar
    test::writeLines(dir.file("pretrain_128.json"), {R"({"step": 300})"});
    EXPECT_FALSE(eval::demoStageFinished(product, args)); // saved mid-run or another --scale
    test::writeLines(dir.file("pretrain_128.json"), {R"({"step": 600})"});
    EXPECT_TRUE(eval::demoStageFinished(product, args));
}

TEST(DemoRun, OptionsComeFromTheDemoFlags) {
    const config::Values v = config::parseArgs(
        config::schemaFor("demo"), {"--workspace", "ws", "--quick", "--scale", "0.5", "--base_url", "http://judge"});
    const eval::DemoOptions o = eval::DemoOptions::from(v);
    EXPECT_EQ(o.workspace, "ws");
    EXPECT_TRUE(o.quick);
    EXPECT_DOUBLE_EQ(o.scale, 0.5);
    EXPECT_EQ(o.baseUrl, "http://judge");
    EXPECT_EQ(o.apiKeyEnv, "MICROMIND_JUDGE_API_KEY");
}

TEST(PipelineRun, DryRunPrintsTheCommandsAndRunsNothing) {
    test::TempDir dir;
    test::writePretrainJsonl(dir.path(), 20);
    const nlohmann::json p{
        {"name", "mine"},
        {"out_dir", "ws"},
        {"stages", {{{"stage", "train_tokenizer"}, {"args", {{"data_path", "pretrain.jsonl"}, {"vocab_size", 512}}}}}}};
    test::writeLines(dir.file("p.json"), {p.dump()});
    const config::Values v =
        config::parseArgs(config::schemaFor("pipeline"), {"--config", dir.file("p.json"), "--dry_run"});
    const config::PipelineRunOptions o = config::PipelineRunOptions::from(v);
    EXPECT_TRUE(o.dryRun);
    Captured cap;
    EXPECT_EQ(config::runPipeline(o, cap.console()), 0);
    EXPECT_NE(cap.out.find("pipeline 'mine': 1 stages, workspace " + dir.file("ws") + " (nothing is run)"),
              std::string::npos)
        << cap.out;
    EXPECT_NE(cap.out.find("[1/1] $ micromind train_tokenizer "), std::string::npos) << cap.out;
    EXPECT_NE(cap.out.find(dir.file("pretrain.jsonl")), std::string::npos) << cap.out;
    EXPECT_FALSE(std::filesystem::exists(dir.file("ws")));
}

TEST(PipelineRun, ListNeedsAHistoryAndAnEmptyQueueRunsNothing) {
    test::TempDir dir;
    config::PipelineRunOptions o;
    o.outDir = dir.file("ws");
    o.list = true;
    Captured cap;
    test::expectError<InputError>([&] { config::runPipeline(o, cap.console()); },
                                  {"no history at " + dir.file("ws/micromind.db"), "--out_dir"});
    o.list = false;
    EXPECT_EQ(config::runPipeline(o, cap.console()), 0);
    EXPECT_NE(cap.out.find("queue 'workbench' in " + dir.file("ws/micromind.db") +
                           ": nothing queued (give a pipeline file with --config)"),
              std::string::npos)
        << cap.out;
    o.list = true;
    cap.out.clear();
    EXPECT_EQ(config::runPipeline(o, cap.console()), 0);
    EXPECT_NE(cap.out.find("every queue: no queued stages in"), std::string::npos) << cap.out;
}
