#pragma once
// A caching CPU allocator for LibTorch. A training step allocates and frees
// the same large tensors every step (logits, attention scores, activations,
// gradients: up to ~100 MB each for minimind2-small at batch 8 x seq 512).
// glibc serves blocks above 32 MB (and, after frees, many smaller ones) with
// mmap/munmap, so every step page-faults its whole working set in again: on a
// 2-core machine a third of the step went to the kernel zeroing pages
// (`time`: 20 s sys for 36 s user). This allocator keeps freed blocks of
// >= 256 KiB for reuse (best fit within 1/8 of the size), up to a byte cap,
// and hands small ones to malloc. Installed by the CLI at start-up; set
// MM_CACHING_ALLOCATOR=0 to keep LibTorch's own.

#include <cstddef>

namespace mm::alloc {

/// Makes the caching allocator LibTorch's CPU allocator (idempotent). Returns
/// false when MM_CACHING_ALLOCATOR=0 says not to.
bool installCachingCpuAllocator();

/// Whether it is installed in this process.
bool cachingCpuAllocatorInstalled();

struct CacheStats {
    size_t cachedBytes = 0; ///< freed blocks held for reuse
    size_t hits = 0;        ///< large requests served from the cache
    size_t misses = 0;      ///< large requests that went to the system
};
CacheStats cachingCpuAllocatorStats();

/// Returns every cached block to the system.
void releaseCachedCpuMemory();

} // namespace mm::alloc
