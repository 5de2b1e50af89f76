#include "config/stages.h"
#include "model/fused_ops.h"
#include "model/minimind.h"

#include <gtest/gtest.h>

#include <set>

using namespace mm;
using namespace mm::model;

namespace {

ModelConfig tinyConfig(bool moe = false) {
    ModelConfig c;
    c.vocabSize = 97;
    c.hiddenSize = 32;
    c.numLayers = 2;
    c.numHeads = 4;
    c.numKvHeads = 2;
    c.maxPositions = 128;
    c.useMoe = moe;
    return c;
}

int64_t countParams(MiniMind& m) {
    int64_t n = 0;
    for (auto& p : m->parameters())
        n += p.numel();
    return n;
}

torch::Tensor randomIds(int64_t b, int64_t t, int64_t vocab, uint64_t seed) {
    auto g = at::make_generator<at::CPUGeneratorImpl>(seed);
    return torch::randint(vocab, {b, t}, g, torch::kLong);
}

} // namespace

TEST(Model, Minimind2SmallHasExactlyTheReferenceParameterCount) {
    ModelConfig c; // defaults: vocab 6400, hidden 512, 8 layers, 8 heads, 2 kv heads
    EXPECT_EQ(c.ffnSize(), 1408);
    EXPECT_EQ(c.parameterCount(), 25829888);
    MiniMind m(c);
    EXPECT_EQ(countParams(m), 25829888);
}

TEST(Model, EveryPresetMatchesItsAnalyticCount) {
    for (const auto& p : config::presets()) {
        ModelConfig c;
        c.hiddenSize = p.hiddenSize;
        c.numLayers = p.numLayers;
        c.useMoe = p.useMoe;
        c.maxPositions = 64;
        MiniMind m(c);
        EXPECT_EQ(countParams(m), c.parameterCount()) << p.name;
    }
}

TEST(Model, ParameterNamesFollowMinimind) {
    MiniMind m(tinyConfig());
    std::set<std::string> names;
    for (auto& p : m->named_parameters())
        names.insert(p.key());
    for (const char* k :
         {"embed_tokens.weight", "layers.0.self_attn.q_proj.weight", "layers.0.self_attn.k_proj.weight",
          "layers.0.self_attn.v_proj.weight", "layers.0.self_attn.o_proj.weight", "layers.0.input_layernorm.weight",
          "layers.0.post_attention_layernorm.weight", "layers.0.mlp.gate_proj.weight", "layers.0.mlp.up_proj.weight",
          "layers.0.mlp.down_proj.weight", "layers.1.mlp.down_proj.weight", "norm.weight"})
        EXPECT_TRUE(names.count(k)) << k;
    EXPECT_EQ(names.size(), 1u + 2u * 9u + 1u);
    MiniMind moe(tinyConfig(true));
    std::set<std::string> mn;
    for (auto& p : moe->named_parameters())
        mn.insert(p.key());
    EXPECT_TRUE(mn.count("layers.0.mlp.gate.weight"));
    EXPECT_TRUE(mn.count("layers.0.mlp.experts.3.up_proj.weight"));
    EXPECT_TRUE(mn.count("layers.0.mlp.shared_experts.0.down_proj.weight"));
}

TEST(Model, CausalMaskingChangingTokenTLeavesEarlierLogits) {
    torch::manual_seed(0);
    MiniMind m(tinyConfig());
    m->resetParameters(1);
    m->eval();
    torch::NoGradGuard ng;
    auto ids = randomIds(2, 16, 97, 3);
    auto a = m->forward(ids).logits;
    for (int64_t t : {0, 7, 15}) {
        auto ids2 = ids.clone();
        ids2.index_put_({torch::indexing::Slice(), t}, (ids.index({0, t}).item<int64_t>() + 5) % 97);
        auto b = m->forward(ids2).logits;
        if (t > 0)
            EXPECT_TRUE(torch::allclose(a.narrow(1, 0, t), b.narrow(1, 0, t), 1e-5, 1e-6)) << "t=" << t;
        EXPECT_FALSE(torch::allclose(a.narrow(1, t, 1), b.narrow(1, t, 1))) << "t=" << t;
    }
}

