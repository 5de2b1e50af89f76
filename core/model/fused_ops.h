#pragma once
// Fused CPU kernels with hand-written backward passes for the elementwise parts
// of the MiniMind block. Profiling minimind's step showed ~30% of the time in
// separate mul/add/pow/div kernels (RMSNorm, RoPE, SwiGLU) that each read and
// write the whole activation; these do one pass forward and one backward.
// On CUDA (or any non-float32 CPU tensor) they fall back to the equivalent
// composite ATen expressions, so results are the same everywhere.

#include <torch/torch.h>

#include <utility>

namespace mm::model::ops {

/// y = x * rsqrt(mean(x^2, -1) + eps) * weight, over the last dimension.
torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps);

/// y = silu(gate) * up.
torch::Tensor swiGlu(const torch::Tensor& gate, const torch::Tensor& up);

/// Rotary embedding (rotate-half convention, as minimind) fused with the
/// head transpose and a scale:
///   x: (B, T, H, D) contiguous, cos/sin: (>= start+T, D) tables
///   returns (B, H, T, D) contiguous = scale * rope(x) at positions start..start+T-1.
torch::Tensor ropeTranspose(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin, int64_t start,
                            double scale);

/// y = x W^T. For a single row without autograd (KV-cached decoding) it uses a
/// matrix-vector product: BLAS GEMM packs the whole weight matrix into a
/// buffer on every call, which for one row costs more than the product itself
/// (measured: ~0.9 ms vs ~0.1 ms for a 1408x512 weight).
torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& weight);

/// Precision of the CPU GEMMs of linear() and matmul() on this thread:
/// float32 (the default) or bfloat16, for training with --dtype bfloat16 on a
/// CPU with avx512_bf16 or AMX: inputs and weights are rounded to bfloat16 for
/// the product (oneDNN, float32 accumulation), results and gradients come back
/// as float32, and the weights themselves (the optimizer's master copy) stay
/// float32. Few-row inference products (decoding) always stay float32.
torch::ScalarType cpuGemmDtype();
class CpuGemmDtypeGuard {
public:
    explicit CpuGemmDtypeGuard(torch::ScalarType dtype);
    ~CpuGemmDtypeGuard();
    CpuGemmDtypeGuard(const CpuGemmDtypeGuard&) = delete;
    CpuGemmDtypeGuard& operator=(const CpuGemmDtypeGuard&) = delete;

private:
    torch::ScalarType m_prev;
};

/// float32 -> bfloat16 (round to nearest even, as Tensor::to) or bfloat16 ->
/// float32, vectorised for the active CPU path; other tensors go through to().
torch::Tensor castFloat32Bfloat16(const torch::Tensor& t);

/// a @ b for batched matrices of the same rank (..., m, k) x (..., k, n);
/// bfloat16 products under CpuGemmDtypeGuard, torch::matmul otherwise.
torch::Tensor matmul(const torch::Tensor& a, const torch::Tensor& b);

/// Row counts up to which linear() and the decode weights use linearRows
/// instead of BLAS GEMM (batched decoding).
constexpr int64_t kFewRows = 16;

/// y = x W^T (* scale per output row) for a few rows x (..., in), without
/// autograd, with W float32, bfloat16 or int8 (then `scale`, float32 (out),
/// is required). Reads W once for all rows; float32 accumulation. Decoding is
/// memory-bound, so fewer bytes per weight are nearly proportionally faster.
/// (bfloat16 rather than float16: widening it is a 16-bit shift that
/// vectorises everywhere, while GCC converts _Float16 through a library call.)
torch::Tensor linearRows(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& scale = {});

/// Symmetric per-output-row int8 quantisation of a (out, in) weight:
/// returns (q int8, scale float32 (out)) with w ~= q * scale[:, None].
std::pair<torch::Tensor, torch::Tensor> quantizeRowsInt8(const torch::Tensor& w);

/// Attention of one new query per sequence against a KV cache, in one pass
/// (no matmul/softmax dispatch per layer and token):
///   q: (B, H, 1, D) already scaled; k, v: (B, KV, capacity, D) caches; the
///   first `length` positions are used; with `rowStart` (B entries), row b
///   uses positions rowStart[b] .. length-1 (left-padded batches). Returns
///   (B, 1, H*D).
torch::Tensor decodeAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v, int64_t length,
                              const int64_t* rowStart = nullptr);

/// Composite (reference) versions, used for testing and as the fallback.
torch::Tensor rmsNormReference(const torch::Tensor& x, const torch::Tensor& weight, double eps);
torch::Tensor ropeTransposeReference(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                     int64_t start, double scale);

} // namespace mm::model::ops
