#pragma once
// `micromind bench`: training tokens/s, MFU against the measured GEMM peak and
// decode tokens/s on this machine, optionally beside minimind's own Python
// step (--anchor).

#include "common/console.h"
#include "config/schema.h"

#include <string>
#include <vector>

namespace mm::bench {

/// Runs the benchmark of bench's flags `cfg` (`args`: the same flags, for a
/// re-run under --isa) and prints its report, or one JSON line with --json.
/// Returns the exit code.
int runBenchCommand(const config::Values& cfg, const std::vector<std::string>& args, const Console& con);

} // namespace mm::bench
