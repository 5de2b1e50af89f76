#pragma once
// `micromind metrics`: perplexity / bits per byte (--task ppl), multiple-choice
// accuracy on C-Eval/CMMLU csv files (choice) and exact match of greedy
// answers (exact), for one model of the workspace.

#include "common/console.h"
#include "config/schema.h"

namespace mm::eval {

/// Measures --task on --data_path; text lines, or with --json JSON lines (the
/// last one the result), go through the console. Returns the exit code.
int runMetricsCommand(const config::Values& cfg, const Console& con);

} // namespace mm::eval
