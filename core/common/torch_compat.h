#pragma once
// Every call that differs between LibTorch 1.13 (Debian, CPU) and LibTorch 2.x
// (pip wheels, CUDA) lives here, so the rest of the core is version-agnostic.

#include <torch/torch.h>
#include <ATen/autocast_mode.h>
#include <ATen/autocast_mode.h>

#include <string>

namespace mm::compat {

inline constexpr bool kTorch2 = TORCH_VERSION_MAJOR >= 2;

/// Causal attention over (B, H, T, D) tensors when the version has a fused
/// kernel (2.x: flash / memory-efficient on CUDA). Returns an undefined tensor
/// when it has none; the caller then runs its own implementation.
inline torch::Tensor fusedCausalAttention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                          double scale) {
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 1)
    if (q.is_cuda())
        return at::scaled_dot_product_attention(q, k, v, {}, 0.0, /*is_causal=*/true, scale);
#endif
    (void)scale;
    (void)q;
    (void)k;
    (void)v;
    return {};
}

/// RAII autocast to `dtype` on CUDA (no-op on CPU, where training stays fp32).
class AutocastGuard {
public:
    AutocastGuard(const torch::Device& device, torch::ScalarType dtype) {
        if (!device.is_cuda() || dtype == torch::kFloat32)
            return;
        m_active = true;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        m_prevEnabled = at::autocast::is_autocast_enabled(at::kCUDA);
        m_prevDtype = at::autocast::get_autocast_dtype(at::kCUDA);
        at::autocast::set_autocast_enabled(at::kCUDA, true);
        at::autocast::set_autocast_dtype(at::kCUDA, dtype);
#else
        m_prevEnabled = at::autocast::is_enabled();
        m_prevDtype = at::autocast::get_autocast_gpu_dtype();
        at::autocast::set_enabled(true);
        at::autocast::set_autocast_gpu_dtype(dtype);
#endif
        at::autocast::increment_nesting();
    }
    ~AutocastGuard() {
        if (!m_active)
            return;
        if (at::autocast::decrement_nesting() == 0)
            at::autocast::clear_cache();
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
        at::autocast::set_autocast_enabled(at::kCUDA, m_prevEnabled);
        at::autocast::set_autocast_dtype(at::kCUDA, m_prevDtype);
#else
        at::autocast::set_enabled(m_prevEnabled);
        at::autocast::set_autocast_gpu_dtype(m_prevDtype);
#endif
    }
    AutocastGuard(const AutocastGuard&) = delete;
    AutocastGuard& operator=(const AutocastGuard&) = delete;

private:
    bool m_active = false;
    bool m_prevEnabled = false;
    torch::ScalarType m_prevDtype = torch::kFloat32;
};

/// "1.13.1" style version string of the LibTorch we were built against.
inline std::string torchVersion() { return TORCH_VERSION; }

} // namespace mm::compat
