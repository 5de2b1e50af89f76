// End-to-end: `micromind pipeline` on fixture data — stages chained from their
// parents' checkpoints, the queue in the history, a failed stage retried after
// the fix, a stopped pipeline resumed, a bad file refused before anything runs.

#include "common/fs.h"
#include "core/fixtures.h"
#include "e2e/cli_runner.h"
#include "store/history.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace mm;

namespace {

using Result = test::CliResult;

class PipelineCli : public ::testing::Test {
protected:
    void SetUp() override {
        test::writePretrainJsonl(dir.path(), 200);
        test::writeSftJsonl(dir.path(), 40);
    }
    /// A pipeline file with relative paths (they are taken relative to it).
    std::string writePipeline(int pretrainSteps, const std::string& sft = "sft.jsonl") {
        const nlohmann::json p{
            {"out_dir", "ws"},
            {"common",
             {{"preset", "tiny"},
              {"max_seq_len", 64},
              {"batch_size", 4},
              {"threads", 1},
              {"learning_rate", 1e-3},
              {"log_interval", 1},
              {"save_interval", 2},
              {"epochs", 50}}},
            {"stages",
             {{{"stage", "train_tokenizer"},
               {"args", {{"data_path", "pretrain.jsonl"}, {"vocab_size", 512}, {"character_coverage", 0.9995}}}},
              {{"stage", "pretrain"}, {"args", {{"data_path", "pretrain.jsonl"}, {"max_steps", pretrainSteps}}}},
              {{"stage", "full_sft"}, {"args", {{"data_path", sft}, {"max_steps", 3}}}}}}};
        const std::string path = dir.file("my-pipeline.json");
        test::writeLines(path, {p.dump(2)});
        return path;
    }
    Result pipeline(std::vector<std::string> extra = {}) {
        std::vector<std::string> a{"pipeline", "--config", dir.file("my-pipeline.json")};
        a.insert(a.end(), extra.begin(), extra.end());
        return test::runCli(a, dir.path());
    }
    std::vector<store::QueueItemRecord> queue() {
        store::History h(dir.file("ws/micromind.db"));
        return h.queueItems("my-pipeline");
    }
    test::TempDir dir;
};

} // namespace

TEST_F(PipelineCli, ChainsStagesFromTheirParentsAndKeepsTheQueueInTheHistory) {
    writePipeline(4);
    Result r = pipeline();
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("[1/3] train_tokenizer"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("[3/3] full_sft"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("$ micromind pretrain --data_path " + dir.file("pretrain.jsonl")), std::string::npos) << r.out;
    EXPECT_TRUE(fs::isFile(dir.file("ws/tokenizer.model")));
    EXPECT_TRUE(fs::isFile(dir.file("ws/full_sft_128.pth")));
    const auto items = queue();
    ASSERT_EQ(items.size(), 3u);
    for (const auto& q : items)
        EXPECT_EQ(q.status, "completed") << q.stage << ": " << q.message;
    store::History h(dir.file("ws/micromind.db"));
    const auto sft = h.run(items[2].runId);
    ASSERT_TRUE(sft);
    EXPECT_EQ(sft->stage, "full_sft");
    EXPECT_EQ(sft->parentCheckpoint, dir.file("ws/pretrain_128.pth")); // its parent, from the shared out_dir

    // Nothing left to do: a second run says so and trains nothing.
    r = pipeline();
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("every stage already completed"), std::string::npos) << r.out;
    EXPECT_EQ(store::History(dir.file("ws/micromind.db")).listRuns().size(), 2u);
    r = test::runCli({"pipeline", "--list", "--out_dir", dir.file("ws")}, dir.path());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("full_sft        completed"), std::string::npos) << r.out;
}

