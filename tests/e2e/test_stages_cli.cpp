// End-to-end: the post-training commands as child processes on fixture data,
// along minimind's lineage pretrain -> full_sft -> dpo (rlhf) -> distill_reason
// (reason) -> grpo, LoRA on full_sft, merge_lora, heldout, and their bad-input
// errors.

#include "common/fs.h"
#include "core/fixtures.h"
#include "e2e/cli_runner.h"
#include "store/history.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>
#include <cstdio>
#include <sstream>

#include <sys/wait.h>

using namespace mm;

namespace {

using Result = test::CliResult;

Result run(const std::vector<std::string>& args, const std::string& dir) { return test::runCli(args, dir); }

std::vector<nlohmann::json> events(const std::string& out) {
    std::vector<nlohmann::json> v;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && line[0] == '{')
            v.push_back(nlohmann::json::parse(line));
    return v;
}

// The first bytes of s, at most n, cut at a UTF-8 character boundary.
std::string prefix(const std::string& s, size_t n) {
    n = std::min(n, s.size());
    while (n > 0 && n < s.size() && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;
    return s.substr(0, n);
}

std::string conv(const std::string& user, const std::string& assistant) {
    return nlohmann::json{
        {"conversations", {{{"role", "user"}, {"content", user}}, {{"role", "assistant"}, {"content", assistant}}}}}
        .dump();
}

// One workspace for the whole lineage: building it once keeps the suite fast.
class StagesCli : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir = new test::TempDir();
        const std::string p = dir->path();
        test::writePretrainJsonl(p, 200);
        test::writeSftJsonl(p, 40);
        auto texts = test::corpusTexts(120);
        std::vector<std::string> reason, dpo;
        for (int i = 0; i < 40; ++i) {
            reason.push_back(conv("算一算 " + std::to_string(i), "<think>\n" + prefix(texts[i], 30) +
                                                                     "\n</think>\n<answer>\n" + std::to_string(i % 5) +
                                                                     "\n</answer>"));
            nlohmann::json q = {{"role", "user"}, {"content", "问题 " + std::to_string(i)}};
            dpo.push_back(nlohmann::json{{"chosen", {q, {{"role", "assistant"}, {"content", texts[40 + i]}}}},
                                         {"rejected", {q, {{"role", "assistant"}, {"content", texts[80 + i]}}}}}
                              .dump());
        }
        test::writeLines(p + "/reason.jsonl", reason);
        test::writeLines(p + "/dpo.jsonl", dpo);
        Result r = run({"train_tokenizer", "--data_path", p + "/pretrain.jsonl", "--vocab_size", "512",
                        "--character_coverage", "0.9995", "--out_dir", p + "/out"},
                       p);
        ASSERT_EQ(r.code, 0) << r.err;
        r = run(common("pretrain", p + "/pretrain.jsonl", 4), p);
        ASSERT_EQ(r.code, 0) << r.err;
    }
    static void TearDownTestSuite() {
        delete dir;
        dir = nullptr;
    }
    static std::vector<std::string> common(const std::string& cmd, const std::string& data, int steps) {
        return {cmd,
                "--data_path",
                data,
                "--out_dir",
                dir->file("out"),
                "--preset",
                "tiny",
                "--max_seq_len",
                "64",
                "--batch_size",
                "4",
                "--max_steps",
                std::to_string(steps),
                "--log_interval",
                "1",
                "--save_interval",
                "2",
                "--learning_rate",
                "1e-3",
                "--threads",
                "1",
                "--epochs",
                "20",
                "--json"};
    }
    static Result stage(const std::string& cmd, const std::string& data, int steps,
                        std::vector<std::string> extra = {}) {
        auto a = common(cmd, dir->file(data), steps);
        a.insert(a.end(), extra.begin(), extra.end());
        return run(a, dir->path());
    }
    static test::TempDir* dir;
};
test::TempDir* StagesCli::dir = nullptr;

nlohmann::json startEvent(const Result& r) {
    for (auto& e : events(r.out))
        if (e["event"] == "start")
            return e;
    return {};
}

} // namespace

