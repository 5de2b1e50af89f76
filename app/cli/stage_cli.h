#pragma once
// Helpers shared by the post-training commands (cmd_stages.cpp and
// cmd_stage_tools.cpp): config parsing, tokenizer and parent checkpoints.

#include "reporter.h"

#include "config/schema.h"
#include "data/token_cache.h"
#include "model/minimind.h"
#include "text/tokenizer.h"

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
void requireDataFile(const std::string& path, const std::string& flag, const std::string& hint);
/// --tokenizer or <out_dir>/tokenizer.model, with a hint when missing.
text::Tokenizer loadStageTokenizer(const config::Values& cfg);
/// The SFT token cache of a conversations jsonl under <out_dir>/cache.
data::TokenCache sftCache(const config::Values& cfg, const text::Tokenizer& tok, Reporter& rep,
                          const std::string& dataPath);
/// "<out_dir>/<stem>_<suffix>.pth" for --from_weight, or "" for "none".
std::string parentPath(const config::Values& cfg, const model::ModelConfig& mc);
/// Loads --from_weight into a model shaped by the config's model flags; "none"
/// gives a freshly initialised model. Errors name the missing file and the
/// command that makes it, or the flags that disagree with the checkpoint.
model::MiniMind loadParent(const config::Values& cfg, const text::Tokenizer& tok, std::string& path);

} // namespace mm::cli
