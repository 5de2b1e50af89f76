#pragma once
// Resume state: "<out>/checkpoints/<stage>_<suffix>_resume.pt" (the name:
// weights/paths.h), a LibTorch archive holding float32 weights, optimizer
// state and a JSON "meta" string (step, data position, config). Written to a
// temp name and renamed. Training's own; the weights file that every stage
// writes beside it is weights/state_dict.h's.

#include "model/minimind.h"

#include <torch/torch.h>

#include <string>

#include <nlohmann/json.hpp>

namespace mm::train {

/// Resume archive: float32 weights, optimizer state, meta JSON.
void saveResume(const std::string& path, model::MiniMind& model, torch::optim::Optimizer& opt,
                const nlohmann::json& meta);
/// Loads weights and optimizer state in place; returns the meta JSON. Throws
/// InputError if the file is missing, unreadable or its model shape differs.
nlohmann::json loadResume(const std::string& path, model::MiniMind& model, torch::optim::Optimizer& opt);
/// Only the meta JSON of a resume archive (cheap check before building models).
nlohmann::json readResumeMeta(const std::string& path);

} // namespace mm::train