TEST(Model, KvCachedStepsEqualFullForward) {
    for (bool moe : {false, true}) {
        MiniMind m(tinyConfig(moe));
        m->resetParameters(2);
        m->eval();
        torch::NoGradGuard ng;
        auto ids = randomIds(2, 12, 97, 5);
        auto full = m->forward(ids).logits;
        KvCache cache = m->makeCache(2, 32);
        // A 5-token prefill, then one token at a time.
        auto first = m->forward(ids.narrow(1, 0, 5), &cache).logits;
        EXPECT_TRUE(torch::allclose(first, full.narrow(1, 0, 5), 1e-4, 1e-5));
        for (int64_t t = 5; t < 12; ++t) {
            auto step = m->forward(ids.narrow(1, t, 1), &cache).logits;
            EXPECT_TRUE(torch::allclose(step, full.narrow(1, t, 1), 1e-4, 1e-5)) << "moe=" << moe << " t=" << t;
        }
        EXPECT_EQ(cache.length, 12);
    }
}

TEST(Model, ReducedDecodeWeightsStayCloseToFloat32) {
    MiniMind m(tinyConfig());
    m->resetParameters(4);
    m->eval();
    c10::InferenceMode guard;
    auto ids = randomIds(1, 10, 97, 9);
    KvCache a = m->makeCache(1, 16), b = m->makeCache(1, 16);
    m->forward(ids.narrow(1, 0, 9), &a);
    auto exact = m->forward(ids.narrow(1, 9, 1), &a).logits;
    m->setDecodeDtype(torch::kBFloat16);
    m->forward(ids.narrow(1, 0, 9), &b);
    auto approx = m->forward(ids.narrow(1, 9, 1), &b).logits;
    m->setDecodeDtype(torch::kChar);
    KvCache c = m->makeCache(1, 16);
    m->forward(ids.narrow(1, 0, 9), &c);
    auto quant = m->forward(ids.narrow(1, 9, 1), &c).logits;
    m->setDecodeDtype(torch::kFloat32);
    // bfloat16 keeps 8 mantissa bits: logits agree to well under 1% of their spread;
    // int8 with a scale per row (127 levels) to a few percent.
    const double spread = (exact.max() - exact.min()).item<double>();
    EXPECT_LT((exact - approx).abs().max().item<double>(), 0.01 * spread);
    EXPECT_EQ(exact.argmax().item<int64_t>(), approx.argmax().item<int64_t>());
    EXPECT_LT((exact - quant).abs().max().item<double>(), 0.05 * spread);
    EXPECT_GT((exact - quant).abs().max().item<double>(), 0.0); // the int8 path really ran

    // The reduced copies follow in-place weight updates (an optimizer step, a
    // merged adapter): asking for the same dtype again must rebuild them.
    m->setDecodeDtype(torch::kBFloat16);
    {
        torch::NoGradGuard ng;
        for (auto& p : m->parameters())
            p.mul_(-1.0);
    }
    m->setDecodeDtype(torch::kBFloat16);
    KvCache d = m->makeCache(1, 16), e = m->makeCache(1, 16);
    m->forward(ids.narrow(1, 0, 9), &d);
    auto flippedApprox = m->forward(ids.narrow(1, 9, 1), &d).logits;
    m->setDecodeDtype(torch::kFloat32);
    m->forward(ids.narrow(1, 0, 9), &e);
    auto flippedExact = m->forward(ids.narrow(1, 9, 1), &e).logits;
    const double spread2 = (flippedExact.max() - flippedExact.min()).item<double>();
    EXPECT_LT((flippedExact - flippedApprox).abs().max().item<double>(), 0.01 * spread2);
}

TEST(Model, FewRowKernelsMatchTheMatmulForEveryWeightType) {
    torch::manual_seed(3);
    torch::Tensor w = torch::randn({37, 53});
    auto [q, scale] = ops::quantizeRowsInt8(w);
    ASSERT_EQ(q.scalar_type(), torch::kChar);
    // Rounding error of the quantisation is at most half a step per weight.
    EXPECT_LE((q.to(torch::kFloat32) * scale.unsqueeze(1) - w).abs().max().item<double>(),
              0.5 * scale.max().item<double>() + 1e-6);
    torch::Tensor wb = w.to(torch::kBFloat16);
    for (int64_t rows : {1, 2, 3, 4, 5, 8, 13, 16}) {
        torch::Tensor x = torch::randn({rows, 1, 53});
        torch::NoGradGuard ng;
        torch::Tensor ref = torch::nn::functional::linear(x, w);
        EXPECT_TRUE(torch::allclose(ops::linearRows(x, w), ref, 1e-4, 1e-5)) << rows << " rows float32";
        EXPECT_TRUE(torch::allclose(ops::linear(x, w), ref, 1e-4, 1e-5)) << rows << " rows via linear()";
        EXPECT_TRUE(torch::allclose(ops::linearRows(x, wb), torch::nn::functional::linear(x, wb.to(torch::kFloat32)),
                                    1e-4, 1e-4))
            << rows << " rows bfloat16";
        EXPECT_TRUE(torch::allclose(ops::linearRows(x, q, scale),
                                    torch::nn::functional::linear(x, q.to(torch::kFloat32) * scale.unsqueeze(1)), 1e-4,
                                    1e-4))
            << rows << " rows int8";
        EXPECT_EQ(ops::linearRows(x, w).sizes(), ref.sizes());
    }
    EXPECT_THROW(ops::linearRows(torch::randn({2, 53}), q), c10::Error); // int8 without its scales
}

