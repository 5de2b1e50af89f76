#include "common/cpu_features.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#define MM_X86 1
#endif

namespace mm::cpu {

namespace {

#ifdef MM_X86
Features detect() {
    Features f;
    __builtin_cpu_init();
    f.avx2 = __builtin_cpu_supports("avx2");
    f.fma = __builtin_cpu_supports("fma");
    // __builtin_cpu_supports also checks that the OS saves the AVX-512 state.
    f.avx512f = __builtin_cpu_supports("avx512f");
    f.avx512bw = __builtin_cpu_supports("avx512bw");
    f.avx512dq = __builtin_cpu_supports("avx512dq");
    f.avx512vl = __builtin_cpu_supports("avx512vl");
    unsigned a = 0, b = 0, c = 0, d = 0;
    if (__get_cpuid_max(0, nullptr) >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        f.amxBf16 = f.avx512f && (d >> 22 & 1) && (d >> 24 & 1); // amx-bf16, amx-tile
        __cpuid_count(7, 1, a, b, c, d);
        f.avx512bf16 = f.avx512f && (a >> 5 & 1);
    }
    if (__get_cpuid_max(0x80000000, nullptr) >= 0x80000004) {
        char brand[49] = {};
        for (unsigned i = 0; i < 3; ++i) {
            unsigned r[4];
            __cpuid(0x80000002 + i, r[0], r[1], r[2], r[3]);
            std::memcpy(brand + 16 * i, r, 16);
        }
        f.model = brand;
        const auto first = f.model.find_first_not_of(' ');
        f.model = first == std::string::npos ? "" : f.model.substr(first);
    }
    return f;
}
#else
Features detect() { return {}; }
#endif

Isa bestOf(const Features& f) {
    if (f.avx512f && f.avx512bw && f.avx512dq && f.avx512vl && f.avx2 && f.fma)
        return Isa::Avx512;
    if (f.avx2 && f.fma)
        return Isa::Avx2;
    return Isa::Portable;
}

Isa initialIsa() {
    const Isa best = bestOf(features());
    const char* env = std::getenv("MM_CPU_ISA");
    if (!env || !*env || std::strcmp(env, "auto") == 0)
        return best;
    std::optional<Isa> want = parseIsa(env);
    if (!want) {
        std::fprintf(stderr, "micromind: MM_CPU_ISA=%s is not one of avx512, avx2, portable, auto; using %s\n", env,
                     isaName(best));
        return best;
    }
    if (int(*want) > int(best)) {
        std::fprintf(stderr, "micromind: MM_CPU_ISA=%s: this CPU supports at most %s; using %s\n", env, isaName(best),
                     isaName(best));
        return best;
    }
    return *want;
}

std::atomic<int>& activeSlot() {
    static std::atomic<int> slot{int(initialIsa())};
    return slot;
}

} // namespace

const Features& features() {
    static const Features f = detect();
    return f;
}

Isa bestIsa() { return bestOf(features()); }

Isa activeIsa() { return Isa(activeSlot().load(std::memory_order_relaxed)); }

Isa setActiveIsa(Isa isa) {
    const Isa v = int(isa) > int(bestIsa()) ? bestIsa() : isa;
    activeSlot().store(int(v), std::memory_order_relaxed);
    return v;
}

const char* isaName(Isa isa) {
    switch (isa) {
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2";
    default: return "portable";
    }
}

std::optional<Isa> parseIsa(const std::string& name) {
    if (name == "avx512")
        return Isa::Avx512;
    if (name == "avx2")
        return Isa::Avx2;
    if (name == "portable" || name == "default")
        return Isa::Portable;
    return std::nullopt;
}

std::string flagSummary() {
    const Features& f = features();
    std::string s;
    auto add = [&](bool on, const char* name) {
        if (on)
            s += (s.empty() ? "" : " ") + std::string(name);
    };
    add(f.avx2, "avx2");
    add(f.fma, "fma");
    add(f.avx512f, "avx512f");
    add(f.avx512bw, "avx512bw");
    add(f.avx512dq, "avx512dq");
    add(f.avx512vl, "avx512vl");
    add(f.avx512bf16, "avx512_bf16");
    add(f.amxBf16, "amx_bf16");
    return s.empty() ? "(none of avx2/avx512)" : s;
}

bool hasFastBf16Gemm() { return activeIsa() == Isa::Avx512 && (features().avx512bf16 || features().amxBf16); }

} // namespace mm::cpu
