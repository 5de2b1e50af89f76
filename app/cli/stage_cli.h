#pragma once
// Helpers shared by the commands with presets and data-parallel ranks
// (cmd_stages.cpp, cmd_train.cpp, cmd_grpo.cpp and the tools): config parsing,
// event formatting.

#include "reporter.h"

#include "config/schema.h"
#include "data/token_cache.h"
#include "model/minimind.h"
#include "text/tokenizer.h"
#include "train/run_setup.h"
#include "train/stage_build.h"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

namespace mm::cli {

/// Parses a command's flags (with presets and cross-field checks).
config::Values parseStageArgs(const std::string& stage, const std::vector<std::string>& args);
/// InputError "<flag> <path>: no such file; <hint>" when `path` is not a file.
using train::requireDataFile;
/// A training command: parse, build the stage (train::buildStageRun), run it,
/// format its events (terminal or --json). Returns the exit code.
int runTraining(const std::string& stage, const std::vector<std::string>& args);
/// Terminal progress of tokenizing `path` into the cache (none in --json mode
/// or on ranks other than 0).
std::function<void(int64_t, int64_t)> cacheProgress(const Reporter& rep, const std::string& path);
/// GRPO's events: each log event gets the stage's latest samples.
train::EventSink grpoSink(Reporter& rep, const train::GrpoStage& stage, size_t chars);

} // namespace mm::cli
