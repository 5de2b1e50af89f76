#pragma once
// Helpers shared by the training commands and their tools (cmd_stages.cpp,
// cmd_train.cpp, cmd_grpo.cpp, cmd_stage_tools.cpp): config parsing, tokenizer
// and parent checkpoints, event formatting.

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

/// "a,b,,c" -> {"a", "b", "c"} (comma-separated flag values).
inline std::vector<std::string> splitList(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= s.size()) {
        const size_t end = std::min(s.find(',', start), s.size());
        if (end > start)
            out.push_back(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

/// Parses a command's flags (with presets and cross-field checks).
config::Values parseStageArgs(const std::string& stage, const std::vector<std::string>& args);
/// InputError "<flag> <path>: no such file; <hint>" when `path` is not a file.
using train::requireDataFile;
/// --tokenizer or <out_dir>/tokenizer.model, with a hint when missing.
text::Tokenizer loadStageTokenizer(const config::Values& cfg);
/// The SFT token cache of a conversations jsonl under <out_dir>/cache.
data::TokenCache sftCache(const config::Values& cfg, const text::Tokenizer& tok, Reporter& rep,
                          const std::string& dataPath);
/// Loads --from_weight into a model shaped by the config's model flags; "none"
/// gives a freshly initialised model. Errors name the missing file and the
/// command that makes it, or the flags that disagree with the checkpoint.
model::MiniMind loadParent(const config::Values& cfg, const text::Tokenizer& tok, std::string& path);

/// A training command: parse, build the stage (train::buildStageRun), run it,
/// format its events (terminal or --json). Returns the exit code.
int runTraining(const std::string& stage, const std::vector<std::string>& args);
/// Terminal progress of tokenizing `path` into the cache (none in --json mode
/// or on ranks other than 0).
std::function<void(int64_t, int64_t)> cacheProgress(const Reporter& rep, const std::string& path);
/// GRPO's events: each log event gets the stage's latest samples.
train::EventSink grpoSink(Reporter& rep, const train::GrpoStage& stage, size_t chars);

} // namespace mm::cli
