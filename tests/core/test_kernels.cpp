// Every CPU path of the fused kernels (AVX-512, AVX2, portable; those this
// CPU has) against the ATen reference, forward and backward; the bfloat16
// training GEMMs against float32; blocked causal attention against the
// unblocked one.

#include "common/caching_cpu_allocator.h"
#include "common/cpu_features.h"
#include "model/fused_ops.h"
#include "model/minimind.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace mm;
using namespace mm::model;
using torch::Tensor;

namespace {

class KernelPath : public ::testing::TestWithParam<cpu::Isa> {
protected:
    void SetUp() override {
        m_prev = cpu::activeIsa();
        if (int(GetParam()) > int(cpu::bestIsa()))
            GTEST_SKIP() << "this CPU has no " << cpu::isaName(GetParam()) << " (flags: " << cpu::flagSummary() << ")";
        ASSERT_EQ(cpu::setActiveIsa(GetParam()), GetParam());
    }
    void TearDown() override { cpu::setActiveIsa(m_prev); }

private:
    cpu::Isa m_prev = cpu::Isa::Portable;
};

std::string pathName(const ::testing::TestParamInfo<cpu::Isa>& i) { return cpu::isaName(i.param); }

// Max |a - b| relative to max |b|.
double relErr(const Tensor& a, const Tensor& b) {
    return (a - b).abs().max().item<double>() / std::max(1e-12, b.abs().max().item<double>());
}

} // namespace

TEST(CpuFeatures, NamesRoundTripAndTheCapHolds) {
    for (cpu::Isa i : {cpu::Isa::Portable, cpu::Isa::Avx2, cpu::Isa::Avx512})
        EXPECT_EQ(cpu::parseIsa(cpu::isaName(i)), i);
    EXPECT_FALSE(cpu::parseIsa("sse9").has_value());
    const cpu::Isa prev = cpu::activeIsa();
    EXPECT_EQ(cpu::setActiveIsa(cpu::Isa::Avx512), cpu::bestIsa()); // capped at what the CPU has
    EXPECT_EQ(cpu::setActiveIsa(cpu::Isa::Portable), cpu::Isa::Portable);
    EXPECT_FALSE(cpu::hasFastBf16Gemm()); // the portable path turns hardware bfloat16 off
    cpu::setActiveIsa(prev);
    EXPECT_FALSE(cpu::flagSummary().empty());
}

// Widths that are not multiples of any vector length exercise the tails.
TEST_P(KernelPath, RmsNormMatchesReferenceForwardAndBackward) {
    torch::manual_seed(0);
    for (int64_t d : {64, 67, 512}) {
        auto x = torch::randn({3, 5, d}, torch::requires_grad());
        auto w = (torch::rand({d}) + 0.5).requires_grad_();
        auto x2 = x.detach().clone().requires_grad_(), w2 = w.detach().clone().requires_grad_();
        auto y = ops::rmsNorm(x, w, 1e-5), y2 = ops::rmsNormReference(x2, w2, 1e-5);
        EXPECT_TRUE(torch::allclose(y, y2, 1e-5, 1e-6)) << d;
        auto g = torch::randn_like(y);
        (y * g).sum().backward();
        (y2 * g).sum().backward();
        EXPECT_TRUE(torch::allclose(x.grad(), x2.grad(), 1e-4, 1e-5)) << d;
        EXPECT_TRUE(torch::allclose(w.grad(), w2.grad(), 1e-4, 1e-5)) << d;
    }
}

TEST_P(KernelPath, SwiGluMatchesReferenceForwardAndBackward) {
    torch::manual_seed(1);
    for (int64_t n : {100, 4096 + 7}) {
        auto g = torch::randn({4, n}, torch::requires_grad()), u = torch::randn({4, n}, torch::requires_grad());
        auto g2 = g.detach().clone().requires_grad_(), u2 = u.detach().clone().requires_grad_();
        auto y = ops::swiGlu(g, u), y2 = torch::silu(g2) * u2;
        EXPECT_TRUE(torch::allclose(y, y2, 1e-5, 1e-6)) << n;
        auto d = torch::randn_like(y);
        (y * d).sum().backward();
        (y2 * d).sum().backward();
        EXPECT_TRUE(torch::allclose(g.grad(), g2.grad(), 1e-4, 1e-5)) << n;
        EXPECT_TRUE(torch::allclose(u.grad(), u2.grad(), 1e-4, 1e-5)) << n;
    }
}

