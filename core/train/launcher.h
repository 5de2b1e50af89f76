#pragma once
// `micromind <stage> ... --nproc_per_node N`: data-parallel training on this
// machine without torchrun. The command starts N copies of itself with the
// variables torchrun --standalone would set (RANK, LOCAL_RANK, WORLD_SIZE,
// LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1, a free MASTER_PORT), each with
// its share of the cores, and waits for them: rank 0 reports and writes the
// history, as under torchrun. Ctrl+C / SIGTERM reach every rank once (they
// run in their own process group); the first rank to fail ends the others.

#include <string>
#include <vector>

namespace mm::train {

/// True when this process should launch ranks: nproc > 1 and no launcher
/// (torchrun, srun or this one) started it.
bool shouldLaunchLocalRanks(int nproc);

/// Runs `exe command args...` as `nproc` local ranks and returns the job's
/// exit code: 0 when every rank succeeded, else rank 0's code when it failed,
/// else the first failing rank's.
int runLocalRanks(int nproc, const std::string& exe, const std::vector<std::string>& commandAndArgs);

/// A TCP port on 127.0.0.1 that was free a moment ago.
int freeLoopbackPort();

} // namespace mm::train