TEST_F(PipelineCli, AFailedStageEndsThePipelineAndIsRetriedAfterTheFix) {
    test::writeLines(dir.file("broken.jsonl"), {"{\"conversations\": [", "not json"});
    writePipeline(3, "broken.jsonl");
    Result r = pipeline();
    EXPECT_NE(r.code, 0);
    EXPECT_NE(r.err.find("full_sft failed"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("broken.jsonl"), std::string::npos) << r.err; // the stage's own message names the file
    auto items = queue();
    ASSERT_EQ(items.size(), 3u);
    EXPECT_EQ(items[1].status, "completed");
    EXPECT_EQ(items[2].status, "failed");
    const std::string pretrained = fs::readFile(dir.file("ws/pretrain_128.pth"));

    // The fix: a good file under the same name. Only the failed stage runs again.
    test::writeSftJsonl(dir.path(), 40, "broken.jsonl");
    r = pipeline();
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_EQ(r.out.find("] pretrain"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("[3/3] full_sft"), std::string::npos) << r.out;
    EXPECT_EQ(fs::readFile(dir.file("ws/pretrain_128.pth")), pretrained);
    items = queue();
    EXPECT_EQ(items[2].status, "completed");
}

TEST_F(PipelineCli, AStoppedPipelineResumesItsStageFromTheCheckpoint) {
    writePipeline(200);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 1);
        ::dup2(devnull, 2);
        std::vector<std::string> a{"pipeline", "--config", dir.file("my-pipeline.json")};
        std::vector<char*> argv{const_cast<char*>(MM_CLI_PATH)};
        for (auto& s : a)
            argv.push_back(s.data());
        argv.push_back(nullptr);
        ::execv(MM_CLI_PATH, argv.data());
        _exit(127);
    }
    // Stop it once pretrain has saved a few checkpoints.
    const std::string side = dir.file("ws/pretrain_128.json");
    bool stopped = false;
    for (int i = 0; i < 6000 && !stopped; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (!fs::isFile(side))
            continue;
        const auto j = nlohmann::json::parse(fs::readFile(side), nullptr, false);
        if (j.is_object() && j.value("step", 0) >= 6) {
            ::kill(pid, SIGINT);
            stopped = true;
        }
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    ASSERT_TRUE(stopped);
    ASSERT_TRUE(WIFEXITED(st));
    EXPECT_EQ(WEXITSTATUS(st), 130);
    auto items = queue();
    ASSERT_EQ(items.size(), 3u);
    EXPECT_EQ(items[1].status, "stopped");
    EXPECT_EQ(items[2].status, "queued");

    // The same command again: pretrain continues from its checkpoint.
    writePipeline(200);
    Result r = pipeline();
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("--max_steps 200 --out_dir " + dir.file("ws")), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" --resume"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("resuming at step"), std::string::npos) << r.out;
    const auto meta = nlohmann::json::parse(fs::readFile(side));
    EXPECT_EQ(meta.value("step", 0), 200);
    for (const auto& q : queue())
        EXPECT_EQ(q.status, "completed") << q.stage;
}

TEST_F(PipelineCli, ABadFileNamesEveryProblemAndRunsNothing) {
    test::writeLines(
        dir.file("my-pipeline.json"),
        {R"({"out_dir": "ws", "stages": [)", R"({"stage": "pretrain", "args": {"data_path": "missing.jsonl"}},)",
         R"({"stage": "full_sft", "args": {"learning_rat": 1e-3, "data_path": "sft.jsonl"}},)",
         R"({"stage": "fulll_sft"}, {"stage": "dpo", "processes": 0, "args": {"data_path": "sft.jsonl"}}]})"});
    Result r = pipeline();
    EXPECT_EQ(r.code, 2) << r.err;
    for (const char* part : {"my-pipeline.json: 4 problems, nothing was run", "stages[0] (pretrain): data_path",
                             "missing.jsonl: no such file", "stages[1] (full_sft): unknown key \"learning_rat\"",
                             "learning_rate", "stages[2] (fulll_sft): not a stage", "stages[3] (dpo): \"processes\""})
        EXPECT_NE(r.err.find(part), std::string::npos) << part << "\n" << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir.file("ws")));

    test::writeLines(dir.file("my-pipeline.json"), {R"({"stages": [)", R"(  {"stage": "pretrain",})", "]}"});
    r = pipeline();
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("not valid JSON at line 2"), std::string::npos) << r.err;
}
