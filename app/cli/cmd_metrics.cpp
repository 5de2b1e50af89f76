// metrics: perplexity / bits per byte, multiple choice and exact match (eval/metrics_run.h).

#include "commands.h"
#include "eval_setup.h"

#include "commands/metrics_run.h"

namespace mm::cli {

int cmdMetrics(const Args& args) { return eval::runMetricsCommand(parseCommand("metrics", args), terminal()); }

} // namespace mm::cli
