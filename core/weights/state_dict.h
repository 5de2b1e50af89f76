#pragma once
// Weights files: "<out>/<stage>_<hidden>[_moe].pth" (the name: weights/paths.h),
// a PyTorch-loadable state dict (pickle of a dict str -> Tensor) with
// minimind's parameter names, so Python's torch.load + minimind's
// MiniMindForCausalLM.load_state_dict(strict=True) read it. Beside it
// "<same>.json": model config, tokenizer fingerprint, stage, step — used to
// give clear errors when a checkpoint and a config disagree. Every file is
// written to a temp name and renamed.
//
// Below train/, eval/ and interop/: everything that reads or writes a model
// file goes through here. The resume archive (weights + optimizer state) is
// training's own: train/resume.h.

#include "model/minimind.h"

#include <torch/torch.h>

#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace mm::weights {

using StateDict = std::map<std::string, torch::Tensor>;

/// The model's parameters under minimind's names ("model." prefix, tied
/// "lm_head.weight"), converted to `dtype` on the CPU.
StateDict stateDict(model::MiniMind& model, torch::ScalarType dtype);

/// Writes a state dict as a Python-loadable pickle, atomically.
void saveStateDict(const std::string& path, const StateDict& sd);

/// Reads a state dict written by saveStateDict. Throws InputError naming the
/// file when it is missing or not a dict of tensors.
StateDict loadStateDict(const std::string& path);

/// Model shape implied by the tensors of a state dict (vocab, hidden, layers,
/// heads from the projection shapes, MoE experts).
model::ModelConfig inferConfig(const StateDict& sd, int headsHint = 8);

/// Copies a state dict into the model, strictly: every parameter present with
/// the same shape, no extra keys. Errors name the file, the key and both shapes,
/// and say which flag disagrees.
void loadInto(model::MiniMind& model, const StateDict& sd, const std::string& path);

/// Builds a model for a weights file and loads it: the shape comes from the
/// sidecar when present, else is inferred from the tensors. `expectVocab` > 0
/// checks the vocabulary against the tokenizer (InputError naming both).
model::MiniMind loadModel(const std::string& weightsPath, int expectVocab = 0);

/// Weights file + JSON sidecar.
void saveWeights(const std::string& path, model::MiniMind& model, const nlohmann::json& meta,
                 torch::ScalarType dtype = torch::kFloat16);
/// Sidecar of a weights file ("" if none).
nlohmann::json readSidecar(const std::string& weightsPath);
/// "<weights without .pth>.json".
std::string sidecarPath(const std::string& weightsPath);

} // namespace mm::weights
