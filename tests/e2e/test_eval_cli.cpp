// End-to-end evaluation: the real `micromind` binary evaluates five tiny
// models on the seed's prompt sets, exports the seed's score table, serves the
// models over OpenAI-compatible HTTP on loopback and judges against itself.

#include "common/fs.h"
#include "core/fixtures.h"
#include "e2e/cli_runner.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace mm;
using nlohmann::json;
namespace stdfs = std::filesystem;

namespace {

using Result = test::CliResult;
using test::jsonLines;

Result run(const std::vector<std::string>& args, const std::string& dir, const std::string& stdinFile = "") {
    return test::runCli(args, dir, stdinFile);
}

const char* const kSeedTable = test::kSeedScoreTable;

// A workspace with the fixture tokenizer and a one-step tiny pretrained model,
// copied under every mode's checkpoint name (what eval loads is the point here,
// not what the weights know).
class EvalCli : public ::testing::Test {
protected:
    void SetUp() override {
        ws = dir.file("out");
        stdfs::create_directories(ws);
        stdfs::copy_file(test::fixtureTokenizer(), ws + "/tokenizer.model");
        const std::string data = test::writePretrainJsonl(dir.path(), 40);
        Result r = run({"pretrain", "--data_path",
                        data,       "--out_dir",
                        ws,         "--hidden_size",
                        "32",       "--num_hidden_layers",
                        "2",        "--num_attention_heads",
                        "4",        "--num_key_value_heads",
                        "2",        "--max_seq_len",
                        "32",       "--batch_size",
                        "2",        "--accumulation_steps",
                        "1",        "--max_steps",
                        "1",        "--threads",
                        "1",        "--log_interval",
                        "1",        "--save_interval",
                        "1"},
                       dir.path());
        ASSERT_EQ(r.code, 0) << r.out << r.err;
        for (const char* stage : {"full_sft", "rlhf", "reason", "grpo"})
            for (const char* ext : {".pth", ".json"})
                stdfs::copy_file(ws + "/pretrain_32" + ext, ws + "/" + stage + "_32" + ext);
    }
    Result eval(int mode, std::vector<std::string> extra = {}) {
        std::vector<std::string> a{"eval", "--model_mode", std::to_string(mode), "--out_dir", ws, "--threads", "1"};
        a.insert(a.end(), extra.begin(), extra.end());
        return run(a, dir.path());
    }
    test::TempDir dir;
    std::string ws;
};

/// `micromind serve` as a child process on a free loopback port; stops itself
/// after `maxSeconds` and is terminated (by pid) when the test ends.
class ServeProcess {
public:
    ServeProcess(const std::string& outDir, const std::string& logPath, int maxSeconds) {
        m_pid = ::fork();
        if (m_pid == 0) {
            const int fd = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            const std::string secs = std::to_string(maxSeconds);
            ::execl(MM_CLI_PATH, MM_CLI_PATH, "serve", "--out_dir", outDir.c_str(), "--port", "0", "--max_seconds",
                    secs.c_str(), "--threads", "1", static_cast<char*>(nullptr));
            ::_exit(127);
        }
        const std::regex re(R"(http://127\.0\.0\.1:([0-9]+)/v1)");
        for (int i = 0; i < 600 && m_port == 0; ++i) {
            std::smatch m;
            const std::string log = fs::isFile(logPath) ? fs::readFile(logPath) : "";
            if (std::regex_search(log, m, re))
                m_port = std::stoi(m[1].str());
            else
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    ~ServeProcess() {
        if (m_pid <= 0)
            return;
        ::kill(m_pid, SIGTERM);
        int st = 0;
        for (int i = 0; i < 200; ++i) {
            if (::waitpid(m_pid, &st, WNOHANG) == m_pid)
                return;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        ::kill(m_pid, SIGKILL);
        ::waitpid(m_pid, &st, 0);
    }
    int port() const { return m_port; }

private:
    pid_t m_pid = -1;
    int m_port = 0;
};

} // namespace

TEST_F(EvalCli, FiveModelsAnswerTheSeedPromptsInSecondsAndExportTheSeedTable) {
    const auto t0 = std::chrono::steady_clock::now();
    size_t total = 0;
    for (int mode : {0, 1, 2, 3, 5}) {
        Result r = eval(mode, {"--max_new_tokens", "16", "--json"});
        ASSERT_EQ(r.code, 0) << "mode " << mode << ": " << r.out << r.err;
        const auto lines = jsonLines(r.out);
        ASSERT_FALSE(lines.empty());
        size_t answers = 0;
        for (const auto& j : lines) {
            if (j["event"] != "answer")
                continue;
            ++answers;
            EXPECT_EQ(j["model_mode"], mode);
            EXPECT_TRUE(j["text"].is_string());
            EXPECT_LE(j["tokens"].get<int>(), 16);
            EXPECT_EQ(j["seed"].get<int>(), 42 + j["index"].get<int>());
            if (mode == 3) {
                EXPECT_TRUE(j.contains("reasoning"));
                EXPECT_TRUE(j.contains("answer"));
            }
        }
        // The seed's sets: 7 pretrain + 3 eval questions for mode 0, 9 chat + 3 for the chat modes.
        EXPECT_EQ(answers, mode == 0 ? 10u : 12u) << "mode " << mode;
        EXPECT_EQ(lines.back()["event"], "done");
        total += answers;
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(total, 58u);
    EXPECT_LT(secs, 60.0) << "five tiny models on the seed prompts took " << secs << " s";
    std::printf("[ timing ] five tiny models, %zu answers: %.1f s\n", total, secs);

    Result ex = run({"scores", "export", "--out_dir", ws}, dir.path());
    ASSERT_EQ(ex.code, 0) << ex.out << ex.err;
    const std::string md = fs::readFile(ws + "/reports/scores.md");
    EXPECT_EQ(md.substr(0, std::string(kSeedTable).size()), kSeedTable);
    EXPECT_EQ(ex.out.substr(0, std::string(kSeedTable).size()), kSeedTable);
    for (const char* f : {"scores.csv", "scores.html", "compare.md", "compare.html"})
        EXPECT_TRUE(fs::isFile(ws + "/reports/" + f)) << f;
    const std::string cmp = fs::readFile(ws + "/reports/compare.md");
    const size_t q = cmp.find("## eval 1: 如果A比B高，B比C矮，谁最高？");
    ASSERT_NE(q, std::string::npos) << cmp.substr(0, 500);
    const std::string section = cmp.substr(q, cmp.find("\n## ", q + 4) - q);
    for (const char* label : {"| 0 pretrain", "| 1 full_sft", "| 2 rlhf", "| 3 reason", "| 5 grpo"})
        EXPECT_NE(section.find(label), std::string::npos) << label;

    Result hist = run({"history", "--out_dir", ws, "--json"}, dir.path());
    int evalRuns = 0;
    for (const auto& r : json::parse(hist.out))
        evalRuns += r["stage"] == "eval" && r["status"] == "completed";
    EXPECT_EQ(evalRuns, 5);
}

TEST_F(EvalCli, BatchedAnswersEqualOneAtATimeAnswers) {
    // The default decodes prompts in batches; --batch_size 1 streams one at a
    // time. Same seeds, sampled (not greedy): the answers must be the same.
    auto answers = [&](const std::string& batch) {
        Result r = eval(1, {"--max_new_tokens", "24", "--batch_size", batch, "--json"});
        EXPECT_EQ(r.code, 0) << r.out << r.err;
        std::vector<std::string> texts;
        for (const auto& j : jsonLines(r.out))
            if (j["event"] == "answer")
                texts.push_back(j["prompt_set"].get<std::string>() + "#" + std::to_string(j["index"].get<int>()) +
                                ": " + j["text"].get<std::string>());
        return texts;
    };
    const auto one = answers("1"), batched = answers("5");
    ASSERT_EQ(one.size(), 12u);
    EXPECT_EQ(one, batched);
    Result bad = eval(1, {"--batch_size", "0"});
    EXPECT_NE(bad.code, 0);
    EXPECT_NE(bad.err.find("batch_size"), std::string::npos) << bad.err;
}

TEST_F(EvalCli, ManualScoresFillTheSeedRow) {
    Result s = run({"scores", "set", "--out_dir", ws, "--model_mode", "2", "--language", "5", "--knowledge", "4.5",
                    "--efficiency", "9", "--note", "read by hand"},
                   dir.path());
    // No eval has run in this workspace yet: `scores set` creates the history.
    ASSERT_EQ(s.code, 0) << s.out << s.err;
    Result ex = run({"scores", "export", "--out_dir", ws, "--export_dir", dir.file("rep")}, dir.path());
    ASSERT_EQ(ex.code, 0) << ex.out << ex.err;
    const std::string md = fs::readFile(dir.file("rep/scores.md"));
    EXPECT_NE(md.find("\n| 2        | 5                    | 4.5                  | 9               | 18.5        |\n"),
              std::string::npos)
        << md;
    EXPECT_NE(fs::readFile(dir.file("rep/scores.csv")).find("2,5,4.5,9,18.5,,language knowledge efficiency"),
              std::string::npos);
    Result bad = run({"scores", "set", "--out_dir", ws, "--model_mode", "2", "--language", "11"}, dir.path());
    EXPECT_EQ(bad.code, 2);
    Result none = run({"scores", "--out_dir", ws}, dir.path());
    EXPECT_EQ(none.code, 2);
    EXPECT_NE(none.err.find("export"), std::string::npos) << none.err;
}

TEST_F(EvalCli, OwnPromptsInteractiveInputAndReproducibleSeeds) {
    test::writeLines(dir.file("mine.txt"), {"第一个问题", "second prompt"});
    Result a = eval(1, {"--prompts", dir.file("mine.txt"), "--seed", "7", "--max_new_tokens", "12", "--json"});
    Result b = eval(1, {"--prompts", dir.file("mine.txt"), "--seed", "7", "--max_new_tokens", "12", "--json"});
    ASSERT_EQ(a.code, 0) << a.err;
    ASSERT_EQ(b.code, 0) << b.err;
    auto ja = jsonLines(a.out), jb = jsonLines(b.out);
    ASSERT_EQ(ja.size(), 3u); // two answers + done
    EXPECT_EQ(ja[0]["prompt_set"], "mine");
    EXPECT_EQ(ja[0]["text"], jb[0]["text"]);
    EXPECT_EQ(ja[1]["text"], jb[1]["text"]);
    // bfloat16 decode weights: answers still come, and the setting is recorded.
    Result bf = eval(1, {"--prompts", dir.file("mine.txt"), "--greedy", "--max_new_tokens", "8", "--infer_dtype",
                         "bfloat16", "--json"});
    ASSERT_EQ(bf.code, 0) << bf.err;
    auto jbf = jsonLines(bf.out);
    ASSERT_EQ(jbf.size(), 3u);
    EXPECT_EQ(jbf[0]["sampling"]["infer_dtype"], "bfloat16") << jbf[0].dump();
    for (const char* dt : {"int8"}) {
        Result q = eval(
            1, {"--prompts", dir.file("mine.txt"), "--greedy", "--max_new_tokens", "8", "--infer_dtype", dt, "--json"});
        ASSERT_EQ(q.code, 0) << q.err;
        auto jq = jsonLines(q.out);
        ASSERT_EQ(jq.size(), 3u);
        EXPECT_EQ(jq[0]["sampling"]["infer_dtype"], dt) << jq[0].dump();
    }
    Result badDtype = eval(1, {"--infer_dtype", "fp8"});
    EXPECT_NE(badDtype.code, 0);
    EXPECT_NE(badDtype.err.find("infer_dtype"), std::string::npos) << badDtype.err;

    test::writeLines(dir.file("stdin.txt"), {"你好", "再见", ""});
    Result i = run({"eval", "--model_mode", "1", "--out_dir", ws, "--interactive", "--max_new_tokens", "4", "--json"},
                   dir.path(), dir.file("stdin.txt"));
    ASSERT_EQ(i.code, 0) << i.err;
    auto ji = jsonLines(i.out);
    ASSERT_EQ(ji.size(), 3u);
    EXPECT_EQ(ji[1]["prompt"], "再见");

    // Human-readable output: the seed's markers and where the answers went.
    Result h = eval(0, {"--prompt_set", "pretrain", "--max_new_tokens", "4"});
    ASSERT_EQ(h.code, 0) << h.err;
    EXPECT_NE(h.out.find("👶: 长沙市的美食有"), std::string::npos) << h.out;
    EXPECT_NE(h.out.find("🤖️: "), std::string::npos);
    EXPECT_NE(h.out.find("stored 7 answers"), std::string::npos) << h.out;
}

TEST_F(EvalCli, ExplainsMissingModelsAndAdapters) {
    Result r = eval(4);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("--lora_name"), std::string::npos) << r.err;
    r = eval(4, {"--lora_name", "lora_medical"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("lora_medical_32.pth"), std::string::npos) << r.err;
    r = eval(1, {"--hidden_size", "512"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("full_sft_32.pth"), std::string::npos) << r.err; // says what exists
    r = eval(1, {"--prompt_set", "nope"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("available: chat, eval, pretrain"), std::string::npos) << r.err;
}

TEST_F(EvalCli, ServeAnswersHttpClientsAndTheJudgeRunsAgainstIt) {
    ASSERT_EQ(eval(1, {"--prompt_set", "eval", "--max_new_tokens", "8"}).code, 0);
    ServeProcess serve(ws, dir.file("serve.log"), 120);
    ASSERT_GT(serve.port(), 0) << fs::readFile(dir.file("serve.log"));
    httplib::Client cli("127.0.0.1", serve.port());
    cli.set_read_timeout(std::chrono::seconds(60));

    auto models = cli.Get("/v1/models");
    ASSERT_TRUE(models);
    ASSERT_EQ(models->status, 200);
    EXPECT_NE(models->body.find("\"full_sft_32\""), std::string::npos) << models->body;

    const json req{{"model", "full_sft_32"},
                   {"messages", json::array({{{"role", "user"}, {"content", "你好"}}})},
                   {"max_tokens", 8}};
    auto plain = cli.Post("/v1/chat/completions", req.dump(), "application/json");
    ASSERT_TRUE(plain);
    ASSERT_EQ(plain->status, 200) << plain->body;
    EXPECT_EQ(json::parse(plain->body)["choices"][0]["message"]["role"], "assistant");

    json sreq = req;
    sreq["stream"] = true;
    auto streamed = cli.Post("/v1/chat/completions", sreq.dump(), "application/json");
    ASSERT_TRUE(streamed);
    ASSERT_EQ(streamed->status, 200);
    EXPECT_EQ(streamed->body.rfind("data: ", 0), 0u);
    EXPECT_NE(streamed->body.find("data: [DONE]\n\n"), std::string::npos);

    auto bad = cli.Post("/v1/chat/completions", "{\"messages\": 3}", "application/json");
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400);
    EXPECT_TRUE(json::parse(bad->body)["error"]["message"].is_string());

    // The judge against the server: a random tiny model cannot reply with the
    // scores, so the judge retries, keeps the raw reply and says it failed.
    ::setenv("MICROMIND_JUDGE_API_KEY", "sk-e2e-secret-789", 1);
    Result j = run({"judge", "--out_dir", ws, "--base_url", "http://127.0.0.1:" + std::to_string(serve.port()) + "/v1",
                    "--judge_model", "full_sft_32", "--attempts", "2", "--timeout", "60", "--max_tokens", "16",
                    "--model_modes", "1"},
                   dir.path());
    ::unsetenv("MICROMIND_JUDGE_API_KEY");
    EXPECT_EQ(j.code, 1) << j.out << j.err;
    EXPECT_NE(j.out.find("FAILED after 2 attempt(s)"), std::string::npos) << j.out;
    EXPECT_NE(j.out.find("API key from $MICROMIND_JUDGE_API_KEY"), std::string::npos) << j.out;
    EXPECT_EQ((j.out + j.err).find("sk-e2e-secret-789"), std::string::npos);
    std::string dbBytes = fs::readFile(ws + "/micromind.db");
    if (fs::isFile(ws + "/micromind.db-wal"))
        dbBytes += fs::readFile(ws + "/micromind.db-wal");
    EXPECT_EQ(dbBytes.find("sk-e2e-secret-789"), std::string::npos);
    Result hist = run({"history", "--out_dir", ws, "--json"}, dir.path());
    bool judgeRun = false;
    for (const auto& r : json::parse(hist.out))
        if (r["stage"] == "judge") {
            judgeRun = true;
            EXPECT_EQ(r["status"], "failed");
            EXPECT_NE(r["message"].get<std::string>().find("unusable reply"), std::string::npos) << r["message"];
        }
    EXPECT_TRUE(judgeRun);
}

TEST_F(EvalCli, ObjectiveMetrics) {
    const std::string held = test::writePretrainJsonl(dir.path(), 5, "heldout.jsonl");
    Result p = run({"metrics", "--task", "ppl", "--model_mode", "0", "--out_dir", ws, "--data_path", held, "--json"},
                   dir.path());
    ASSERT_EQ(p.code, 0) << p.out << p.err;
    const json pr = jsonLines(p.out).back();
    EXPECT_EQ(pr["documents"], 5);
    EXPECT_GT(pr["perplexity"].get<double>(), 1.0);
    EXPECT_GT(pr["bits_per_byte"].get<double>(), 0.0);

    stdfs::create_directories(dir.file("ceval/val"));
    test::writeLines(dir.file("ceval/val/art_val.csv"),
                     {"id,question,A,B,C,D,answer", "0,《等待戈多》的作者是____。,加缪,贝克特,阿尔比,尤奈斯库,B",
                      "1,王利发是老舍戏剧作品____中的主人公。,《茶馆》,《龙须沟》,《方珍珠》,《女店员》,A"});
    Result c =
        run({"metrics", "--task", "choice", "--model_mode", "1", "--out_dir", ws, "--data_path", dir.file("ceval")},
            dir.path());
    ASSERT_EQ(c.code, 0) << c.out << c.err;
    EXPECT_NE(c.out.find("2 questions, accuracy"), std::string::npos) << c.out;
    EXPECT_NE(c.out.find("(chance 25.0%)"), std::string::npos) << c.out;

    test::writeLines(dir.file("math.jsonl"),
                     {R"({"question": "1+1=?", "answer": "#### 2"})", R"({"question": "2+2=?", "answer": "4"})"});
    Result e = run({"metrics", "--task", "exact", "--model_mode", "1", "--out_dir", ws, "--data_path",
                    dir.file("math.jsonl"), "--max_new_tokens", "8", "--json"},
                   dir.path());
    ASSERT_EQ(e.code, 0) << e.out << e.err;
    const json er = jsonLines(e.out).back();
    EXPECT_EQ(er["questions"], 2);
    EXPECT_EQ(jsonLines(e.out)[0]["reference"], "2");
}
