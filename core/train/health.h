#pragma once
// Run health: the process's resource use per log step (CPU %, resident memory,
// CUDA memory on a CUDA device) and warnings a person should see while a run
// goes on — a loss or gradient-norm spike against its running average, GRPO
// groups whose rewards stopped varying (no advantage, no learning signal).
// Non-finite values already end a run (train/trainer.h); these only warn.

#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mm::train {

/// Resource use of this process, sampled at log steps.
class ProcessMonitor {
public:
    struct Sample {
        double cpuPercent = 0;                           ///< since the previous sample; 100 = one core busy
        double rssMb = 0;                                ///< resident memory now
        std::optional<double> gpuAllocatedMb, gpuPeakMb; ///< CUDA caching allocator (CUDA devices only)
    };
    ProcessMonitor();
    Sample sample(const torch::Device& device);
    /// The sample as metric name/value pairs (cpu_pct, rss_mb, gpu_mem_mb, gpu_peak_mb).
    static std::vector<std::pair<std::string, double>> metrics(const Sample& s);

private:
    double m_lastCpuSeconds = 0, m_lastWall = 0;
};

struct HealthWarning {
    std::string kind;    ///< loss_spike, grad_spike, zero_reward_variance
    std::string message; ///< one sentence, names the step and what to try
    double value = 0;
};

/// Watches the logged values of one run. A spike is a value above `spikeFactor`
/// times the exponential moving average of the values before it, once
/// `warmupLogs` values were seen; it warns once per excursion (again only
/// after the value came back under the threshold).
class HealthMonitor {
public:
    struct Options {
        double spikeFactor = 5.0;
        int warmupLogs = 5;
        double emaWeight = 0.9;            ///< weight of the past in the average
        int zeroVarianceLogs = 5;          ///< consecutive logs with (almost) no group reward variance
        double zeroVarianceFraction = 0.9; ///< share of groups whose rewards are all equal
        bool watchLoss = true;             ///< off for objectives that may be negative (GRPO)
    };
    HealthMonitor() : HealthMonitor(Options{}) {}
    explicit HealthMonitor(Options o) : m_o(o) {}
    /// The warnings raised by this log step; `metrics` are the stage's own
    /// values (zero_std_frac is GRPO's share of groups without variance).
    std::vector<HealthWarning> observe(int64_t step, double loss, double gradNorm,
                                       const std::vector<std::pair<std::string, double>>& metrics);

private:
    struct Watch {
        double ema = 0;
        int seen = 0;
        bool inSpike = false;
    };
    std::optional<double> spike(Watch& w, double v);
    Options m_o;
    Watch m_loss, m_grad;
    int m_zeroVarRun = 0;
    bool m_zeroVarWarned = false;
};

} // namespace mm::train
