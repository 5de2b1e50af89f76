// Import / export round trips with real files: our own checkpoints, a
// transformers folder, GGUF, and the Hugging Face tokenizer backend.

#include "model_fixtures.h"

#include "common/error.h"
#include "common/fs.h"
#include "interop/export.h"
#include "interop/import.h"
#include "interop/parity.h"
#include "io/safetensors.h"
#include "eval/model_modes.h"
#include "store/history.h"
#include "weights/state_dict.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

using namespace mm;
namespace stdfs = std::filesystem;

namespace {

std::string derivedHfTokenizer() {
    return std::string(MM_SOURCE_DIR) + "/tests/data/hf_bpe/minimind_derived_tokenizer.json";
}

/// A tiny model sized to `vocab`, seeded.
model::MiniMind tinyModel(int vocab, uint64_t seed = 11) {
    model::ModelConfig c;
    c.vocabSize = vocab;
    c.hiddenSize = 64;
    c.numLayers = 2;
    c.numHeads = 4;
    c.numKvHeads = 2;
    c.maxPositions = 256;
    model::MiniMind m(c);
    m->resetParameters(seed);
    m->eval();
    return m;
}

torch::Tensor logitsOf(model::MiniMind& m, const std::vector<int64_t>& ids) {
    torch::NoGradGuard ng;
    return m->forward(torch::tensor(ids, torch::kLong).unsqueeze(0)).logits;
}

template <class F>
std::string errorOf(F&& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    return "(no InputError)";
}

} // namespace

TEST(HfTokenizerBackend, LoadsThroughTokenizerWithFixedSpecialsAndTagIds) {
    const auto tok = text::Tokenizer::load(derivedHfTokenizer());
    EXPECT_EQ(tok.kind(), text::Tokenizer::Kind::HuggingFaceBpe);
    EXPECT_EQ(tok.encode("<|im_start|>user\n<|im_end|>").front(), text::special::kImStart);
    EXPECT_EQ(tok.specialId(text::special::kImEnd), 2);
    // minimind's vocabulary has no single-token tags: their spellings' ids instead.
    EXPECT_EQ(tok.specialId(text::special::kThinkOpen), -1);
    ASSERT_FALSE(tok.tagIds().empty());
    for (int id : tok.encode("<think>"))
        EXPECT_TRUE(std::binary_search(tok.tagIds().begin(), tok.tagIds().end(), id));
    const std::string s = "MiniMind 你好 <|im_end|>\n  x";
    EXPECT_EQ(tok.decode(tok.encode(s)), s);
    EXPECT_TRUE(tok.defaultSystemPrompt().empty()); // no tokenizer_config.json beside the fixture
}

TEST(HfTokenizerBackend, ChatTemplateDefaultSystemPromptComesFromTokenizerConfig) {
    test::TempDir dir;
    fs::writeFileAtomic(dir.file("tokenizer.json"), fs::readFile(derivedHfTokenizer()));
    // minimind's template (model/tokenizer_config.json at 561979c), abridged to its system branch.
    nlohmann::json cfg{{"chat_template",
                        "{% if messages[0]['role'] == 'system' %}{% set system_message = messages[0]['content'] %}"
                        "{{ '<|im_start|>system\\n' + system_message + '<|im_end|>\\n' }}{% else %}"
                        "{{ '<|im_start|>system\\nYou are a helpful assistant<|im_end|>\\n' }}{% endif %}"}};
    fs::writeFileAtomic(dir.file("tokenizer_config.json"), cfg.dump());
    const auto tok = text::Tokenizer::load(dir.path()); // a folder: tokenizer.json is found
    EXPECT_EQ(tok.defaultSystemPrompt(), "You are a helpful assistant");
    EXPECT_EQ(tok.renderChat({{"user", "hi"}}, true),
              "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n"
              "<|im_start|>assistant\n");
    EXPECT_EQ(tok.renderChat({{"system", "S"}, {"user", "hi"}}, false),
              "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n");
}

