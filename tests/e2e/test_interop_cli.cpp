// End-to-end: a model trained with minimind's kind of tokenizer (a Hugging
// Face tokenizer.json; here a small one derived from minimind's), exported to
// a transformers folder and GGUF with the parity check, imported back into
// another workspace and evaluated there; bad inputs leave nothing behind.

#include "common/fs.h"
#include "core/fixtures.h"
#include "e2e/cli_runner.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

using namespace mm;
namespace stdfs = std::filesystem;

namespace {

using Result = test::CliResult;

Result run(const std::vector<std::string>& args, const std::string& dir) { return test::runCli(args, dir); }

std::string hfTokenizer() { return std::string(MM_SOURCE_DIR) + "/tests/data/hf_bpe/minimind_derived_tokenizer.json"; }

std::vector<std::string> trainArgs(const std::string& cmd, const std::string& data, const std::string& out) {
    return {cmd,    "--data_path",  data, "--out_dir",   out,           "--preset",         "tiny", "--max_seq_len",
            "64",   "--batch_size", "4",  "--max_steps", "3",           "--log_interval",   "1",    "--learning_rate",
            "1e-3", "--threads",    "1",  "--tokenizer", hfTokenizer(), "--probe_interval", "0"};
}

} // namespace

TEST(InteropCli, HfTokenizerTrainsThenExportsImportsAndEvaluates) {
    test::TempDir dir;
    const std::string p = dir.path(), ws = p + "/ws";
    test::writePretrainJsonl(p, 60);
    test::writeSftJsonl(p, 20);
    Result r = run(trainArgs("pretrain", p + "/pretrain.jsonl", ws), p);
    ASSERT_EQ(r.code, 0) << r.err;
    r = run(trainArgs("full_sft", p + "/sft.jsonl", ws), p);
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_TRUE(fs::isFile(ws + "/full_sft_128.pth"));

    // transformers folder, float32: exact.
    r = run({"export", "--out_dir", ws, "--tokenizer", hfTokenizer(), "--model_mode", "1", "--format", "hf", "--dtype",
             "float32", "--output", p + "/hf", "--threads", "1"},
            p);
    ASSERT_EQ(r.code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("check: max |Δlogit| 0 "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("3/3 prompts identical"), std::string::npos) << r.out;
    EXPECT_TRUE(fs::isFile(p + "/hf/tokenizer.json"));

    // GGUF q8_0: reported, within the quantisation's error.
    r = run({"export", "--out_dir", ws, "--tokenizer", hfTokenizer(), "--model_mode", "1", "--format", "gguf",
             "--dtype", "q8_0", "--output", p + "/m.gguf", "--threads", "1"},
            p);
    ASSERT_EQ(r.code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("check: max |Δlogit|"), std::string::npos) << r.out;
    EXPECT_TRUE(fs::isFile(p + "/m.gguf"));

    // Import the folder into a fresh workspace beside nothing, then evaluate it there.
    const std::string ws2 = p + "/ws2";
    r = run({"import", "--from", p + "/hf", "--out_dir", ws2, "--name", "theirs", "--threads", "1"}, p);
    ASSERT_EQ(r.code, 0) << r.err << r.out;
    EXPECT_NE(r.out.find("hf-folder:safetensors"), std::string::npos) << r.out;
    EXPECT_TRUE(fs::isFile(ws2 + "/imported/theirs/full_sft_128.pth"));
    EXPECT_TRUE(fs::isFile(ws2 + "/imported/theirs/tokenizer.json"));
    r = run({"history", "--out_dir", ws2}, p);
    EXPECT_NE(r.out.find("import"), std::string::npos) << r.out;
    r = run({"eval", "--out_dir", ws2 + "/imported/theirs", "--model_mode", "1", "--prompt_set", "eval",
             "--max_new_tokens", "8", "--threads", "1", "--json"},
            p);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(r.out.find("\"answer\""), std::string::npos) << r.out;

    // Training continues from the imported checkpoint with its own tokenizer.
    auto args = trainArgs("full_sft", p + "/sft.jsonl", ws2 + "/imported/theirs");
    args.insert(args.end(), {"--from_weight", "full_sft"});
    r = run(args, p);
    ASSERT_EQ(r.code, 0) << r.err;
    const auto side = nlohmann::json::parse(fs::readFile(ws2 + "/imported/theirs/full_sft_128.json"));
    EXPECT_EQ(side.value("stage", ""), "full_sft");
    EXPECT_FALSE(side.contains("imported_from"));
}

TEST(InteropCli, BadSourcesExitTwoNamingTheFileAndWriteNothing) {
    test::TempDir dir;
    const std::string p = dir.path(), ws = p + "/ws";
    // Not a checkpoint at all.
    fs::writeFileAtomic(p + "/notes.pth", "hello, this is text\n");
    Result r = run({"import", "--from", p + "/notes.pth", "--out_dir", ws, "--tokenizer", hfTokenizer()}, p);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find(p + "/notes.pth"), std::string::npos) << r.err;
    // A pickle that would run os.system when loaded in Python.
    const std::string evil = std::string(MM_SOURCE_DIR) + "/tests/data/io/malicious_os_system.pth";
    if (fs::isFile(evil)) {
        r = run({"import", "--from", evil, "--out_dir", ws, "--tokenizer", hfTokenizer()}, p);
        EXPECT_EQ(r.code, 2);
        EXPECT_NE(r.err.find("os.system"), std::string::npos) << r.err;
    }
    // A folder without config.json, and no such file.
    stdfs::create_directories(p + "/empty");
    r = run({"import", "--from", p + "/empty", "--out_dir", ws}, p);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("config.json"), std::string::npos) << r.err;
    r = run({"import", "--from", p + "/missing.pth", "--out_dir", ws}, p);
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("missing.pth"), std::string::npos) << r.err;
    // A tokenizer.json of another model type.
    fs::writeFileAtomic(p + "/wp.json", R"({"model": {"type": "WordPiece", "vocab": {"a": 0}}})");
    r = run({"import", "--from", p + "/notes.pth", "--out_dir", ws, "--tokenizer", p + "/wp.json"}, p);
    EXPECT_EQ(r.code, 2);
    EXPECT_FALSE(stdfs::exists(ws + "/micromind.db"));
    EXPECT_FALSE(stdfs::exists(ws + "/tokenizer.json"));
    // export: no model in the workspace.
    r = run({"export", "--out_dir", ws, "--tokenizer", hfTokenizer(), "--format", "gguf", "--output", p + "/x.gguf"},
            p);
    EXPECT_EQ(r.code, 2);
    EXPECT_FALSE(fs::isFile(p + "/x.gguf"));
}
