#pragma once
// Fused CPU kernels with hand-written backward passes for the elementwise parts
// of the MiniMind block. Profiling minimind's step showed ~30% of the time in
// separate mul/add/pow/div kernels (RMSNorm, RoPE, SwiGLU) that each read and
// write the whole activation; these do one pass forward and one backward.
// On CUDA (or any non-float32 CPU tensor) they fall back to the equivalent
// composite ATen expressions, so results are the same everywhere.

#include <torch/torch.h>

namespace mm::model::ops {

/// y = x * rsqrt(mean(x^2, -1) + eps) * weight, over the last dimension.
torch::Tensor rmsNorm(const torch::Tensor& x, const torch::Tensor& weight, double eps);

/// y = silu(gate) * up.
torch::Tensor swiGlu(const torch::Tensor& gate, const torch::Tensor& up);

/// Rotary embedding (rotate-half convention, as minimind) fused with the
/// head transpose and a scale:
///   x: (B, T, H, D) contiguous, cos/sin: (>= start+T, D) tables
///   returns (B, H, T, D) contiguous = scale * rope(x) at positions start..start+T-1.
torch::Tensor ropeTranspose(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                            int64_t start, double scale);

/// Composite (reference) versions, used for testing and as the fallback.
torch::Tensor rmsNormReference(const torch::Tensor& x, const torch::Tensor& weight, double eps);
torch::Tensor ropeTransposeReference(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                     int64_t start, double scale);

} // namespace mm::model::ops
