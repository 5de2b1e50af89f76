// Fused float32 CPU kernels. This file is compiled with -ffast-math so that GCC
// vectorises expf through glibc's libmvec. Each elementwise kernel is written
// once, as an always-inline body, and compiled three times: for AVX-512
// (512-bit vectors), for AVX2+FMA and for plain x86-64; cpu::activeIsa()
// picks one per call (the best the CPU has, or MM_CPU_ISA's cap), so every
// path can be tested and measured on one machine. No NaN/inf checks live here
// (fast-math would remove them); the trainer checks the loss and gradient norm.
// The dispatch macros are in fused_ops_internal.h; fused_ops_decode.cpp (the
// few-row products and decode attention) and fused_ops_bf16.cpp (bfloat16
// casts and GEMMs) are built the same way.

#include "model/fused_ops.h"
#include "model/fused_ops_internal.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>

namespace mm::model::ops {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

namespace {

bool useFused(const Tensor& t) { return t.device().is_cpu() && t.scalar_type() == torch::kFloat32; }

int64_t grainFor(int64_t rowLen) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(1, rowLen)); }

// ---------------------------------------------------------------- RMSNorm

MM_BODY void rmsRowsFwdBody(const float* x, const float* w, float* y, float* rstd, int64_t r0, int64_t r1, int64_t d,
                            float eps) {
    for (int64_t r = r0; r < r1; ++r) {
        const float* xr = x + r * d;
        float* yr = y + r * d;
        float ss = 0.f;
#pragma omp simd reduction(+ : ss)
        for (int64_t j = 0; j < d; ++j)
            ss += xr[j] * xr[j];
        const float rs = 1.f / std::sqrt(ss / float(d) + eps);
        rstd[r] = rs;
#pragma omp simd
        for (int64_t j = 0; j < d; ++j)
            yr[j] = xr[j] * rs * w[j];
    }
}

MM_BODY void rmsRowsBwdBody(const float* x, const float* w, const float* rstd, const float* dy, float* dx, float* dw,
                            int64_t r0, int64_t r1, int64_t d) {
    for (int64_t r = r0; r < r1; ++r) {
        const float* xr = x + r * d;
        const float* dyr = dy + r * d;
        float* dxr = dx + r * d;
        const float rs = rstd[r];
        float dot = 0.f;
#pragma omp simd reduction(+ : dot)
        for (int64_t j = 0; j < d; ++j)
            dot += dyr[j] * w[j] * xr[j];
        const float c = dot * rs * rs / float(d);
#pragma omp simd
        for (int64_t j = 0; j < d; ++j) {
            dxr[j] = rs * (dyr[j] * w[j] - xr[j] * c);
            dw[j] += dyr[j] * xr[j] * rs;
        }
    }
}

MM_DISPATCH(rmsRowsFwd,
            (const float* x, const float* w, float* y, float* rstd, int64_t r0, int64_t r1, int64_t d, float eps),
            (x, w, y, rstd, r0, r1, d, eps))
MM_DISPATCH(rmsRowsBwd,
            (const float* x, const float* w, const float* rstd, const float* dy, float* dx, float* dw, int64_t r0,
             int64_t r1, int64_t d),
            (x, w, rstd, dy, dx, dw, r0, r1, d))

struct RmsNormFn : torch::autograd::Function<RmsNormFn> {
    static Tensor forward(AutogradContext* ctx, const Tensor& xIn, const Tensor& w, double eps) {
        Tensor x = xIn.contiguous();
        const int64_t d = x.size(-1), n = x.numel() / d;
        Tensor y = torch::empty_like(x);
        Tensor rstd = torch::empty({n}, x.options());
        const float* xp = x.data_ptr<float>();
        const float* wp = w.contiguous().data_ptr<float>();
        float* yp = y.data_ptr<float>();
        float* rp = rstd.data_ptr<float>();
        at::parallel_for(0, n, grainFor(d),
                         [&](int64_t b, int64_t e) { rmsRowsFwd(xp, wp, yp, rp, b, e, d, float(eps)); });
        ctx->save_for_backward({x, w, rstd});
        return y;
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        auto saved = ctx->get_saved_variables();
        Tensor x = saved[0], w = saved[1].contiguous(), rstd = saved[2];
        Tensor dy = grads[0].contiguous();
        const int64_t d = x.size(-1), n = x.numel() / d;
        Tensor dx = torch::empty_like(x);
        // Per-chunk partial weight gradients, summed in chunk order afterwards, so
        // the result does not depend on thread scheduling (resume reproducibility).
        const int64_t chunks = std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), n));
        Tensor dwPart = torch::zeros({chunks, d}, x.options());
        const float *xp = x.data_ptr<float>(), *wp = w.data_ptr<float>(), *rp = rstd.data_ptr<float>(),
                    *dyp = dy.data_ptr<float>();
        float *dxp = dx.data_ptr<float>(), *dwp = dwPart.data_ptr<float>();
        at::parallel_for(0, chunks, 1, [&](int64_t cb, int64_t ce) {
            for (int64_t c = cb; c < ce; ++c) {
                const int64_t r0 = n * c / chunks, r1 = n * (c + 1) / chunks;
                rmsRowsBwd(xp, wp, rp, dyp, dxp, dwp + c * d, r0, r1, d);
            }
        });
        return {dx.view(grads[0].sizes()), dwPart.sum(0), Tensor()};
    }
};

