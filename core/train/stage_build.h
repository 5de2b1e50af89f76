#pragma once
// Assembly of the training stages from their typed options: check the data,
// load the tokenizer and the parent checkpoint, build the Stage (LoRA adapters,
// DPO reference log-probs, GRPO's frozen reference), the validation closure and
// the StageRun for runStage. Front ends (the CLI) only parse, dispatch and
// format; progress lines come back through `BuildHooks::info`.

#include "config/stage_options.h"
#include "data/token_cache.h"
#include "model/minimind.h"
#include "text/tokenizer.h"
#include "train/run_setup.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace mm::train {

class GrpoStage;

struct BuildHooks {
    /// A progress line for a person ("data: ...", "validation: ...", warnings).
    std::function<void(const std::string&)> info;
    /// Progress of tokenizing --data_path into the cache (pretrain), done/total.
    std::function<void(int64_t, int64_t)> dataProgress;
};

/// A stage ready for runStage(prepared.run, ...): owns the Stage and what it and
/// the validation closure read (tokenizer, token cache, pairs, prompts).
struct PreparedStage {
    StageRun run;
    std::shared_ptr<Stage> stage;
    std::vector<std::shared_ptr<const void>> owned;
    /// The stage's own log metrics for the terminal line under each log line.
    std::vector<std::string> logMetrics;
    /// Set for grpo: its latest samples go into the log events.
    const GrpoStage* grpo = nullptr;
};

PreparedStage buildPretrainRun(const config::PretrainOptions& o, const BuildHooks& hooks);
/// full_sft, distill_reason and lora (o.stage says which).
PreparedStage buildSftRun(config::SftOptions o, const BuildHooks& hooks);
PreparedStage buildDpoRun(const config::DpoOptions& o, const BuildHooks& hooks);
PreparedStage buildGrpoRun(const config::GrpoStageOptions& o, const BuildHooks& hooks);
/// The builder of `values`' stage, given the typed options of `values`.
PreparedStage buildStageRun(const config::Values& values, const BuildHooks& hooks);

// --- pieces the CLI's tools share ---

/// InputError "<flag> <path>: no such file; <hint>" when `path` is not a file.
void requireDataFile(const std::string& path, const std::string& flag, const std::string& hint);
/// --tokenizer (or the workspace's), with a hint when missing.
text::Tokenizer loadStageTokenizer(const std::string& tokenizer, const std::string& outDir);
/// The SFT token cache of a conversations jsonl under <outDir>/cache.
data::TokenCache sftCache(const std::string& dataPath, const text::Tokenizer& tok, const std::string& outDir,
                          bool skipBadLines, const std::function<void(const std::string&)>& info);
/// "<outDir>/<fromWeight>_<suffix>.pth", or "" for "none".
std::string parentPath(const std::string& fromWeight, const std::string& outDir, const model::ModelConfig& mc);
/// A model shaped by `mc`, initialised with `seed`, then loaded from
/// --from_weight ("none": left as initialised, `path` empty). Errors name the
/// missing file and the command that makes it, or the tokenizer that differs.
model::MiniMind loadParent(const model::ModelConfig& mc, const std::string& fromWeight, const std::string& outDir,
                           uint64_t seed, const text::Tokenizer& tok, std::string& path);

} // namespace mm::train
