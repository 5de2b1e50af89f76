#include "common/error.h"
#include "common/fs.h"
#include "fixtures.h"
#include "model/config_infer.h"
#include "train/resume.h"
#include "weights/state_dict.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

using namespace mm;
using namespace mm::train;
using namespace mm::weights;

namespace {
model::ModelConfig cfg(int hidden = 32) {
    model::ModelConfig c;
    c.vocabSize = 50;
    c.hiddenSize = hidden;
    c.numLayers = 2;
    c.numHeads = 4;
    c.numKvHeads = 2;
    c.maxPositions = 64;
    return c;
}

bool pythonTorchAvailable() { return std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") == 0; }

/// The InputError message of `f` ("" when it throws none; anything else fails the test).
template <class F>
std::string inputErrorOf(F&& f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}
} // namespace

TEST(Checkpoint, StateDictHasMinimindNamesAndTiedHead) {
    model::MiniMind m(cfg());
    auto sd = stateDict(m, torch::kFloat32);
    EXPECT_TRUE(sd.count("model.embed_tokens.weight"));
    EXPECT_TRUE(sd.count("model.layers.1.self_attn.o_proj.weight"));
    EXPECT_TRUE(sd.count("model.norm.weight"));
    ASSERT_TRUE(sd.count("lm_head.weight"));
    EXPECT_TRUE(torch::equal(sd["lm_head.weight"], sd["model.embed_tokens.weight"]));
    EXPECT_FALSE(sd.count("model.rope_cos"));
}

TEST(Checkpoint, SaveLoadRoundTrip) {
    test::TempDir d;
    model::MiniMind a(cfg()), b(cfg());
    a->resetParameters(1);
    b->resetParameters(2);
    saveWeights(d.file("w.pth"), a, {{"stage", "pretrain"}}, torch::kFloat32);
    loadInto(b, loadStateDict(d.file("w.pth")), d.file("w.pth"));
    for (auto& p : a->named_parameters())
        EXPECT_TRUE(torch::equal(p.value(), b->named_parameters()[p.key()])) << p.key();
    auto side = readSidecar(d.file("w.pth"));
    EXPECT_EQ(side["model"]["hidden_size"], 32);
    EXPECT_EQ(side["stage"], "pretrain");
}

TEST(Checkpoint, MismatchedShapeNamesTheFlag) {
    test::TempDir d;
    model::MiniMind a(cfg(64)), b(cfg(32));
    saveWeights(d.file("w.pth"), a, {});
    try {
        loadInto(b, loadStateDict(d.file("w.pth")), d.file("w.pth"));
        FAIL();
    } catch (const InputError& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("checkpoint is hidden_size 64"), std::string::npos) << m;
        EXPECT_NE(m.find("--hidden_size"), std::string::npos) << m;
    }
}

TEST(Checkpoint, TruncatedFileIsAClearError) {
    test::TempDir d;
    model::MiniMind a(cfg());
    saveWeights(d.file("w.pth"), a, {});
    std::string bytes = fs::readFile(d.file("w.pth"));
    fs::writeFileAtomic(d.file("cut.pth"), bytes.substr(0, bytes.size() / 2));
    EXPECT_THROW(loadStateDict(d.file("cut.pth")), InputError);
    EXPECT_THROW(loadStateDict(d.file("missing.pth")), InputError);
}

TEST(Checkpoint, ResumeRestoresWeightsAndOptimizerState) {
    test::TempDir d;
    model::MiniMind a(cfg());
    a->resetParameters(1);
    torch::optim::AdamW opt(a->parameters(), torch::optim::AdamWOptions(1e-3));
    auto ids = torch::randint(50, {2, 8}, torch::kLong);
    for (int i = 0; i < 2; ++i) {
        opt.zero_grad();
        a->forward(ids).logits.sum().backward();
        opt.step();
    }
    saveResume(d.file("r.pt"), a, opt, {{"step", 2}});
    model::MiniMind b(cfg());
    torch::optim::AdamW opt2(b->parameters(), torch::optim::AdamWOptions(1e-3));
    auto meta = loadResume(d.file("r.pt"), b, opt2);
    EXPECT_EQ(meta["step"], 2);
    // One more identical step on both must give identical weights.
    for (auto* pair : {&opt, &opt2}) {
        model::MiniMind& m = pair == &opt ? a : b;
        pair->zero_grad();
        m->forward(ids).logits.sum().backward();
        pair->step();
    }
    for (auto& p : a->named_parameters())
        EXPECT_TRUE(torch::equal(p.value(), b->named_parameters()[p.key()])) << p.key();
}

