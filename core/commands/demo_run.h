#pragma once
// `micromind demo`: the whole pipeline on a corpus Debian ships (fortunes-zh).
// Builds the data pack in-process, then runs every stage as a child process of
// this same binary — exactly the commands a user would type, printed before
// each one — and ends with the five models' answers, objective held-out metrics
// and the score table. Re-running keeps finished stages and resumes a stopped one.

#include "common/console.h"
#include "config/schema.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mm::eval {

struct DemoOptions {
    std::string workspace = "demo", source = "/usr/share/games/fortunes";
    bool quick = false, fresh = false, dataOnly = false, grpo = false;
    double scale = 1;
    int64_t threads = 0, nprocPerNode = 0, vocabSize = 6400, maxNewTokens = 96;
    std::string baseUrl, judgeModel, apiKeyEnv;

    /// The demo command's flags.
    static DemoOptions from(const config::Values& v);
};

/// Runs the demo; returns the exit code (130 when the user stopped it).
int runDemo(const DemoOptions& o, const Console& con);

/// A demo stage is finished when its product exists and, for a training stage,
/// the checkpoint's sidecar says it reached the --max_steps in `args` (a
/// checkpoint saved mid-run, or one from another --scale, is not finished).
bool demoStageFinished(const std::string& product, const std::vector<std::string>& args);

} // namespace mm::eval