// ---------------------------------------------------------------- SwiGLU

MM_BODY void swigluFwdBody(const float* g, const float* u, float* y, int64_t b, int64_t e) {
#pragma omp simd
    for (int64_t i = b; i < e; ++i) {
        const float s = 1.f / (1.f + std::exp(-g[i]));
        y[i] = g[i] * s * u[i];
    }
}

MM_BODY void swigluBwdBody(const float* g, const float* u, const float* dy, float* dg, float* du, int64_t b,
                           int64_t e) {
#pragma omp simd
    for (int64_t i = b; i < e; ++i) {
        const float s = 1.f / (1.f + std::exp(-g[i]));
        const float silu = g[i] * s;
        du[i] = dy[i] * silu;
        dg[i] = dy[i] * u[i] * (s + silu * (1.f - s));
    }
}

MM_DISPATCH(swigluFwd, (const float* g, const float* u, float* y, int64_t b, int64_t e), (g, u, y, b, e))
MM_DISPATCH(swigluBwd, (const float* g, const float* u, const float* dy, float* dg, float* du, int64_t b, int64_t e),
            (g, u, dy, dg, du, b, e))

struct SwiGluFn : torch::autograd::Function<SwiGluFn> {
    static Tensor forward(AutogradContext* ctx, const Tensor& gIn, const Tensor& uIn) {
        Tensor g = gIn.contiguous(), u = uIn.contiguous();
        Tensor y = torch::empty_like(g);
        const float *gp = g.data_ptr<float>(), *up = u.data_ptr<float>();
        float* yp = y.data_ptr<float>();
        at::parallel_for(0, g.numel(), 16384, [&](int64_t b, int64_t e) { swigluFwd(gp, up, yp, b, e); });
        ctx->save_for_backward({g, u});
        return y;
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        auto saved = ctx->get_saved_variables();
        Tensor g = saved[0], u = saved[1], dy = grads[0].contiguous();
        Tensor dg = torch::empty_like(g), du = torch::empty_like(u);
        const float *gp = g.data_ptr<float>(), *up = u.data_ptr<float>(), *dyp = dy.data_ptr<float>();
        float *dgp = dg.data_ptr<float>(), *dup = du.data_ptr<float>();
        at::parallel_for(0, g.numel(), 16384, [&](int64_t b, int64_t e) { swigluBwd(gp, up, dyp, dgp, dup, b, e); });
        return {dg, du};
    }
};

// ---------------------------------------------------------------- RoPE

// out[b,h,t,:] = scale * (x[b,t,h,:] * cos[p] + rotate_half(x[b,t,h,:]) * sin[p]),
// p = start + t, rotate_half(v) = (-v2, v1). With inverse = true it applies the
// transpose rotation (sin -> -sin) and maps (B,H,T,D) back to (B,T,H,D): the
// backward pass, since the rotation is orthogonal.
MM_BODY void ropeRowsBody(const float* in, const float* cosT, const float* sinT, float* out, int64_t bhBegin,
                          int64_t bhEnd, int64_t T, int64_t H, int64_t D, int64_t start, float scale, bool inverse) {
    const int64_t half = D / 2;
    for (int64_t bh = bhBegin; bh < bhEnd; ++bh) {
        const int64_t b = bh / H, h = bh % H;
        for (int64_t t = 0; t < T; ++t) {
            const float* c = cosT + (start + t) * D;
            const float* s = sinT + (start + t) * D;
            const int64_t btOff = ((b * T + t) * H + h) * D; // (B,T,H,D)
            const int64_t bhOff = ((b * H + h) * T + t) * D; // (B,H,T,D)
            const float* src = in + (inverse ? bhOff : btOff);
            float* dst = out + (inverse ? btOff : bhOff);
            const float sg = inverse ? -1.f : 1.f;
#pragma omp simd
            for (int64_t j = 0; j < half; ++j) {
                const float x1 = src[j], x2 = src[j + half];
                dst[j] = scale * (x1 * c[j] - sg * x2 * s[j]);
                dst[j + half] = scale * (x2 * c[j + half] + sg * x1 * s[j + half]);
            }
        }
    }
}