TEST(HfTokenizerBackend, RefusesATokenizerWithoutMiniMindsSpecialIds) {
    test::TempDir dir;
    auto j = nlohmann::json::parse(fs::readFile(derivedHfTokenizer()));
    // Another model's specials: id 2 is "<|eot|>" (renamed in the vocab and the added tokens).
    for (auto& t : j["added_tokens"])
        if (t["id"] == 2)
            t["content"] = "<|eot|>";
    auto& vocab = j["model"]["vocab"];
    if (vocab.contains("<|im_end|>")) {
        vocab["<|eot|>"] = vocab["<|im_end|>"];
        vocab.erase("<|im_end|>");
    }
    fs::writeFileAtomic(dir.file("tokenizer.json"), j.dump());
    const std::string msg = errorOf([&] { text::Tokenizer::load(dir.file("tokenizer.json")); });
    EXPECT_NE(msg.find("<|im_end|>"), std::string::npos) << msg;
    EXPECT_NE(msg.find(dir.file("tokenizer.json")), std::string::npos) << msg;
}

TEST(Interop, HfExportReadsBackWithIdenticalLogitsAndGreedyTokens) {
    const auto& tok = test::stageTokenizer();
    auto m = tinyModel(tok.vocabSize());
    test::TempDir dir;
    const std::string out = dir.file("hf");
    const auto res = interop::exportHf(m, tok, out, "float32", false, {{"source", "test"}});
    for (const char* f : {"config.json", "model.safetensors", "tokenizer.model", "tokenizer_config.json",
                          "generation_config.json", "special_tokens_map.json"})
        EXPECT_TRUE(fs::isFile(out + "/" + f)) << f;
    const auto cfg = nlohmann::json::parse(fs::readFile(out + "/config.json"));
    EXPECT_EQ(cfg["architectures"][0], "LlamaForCausalLM");
    EXPECT_EQ(cfg["num_key_value_heads"], 2);
    EXPECT_TRUE(cfg["tie_word_embeddings"].get<bool>());

    auto fm = interop::readForeignModel(out);
    EXPECT_EQ(fm.format, "hf-folder:safetensors");
    EXPECT_EQ(fm.tokenizerPath, out + "/tokenizer.model");
    EXPECT_TRUE(fm.config.sameShape(m->config()));
    auto back = interop::buildModel(fm);
    const std::vector<int64_t> ids{1, 40, 41, 42, 43, 7, 99};
    EXPECT_TRUE(torch::equal(logitsOf(m, ids), logitsOf(back, ids)));
    const auto rep = interop::compareModels(m, back, interop::parityPrompts(tok), 16);
    EXPECT_EQ(rep.maxAbsDiff, 0.0);
    EXPECT_EQ(rep.greedyAgree, rep.prompts);

    // The same folder sharded in two (model.safetensors.index.json), as large HF models come.
    {
        auto all = io::readSafetensors(out + "/model.safetensors");
        const size_t half = all.size() / 2;
        std::vector<io::RawTensor> a(all.begin(), all.begin() + half), b(all.begin() + half, all.end());
        const std::string sh = dir.file("sharded");
        stdfs::create_directories(sh);
        stdfs::copy_file(out + "/config.json", sh + "/config.json");
        io::writeSafetensors(sh + "/model-00001-of-00002.safetensors", a, {});
        io::writeSafetensors(sh + "/model-00002-of-00002.safetensors", b, {});
        nlohmann::json map;
        for (const auto& t : a)
            map[t.name] = "model-00001-of-00002.safetensors";
        for (const auto& t : b)
            map[t.name] = "model-00002-of-00002.safetensors";
        fs::writeFileAtomic(sh + "/model.safetensors.index.json",
                            nlohmann::json{{"metadata", nlohmann::json::object()}, {"weight_map", map}}.dump());
        auto fs2 = interop::readForeignModel(sh);
        EXPECT_EQ(fs2.format, "hf-folder:safetensors-sharded");
        auto sharded = interop::buildModel(fs2);
        EXPECT_TRUE(torch::equal(logitsOf(m, ids), logitsOf(sharded, ids)));
    }

    // bfloat16: close, not equal; an existing folder needs force.
    EXPECT_NE(errorOf([&] { interop::exportHf(m, tok, out, "bfloat16", false, {}); }).find("--force"),
              std::string::npos);
    interop::exportHf(m, tok, out, "bfloat16", true, {});
    auto bf = interop::buildModel(interop::readForeignModel(out));
    EXPECT_EQ(interop::readForeignModel(out).dtype, torch::kBFloat16);
    const double diff = (logitsOf(m, ids) - logitsOf(bf, ids)).abs().max().item<double>();
    EXPECT_GT(diff, 0.0);
    EXPECT_LT(diff, 0.05);
}

