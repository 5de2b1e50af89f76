// bfloat16 on the CPU: float32 <-> bfloat16 casts (fused kernels, built with
// -ffast-math and the per-ISA dispatch of fused_ops_internal.h; see
// fused_ops.cpp's header comment) and the GEMMs that run with bfloat16
// operands under CpuGemmDtypeGuard.

#include "model/fused_ops.h"
#include "model/fused_ops_internal.h"

#include <ATen/Parallel.h>

#include <cstdint>

namespace mm::model::ops {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

namespace {

// ---------------------------------------------------------------- bfloat16 casts

// Round to nearest even, as c10::BFloat16 does (NaN stays NaN except for
// signalling NaNs with only low payload bits, which become inf).
MM_BODY void f32ToBf16Body(const float* x, uint16_t* y, int64_t b, int64_t e) {
#pragma omp simd
    for (int64_t i = b; i < e; ++i) {
        uint32_t u = __builtin_bit_cast(uint32_t, x[i]);
        u += 0x7fffu + ((u >> 16) & 1u);
        y[i] = uint16_t(u >> 16);
    }
}

MM_BODY void bf16ToF32Body(const uint16_t* x, float* y, int64_t b, int64_t e) {
#pragma omp simd
    for (int64_t i = b; i < e; ++i)
        y[i] = __builtin_bit_cast(float, uint32_t(x[i]) << 16);
}

MM_DISPATCH(f32ToBf16, (const float* x, uint16_t* y, int64_t b, int64_t e), (x, y, b, e))
MM_DISPATCH(bf16ToF32, (const uint16_t* x, float* y, int64_t b, int64_t e), (x, y, b, e))

thread_local torch::ScalarType t_gemmDtype = torch::kFloat32;

bool bf16Gemm(const Tensor& a, const Tensor& b) {
    return t_gemmDtype == torch::kBFloat16 && a.is_cpu() && b.is_cpu() && a.scalar_type() == torch::kFloat32 &&
           b.scalar_type() == torch::kFloat32;
}

} // namespace

Tensor castFloat32Bfloat16(const Tensor& t) {
    const bool toBf = t.scalar_type() == torch::kFloat32;
    TORCH_CHECK(toBf || t.scalar_type() == torch::kBFloat16, "castFloat32Bfloat16: float32 or bfloat16, not ",
                t.scalar_type());
    const auto target = toBf ? torch::kBFloat16 : torch::kFloat32;
    if (!t.is_cpu() || !t.is_contiguous())
        return t.to(target);
    Tensor out = torch::empty(t.sizes(), t.options().dtype(target));
    const int64_t n = t.numel();
    if (toBf) {
        const float* x = t.data_ptr<float>();
        auto* y = reinterpret_cast<uint16_t*>(out.data_ptr<at::BFloat16>());
        at::parallel_for(0, n, 65536, [&](int64_t b, int64_t e) { f32ToBf16(x, y, b, e); });
    } else {
        const auto* x = reinterpret_cast<const uint16_t*>(t.data_ptr<at::BFloat16>());
        float* y = out.data_ptr<float>();
        at::parallel_for(0, n, 65536, [&](int64_t b, int64_t e) { bf16ToF32(x, y, b, e); });
    }
    return out;
}

namespace {

Tensor toBf16(const Tensor& t) { return castFloat32Bfloat16(t); }
Tensor toF32(const Tensor& t) { return castFloat32Bfloat16(t); }

// y = x W^T with bfloat16 operands and float32 results. Saves the bfloat16
// copies (half the memory of float32) for the backward products.
struct LinearBf16Fn : torch::autograd::Function<LinearBf16Fn> {
    static Tensor forward(AutogradContext* ctx, const Tensor& x, const Tensor& w) {
        Tensor xb = toBf16(x), wb = toBf16(w);
        ctx->save_for_backward({xb, wb});
        return toF32(torch::matmul(xb, wb.t()));
    }
    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        auto saved = ctx->get_saved_variables();
        const Tensor &xb = saved[0], &wb = saved[1];
        Tensor dy = toBf16(grads[0]);
        Tensor dx, dw;
        if (ctx->needs_input_grad(0))
            dx = toF32(torch::matmul(dy, wb));
        if (ctx->needs_input_grad(1))
            dw = toF32(torch::matmul(dy.reshape({-1, wb.size(0)}).t(), xb.reshape({-1, wb.size(1)})));
        return {dx, dw};
    }
};

// a @ b, same batch dimensions, bfloat16 operands, float32 results.
struct MatmulBf16Fn : torch::autograd::Function<MatmulBf16Fn> {
    static Tensor forward(AutogradContext* ctx, const Tensor& a, const Tensor& b) {
        Tensor ab = toBf16(a), bb = toBf16(b);
        ctx->save_for_backward({ab, bb});
        return toF32(torch::matmul(ab, bb));
    }
    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        auto saved = ctx->get_saved_variables();
        const Tensor &ab = saved[0], &bb = saved[1];
        Tensor dy = toBf16(grads[0]);
        Tensor da, db;
        if (ctx->needs_input_grad(0))
            da = toF32(torch::matmul(dy, bb.transpose(-1, -2)));
        if (ctx->needs_input_grad(1))
            db = toF32(torch::matmul(ab.transpose(-1, -2), dy));
        return {da, db};
    }
};

} // namespace

torch::ScalarType cpuGemmDtype() { return t_gemmDtype; }

CpuGemmDtypeGuard::CpuGemmDtypeGuard(torch::ScalarType dtype) : m_prev(t_gemmDtype) {
    TORCH_CHECK(dtype == torch::kFloat32 || dtype == torch::kBFloat16, "CPU GEMMs run in float32 or bfloat16, not ",
                dtype);
    t_gemmDtype = dtype;
}

CpuGemmDtypeGuard::~CpuGemmDtypeGuard() { t_gemmDtype = m_prev; }

Tensor matmul(const Tensor& a, const Tensor& b) {
    if (bf16Gemm(a, b) && a.dim() == b.dim())
        return MatmulBf16Fn::apply(a, b);
    return torch::matmul(a, b);
}

Tensor linear(const Tensor& x, const Tensor& weight) {
    const int64_t in = weight.size(1);
    if (bf16Gemm(x, weight) && x.numel() > kFewRows * in)
        return LinearBf16Fn::apply(x, weight);
    if (x.is_cpu() && !(torch::GradMode::is_enabled() && (x.requires_grad() || weight.requires_grad()))) {
        if (x.numel() == in) {
            auto sizes = x.sizes().vec();
            sizes.back() = weight.size(0);
            return torch::mv(weight, x.reshape({in})).view(sizes);
        }
        if (x.numel() <= kFewRows * in && x.scalar_type() == torch::kFloat32 &&
            weight.scalar_type() == torch::kFloat32 && weight.is_contiguous())
            return linearRows(x, weight);
    }
    return torch::nn::functional::linear(x, weight);
}

} // namespace mm::model::ops
