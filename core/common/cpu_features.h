#pragma once
// What this x86-64 CPU can run, read once with cpuid, and which code path the
// project's own kernels take (core/model/fused_ops*.cpp). The path is the best
// the CPU and OS support, capped by MM_CPU_ISA=avx512|avx2|portable (to
// measure or test a slower path on a faster machine) or by setActiveIsa().
// Torch-free.

#include <optional>
#include <string>

namespace mm::cpu {

enum class Isa { Portable = 0, Avx2 = 1, Avx512 = 2 };

struct Features {
    bool avx2 = false, fma = false;
    bool avx512f = false, avx512bw = false, avx512dq = false, avx512vl = false;
    bool avx512bf16 = false; ///< vdpbf16ps: bfloat16 dot products
    bool amxBf16 = false;    ///< AMX tiles with bfloat16 (Sapphire Rapids and later)
    std::string model;       ///< brand string, e.g. "Intel(R) Xeon(R) Processor"
};

const Features& features();

/// The best path this CPU (and OS: AVX-512 state enabled in XCR0) supports.
Isa bestIsa();
/// The path the kernels take now: bestIsa() capped by MM_CPU_ISA or setActiveIsa().
Isa activeIsa();
/// Caps the path (tests, benchmarks); a request above bestIsa() is capped to it.
/// Returns the path now in effect.
Isa setActiveIsa(Isa isa);

const char* isaName(Isa isa);
std::optional<Isa> parseIsa(const std::string& name); ///< "avx512", "avx2", "portable"

/// "avx2 fma avx512f avx512bw avx512dq avx512vl avx512_bf16 amx_bf16" (those present).
std::string flagSummary();

/// bfloat16 GEMMs run in hardware (avx512_bf16 or AMX, and the active path is
/// avx512, so MM_CPU_ISA=avx2 turns them off); elsewhere oneDNN emulates
/// them, slower than float32.
bool hasFastBf16Gemm();

} // namespace mm::cpu
