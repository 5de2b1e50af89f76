#pragma once
// The workspace's names for a stage's checkpoint files, shared by training
// (which writes them), the CLI's parent-stage lookup, import and evaluation:
// "<out_dir>/<stem>_<suffix>.pth" (suffix: ModelConfig::checkpointSuffix, e.g.
// "512" or "640_moe") and its resume archive under "<out_dir>/checkpoints/".

#include "model/model_config.h"

#include <string>

namespace mm::weights {

/// "<out_dir>/<stage>_<suffix>.pth"; `stage` is the file stem ("rlhf" for dpo,
/// "lora/<name>" for an adapter).
std::string weightsPath(const std::string& outDir, const std::string& stage, const model::ModelConfig& mc);
/// "<out_dir>/checkpoints/<stage>_<suffix>_resume.pt" (train/resume.h).
std::string resumePath(const std::string& outDir, const std::string& stage, const model::ModelConfig& mc);

} // namespace mm::weights
