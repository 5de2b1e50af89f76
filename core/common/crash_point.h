#pragma once
// Fault injection for the kill soak (scripts/kill_soak.py): with
// MM_CRASH_AT=<point>:<n> in the environment, the n-th time this process passes
// crashPoint("<point>") it kills itself with SIGKILL, exactly where a power cut
// or an OOM kill would hurt most. Points in the code:
//   write_file   inside fs::writeFileAtomic, half of the bytes written to the
//                temp file, before fsync and rename (checkpoints, sidecars,
//                resume state, caches)
//   history      inside History::flush, half of the metric rows inserted,
//                before COMMIT
// Unset (the normal case) it costs one branch on a cached flag.

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>

#include <unistd.h>

namespace mm {

namespace detail {
struct CrashPlan {
    std::string point;
    long at = 0;
    std::atomic<long> seen{0};
    CrashPlan() {
        const char* v = std::getenv("MM_CRASH_AT");
        if (!v)
            return;
        const char* colon = std::strrchr(v, ':');
        if (!colon)
            return;
        point.assign(v, size_t(colon - v));
        at = std::strtol(colon + 1, nullptr, 10);
    }
};
inline CrashPlan& crashPlan() {
    static CrashPlan plan;
    return plan;
}
} // namespace detail

inline void crashPoint(const char* name) {
    detail::CrashPlan& p = detail::crashPlan();
    if (p.at <= 0 || p.point != name)
        return;
    if (++p.seen == p.at)
        ::kill(::getpid(), SIGKILL);
}

} // namespace mm