TEST(Interop, ReadsOwnCheckpointsAndNamesShapeMismatches) {
    const auto& tok = test::stageTokenizer();
    auto m = tinyModel(tok.vocabSize());
    test::TempDir dir;
    const std::string w = dir.file("full_sft_64.pth");
    weights::saveWeights(w, m, {{"stage", "full_sft"}}, torch::kFloat32);
    auto fm = interop::readForeignModel(w, 4);
    EXPECT_EQ(fm.format.rfind("torch-", 0), 0u) << fm.format;
    auto back = interop::buildModel(fm);
    const std::vector<int64_t> ids{1, 5, 6, 7};
    EXPECT_TRUE(torch::equal(logitsOf(m, ids), logitsOf(back, ids)));
    // 64 does not split into 6 heads of even size.
    EXPECT_NE(errorOf([&] { interop::readForeignModel(w, 6); }).find("--num_attention_heads"), std::string::npos);

    // A config.json that disagrees with the tensors: the tensor and both shapes are named.
    const std::string hf = dir.file("hf");
    interop::exportHf(m, tok, hf, "float32", false, {});
    auto cfg = nlohmann::json::parse(fs::readFile(hf + "/config.json"));
    cfg["intermediate_size"] = 128;
    fs::writeFileAtomic(hf + "/config.json", cfg.dump());
    const std::string msg = errorOf([&] { interop::buildModel(interop::readForeignModel(hf)); });
    EXPECT_NE(msg.find("gate_proj.weight"), std::string::npos) << msg;
    EXPECT_NE(msg.find("[128, 64]"), std::string::npos) << msg;
    cfg["model_type"] = "qwen2";
    fs::writeFileAtomic(hf + "/config.json", cfg.dump());
    EXPECT_NE(errorOf([&] { interop::readForeignModel(hf); }).find("model_type is \"qwen2\""), std::string::npos);
}

