// End-to-end: the real `micromind` binary as a child process on fixture data.

#include "common/fs.h"
#include "core/fixtures.h"
#include "e2e/cli_runner.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace mm;

namespace {

using Result = test::CliResult;
using test::jsonLines;

Result run(const std::vector<std::string>& args, const std::string& dir, const std::string& stdinFile = "") {
    return test::runCli(args, dir, stdinFile);
}

// A workspace with a trained tokenizer and a pretrain corpus.
class Cli : public ::testing::Test {
protected:
    void SetUp() override {
        data = test::writePretrainJsonl(dir.path(), 300);
        Result r = run({"train_tokenizer", "--data_path", data, "--vocab_size", "512", "--out_dir", dir.file("out")},
                       dir.path());
        ASSERT_EQ(r.code, 0) << r.out << r.err;
    }
    std::vector<std::string> pretrainArgs(const std::string& out, int steps) {
        return {"pretrain",
                "--data_path",
                data,
                "--out_dir",
                out,
                "--tokenizer",
                dir.file("out/tokenizer.model"),
                "--preset",
                "tiny",
                "--max_seq_len",
                "64",
                "--batch_size",
                "4",
                "--accumulation_steps",
                "1",
                "--max_steps",
                std::to_string(steps),
                "--log_interval",
                "1",
                "--save_interval",
                "2",
                "--learning_rate",
                "2e-3",
                "--threads",
                "1",
                "--epochs",
                "50"};
    }
    test::TempDir dir;
    std::string data;
};

} // namespace

TEST(CliBasics, VersionAndHelp) {
    test::TempDir d;
    Result r = run({"--version"}, d.path());
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("micromind"), std::string::npos);
    r = run({"pretrain", "--help"}, d.path());
    EXPECT_EQ(r.code, 0);
    EXPECT_NE(r.out.find("--accumulation_steps"), std::string::npos);
    r = run({"pretrian"}, d.path());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("unknown command"), std::string::npos);
}

TEST(CliBasics, BenchNamesItsKernelPathAndChecksItsInputsBeforeMeasuring) {
    test::TempDir d;
    const std::vector<std::string> small{"bench", "--preset",  "tiny", "--batch_size", "2", "--max_seq_len",
                                         "32",    "--steps",   "1",    "--warmup",     "0", "--decode_tokens",
                                         "0",     "--threads", "1"};
    auto with = [&](std::vector<std::string> extra) {
        std::vector<std::string> a = small;
        a.insert(a.end(), extra.begin(), extra.end());
        return a;
    };
    // --isa runs the command again with every library capped: the portable
    // path exists on every x86-64 CPU.
    Result r = run(with({"--isa", "portable", "--json"}), d.path());
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    auto j = nlohmann::json::parse(r.out.substr(r.out.rfind("{\"")));
    EXPECT_EQ(j["kernels"], "portable");
    EXPECT_GT(j["train_tokens_per_s"].get<double>(), 0.0);

    r = run(with({"--anchor", d.file("model_minimind.py"), "--anchor_script", d.file("nope.py")}), d.path());
    EXPECT_EQ(r.code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("--anchor_script " + d.file("nope.py")), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("training throughput"), std::string::npos) << "nothing is measured first";
    test::writeLines(d.file("anchor.py"), {"print('tokens_per_s=1')"});
    r = run(with({"--anchor", d.file("model_minimind.py"), "--anchor_script", d.file("anchor.py")}), d.path());
    EXPECT_EQ(r.code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("--anchor " + d.file("model_minimind.py") + ": no such file"), std::string::npos) << r.err;

    // bfloat16 products on the CPU need hardware bfloat16 on the active path;
    // capped at AVX2 there is none.
    r = run(with({"--isa", "avx2", "--dtype", "bfloat16"}), d.path());
    EXPECT_NE(r.code, 0) << r.out;
    EXPECT_TRUE(r.err.find("bfloat16") != std::string::npos || r.err.find("--isa") != std::string::npos) << r.err;
}

TEST(CliBasics, DataGuideListsFilesAndAnswersWithoutHanging) {
    test::TempDir d;
    std::filesystem::create_directories(d.file("dataset"));
    test::writeLines(d.file("dataset/pretrain_hq.jsonl"), {"{\"text\": \"x\"}"});
    const auto t0 = std::chrono::steady_clock::now();
    Result r = run({"data", "--guide", "--dataset_dir", d.file("dataset")}, d.path());
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("[x] pretrain_hq.jsonl"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("[ ] dpo.jsonl"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("1 of 9 files present"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("modelscope download --dataset gongjy/minimind_dataset"), std::string::npos) << r.out;
    // Either answer is fine (CI may or may not reach the host); what matters is one comes.
    EXPECT_TRUE(r.out.find("reachable (HTTP") != std::string::npos || r.out.find("NOT reachable") != std::string::npos)
        << r.out;
    EXPECT_LT(secs, 30.0);
    // Without --guide and --data_path the error points at --guide.
    r = run({"data"}, d.path());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("--guide"), std::string::npos) << r.err;
}

TEST_F(Cli, PretrainLowersLossWritesCheckpointAndHistory) {
    Result r = run(pretrainArgs(dir.file("out"), 40), dir.path());
    ASSERT_EQ(r.code, 0) << r.err;
    // Terminal mode prints progress lines with loss, lr, tokens/s and ETA.
    EXPECT_NE(r.out.find("tok/s"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("ETA"), std::string::npos);
    EXPECT_TRUE(fs::isFile(dir.file("out/pretrain_128.pth")));
    auto json = [&] {
        auto a = pretrainArgs(dir.file("out2"), 40);
        a.push_back("--json");
        return run(a, dir.path());
    }();
    ASSERT_EQ(json.code, 0) << json.err;
    double first = -1, last = -1;
    bool done = false;
    for (auto& e : jsonLines(json.out)) {
        if (e["event"] == "log") {
            if (first < 0)
                first = e["loss"];
            last = e["loss"];
            EXPECT_TRUE(e.contains("tokens_per_sec") && e.contains("eta_s") && e.contains("grad_norm"));
        }
        done = done || e["event"] == "done";
    }
    EXPECT_TRUE(done);
    EXPECT_LT(last, first - 0.5) << first << " -> " << last;
    Result h = run({"history", "--out_dir", dir.file("out2"), "--json"}, dir.path());
    ASSERT_EQ(h.code, 0) << h.err;
    auto runs = nlohmann::json::parse(h.out);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0]["status"], "completed");
    EXPECT_EQ(runs[0]["steps"], 40);
}

