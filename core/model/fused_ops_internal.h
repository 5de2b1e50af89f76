// Private to the fused kernels (fused_ops.cpp, fused_ops_decode.cpp,
// fused_ops_bf16.cpp, all built with -ffast-math): the macros that compile one
// always-inline kernel body for AVX-512, for AVX2+FMA and for plain x86-64,
// and the dispatcher that picks one per call from cpu::activeIsa(). See
// fused_ops.cpp's header comment.
#pragma once

#include "common/cpu_features.h"

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