TEST(Interop, ImportWritesWeightsTokenizerAndHistoryAndRefusesMismatchesWritingNothing) {
    const auto& tok = test::stageTokenizer();
    auto m = tinyModel(tok.vocabSize());
    test::TempDir dir;
    const std::string hf = dir.file("hf");
    interop::exportHf(m, tok, hf, "float16", false, {});
    const std::string ws = dir.file("ws");

    interop::ImportOptions o;
    o.from = hf;
    o.outDir = ws;
    o.name = "theirs";
    o.stage = "rlhf";
    auto r = interop::importModel(o);
    EXPECT_EQ(r.weightsPath, ws + "/imported/theirs/rlhf_64.pth");
    EXPECT_TRUE(fs::isFile(ws + "/imported/theirs/tokenizer.model"));
    auto back = weights::loadModel(r.weightsPath, tok.vocabSize());
    const std::vector<int64_t> ids{1, 5, 6, 7};
    interop::buildModel(interop::readForeignModel(hf)); // readable again
    EXPECT_LT((logitsOf(m, ids) - logitsOf(back, ids)).abs().max().item<double>(), 0.05);
    {
        store::History h(ws + "/micromind.db");
        const auto runs = h.listRuns();
        ASSERT_EQ(runs.size(), 1u);
        EXPECT_EQ(runs[0].stage, "import");
        EXPECT_EQ(runs[0].status, "completed");
        EXPECT_EQ(runs[0].outCheckpoint, stdfs::absolute(r.weightsPath).string());
    }
    EXPECT_EQ(eval::importedModelDirs(ws), std::vector<std::string>{ws + "/imported/theirs"});
    EXPECT_EQ(eval::tokenizerForWeights(r.weightsPath, ws), ws + "/imported/theirs/tokenizer.model");

    // Again: the checkpoint exists.
    EXPECT_NE(errorOf([&] { interop::importModel(o); }).find("--force"), std::string::npos);
    // A tokenizer of another size: refused, nothing written.
    o.name = "wrongtok";
    o.tokenizer = derivedHfTokenizer();
    const std::string msg = errorOf([&] { interop::importModel(o); });
    EXPECT_NE(msg.find("embedding of " + std::to_string(tok.vocabSize())), std::string::npos) << msg;
    EXPECT_FALSE(stdfs::exists(ws + "/imported/wrongtok"));
    // An untied head.
    const std::string untied = dir.file("untied.pth");
    auto sd = weights::stateDict(m, torch::kFloat32);
    sd["lm_head.weight"] = sd["lm_head.weight"] + 1;
    weights::saveStateDict(untied, sd);
    EXPECT_NE(errorOf([&] { interop::readForeignModel(untied, 4); }).find("lm_head.weight differs"), std::string::npos);
}

TEST(Interop, GgufExportReadsBackAtEachPrecision) {
    const auto& tok = test::stageTokenizer();
    auto m = tinyModel(tok.vocabSize());
    test::TempDir dir;
    const std::vector<int64_t> ids{1, 50, 51, 52, 53, 54};
    const torch::Tensor ref = logitsOf(m, ids);
    const double spread = (ref.max() - ref.min()).item<double>();
    for (const std::string type : {"f32", "f16", "q8_0"}) {
        const std::string f = dir.file("m-" + type + ".gguf");
        interop::exportGguf(m, tok, f, type, false, "tiny");
        auto back = interop::readGgufModel(f);
        EXPECT_TRUE(back->config().sameShape(m->config())) << type;
        const double diff = (ref - logitsOf(back, ids)).abs().max().item<double>();
        if (type == "f32")
            EXPECT_LT(diff, 1e-5);
        else
            EXPECT_LT(diff, (type == "f16" ? 0.01 : 0.05) * spread) << type;
    }
    EXPECT_NE(
        errorOf([&] { interop::exportGguf(m, tok, dir.file("m-f32.gguf"), "f32", false, "tiny"); }).find("--force"),
        std::string::npos);
}

// ---------------------------------------------------------------------------
// Against minimind's own model class (model/model_minimind.py of a fetched
// mirror, never committed; see tests/interop/README.md). Skipped when the file
// or Python's torch is missing: MM_MINIMIND_MODEL_FILE names it, else
// ../shared/minimind/model_minimind.py beside the source tree.

