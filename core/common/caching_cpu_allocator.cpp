#include "common/caching_cpu_allocator.h"

#include <c10/core/Allocator.h>
#include <c10/core/CPUAllocator.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <new>

#include <unistd.h>

namespace mm::alloc {

namespace {

// Every block carries a 64-byte header with its size, so one deleter serves
// all blocks and the returned pointer keeps LibTorch's 64-byte alignment.
constexpr size_t kAlign = 64;
constexpr size_t kHeader = 64;
constexpr size_t kLargeBlock = 256 << 10;
constexpr size_t kRound = 64 << 10;

size_t defaultCap() {
    // A quarter of the physical memory, at most 16 GiB.
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGESIZE);
    const size_t phys = pages > 0 && page > 0 ? size_t(pages) * size_t(page) : size_t(8) << 30;
    return std::min(phys / 4, size_t(16) << 30);
}

class CachingAllocator final : public c10::Allocator {
public:
    c10::DataPtr allocate(size_t n) const override {
        void* p = allocateRaw(n);
        return {p, p, &deleteBlock, c10::Device(c10::DeviceType::CPU)};
    }
    c10::DeleterFnPtr raw_deleter() const override { return &deleteBlock; }

    static CachingAllocator& instance() {
        static CachingAllocator* a = new CachingAllocator(); // outlives every tensor
        return *a;
    }

    CacheStats stats() const {
        std::lock_guard<std::mutex> g(m_mu);
        return {m_cached, m_hits, m_misses};
    }

    void releaseAll() const {
        std::lock_guard<std::mutex> g(m_mu);
        for (auto& [size, raw] : m_free)
            std::free(raw);
        m_free.clear();
        m_cached = 0;
    }

private:
    CachingAllocator() : m_cap(defaultCap()) {}

    static size_t& sizeOf(void* raw) { return *static_cast<size_t*>(raw); }

    void* allocateRaw(size_t n) const {
        const size_t size = n >= kLargeBlock ? (n + kRound - 1) / kRound * kRound : std::max<size_t>(n, 1);
        if (size >= kLargeBlock) {
            std::lock_guard<std::mutex> g(m_mu);
            auto it = m_free.lower_bound(size);
            if (it != m_free.end() && it->first <= size + size / 8) {
                void* raw = it->second;
                m_cached -= it->first;
                m_free.erase(it);
                ++m_hits;
                return static_cast<char*>(raw) + kHeader;
            }
            ++m_misses;
        }
        void* raw = nullptr;
        if (::posix_memalign(&raw, kAlign, size + kHeader) != 0) {
            releaseAll(); // cached blocks may be what is missing
            if (::posix_memalign(&raw, kAlign, size + kHeader) != 0)
                throw std::bad_alloc();
        }
        sizeOf(raw) = size;
        return static_cast<char*>(raw) + kHeader;
    }

    void release(void* p) const {
        if (!p)
            return;
        void* raw = static_cast<char*>(p) - kHeader;
        const size_t size = sizeOf(raw);
        if (size >= kLargeBlock) {
            std::lock_guard<std::mutex> g(m_mu);
            if (m_cached + size <= m_cap) {
                m_free.emplace(size, raw);
                m_cached += size;
                return;
            }
        }
        std::free(raw);
    }

    static void deleteBlock(void* p) { instance().release(p); }

    const size_t m_cap;
    mutable std::mutex m_mu;
    mutable std::multimap<size_t, void*> m_free;
    mutable size_t m_cached = 0, m_hits = 0, m_misses = 0;
};

bool g_installed = false;
std::once_flag g_once;

} // namespace

bool installCachingCpuAllocator() {
    const char* env = std::getenv("MM_CACHING_ALLOCATOR");
    if (env && std::strcmp(env, "0") == 0)
        return false;
    std::call_once(g_once, [] {
        // Priority above LibTorch's default registration (0).
        c10::SetCPUAllocator(&CachingAllocator::instance(), 1);
        g_installed = true;
    });
    return g_installed;
}

bool cachingCpuAllocatorInstalled() { return g_installed; }

CacheStats cachingCpuAllocatorStats() { return CachingAllocator::instance().stats(); }

void releaseCachedCpuMemory() { CachingAllocator::instance().releaseAll(); }

} // namespace mm::alloc
