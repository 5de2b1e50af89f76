#pragma once
// LoRA adapter files: "<out>/lora/<name>_<suffix>.pth", a state dict of the
// adapter weights only under minimind's names (model/lora.h), with a JSON
// sidecar holding the LoRA options, the base model's config and
// "format": "micromind-lora-v1".

#include "model/lora.h"

#include <string>

#include <nlohmann/json.hpp>

namespace mm::weights {

/// Writes the adapter only (state dict + JSON sidecar with the options and
/// `meta`), atomically.
void saveLora(const std::string& path, model::MiniMind& model, const model::LoraOptions& opts,
              const nlohmann::json& meta);

/// Attaches adapters for the projections named in an adapter file and loads
/// them. The rank comes from the tensor shapes, alpha from the sidecar (rank
/// when absent, as minimind). Throws InputError naming the file and the key
/// when the file does not fit the model.
model::LoraOptions loadLora(model::MiniMind& model, const std::string& path);

} // namespace mm::weights