TEST(Model, EveryParameterGetsAGradient) {
    for (bool moe : {false, true}) {
        MiniMind m(tinyConfig(moe));
        m->resetParameters(3);
        m->train();
        auto ids = randomIds(4, 16, 97, 7);
        auto out = m->forward(ids);
        auto loss = torch::nn::functional::cross_entropy(out.logits.reshape({-1, 97}), ids.reshape({-1})) + out.auxLoss;
        loss.backward();
        for (auto& p : m->named_parameters()) {
            ASSERT_TRUE(p.value().grad().defined()) << p.key();
            EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << p.key();
        }
        if (moe)
            EXPECT_GT(out.auxLoss.item<double>(), 0.0);
    }
}

TEST(FusedOps, RmsNormMatchesReferenceForwardAndBackward) {
    torch::manual_seed(0);
    auto x = torch::randn({3, 5, 64}, torch::requires_grad());
    auto w = (torch::rand({64}) + 0.5).requires_grad_();
    auto x2 = x.detach().clone().requires_grad_(), w2 = w.detach().clone().requires_grad_();
    auto y = ops::rmsNorm(x, w, 1e-5), y2 = ops::rmsNormReference(x2, w2, 1e-5);
    EXPECT_TRUE(torch::allclose(y, y2, 1e-5, 1e-6));
    auto g = torch::randn_like(y);
    (y * g).sum().backward();
    (y2 * g).sum().backward();
    EXPECT_TRUE(torch::allclose(x.grad(), x2.grad(), 1e-4, 1e-5));
    EXPECT_TRUE(torch::allclose(w.grad(), w2.grad(), 1e-4, 1e-5));
}

TEST(FusedOps, SwiGluMatchesReference) {
    auto g = torch::randn({4, 100}, torch::requires_grad()), u = torch::randn({4, 100}, torch::requires_grad());
    auto g2 = g.detach().clone().requires_grad_(), u2 = u.detach().clone().requires_grad_();
    auto y = ops::swiGlu(g, u), y2 = torch::silu(g2) * u2;
    EXPECT_TRUE(torch::allclose(y, y2, 1e-5, 1e-6));
    auto d = torch::randn_like(y);
    (y * d).sum().backward();
    (y2 * d).sum().backward();
    EXPECT_TRUE(torch::allclose(g.grad(), g2.grad(), 1e-4, 1e-5));
    EXPECT_TRUE(torch::allclose(u.grad(), u2.grad(), 1e-4, 1e-5));
}

TEST(FusedOps, RopeTransposeMatchesReference) {
    const int64_t D = 16;
    auto inv = 1.0 / torch::pow(1e6, torch::arange(0, D, 2, torch::kFloat64) / double(D));
    auto fr = torch::outer(torch::arange(0, 40, torch::kFloat64), inv);
    auto cos = torch::cat({fr.cos(), fr.cos()}, -1).to(torch::kFloat32);
    auto sin = torch::cat({fr.sin(), fr.sin()}, -1).to(torch::kFloat32);
    auto x = torch::randn({2, 7, 3, D}, torch::requires_grad());
    auto x2 = x.detach().clone().requires_grad_();
    auto y = ops::ropeTranspose(x, cos, sin, 5, 0.25), y2 = ops::ropeTransposeReference(x2, cos, sin, 5, 0.25);
    ASSERT_EQ(y.sizes(), torch::IntArrayRef({2, 3, 7, D}));
    EXPECT_TRUE(torch::allclose(y, y2, 1e-5, 1e-6));
    auto d = torch::randn_like(y);
    (y * d).sum().backward();
    (y2 * d).sum().backward();
    EXPECT_TRUE(torch::allclose(x.grad(), x2.grad(), 1e-5, 1e-6));
}