namespace {

std::string minimindModelFile() {
    if (const char* e = std::getenv("MM_MINIMIND_MODEL_FILE"))
        return e;
    return std::string(MM_SOURCE_DIR) + "/../shared/minimind/model_minimind.py";
}

bool minimindAvailable(std::string* why) {
    if (!fs::isFile(minimindModelFile())) {
        *why = "minimind's model_minimind.py not found at " + minimindModelFile() + " (set MM_MINIMIND_MODEL_FILE)";
        return false;
    }
    if (std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0) {
        *why = "/usr/bin/python3 with torch (python3-torch) is not installed";
        return false;
    }
    return true;
}

nlohmann::json minimindRef(const std::string& args, const std::string& outJson) {
    const std::string cmd = "/usr/bin/python3 " + std::string(MM_SOURCE_DIR) + "/tests/interop/minimind_ref.py " +
                            args + " --model-file '" + minimindModelFile() + "' > '" + outJson + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return nlohmann::json::parse(fs::readFile(outJson));
}

/// Our greedy tokens equal minimind's, except where minimind's own top-1/top-2
/// margin is a near-tie (< 1e-3): from there on either continuation is right.
void expectSameGreedy(model::MiniMind& m, const nlohmann::json& ref, const std::string& what) {
    for (const auto& p : ref["prompts"]) {
        const auto prompt = p["prompt_ids"].get<std::vector<int>>();
        const auto want = p["generated"].get<std::vector<int>>();
        const auto margins = p["top2_margins"].get<std::vector<double>>();
        const auto got = interop::greedyPlain(m, prompt, int(want.size()));
        size_t i = 0;
        while (i < want.size() && got[i] == want[i])
            ++i;
        if (i < want.size())
            EXPECT_LT(margins.at(i), 1e-3) << what << ": token " << i << " differs (" << got[i] << " vs " << want[i]
                                           << ") with minimind's margin " << margins.at(i);
        EXPECT_GE(i, std::min<size_t>(want.size(), 8)) << what;
    }
}

} // namespace

TEST(MinimindParity, CheckpointsSavedByMinimindsOwnClassImportWithTheSameGreedyTokens) {
    std::string why;
    if (!minimindAvailable(&why))
        GTEST_SKIP() << why;
    test::TempDir dir;
    const std::vector<std::pair<std::string, std::string>> variants{
        {"plain_fp16", ""},           {"ordered_fp16", "--ordered"},
        {"legacy_fp16", "--legacy"},  {"legacy_ordered_fp16", "--legacy --ordered"},
        {"bf16", "--dtype bfloat16"}, {"fp32_tied_storage", "--dtype float32"}};
    for (const auto& [name, flags] : variants) {
        const std::string file = name + "_64.pth";
        const std::string cmd = "/usr/bin/python3 " + std::string(MM_SOURCE_DIR) +
                                "/tests/interop/minimind_ref.py make --model-file '" + minimindModelFile() +
                                "' --out-dir '" + dir.path() +
                                "' --hidden 64 --layers 2 --heads 4 --kv-heads 2 "
                                "--vocab 6400 --seed 3 --max-new 24 --name " +
                                file + " " + flags + " > /dev/null";
        ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
        const auto ref = nlohmann::json::parse(fs::readFile(dir.file(name + "_64.ref.json")));
        auto fm = interop::readForeignModel(dir.file(file), 4);
        EXPECT_EQ(fm.config.intermediateSize, 192) << name;
        auto m = interop::buildModel(fm);
        expectSameGreedy(m, ref, name + " (" + fm.format + ")");
    }
}

TEST(MinimindParity, OurCheckpointsAndHfExportsDecodeTheSameInMinimindsClass) {
    std::string why;
    if (!minimindAvailable(&why))
        GTEST_SKIP() << why;
    const auto& tok = test::stageTokenizer();
    auto m = tinyModel(tok.vocabSize(), 21);
    test::TempDir dir;
    const std::string w = dir.file("full_sft_64.pth");
    weights::saveWeights(w, m, {{"stage", "full_sft"}}, torch::kFloat32);
    const std::string prompts = "--prompt-ids 1,40,41,42 --prompt-ids 1,7,300,301,302 --max-new 24 --eos -1";
    // torch.load + MiniMindForCausalLM.load_state_dict(strict=True) on our .pth (sidecar gives the shape).
    expectSameGreedy(m, minimindRef("greedy --weights '" + w + "' " + prompts, dir.file("g.json")), "our .pth");
    // Our transformers export read as a Llama config into minimind's class.
    interop::exportHf(m, tok, dir.file("hf"), "float32", false, {});
    expectSameGreedy(m, minimindRef("hf-greedy --folder '" + dir.file("hf") + "' " + prompts, dir.file("h.json")),
                     "our transformers folder");
}