TEST_P(KernelPath, RopeTransposeMatchesReferenceForwardAndBackward) {
    for (int64_t D : {16, 64, 22}) {
        auto inv = 1.0 / torch::pow(1e6, torch::arange(0, D, 2, torch::kFloat64) / double(D));
        auto fr = torch::outer(torch::arange(0, 40, torch::kFloat64), inv);
        auto cos = torch::cat({fr.cos(), fr.cos()}, -1).to(torch::kFloat32);
        auto sin = torch::cat({fr.sin(), fr.sin()}, -1).to(torch::kFloat32);
        auto x = torch::randn({2, 7, 3, D}, torch::requires_grad());
        auto x2 = x.detach().clone().requires_grad_();
        auto y = ops::ropeTranspose(x, cos, sin, 5, 0.25), y2 = ops::ropeTransposeReference(x2, cos, sin, 5, 0.25);
        EXPECT_TRUE(torch::allclose(y, y2, 1e-5, 1e-6)) << D;
        auto d = torch::randn_like(y);
        (y * d).sum().backward();
        (y2 * d).sum().backward();
        EXPECT_TRUE(torch::allclose(x.grad(), x2.grad(), 1e-5, 1e-6)) << D;
    }
}

TEST_P(KernelPath, FewRowProductsAndDecodeAttentionMatchATen) {
    torch::manual_seed(2);
    torch::NoGradGuard ng;
    Tensor w = torch::randn({37, 53});
    for (int64_t rows : {1, 3, 4, 9}) {
        Tensor x = torch::randn({rows, 53});
        EXPECT_TRUE(torch::allclose(ops::linearRows(x, w), torch::nn::functional::linear(x, w), 1e-4, 1e-5)) << rows;
    }
    // One query per (batch, head) against a cache of 11 of 16 positions.
    const int64_t B = 2, H = 4, KV = 2, D = 24, cap = 16, len = 11;
    Tensor q = torch::randn({B, H, 1, D}), k = torch::randn({B, KV, cap, D}), v = torch::randn({B, KV, cap, D});
    Tensor got = ops::decodeAttention(q, k, v, len);
    Tensor kr = k.narrow(2, 0, len).repeat_interleave(H / KV, 1), vr = v.narrow(2, 0, len).repeat_interleave(H / KV, 1);
    Tensor ref = torch::matmul(torch::softmax(torch::matmul(q, kr.transpose(-1, -2)), -1), vr); // (B,H,1,D)
    EXPECT_TRUE(torch::allclose(got, ref.transpose(1, 2).reshape({B, 1, H * D}), 1e-4, 1e-5));
}

TEST_P(KernelPath, Bfloat16CastsEqualATensBitForBit) {
    torch::manual_seed(6);
    Tensor x =
        torch::cat({torch::randn({100003}) * 1e3, torch::randn({7}) * 1e-39, // denormals
                    torch::tensor({0.f, -0.f, 1.f, 1.00390625f, 1.01171875f, 3.4e38f,
                                   std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity()})});
    Tensor ours = ops::castFloat32Bfloat16(x), ref = x.to(torch::kBFloat16);
    ASSERT_EQ(ours.scalar_type(), torch::kBFloat16);
    EXPECT_TRUE(torch::equal(ours.view(torch::kShort), ref.view(torch::kShort)));
    Tensor back = ops::castFloat32Bfloat16(ref);
    ASSERT_EQ(back.scalar_type(), torch::kFloat32);
    EXPECT_TRUE(torch::equal(back, ref.to(torch::kFloat32)));
    EXPECT_TRUE(torch::isnan(ops::castFloat32Bfloat16(torch::full({3}, std::nanf("")))).all().item<bool>());
    // A transposed view takes Tensor::to's strided path, with the same result.
    Tensor t = torch::randn({33, 17}).t();
    EXPECT_TRUE(
        torch::equal(ops::castFloat32Bfloat16(t).to(torch::kFloat32), t.to(torch::kBFloat16).to(torch::kFloat32)));
}

INSTANTIATE_TEST_SUITE_P(Paths, KernelPath, ::testing::Values(cpu::Isa::Portable, cpu::Isa::Avx2, cpu::Isa::Avx512),
                         pathName);

