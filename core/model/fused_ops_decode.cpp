// Fused float32 CPU kernels for decoding: products with a few input rows
// (float32, bfloat16 or int8 weights), int8 row quantisation and one-query
// attention over the KV cache. Built with -ffast-math and the per-ISA
// dispatch of fused_ops_internal.h; see fused_ops.cpp's header comment.

#include "model/fused_ops.h"
#include "model/fused_ops_internal.h"

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

} // namespace mm::model::ops
