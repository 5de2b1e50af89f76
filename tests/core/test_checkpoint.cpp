#include "common/error.h"
#include "common/fs.h"
#include "fixtures.h"
#include "train/checkpoint.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

using namespace mm;
using namespace mm::train;

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
    const double expect = a->named_parameters()["layers.1.mlp.down_proj.weight"].to(torch::kFloat16).to(torch::kFloat64).sum().item<double>();
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