// bfloat16 keeps 8 mantissa bits: products of 512-long rows agree with
// float32 to ~1 % of their largest value, gradients likewise; the weights and
// every result stay float32.
TEST(Bf16Gemm, LinearAndMatmulStayCloseToFloat32ForwardAndBackward) {
    torch::manual_seed(4);
    auto x = torch::randn({3, 40, 512}, torch::requires_grad());
    auto w = (torch::randn({96, 512}) * 0.05).requires_grad_();
    auto x2 = x.detach().clone().requires_grad_(), w2 = w.detach().clone().requires_grad_();
    Tensor y;
    {
        ops::CpuGemmDtypeGuard g(torch::kBFloat16);
        EXPECT_EQ(ops::cpuGemmDtype(), torch::kBFloat16);
        y = ops::linear(x, w);
    }
    EXPECT_EQ(ops::cpuGemmDtype(), torch::kFloat32);
    Tensor y2 = torch::nn::functional::linear(x2, w2);
    EXPECT_EQ(y.scalar_type(), torch::kFloat32);
    EXPECT_GT((y - y2).abs().max().item<double>(), 0.0); // the bfloat16 product really ran
    EXPECT_LT(relErr(y, y2), 0.02);
    auto d = torch::randn_like(y);
    (y * d).sum().backward();
    (y2 * d).sum().backward();
    EXPECT_EQ(w.grad().scalar_type(), torch::kFloat32);
    EXPECT_LT(relErr(x.grad(), x2.grad()), 0.02);
    EXPECT_LT(relErr(w.grad(), w2.grad()), 0.02);

    auto a = torch::randn({2, 3, 40, 64}, torch::requires_grad()),
         b = torch::randn({2, 3, 64, 50}, torch::requires_grad());
    auto a2 = a.detach().clone().requires_grad_(), b2 = b.detach().clone().requires_grad_();
    Tensor m;
    {
        ops::CpuGemmDtypeGuard g(torch::kBFloat16);
        m = ops::matmul(a, b);
    }
    Tensor m2 = torch::matmul(a2, b2);
    EXPECT_LT(relErr(m, m2), 0.02);
    auto dm = torch::randn_like(m);
    (m * dm).sum().backward();
    (m2 * dm).sum().backward();
    EXPECT_LT(relErr(a.grad(), a2.grad()), 0.02);
    EXPECT_LT(relErr(b.grad(), b2.grad()), 0.02);
}

TEST(Bf16Gemm, FrozenWeightsGetNoGradientAndDecodingStaysFloat32) {
    torch::manual_seed(5);
    auto x = torch::randn({64, 32}, torch::requires_grad());
    auto w = torch::randn({16, 32}); // frozen, as a LoRA base weight
    ops::CpuGemmDtypeGuard g(torch::kBFloat16);
    ops::linear(x, w).sum().backward();
    EXPECT_TRUE(x.grad().defined());
    EXPECT_FALSE(w.grad().defined());
    // A few rows without autograd (KV-cached decoding): the exact float32 path.
    torch::NoGradGuard ng;
    Tensor row = torch::randn({1, 32});
    EXPECT_TRUE(torch::equal(ops::linear(row, w), torch::mv(w, row.reshape({32})).view({1, 16})));
}

// Training sequences of >= 256 positions take blocked causal attention; a
// prefill through the KV cache takes the one-block path: same logits.
TEST(BlockedAttention, MatchesTheUnblockedPathAndIsCausal) {
    ModelConfig c;
    c.vocabSize = 101;
    c.hiddenSize = 64;
    c.numLayers = 2;
    c.numHeads = 4;
    c.numKvHeads = 2;
    c.maxPositions = 512;
    MiniMind m(c);
    m->resetParameters(3);
    m->eval();
    torch::NoGradGuard ng;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(11);
    Tensor ids = torch::randint(101, {2, 300}, gen, torch::kLong);
    Tensor blocked = m->forward(ids).logits;
    KvCache cache = m->makeCache(2, 300);
    Tensor unblocked = m->forward(ids, &cache).logits;
    EXPECT_TRUE(torch::allclose(blocked, unblocked, 1e-4, 1e-5));
    // Changing the last token changes nothing before it.
    Tensor ids2 = ids.clone();
    ids2.select(1, 299).fill_(7);
    Tensor changed = m->forward(ids2).logits;
    EXPECT_TRUE(torch::allclose(changed.narrow(1, 0, 299), blocked.narrow(1, 0, 299), 1e-5, 1e-6));
}

// The CLI's caching CPU allocator: a freed large block serves the next
// request of its size (no page faults), small ones go to malloc, and values
// written through either stay intact.
TEST(CachingAllocator, ReusesLargeBlocksAndKeepsData) {
    ASSERT_TRUE(alloc::installCachingCpuAllocator() || std::getenv("MM_CACHING_ALLOCATOR"));
    if (!alloc::cachingCpuAllocatorInstalled())
        GTEST_SKIP() << "MM_CACHING_ALLOCATOR=0";
    void* first = nullptr;
    {
        Tensor a = torch::empty({1 << 20}); // 4 MiB
        first = a.data_ptr();
    }
    const auto before = alloc::cachingCpuAllocatorStats();
    EXPECT_GE(before.cachedBytes, size_t(4) << 20);
    Tensor b = torch::arange(1 << 20, torch::kFloat32);
    EXPECT_EQ(b.data_ptr(), first);
    EXPECT_EQ(alloc::cachingCpuAllocatorStats().hits, before.hits + 1);
    EXPECT_EQ(b[12345].item<float>(), 12345.f);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(b.data_ptr()) % 64, 0u);
    Tensor small = torch::full({7}, 3.0);
    EXPECT_EQ(small.sum().item<double>(), 21.0);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(small.data_ptr()) % 64, 0u);
    b = Tensor();
    alloc::releaseCachedCpuMemory();
    EXPECT_EQ(alloc::cachingCpuAllocatorStats().cachedBytes, 0u);
}
