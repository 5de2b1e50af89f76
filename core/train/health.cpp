#include "train/health.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>

#include <sys/resource.h>
#include <unistd.h>

#if defined(MM_HAVE_CUDA) && __has_include(<c10/cuda/CUDACachingAllocator.h>)
#include <c10/cuda/CUDACachingAllocator.h>
#define MM_CUDA_MEMORY_STATS 1
#endif

namespace mm::train {

namespace {

double cpuSeconds() {
    rusage u{};
    if (::getrusage(RUSAGE_SELF, &u) != 0)
        return 0;
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * double(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

double wallSeconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

double residentMb() {
    // /proc/self/statm: size resident shared ... in pages.
    std::ifstream in("/proc/self/statm");
    long long size = 0, resident = 0;
    if (!(in >> size >> resident))
        return 0;
    return double(resident) * double(::sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

std::string fmt(const char* f, double a, double b) {
    char buf[512];
    std::snprintf(buf, sizeof buf, f, a, b);
    return buf;
}

} // namespace

ProcessMonitor::ProcessMonitor() : m_lastCpuSeconds(cpuSeconds()), m_lastWall(wallSeconds()) {}

ProcessMonitor::Sample ProcessMonitor::sample(const torch::Device& device) {
    Sample s;
    const double cpu = cpuSeconds(), wall = wallSeconds();
    if (wall > m_lastWall)
        s.cpuPercent = 100.0 * (cpu - m_lastCpuSeconds) / (wall - m_lastWall);
    m_lastCpuSeconds = cpu;
    m_lastWall = wall;
    s.rssMb = residentMb();
#ifdef MM_CUDA_MEMORY_STATS
    if (device.is_cuda()) {
        const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index() < 0 ? 0 : device.index());
        const auto& all = stats.allocated_bytes[size_t(c10::cuda::CUDACachingAllocator::StatType::AGGREGATE)];
        s.gpuAllocatedMb = double(all.current) / (1024.0 * 1024.0);
        s.gpuPeakMb = double(all.peak) / (1024.0 * 1024.0);
    }
#else
    (void)device;
#endif
    return s;
}

std::vector<std::pair<std::string, double>> ProcessMonitor::metrics(const Sample& s) {
    std::vector<std::pair<std::string, double>> m{{"cpu_pct", s.cpuPercent}, {"rss_mb", s.rssMb}};
    if (s.gpuAllocatedMb)
        m.emplace_back("gpu_mem_mb", *s.gpuAllocatedMb);
    if (s.gpuPeakMb)
        m.emplace_back("gpu_peak_mb", *s.gpuPeakMb);
    return m;
}

std::optional<double> HealthMonitor::spike(Watch& w, double v) {
    if (!std::isfinite(v))
        return std::nullopt; // the trainer stops the run on these
    std::optional<double> ratio;
    if (w.seen >= m_o.warmupLogs && w.ema > 0 && v > m_o.spikeFactor * w.ema) {
        if (!w.inSpike)
            ratio = v / w.ema;
        w.inSpike = true;
    } else {
        w.inSpike = false;
    }
    w.ema = w.seen == 0 ? v : m_o.emaWeight * w.ema + (1 - m_o.emaWeight) * v;
    ++w.seen;
    return ratio;
}

std::vector<HealthWarning> HealthMonitor::observe(int64_t step, double loss, double gradNorm,
                                                  const std::vector<std::pair<std::string, double>>& metrics) {
    std::vector<HealthWarning> out;
    const std::string at = "step " + std::to_string(step) + ": ";
    if (m_o.watchLoss) {
        const double before = m_loss.ema;
        if (auto r = spike(m_loss, loss))
            out.push_back({"loss_spike",
                           at + "loss " + fmt("%.4g is %.1fx", loss, *r) + " its running average (" +
                               fmt("%.4g", before, 0) +
                               "); if it does not come back down, resume from the last checkpoint with a lower "
                               "--learning_rate",
                           loss});
    }
    const double gradBefore = m_grad.ema;
    if (auto r = spike(m_grad, gradNorm))
        out.push_back({"grad_spike",
                       at + "gradient norm " + fmt("%.4g is %.1fx", gradNorm, *r) + " its running average (" +
                           fmt("%.4g", gradBefore, 0) + "); keep --grad_clip on, or lower --learning_rate",
                       gradNorm});
    for (const auto& [name, v] : metrics) {
        if (name != "zero_std_frac")
            continue;
        if (v >= m_o.zeroVarianceFraction) {
            if (++m_zeroVarRun >= m_o.zeroVarianceLogs && !m_zeroVarWarned) {
                m_zeroVarWarned = true;
                out.push_back({"zero_reward_variance",
                               at + fmt("%.0f%% of the groups got equal rewards for all completions in %.0f logged "
                                        "steps in a row: they have no advantage and teach nothing. Raise "
                                        "--num_generations or --temperature, or use prompts of mixed difficulty",
                                        100.0 * v, double(m_zeroVarRun)),
                               v});
            }
        } else {
            m_zeroVarRun = 0;
            m_zeroVarWarned = false;
        }
    }
    return out;
}

} // namespace mm::train