MM_DISPATCH(ropeRows,
            (const float* in, const float* cosT, const float* sinT, float* out, int64_t bhBegin, int64_t bhEnd,
             int64_t T, int64_t H, int64_t D, int64_t start, float scale, bool inverse),
            (in, cosT, sinT, out, bhBegin, bhEnd, T, H, D, start, scale, inverse))

struct RopeFn : torch::autograd::Function<RopeFn> {
    static Tensor forward(AutogradContext* ctx, const Tensor& xIn, const Tensor& cos, const Tensor& sin, int64_t start,
                          double scale) {
        Tensor x = xIn.contiguous();
        const int64_t B = x.size(0), T = x.size(1), H = x.size(2), D = x.size(3);
        Tensor out = torch::empty({B, H, T, D}, x.options());
        Tensor c = cos.contiguous(), s = sin.contiguous();
        const float *xp = x.data_ptr<float>(), *cp = c.data_ptr<float>(), *sp = s.data_ptr<float>();
        float* op = out.data_ptr<float>();
        at::parallel_for(0, B * H, 1, [&](int64_t b0, int64_t b1) {
            ropeRows(xp, cp, sp, op, b0, b1, T, H, D, start, float(scale), false);
        });
        ctx->save_for_backward({c, s});
        ctx->saved_data["start"] = start;
        ctx->saved_data["scale"] = scale;
        ctx->saved_data["T"] = T;
        ctx->saved_data["H"] = H;
        return out;
    }

    static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
        auto saved = ctx->get_saved_variables();
        Tensor c = saved[0], s = saved[1];
        Tensor dy = grads[0].contiguous();
        const int64_t B = dy.size(0), H = dy.size(1), T = dy.size(2), D = dy.size(3);
        const int64_t start = ctx->saved_data["start"].toInt();
        const double scale = ctx->saved_data["scale"].toDouble();
        Tensor dx = torch::empty({B, T, H, D}, dy.options());
        const float *dyp = dy.data_ptr<float>(), *cp = c.data_ptr<float>(), *sp = s.data_ptr<float>();
        float* dxp = dx.data_ptr<float>();
        at::parallel_for(0, B * H, 1, [&](int64_t b0, int64_t b1) {
            ropeRows(dyp, cp, sp, dxp, b0, b1, T, H, D, start, float(scale), true);
        });
        return {dx, Tensor(), Tensor(), Tensor(), Tensor()};
    }
};

Tensor rotateHalf(const Tensor& x) {
    const int64_t half = x.size(-1) / 2;
    return torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

} // namespace

Tensor rmsNormReference(const Tensor& x, const Tensor& weight, double eps) {
    Tensor xf = x.to(torch::kFloat32);
    return (weight * (xf * torch::rsqrt(xf.pow(2).mean(-1, true) + eps))).to(x.scalar_type());
}

Tensor ropeTransposeReference(const Tensor& x, const Tensor& cos, const Tensor& sin, int64_t start, double scale) {
    const int64_t T = x.size(1);
    Tensor c = cos.narrow(0, start, T).unsqueeze(1).to(x.scalar_type()); // (T,1,D)
    Tensor s = sin.narrow(0, start, T).unsqueeze(1).to(x.scalar_type());
    Tensor y = (x * c + rotateHalf(x) * s) * scale;
    return y.transpose(1, 2).contiguous();
}

Tensor rmsNorm(const Tensor& x, const Tensor& weight, double eps) {
    if (useFused(x) && useFused(weight))
        return RmsNormFn::apply(x, weight, eps);
    return rmsNormReference(x, weight, eps);
}

Tensor swiGlu(const Tensor& gate, const Tensor& up) {
    if (useFused(gate) && useFused(up))
        return SwiGluFn::apply(gate, up);
    return torch::silu(gate) * up;
}

Tensor ropeTranspose(const Tensor& x, const Tensor& cos, const Tensor& sin, int64_t start, double scale) {
    if (useFused(x))
        return RopeFn::apply(x, cos, sin, start, scale);
    return ropeTransposeReference(x, cos, sin, start, scale);
}

} // namespace mm::model::ops
