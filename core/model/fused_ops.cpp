// Fused float32 CPU kernels. This file is compiled with -ffast-math so that GCC
// vectorises expf through glibc's libmvec. Each elementwise kernel is written
// once, as an always-inline body, and compiled three times: for AVX-512
// (512-bit vectors), for AVX2+FMA and for plain x86-64; cpu::activeIsa()
// picks one per call (the best the CPU has, or MM_CPU_ISA's cap), so every
// path can be tested and measured on one machine. No NaN/inf checks live here
// (fast-math would remove them); the trainer checks the loss and gradient norm.

#include "model/fused_ops.h"

#include "common/cpu_features.h"

#include <ATen/Parallel.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace mm::model::ops {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MM_BODY static inline __attribute__((always_inline))
#define MM_TARGET_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma,prefer-vector-width=512")))
#define MM_TARGET_AVX2 __attribute__((target("avx2,fma")))
// name(SIG) calls the body nameBody(ARGS) compiled for the active path.
#define MM_DISPATCH(name, SIG, ARGS)                                                                                   \
    MM_TARGET_AVX512 void name##Avx512 SIG { name##Body ARGS; }                                                        \
    MM_TARGET_AVX2 void name##Avx2 SIG { name##Body ARGS; }                                                            \
    void name##Portable SIG { name##Body ARGS; }                                                                       \
    void name SIG {                                                                                                    \
        switch (cpu::activeIsa()) {                                                                                    \
        case cpu::Isa::Avx512: return name##Avx512 ARGS;                                                               \
        case cpu::Isa::Avx2: return name##Avx2 ARGS;                                                                   \
        default: return name##Portable ARGS;                                                                           \
        }                                                                                                              \
    }
#else
#define MM_BODY static inline
#define MM_DISPATCH(name, SIG, ARGS)                                                                                   \
    void name SIG { name##Body ARGS; }
#endif

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

namespace {

// y[b, o] = scale[o] * sum_i w[o, i] * x[b, i] for a few rows b: each weight
// row is loaded once for up to four input rows, so the weight matrix is read
// from memory once per call whatever the row count. BLAS GEMM instead packs
// the whole matrix into a buffer per call, which for a handful of rows
// (batched decoding) costs more than the product. AVX2+FMA intrinsics when
// the CPU has them (GCC compiled `omp simd` reductions over several
// accumulators to stack arrays, several times slower), portable loops
// otherwise.
inline float widen(float v) { return v; }
inline float widen(uint16_t v) { // bfloat16: the high half of a float
    const uint32_t bits = uint32_t(v) << 16;
    float f;
    __builtin_memcpy(&f, &bits, 4);
    return f;
}
inline float widen(int8_t v) { return float(v); }

template <typename W>
void rowsPortable(const W* w, const float* scale, const float* x, float* y, int64_t o0, int64_t o1, int64_t in,
                  int64_t rows, int64_t out) {
    for (int64_t o = o0; o < o1; ++o) {
        const W* wr = w + o * in;
        const float s = scale ? scale[o] : 1.f;
        for (int64_t b = 0; b < rows; ++b) {
            const float* xb = x + b * in;
            float a = 0.f;
            for (int64_t i = 0; i < in; ++i)
                a += widen(wr[i]) * xb[i];
            y[b * out + o] = a * s;
        }
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#define MM_AVX2 __attribute__((target("avx2,fma")))
MM_AVX2 inline __m256 load8(const float* p) { return _mm256_loadu_ps(p); }
MM_AVX2 inline __m256 load8(const uint16_t* p) {
    const __m256i h = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(h, 16));
}
MM_AVX2 inline __m256 load8(const int8_t* p) {
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p))));
}
MM_AVX2 inline float hsum(__m256 v) {
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_movehdup_ps(q));
    return _mm_cvtss_f32(q);
}

