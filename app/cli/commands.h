#pragma once
// `micromind` subcommands. Each takes the arguments after its name and returns
// the process exit code; errors are thrown as mm::Error and translated in main.

#include "common/console.h"

#include <atomic>
#include <string>
#include <vector>

namespace mm::cli {

using Args = std::vector<std::string>;

/// Set by SIGINT/SIGTERM: long commands save and stop.
extern std::atomic<bool> g_stopRequested;
/// The terminal for the core's commands: stdout, stderr, stdin and g_stopRequested.
const Console& terminal();

int cmdTrainTokenizer(const Args& args);
int cmdPretrain(const Args& args);
int cmdData(const Args& args);
int cmdBench(const Args& args);
int cmdHistory(const Args& args);
int cmdFullSft(const Args& args);
int cmdDpo(const Args& args);
int cmdLora(const Args& args);
int cmdDistillReason(const Args& args);
int cmdGrpo(const Args& args);
int cmdMergeLora(const Args& args);
int cmdHeldout(const Args& args);
int cmdEval(const Args& args);
int cmdChat(const Args& args);
int cmdServe(const Args& args);
int cmdJudge(const Args& args);
int cmdScores(const Args& args);
int cmdMetrics(const Args& args);
int cmdDemo(const Args& args);
int cmdPipeline(const Args& args);
int cmdImport(const Args& args);
int cmdExport(const Args& args);

} // namespace mm::cli