TEST(Checkpoint, PythonTorchLoadsItWithMinimindNames) {
    if (!pythonTorchAvailable())
        GTEST_SKIP() << "python3 with torch not installed (apt install python3-torch)";
    test::TempDir d;
    model::MiniMind a(cfg());
    a->resetParameters(5);
    saveWeights(d.file("w.pth"), a, {}, torch::kFloat16);
    const double expect = a->named_parameters()["layers.1.mlp.down_proj.weight"]
                              .to(torch::kFloat16)
                              .to(torch::kFloat64)
                              .sum()
                              .item<double>();
    std::string script = d.file("check.py");
    std::ofstream(script) << "import sys, torch\n"
                             "sd = torch.load(sys.argv[1], map_location='cpu')\n"
                             "assert 'lm_head.weight' in sd and 'model.layers.0.self_attn.q_proj.weight' in sd\n"
                             "assert sd['model.embed_tokens.weight'].shape == (50, 32)\n"
                             "print(len(sd), float(sd['model.layers.1.mlp.down_proj.weight'].double().sum()))\n";
    std::string cmd = "/usr/bin/python3 " + script + " " + d.file("w.pth") + " > " + d.file("out.txt") + " 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << fs::readFile(d.file("out.txt"));
    std::ifstream in(d.file("out.txt"));
    int n = 0;
    double sum = 0;
    in >> n >> sum;
    EXPECT_EQ(n, 1 + 2 * 9 + 1 + 1);
    EXPECT_NEAR(sum, expect, 1e-6);
}

// Sidecars and state dicts found by tests/fuzz/fuzz_checkpoint_config.cpp: each
// used to load, crash or escape as another exception type.
TEST(Checkpoint, SidecarModelConfigsAreValidatedNamingTheField) {
    using model::ModelConfig;
    const auto bad = [](const char* text) {
        return inputErrorOf([&] { ModelConfig::fromJson(nlohmann::json::parse(text)); });
    };
    // Heads that do not divide the hidden size (built a model with 12-wide heads
    // of a 100-wide layer), kv heads that do not divide the heads, a zero size
    // (division by zero in headDim), a size past int (wrapped to 1), a bool as a
    // string (nlohmann::type_error), a zero epsilon, a hidden size whose FFN
    // size overflowed int.
    EXPECT_NE(bad(R"({"hidden_size": 100, "num_attention_heads": 8})").find("\"num_attention_heads\""),
              std::string::npos);
    EXPECT_NE(bad(R"({"num_attention_heads": 8, "num_key_value_heads": 3})").find("\"num_key_value_heads\""),
              std::string::npos);
    EXPECT_NE(bad(R"({"hidden_size": 0})").find("\"hidden_size\" is 0"), std::string::npos);
    EXPECT_NE(bad(R"({"vocab_size": 4294967297})").find("\"vocab_size\" is 4294967297, out of range"),
              std::string::npos);
    EXPECT_NE(bad(R"({"use_moe": "yes"})").find("\"use_moe\" must be true or false"), std::string::npos);
    EXPECT_NE(bad(R"({"rms_norm_eps": 0})").find("\"rms_norm_eps\""), std::string::npos);
    EXPECT_NE(bad(R"({"rope_theta": -1e300})").find("\"rope_theta\""), std::string::npos);
    EXPECT_NE(bad(R"({"hidden_size": 1073741824, "num_attention_heads": 1})").find("\"hidden_size\""),
              std::string::npos);
    EXPECT_NE(bad(R"({"use_moe": true, "n_routed_experts": 1, "num_experts_per_tok": 2})").find("num_experts_per_tok"),
              std::string::npos);
    EXPECT_NE(bad(R"({"num_hidden_layers": -1})").find("num_hidden_layers"), std::string::npos);
    EXPECT_NE(bad("[1, 2]").find("must be a JSON object"), std::string::npos);
    // What saveWeights writes still reads back, and so does a partial config.
    EXPECT_TRUE(ModelConfig::fromJson(cfg().toJson()).sameShape(cfg()));
    EXPECT_EQ(
        ModelConfig::fromJson(nlohmann::json::parse(R"({"hidden_size": 64, "num_attention_heads": 4})")).headDim(), 16);

    // Through loadModel: the error names the sidecar and the field.
    test::TempDir d;
    model::MiniMind m(cfg());
    saveWeights(d.file("w.pth"), m, {});
    auto side = readSidecar(d.file("w.pth"));
    side["model"]["num_attention_heads"] = 0;
    fs::writeFileAtomic(sidecarPath(d.file("w.pth")), side.dump());
    const std::string msg = inputErrorOf([&] { loadModel(d.file("w.pth")); });
    EXPECT_NE(msg.find(sidecarPath(d.file("w.pth"))), std::string::npos) << msg;
    EXPECT_NE(msg.find("\"num_attention_heads\" is 0"), std::string::npos) << msg;
}