template <typename W>
MM_AVX2 void rowsAvx2(const W* w, const float* scale, const float* x, float* y, int64_t o0, int64_t o1, int64_t in,
                      int64_t rows, int64_t out) {
    const int64_t in8 = in & ~int64_t(7), in32 = in & ~int64_t(31);
    for (int64_t o = o0; o < o1; ++o) {
        const W* wr = w + o * in;
        const float s = scale ? scale[o] : 1.f;
        int64_t b = 0;
        for (; b + 4 <= rows; b += 4) {
            const float *x0 = x + b * in, *x1 = x0 + in, *x2 = x1 + in, *x3 = x2 + in;
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
            for (int64_t i = 0; i < in8; i += 8) {
                const __m256 f = load8(wr + i);
                a0 = _mm256_fmadd_ps(f, _mm256_loadu_ps(x0 + i), a0);
                a1 = _mm256_fmadd_ps(f, _mm256_loadu_ps(x1 + i), a1);
                a2 = _mm256_fmadd_ps(f, _mm256_loadu_ps(x2 + i), a2);
                a3 = _mm256_fmadd_ps(f, _mm256_loadu_ps(x3 + i), a3);
            }
            float r0 = hsum(a0), r1 = hsum(a1), r2 = hsum(a2), r3 = hsum(a3);
            for (int64_t i = in8; i < in; ++i) {
                const float f = widen(wr[i]);
                r0 += f * x0[i];
                r1 += f * x1[i];
                r2 += f * x2[i];
                r3 += f * x3[i];
            }
            y[b * out + o] = r0 * s;
            y[(b + 1) * out + o] = r1 * s;
            y[(b + 2) * out + o] = r2 * s;
            y[(b + 3) * out + o] = r3 * s;
        }
        for (; b < rows; ++b) {
            // One row: four accumulators, so the FMAs do not wait on one
            // register's latency.
            const float* xb = x + b * in;
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
            int64_t i = 0;
            for (; i < in32; i += 32) {
                a0 = _mm256_fmadd_ps(load8(wr + i), _mm256_loadu_ps(xb + i), a0);
                a1 = _mm256_fmadd_ps(load8(wr + i + 8), _mm256_loadu_ps(xb + i + 8), a1);
                a2 = _mm256_fmadd_ps(load8(wr + i + 16), _mm256_loadu_ps(xb + i + 16), a2);
                a3 = _mm256_fmadd_ps(load8(wr + i + 24), _mm256_loadu_ps(xb + i + 24), a3);
            }
            for (; i < in8; i += 8)
                a0 = _mm256_fmadd_ps(load8(wr + i), _mm256_loadu_ps(xb + i), a0);
            float r = hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
            for (; i < in; ++i)
                r += widen(wr[i]) * xb[i];
            y[b * out + o] = r * s;
        }
    }
}

bool haveAvx2() { return cpu::activeIsa() >= cpu::Isa::Avx2; }
#endif

template <typename W>
void rowsAny(const W* w, const float* scale, const float* x, float* y, int64_t o0, int64_t o1, int64_t in, int64_t rows,
             int64_t out) {
#if defined(__x86_64__) && defined(__GNUC__)
    if (haveAvx2())
        return rowsAvx2(w, scale, x, y, o0, o1, in, rows, out);
#endif
    rowsPortable(w, scale, x, y, o0, o1, in, rows, out);
}

MM_BODY void attendOneBody(const float* q, const float* k, const float* v, float* out, float* scores, int64_t len,
                           int64_t D) {
    // -FLT_MAX, not -inf: this file is compiled with -ffast-math.
    float mx = -std::numeric_limits<float>::max();
    for (int64_t j = 0; j < len; ++j) {
        const float* kj = k + j * D;
        float s = 0.f;
#pragma omp simd reduction(+ : s)
        for (int64_t d = 0; d < D; ++d)
            s += q[d] * kj[d];
        scores[j] = s;
        mx = std::max(mx, s);
    }
    float sum = 0.f;
    for (int64_t j = 0; j < len; ++j) {
        scores[j] = std::exp(scores[j] - mx);
        sum += scores[j];
    }
    const float inv = 1.f / sum;
    for (int64_t d = 0; d < D; ++d)
        out[d] = 0.f;
    for (int64_t j = 0; j < len; ++j) {
        const float p = scores[j] * inv;
        const float* vj = v + j * D;
#pragma omp simd
        for (int64_t d = 0; d < D; ++d)
            out[d] += p * vj[d];
    }
}