TEST_F(StagesCli, LineageFullSftDpoReasonWithResume) {
    Result r = stage("full_sft", "sft.jsonl", 4, {"--lr_scale_with_batch"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("--lr_scale_with_batch: batch 4"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("learning rate 0.001 -> 0.00025"), std::string::npos) << r.err;
    EXPECT_TRUE(fs::isFile(dir->file("out/full_sft_128.pth")));
    auto side = nlohmann::json::parse(fs::readFile(dir->file("out/full_sft_128.json")));
    EXPECT_EQ(side["parent"], dir->file("out/pretrain_128.pth"));
    r = stage("full_sft", "sft.jsonl", 6, {"--lr_scale_with_batch", "--resume"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(startEvent(r)["start_step"], 4);

    r = stage("dpo", "dpo.jsonl", 4, {"--learning_rate", "1e-4"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("computed in"), std::string::npos) << r.err;
    bool metrics = false;
    for (auto& e : events(r.out))
        metrics = metrics || (e["event"] == "log" && e.contains("pref_accuracy") && e.contains("reward_margin"));
    EXPECT_TRUE(metrics);
    EXPECT_TRUE(fs::isFile(dir->file("out/rlhf_128.pth")));
    EXPECT_FALSE(fs::isFile(dir->file("out/dpo_128.pth")));
    r = stage("dpo", "dpo.jsonl", 6, {"--learning_rate", "1e-4", "--resume"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.err.find("read from"), std::string::npos) << r.err; // reference cache reused
    EXPECT_EQ(startEvent(r)["start_step"], 4);

    r = stage("distill_reason", "reason.jsonl", 4);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(fs::isFile(dir->file("out/reason_128.pth")));
    side = nlohmann::json::parse(fs::readFile(dir->file("out/reason_128.json")));
    EXPECT_EQ(side["parent"], dir->file("out/rlhf_128.pth"));

    // The history records the lineage.
    Result h = run({"history", "--out_dir", dir->file("out"), "--json"}, dir->path());
    ASSERT_EQ(h.code, 0) << h.err;
    EXPECT_NE(h.out.find("distill_reason"), std::string::npos);
    EXPECT_NE(h.out.find("rlhf_128.pth"), std::string::npos);

    Result l = run({"heldout", "--weights", dir->file("out/full_sft_128.pth"), "--data_path", dir->file("sft.jsonl"),
                    "--out_dir", dir->file("out"), "--max_seq_len", "64", "--json"},
                   dir->path());
    ASSERT_EQ(l.code, 0) << l.err;
    auto j = nlohmann::json::parse(l.out);
    EXPECT_GT(j["loss"].get<double>(), 0);
    EXPECT_GT(j["samples"].get<int>(), 20); // those with an answer token within 64 tokens
    l = run({"heldout", "--weights", dir->file("out/rlhf_128.pth"), "--data_path", dir->file("dpo.jsonl"), "--out_dir",
             dir->file("out"), "--metric", "preference", "--json"},
            dir->path());
    ASSERT_EQ(l.code, 0) << l.err;
    EXPECT_TRUE(nlohmann::json::parse(l.out).contains("pref_accuracy"));
    l = run({"heldout", "--weights", dir->file("out/reason_128.pth"), "--data_path", dir->file("reason.jsonl"),
             "--out_dir", dir->file("out"), "--metric", "think_format", "--max_samples", "2", "--max_new_tokens", "8",
             "--json"},
            dir->path());
    ASSERT_EQ(l.code, 0) << l.err;
    EXPECT_TRUE(nlohmann::json::parse(l.out).contains("format_rate"));
}

TEST_F(StagesCli, GrpoTrainsResumesAndHeldoutMeasuresReward) {
    // Lineage: reason when the lineage test has made it, else the pretrain checkpoint.
    const std::string from = fs::isFile(dir->file("out/reason_128.pth")) ? "reason" : "pretrain";
    std::vector<std::string> prompts;
    for (int i = 0; i < 12; ++i)
        prompts.push_back(
            nlohmann::json{{"conversations", {{{"role", "user"}, {"content", std::to_string(i) + " + 1 = ?"}}}},
                           {"answer", std::to_string(i + 1)}}
                .dump());
    test::writeLines(dir->file("grpo.jsonl"), prompts);
    const std::vector<std::string> extra{"--from_weight",     from,
                                         "--num_generations", "2",
                                         "--max_gen_len",     "8",
                                         "--learning_rate",   "1e-4",
                                         "--rewards",         "format,exact,length,repetition"};
    Result r = stage("grpo", "grpo.jsonl", 2, extra);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(fs::isFile(dir->file("out/grpo_128.pth")));
    auto side = nlohmann::json::parse(fs::readFile(dir->file("out/grpo_128.json")));
    EXPECT_EQ(side["parent"], dir->file("out/" + from + "_128.pth"));
    int logs = 0;
    for (auto& e : events(r.out)) {
        if (e["event"] != "log")
            continue;
        ++logs;
        for (const char* k : {"reward_mean", "reward_std", "accuracy", "kl", "completion_len", "reward_exact"})
            EXPECT_TRUE(e.contains(k)) << k << " missing in " << e.dump();
        ASSERT_TRUE(e.contains("sample")) << e.dump();
        EXPECT_TRUE(e["sample"]["completion"].is_string());
        EXPECT_TRUE(e["sample"]["reward"].is_number());
        EXPECT_EQ(e["sample"]["rewards"].size(), 4u);
        // --log_samples 4 (default) of a batch of 4 prompts: one completion
        // of each prompt, the first being "sample".
        ASSERT_TRUE(e.contains("samples")) << e.dump();
        ASSERT_EQ(e["samples"].size(), 4u) << e.dump();
        EXPECT_EQ(e["samples"][0], e["sample"]);
        std::set<std::string> questions;
        for (const auto& s : e["samples"]) {
            EXPECT_TRUE(s["completion"].is_string());
            EXPECT_EQ(s["rewards"].size(), 4u);
            questions.insert(s["question"].get<std::string>());
        }
        EXPECT_EQ(questions.size(), 4u) << "the samples should come from different prompts";
    }
    EXPECT_EQ(logs, 2);

    // --eval_data: held-out prompts answered greedily and scored every
    // --eval_interval steps, stored with the run; the weights come out
    // byte-identical to the run without it.
    const std::string plain = fs::readFile(dir->file("out/grpo_128.pth"));
    std::vector<std::string> withEval = extra;
    withEval.insert(withEval.end(),
                    {"--eval_data", dir->file("grpo.jsonl"), "--eval_interval", "1", "--eval_max_samples", "4"});
    r = stage("grpo", "grpo.jsonl", 2, withEval);
    ASSERT_EQ(r.code, 0) << r.err;
    int evals = 0;
    int64_t evalRun = 0;
    for (auto& e : events(r.out))
        if (e["event"] == "eval") {
            ++evals;
            evalRun = e["run_id"].get<int64_t>();
            for (const char* k : {"val_reward_mean", "val_accuracy", "val_format_rate", "val_completion_len"})
                ASSERT_TRUE(e.contains(k)) << k << " missing in " << e.dump();
            EXPECT_GE(e["val_accuracy"].get<double>(), 0.0);
            EXPECT_LE(e["val_accuracy"].get<double>(), 1.0);
            EXPECT_GT(e["val_completion_len"].get<double>(), 0.0);
            EXPECT_LE(e["val_completion_len"].get<double>(), 9.0); // --max_gen_len 8 + the stop token
        }
    EXPECT_EQ(evals, 2) << r.out;
    EXPECT_EQ(fs::readFile(dir->file("out/grpo_128.pth")), plain) << "validation changed the training";
    {
        store::History h(dir->file("out/micromind.db"));
        EXPECT_EQ(h.metrics(evalRun, "val_reward_mean").size(), 2u);
    }
    r = stage("grpo", "grpo.jsonl", 1, [&] {
        auto a = extra;
        a.insert(a.end(), {"--eval_data", dir->file("no_such_prompts.jsonl")});
        return a;
    }());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("no_such_prompts.jsonl"), std::string::npos) << r.err;

    r = stage("grpo", "grpo.jsonl", 4, [&] {
        auto a = extra;
        a.push_back("--resume");
        return a;
    }());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(startEvent(r)["start_step"], 2);

    // The held-out figures of the GRPO stage.
    Result h = run({"heldout", "--stage", "grpo", "--weights", dir->file("out/grpo_128.pth"), "--data_path",
                    dir->file("grpo.jsonl"), "--out_dir", dir->file("out"), "--max_samples", "3", "--max_new_tokens",
                    "8", "--json"},
                   dir->path());
    ASSERT_EQ(h.code, 0) << h.err;
    auto j = nlohmann::json::parse(h.out);
    EXPECT_EQ(j["metric"], "reward");
    EXPECT_EQ(j["samples"], 3);
    EXPECT_EQ(j["with_answer"], 3);
    EXPECT_TRUE(j["reward_mean"].is_number());
    EXPECT_GE(j["accuracy"].get<double>(), 0.0);
    h = run({"heldout", "--stage", "grpo", "--metric", "loss", "--weights", dir->file("out/grpo_128.pth"),
             "--data_path", dir->file("grpo.jsonl"), "--out_dir", dir->file("out")},
            dir->path());
    EXPECT_EQ(h.code, 2);
    EXPECT_NE(h.err.find("--stage grpo"), std::string::npos) << h.err;

    // Bad input names file:line; --skip_bad_lines skips it. Terminal mode
    // prints the sample completion with its reward.
    test::writeLines(dir->file("grpo_bad.jsonl"),
                     {prompts[0], nlohmann::json{{"conversations", {{{"role", "system"}, {"content", "s"}}}}}.dump(),
                      prompts[1], prompts[2], prompts[3]});
    r = stage("grpo", "grpo_bad.jsonl", 1, extra);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("grpo_bad.jsonl:2"), std::string::npos) << r.err;
    auto args = common("grpo", dir->file("grpo_bad.jsonl"), 1);
    args.erase(std::find(args.begin(), args.end(), "--json"));
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("--skip_bad_lines");
    r = run(args, dir->path());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("sample (reward "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("1 bad lines"), std::string::npos) << r.out;
    r = stage("grpo", "grpo.jsonl", 1, {"--from_weight", from, "--rewards", "format,bogus"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("bogus"), std::string::npos) << r.err;
}

TEST_F(StagesCli, LoraWritesOnlyTheAdapterAndMerges) {
    if (!fs::isFile(dir->file("out/full_sft_128.pth")))
        ASSERT_EQ(stage("full_sft", "sft.jsonl", 2).code, 0);
    Result r = stage("lora", "sft.jsonl", 4, {"--lora_name", "lora_test", "--learning_rate", "1e-2"});
    ASSERT_EQ(r.code, 0) << r.err;
    const std::string adapter = dir->file("out/lora/lora_test_128.pth");
    ASSERT_TRUE(fs::isFile(adapter));
    // An adapter is much smaller than the model.
    EXPECT_LT(fs::readFile(adapter).size() * 4, fs::readFile(dir->file("out/full_sft_128.pth")).size());
    r = stage("lora", "sft.jsonl", 6, {"--lora_name", "lora_test", "--learning_rate", "1e-2", "--resume"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(startEvent(r)["start_step"], 4);
    r = run({"merge_lora", "--out_dir", dir->file("out"), "--preset", "tiny", "--lora_name", "lora_test"}, dir->path());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(fs::isFile(dir->file("out/full_sft_lora_test_128.pth")));
    // base + adapter and the merged checkpoint measure the same held-out loss.
    auto loss = [&](std::vector<std::string> extra) {
        std::vector<std::string> a{"heldout",   "--data_path",    dir->file("sft.jsonl"),
                                   "--out_dir", dir->file("out"), "--max_seq_len",
                                   "64",        "--json"};
        a.insert(a.end(), extra.begin(), extra.end());
        Result x = run(a, dir->path());
        EXPECT_EQ(x.code, 0) << x.err;
        return nlohmann::json::parse(x.out)["loss"].get<double>();
    };
    const double withAdapter = loss({"--weights", dir->file("out/full_sft_128.pth"), "--lora_path", adapter});
    const double merged = loss({"--weights", dir->file("out/full_sft_lora_test_128.pth")});
    EXPECT_NEAR(withAdapter, merged, 2e-3); // merged weights are stored in float16
}

TEST_F(StagesCli, BadInputGetsClearErrors) {
    Result r = stage("lora", "sft.jsonl", 2, {"--lora_name", "../escape"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("--lora_name"), std::string::npos) << r.err;
    // Missing parent: names the file and the command that makes it.
    r = stage("distill_reason", "reason.jsonl", 2, {"--from_weight", "nothere"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("nothere_128.pth"), std::string::npos) << r.err;
    r = run({"dpo", "--data_path", dir->file("dpo.jsonl"), "--out_dir", dir->file("empty_ws"), "--tokenizer",
             dir->file("out/tokenizer.model"), "--preset", "tiny"},
            dir->path());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("micromind full_sft"), std::string::npos) << r.err;
    // Reasoning data without the tags: file:line.
    test::writeLines(dir->file("notags.jsonl"), {conv("q", "<think>a</think><answer>b</answer>"), conv("q", "plain")});
    r = stage("distill_reason", "notags.jsonl", 2, {"--from_weight", "pretrain"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("notags.jsonl:2"), std::string::npos) << r.err;
    // Roles out of order and an empty answer: file:line.
    test::writeLines(
        dir->file("roles.jsonl"),
        {conv("q", "a"), nlohmann::json{{"conversations", {{{"role", "assistant"}, {"content", "a"}}}}}.dump()});
    r = stage("full_sft", "roles.jsonl", 2);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("roles.jsonl:2"), std::string::npos) << r.err;
    test::writeLines(dir->file("empty.jsonl"), {conv("q", "")});
    r = stage("full_sft", "empty.jsonl", 2);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("empty.jsonl:1"), std::string::npos) << r.err;
    // A parent of another size.
    r = stage("full_sft", "sft.jsonl", 2, {"--hidden_size", "64"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("pretrain_64.pth"), std::string::npos) << r.err;
    r = stage("full_sft", "sft.jsonl", 2, {"--num_hidden_layers", "2"});
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("does not match"), std::string::npos) << r.err;
}

// Live probes: every --probe_interval steps (and after the last) the run prints
// the model's greedy answers to the seed's first prompts of the stage's set.
TEST_F(StagesCli, ProbesPrintGenerationsEveryIntervalAndAtTheEnd) {
    const std::string out = dir->file("probe_ws");
    std::vector<std::string> a = {"pretrain",
                                  "--data_path",
                                  dir->file("pretrain.jsonl"),
                                  "--out_dir",
                                  out,
                                  "--tokenizer",
                                  dir->file("out/tokenizer.model"),
                                  "--preset",
                                  "tiny",
                                  "--max_seq_len",
                                  "64",
                                  "--batch_size",
                                  "4",
                                  "--max_steps",
                                  "5",
                                  "--log_interval",
                                  "1",
                                  "--learning_rate",
                                  "1e-3",
                                  "--threads",
                                  "1",
                                  "--epochs",
                                  "20",
                                  "--probe_interval",
                                  "2",
                                  "--probe_max_tokens",
                                  "16"};
    a.push_back("--json");
    Result r = run(a, dir->path());
    ASSERT_EQ(r.code, 0) << r.err;
    std::vector<nlohmann::json> probes;
    for (auto& e : events(r.out))
        if (e["event"] == "probe")
            probes.push_back(e);
    ASSERT_EQ(probes.size(), 3u) << r.out;
    const std::vector<int> steps{2, 4, 5};
    for (size_t i = 0; i < probes.size(); ++i) {
        EXPECT_EQ(probes[i]["step"], steps[i]);
        EXPECT_GT(probes[i]["run_id"].get<int64_t>(), 0);
        ASSERT_EQ(probes[i]["samples"].size(), 3u);
        EXPECT_EQ(probes[i]["samples"][0]["prompt"], "马克思主义基本原理"); // resources/prompts/pretrain.jsonl
        for (const auto& s : probes[i]["samples"]) {
            EXPECT_TRUE(s["completion"].is_string());
            EXPECT_LE(s["tokens"].get<int>(), 16);
        }
    }
    // Terminal output: one readable line per prompt.
    a.pop_back();
    a.insert(a.end(), {"--probe_interval", "5"});
    r = run(a, dir->path());
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("probe @ step 5: 马克思主义基本原理 → 「"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("probe @ step 5: 万有引力原理是 → 「"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("probe @ step 2"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("probes and validation took"), std::string::npos) << r.out;
    // A bad prompt file stops the run before it starts, naming file:line.
    test::writeLines(dir->file("probes.jsonl"), {"{\"prompt\": \"床前\"}", "not json"});
    a.insert(a.end(), {"--probe_prompts", dir->file("probes.jsonl")});
    r = run(a, dir->path());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find(dir->file("probes.jsonl") + ":2"), std::string::npos) << r.err;
}

// Validation during training: --eval_data's loss every --eval_interval steps
// (and after the last), streamed as "eval" events, stored in the history
// beside the training metrics; a bad file stops the run before it starts.
TEST_F(StagesCli, EvalDataIsMeasuredEveryIntervalAndStored) {
    const std::string out = dir->file("eval_ws");
    test::writeLines(dir->file("held_pretrain.jsonl"),
                     {R"({"text": "床前明月光，疑是地上霜。"})", R"({"text": "举头望明月，低头思故乡。"})"});
    std::vector<std::string> a = {"pretrain",
                                  "--data_path",
                                  dir->file("pretrain.jsonl"),
                                  "--out_dir",
                                  out,
                                  "--tokenizer",
                                  dir->file("out/tokenizer.model"),
                                  "--preset",
                                  "tiny",
                                  "--max_seq_len",
                                  "64",
                                  "--batch_size",
                                  "4",
                                  "--max_steps",
                                  "5",
                                  "--log_interval",
                                  "1",
                                  "--learning_rate",
                                  "1e-3",
                                  "--threads",
                                  "1",
                                  "--epochs",
                                  "20",
                                  "--probe_interval",
                                  "0",
                                  "--eval_data",
                                  dir->file("held_pretrain.jsonl"),
                                  "--eval_interval",
                                  "2",
                                  "--json"};
    Result r = run(a, dir->path());
    ASSERT_EQ(r.code, 0) << r.err;
    std::vector<nlohmann::json> evals;
    int64_t runId = 0;
    for (auto& e : events(r.out))
        if (e["event"] == "eval") {
            evals.push_back(e);
            runId = e["run_id"].get<int64_t>();
        }
    ASSERT_EQ(evals.size(), 3u) << r.out;
    const std::vector<int> steps{2, 4, 5};
    for (size_t i = 0; i < evals.size(); ++i) {
        EXPECT_EQ(evals[i]["step"], steps[i]);
        EXPECT_GT(evals[i]["val_loss"].get<double>(), 0);
        EXPECT_GT(evals[i]["val_bpb"].get<double>(), 0);
        EXPECT_GT(evals[i]["tokens"].get<int64_t>(), 0);
    }
    EXPECT_LT(evals.back()["val_loss"].get<double>(), evals.front()["val_loss"].get<double>());
    store::History h(out + "/micromind.db");
    const auto stored = h.metrics(runId, "val_loss");
    ASSERT_EQ(stored.size(), 3u);
    EXPECT_EQ(stored[2].step, 5);
    EXPECT_DOUBLE_EQ(stored[2].value, evals.back()["val_loss"].get<double>());

    // SFT-style stages measure the assistant-token loss of held-out conversations.
    Result s = stage("full_sft", "sft.jsonl", 3,
                     {"--eval_data", dir->file("sft.jsonl"), "--eval_interval", "3", "--eval_max_samples", "4"});
    ASSERT_EQ(s.code, 0) << s.err;
    int sftEvals = 0;
    for (auto& e : events(s.out))
        sftEvals += e["event"] == "eval" && e.contains("val_loss");
    EXPECT_EQ(sftEvals, 1) << s.out;
    // dpo (from that full_sft): preference accuracy and the chosen answers' log-prob.
    Result dp = stage("dpo", "dpo.jsonl", 2,
                      {"--eval_data", dir->file("dpo.jsonl"), "--eval_interval", "1", "--eval_max_samples", "6"});
    ASSERT_EQ(dp.code, 0) << dp.err;
    int dpoEvals = 0;
    for (auto& e : events(dp.out))
        if (e["event"] == "eval") {
            ++dpoEvals;
            EXPECT_GE(e["val_pref_accuracy"].get<double>(), 0.0);
            EXPECT_LE(e["val_pref_accuracy"].get<double>(), 1.0);
            EXPECT_LT(e["val_chosen_logp"].get<double>(), 0.0);
        }
    EXPECT_EQ(dpoEvals, 2) << dp.out;

    // --eval_split: a share of the training file held out instead of a file
    // of its own (every fourth conversation here), named on stderr.
    Result sp = stage("full_sft", "sft.jsonl", 2, {"--eval_split", "0.25", "--eval_interval", "2"});
    ASSERT_EQ(sp.code, 0) << sp.err;
    EXPECT_NE(sp.err.find("validation split: 10 of 40 records of " + dir->file("sft.jsonl")), std::string::npos)
        << sp.err;
    int splitEvals = 0;
    for (auto& e : events(sp.out))
        splitEvals += e["event"] == "eval" && e["val_loss"].get<double>() > 0;
    EXPECT_EQ(splitEvals, 1) << sp.out;
    sp = stage("full_sft", "sft.jsonl", 2, {"--eval_split", "0.25", "--eval_data", dir->file("sft.jsonl")});
    EXPECT_EQ(sp.code, 2);
    EXPECT_NE(sp.err.find("not both"), std::string::npos) << sp.err;

    // A broken or missing file is refused before training, naming it.
    test::writeLines(dir->file("held_bad.jsonl"), {conv("q", "a"), "not json"});
    s = stage("full_sft", "sft.jsonl", 3, {"--eval_data", dir->file("held_bad.jsonl")});
    EXPECT_EQ(s.code, 2);
    EXPECT_NE(s.err.find("held_bad.jsonl:2"), std::string::npos) << s.err;
    a[a.size() - 4] = dir->file("nowhere.jsonl");
    r = run(a, dir->path());
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("--eval_data"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("nowhere.jsonl"), std::string::npos) << r.err;
}