TEST(Checkpoint, InferredConfigsRefuseShapesTheyCannotSplit) {
    model::MiniMind m(cfg());
    const StateDict sd = stateDict(m, torch::kFloat32);
    EXPECT_TRUE(inferConfig(sd, 4).sameShape(cfg()));
    // 32 wide into 64 heads: hidden / heads was 0 and k_proj rows / 0 a SIGFPE.
    for (int heads : {64, 0, -4, 3})
        EXPECT_NE(inputErrorOf([&] { inferConfig(sd, heads); }).find("--num_attention_heads"), std::string::npos)
            << heads;

    using model::TensorShapes;
    auto shapes = [] {
        return TensorShapes{{"model.embed_tokens.weight", {50, 32}},
                            {"model.layers.0.input_layernorm.weight", {32}},
                            {"model.layers.0.self_attn.k_proj.weight", {16, 32}},
                            {"model.layers.0.mlp.gate_proj.weight", {96, 32}}};
    };
    ASSERT_EQ(model::inferConfigFromShapes(shapes(), 4).numKvHeads, 2);
    // A 1-D embedding (c10::IndexError out of inferConfig before).
    TensorShapes s = shapes();
    s["model.embed_tokens.weight"] = {50};
    EXPECT_NE(inputErrorOf([&] { model::inferConfigFromShapes(s, 4); }).find("model.embed_tokens.weight"),
              std::string::npos);
    // Sizes past int (truncated to a negative vocabulary before).
    s = shapes();
    s["model.embed_tokens.weight"] = {int64_t(1) << 32, 32};
    EXPECT_NE(inputErrorOf([&] { model::inferConfigFromShapes(s, 4); }).find("model.embed_tokens.weight"),
              std::string::npos);
    // k_proj rows that are no whole number of kv heads dividing the heads.
    s = shapes();
    s["model.layers.0.self_attn.k_proj.weight"] = {24, 32};
    EXPECT_NE(inputErrorOf([&] { model::inferConfigFromShapes(s, 4); }).find("k_proj.weight has 24 rows"),
              std::string::npos);
    // No layers, and an FFN of 0 rows.
    s = shapes();
    s.erase("model.layers.0.input_layernorm.weight");
    EXPECT_NE(inputErrorOf([&] { model::inferConfigFromShapes(s, 4); }).find("input_layernorm"), std::string::npos);
    s = shapes();
    s["model.layers.0.mlp.gate_proj.weight"] = {0, 32};
    EXPECT_NE(inputErrorOf([&] { model::inferConfigFromShapes(s, 4); }).find("gate_proj.weight"), std::string::npos);
    // MoE with a single routed expert cannot route each token to 2.
    s = shapes();
    s["model.layers.0.mlp.gate.weight"] = {1, 32};
    s["model.layers.0.mlp.experts.0.gate_proj.weight"] = {96, 32};
    EXPECT_NE(inputErrorOf([&] { model::inferConfigFromShapes(s, 4); }).find("mlp.gate.weight has 1 routed"),
              std::string::npos);
}