MM_DISPATCH(attendOne,
            (const float* q, const float* k, const float* v, float* out, float* scores, int64_t len, int64_t D),
            (q, k, v, out, scores, len, D))

} // namespace

Tensor linearRows(const Tensor& x, const Tensor& w, const Tensor& scale) {
    const int64_t out = w.size(0), in = w.size(1);
    TORCH_CHECK(x.is_cpu() && w.is_cpu() && x.size(-1) == in, "linearRows: CPU tensors with matching widths");
    TORCH_CHECK(w.is_contiguous(), "linearRows needs a contiguous weight");
    Tensor xf = x.reshape({-1, in}).to(torch::kFloat32).contiguous();
    const int64_t rows = xf.size(0);
    Tensor y = torch::empty({rows, out}, xf.options());
    const float* xp = xf.data_ptr<float>();
    float* yp = y.data_ptr<float>();
    // Enough outputs per task that a task streams >= ~64 KiB of weights.
    const int64_t grain = std::max<int64_t>(16, 65536 / (in * int64_t(w.element_size())));
    switch (w.scalar_type()) {
    case torch::kFloat32: {
        const float* wp = w.data_ptr<float>();
        at::parallel_for(0, out, grain,
                         [&](int64_t b, int64_t e) { rowsAny(wp, nullptr, xp, yp, b, e, in, rows, out); });
        break;
    }
    case torch::kBFloat16: {
        const auto* wp = reinterpret_cast<const uint16_t*>(w.data_ptr<at::BFloat16>());
        at::parallel_for(0, out, grain,
                         [&](int64_t b, int64_t e) { rowsAny(wp, nullptr, xp, yp, b, e, in, rows, out); });
        break;
    }
    case torch::kChar: {
        TORCH_CHECK(scale.defined() && scale.numel() == out && scale.scalar_type() == torch::kFloat32,
                    "linearRows: an int8 weight needs one float32 scale per output row");
        const int8_t* wp = w.data_ptr<int8_t>();
        const float* sp = scale.contiguous().data_ptr<float>();
        at::parallel_for(0, out, grain, [&](int64_t b, int64_t e) { rowsAny(wp, sp, xp, yp, b, e, in, rows, out); });
        break;
    }
    default: TORCH_CHECK(false, "linearRows: weights are float32, bfloat16 or int8, not ", w.scalar_type());
    }
    auto sizes = x.sizes().vec();
    sizes.back() = out;
    return y.view(sizes);
}

std::pair<Tensor, Tensor> quantizeRowsInt8(const Tensor& w) {
    Tensor wf = w.detach().to(torch::kFloat32);
    Tensor scale = wf.abs().amax(1).clamp_min(1e-12) / 127.0; // symmetric, per output row
    Tensor q = (wf / scale.unsqueeze(1)).round().clamp(-127, 127).to(torch::kChar).contiguous();
    return {q, scale.contiguous()};
}

Tensor decodeAttention(const Tensor& qIn, const Tensor& k, const Tensor& v, int64_t length, const int64_t* rowStart) {
    Tensor q = qIn.contiguous();
    const int64_t B = q.size(0), H = q.size(1), D = q.size(3), KV = k.size(1), cap = k.size(2), rep = H / KV;
    TORCH_CHECK(k.is_contiguous() && v.is_contiguous(), "decodeAttention needs contiguous caches");
    Tensor out = torch::empty({B, 1, H * D}, q.options());
    const float *qp = q.data_ptr<float>(), *kp = k.data_ptr<float>(), *vp = v.data_ptr<float>();
    float* op = out.data_ptr<float>();
    at::parallel_for(0, B * H, 1, [&](int64_t b0, int64_t b1) {
        std::vector<float> scores(length);
        for (int64_t bh = b0; bh < b1; ++bh) {
            const int64_t b = bh / H, h = bh % H, kv = h / rep;
            const int64_t first = rowStart ? std::clamp<int64_t>(rowStart[b], 0, length - 1) : 0;
            const int64_t cacheOff = ((b * KV + kv) * cap + first) * D;
            attendOne(qp + bh * D, kp + cacheOff, vp + cacheOff, op + (b * H + h) * D, scores.data(), length - first,
                      D);
        }
    });
    return out;
}

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