TEST_F(Cli, SigkillThenResumeEndsWithTheSameWeights) {
    const int steps = 120;
    Result full = run(pretrainArgs(dir.file("full"), steps), dir.path());
    ASSERT_EQ(full.code, 0) << full.err;

    // Start the same run, SIGKILL it once a few checkpoints exist, resume.
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = ::open("/dev/null", O_WRONLY);
        ::dup2(devnull, 1);
        ::dup2(devnull, 2);
        auto a = pretrainArgs(dir.file("killed"), steps);
        std::vector<char*> argv{const_cast<char*>(MM_CLI_PATH)};
        for (auto& s : a)
            argv.push_back(s.data());
        argv.push_back(nullptr);
        ::execv(MM_CLI_PATH, argv.data());
        _exit(127);
    }
    const std::string side = dir.file("killed/pretrain_128.json");
    bool killed = false;
    for (int i = 0; i < 3000 && !killed; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        if (fs::isFile(side)) {
            try {
                auto j = nlohmann::json::parse(fs::readFile(side));
                if (j.value("step", 0) >= 20) {
                    ::kill(pid, SIGKILL);
                    killed = true;
                }
            } catch (...) {
            }
        }
    }
    int st = 0;
    ::waitpid(pid, &st, 0);
    ASSERT_TRUE(killed);
    ASSERT_TRUE(WIFSIGNALED(st)) << "the run finished before it could be killed";
    auto a = pretrainArgs(dir.file("killed"), steps);
    a.push_back("--resume");
    Result resumed = run(a, dir.path());
    ASSERT_EQ(resumed.code, 0) << resumed.err;
    EXPECT_NE(resumed.out.find("resuming at step"), std::string::npos) << resumed.out;
    EXPECT_EQ(fs::readFile(dir.file("full/pretrain_128.pth")), fs::readFile(dir.file("killed/pretrain_128.pth")));
    // The killed run shows as interrupted in the history, the resumed one completed.
    Result h = run({"history", "--out_dir", dir.file("killed"), "--json"}, dir.path());
    auto runs = nlohmann::json::parse(h.out);
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_EQ(runs[0]["status"], "interrupted");
    EXPECT_EQ(runs[1]["status"], "completed");
}

TEST_F(Cli, BadInputGetsClearErrorsAndKeepsFiles) {
    // Malformed line: file:line named, exit 2.
    std::string bad = dir.file("bad.jsonl");
    test::writeLines(bad, {R"({"text": "fine"})", R"({"text": "also fine"})", R"({"text": broken)"});
    auto a = pretrainArgs(dir.file("out"), 4);
    a[2] = bad;
    Result r = run(a, dir.path());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("bad.jsonl:3"), std::string::npos) << r.err;
    // Unknown and out-of-range flags: all reported at once.
    r = run({"pretrain", "--data_path", data, "--batch_sise", "4", "--learning_rate", "-1"}, dir.path());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("did you mean --batch_size"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--learning_rate: -1 is below the minimum 0"), std::string::npos) << r.err;
    // Missing tokenizer: says how to make one.
    r = run({"pretrain", "--data_path", data, "--out_dir", dir.file("empty")}, dir.path());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("micromind train_tokenizer"), std::string::npos) << r.err;
    // A checkpoint of another size in the way of --resume: clear error, file untouched.
    ASSERT_EQ(run(pretrainArgs(dir.file("out"), 4), dir.path()).code, 0);
    std::string before = fs::readFile(dir.file("out/pretrain_128.pth"));
    auto b = pretrainArgs(dir.file("out"), 4);
    b.insert(b.end(), {"--resume", "--num_hidden_layers", "2"});
    r = run(b, dir.path());
    EXPECT_EQ(r.code, 2) << r.err;
    EXPECT_EQ(before, fs::readFile(dir.file("out/pretrain_128.pth")));
    // Unwritable out dir.
    if (::geteuid() != 0) {
        ::mkdir(dir.file("ro").c_str(), 0555);
        r = run(pretrainArgs(dir.file("ro/sub"), 2), dir.path());
        EXPECT_NE(r.code, 0);
    }
}
