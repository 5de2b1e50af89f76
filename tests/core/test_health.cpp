// Run health: resource sampling and the warnings of train/health.h.

#include "train/health.h"

#include <gtest/gtest.h>

#include <vector>

namespace mm::train {
namespace {

TEST(Health, ProcessMonitorReportsCpuAndResidentMemory) {
    ProcessMonitor m;
    volatile double x = 0;
    for (int i = 0; i < 20000000; ++i)
        x = x + 1e-9 * i; // busy for a moment: CPU time accrues
    const auto s = m.sample(torch::kCPU);
    EXPECT_GT(s.cpuPercent, 1.0);
    EXPECT_LT(s.cpuPercent, 100.0 * 64);
    EXPECT_GT(s.rssMb, 1.0);
    EXPECT_FALSE(s.gpuAllocatedMb.has_value()); // a CPU run has no CUDA memory figures
    const auto metrics = ProcessMonitor::metrics(s);
    ASSERT_EQ(metrics.size(), 2u);
    EXPECT_EQ(metrics[0].first, "cpu_pct");
    EXPECT_EQ(metrics[1].first, "rss_mb");
}

TEST(Health, SpikesWarnOncePerExcursionAfterWarmup) {
    HealthMonitor h;
    int64_t step = 0;
    auto feed = [&](double loss, double grad) { return h.observe(++step, loss, grad, {}); };
    // A spike inside the warm-up is not judged: the average is not settled yet.
    EXPECT_TRUE(feed(2.0, 1.0).empty());
    EXPECT_TRUE(feed(40.0, 1.0).empty());
    for (int i = 0; i < 30; ++i)
        EXPECT_TRUE(feed(2.0, 1.0).empty()) << "step " << step;
    auto w = feed(30.0, 1.0);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].kind, "loss_spike");
    EXPECT_DOUBLE_EQ(w[0].value, 30.0);
    EXPECT_NE(w[0].message.find("step 33"), std::string::npos) << w[0].message;
    EXPECT_NE(w[0].message.find("--learning_rate"), std::string::npos) << w[0].message;
    // Still high: the same excursion, no second warning.
    EXPECT_TRUE(feed(30.0, 1.0).empty());
    for (int i = 0; i < 30; ++i)
        feed(2.0, 1.0);
    w = feed(2.0, 9.0);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].kind, "grad_spike");
    // 4x is under the 5x threshold.
    EXPECT_TRUE(feed(2.0, 4.0).empty());
}

TEST(Health, LossWatchCanBeOffForObjectivesThatMayBeNegative) {
    HealthMonitor::Options o;
    o.watchLoss = false;
    HealthMonitor h(o);
    for (int i = 1; i < 20; ++i)
        h.observe(i, 0.01, 1.0, {});
    EXPECT_TRUE(h.observe(20, 5.0, 1.0, {}).empty());
}

TEST(Health, GroupsWithoutRewardVarianceWarnAfterSeveralLogs) {
    HealthMonitor h;
    const std::vector<std::pair<std::string, double>> flat{{"reward_mean", 1.0}, {"zero_std_frac", 1.0}};
    const std::vector<std::pair<std::string, double>> mixed{{"zero_std_frac", 0.25}};
    int64_t step = 0;
    for (int i = 0; i < 4; ++i)
        EXPECT_TRUE(h.observe(++step, 0, 1, flat).empty());
    h.observe(++step, 0, 1, mixed); // the run of flat logs is broken
    for (int i = 0; i < 4; ++i)
        EXPECT_TRUE(h.observe(++step, 0, 1, flat).empty());
    auto w = h.observe(++step, 0, 1, flat);
    ASSERT_EQ(w.size(), 1u);
    EXPECT_EQ(w[0].kind, "zero_reward_variance");
    EXPECT_NE(w[0].message.find("100%"), std::string::npos) << w[0].message;
    EXPECT_NE(w[0].message.find("--num_generations"), std::string::npos) << w[0].message;
    EXPECT_TRUE(h.observe(++step, 0, 1, flat).empty()); // once per stretch
}

} // namespace
} // namespace mm::train
