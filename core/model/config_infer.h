#pragma once
// Where a checkpoint's model config comes from, without torch: the JSON
// sidecar beside a weights file (weights/state_dict.h), or, when there is none,
// the names and shapes of its tensors; and the check that a config can be
// built. weights::loadModel, weights::inferConfig and ModelConfig::fromJson go
// through these, so scripts/fuzz.sh fuzzes them alone.

#include "model/model_config.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mm::model {

/// Largest sizes a config may have: far beyond any model MicroMind trains or
/// imports, small enough that every derived size (FFN, parameter count,
/// FLOPs) is computed without overflow.
struct ModelLimits {
    static constexpr int kVocab = 1 << 24;
    static constexpr int kHidden = 1 << 16;
    static constexpr int kLayers = 1024;
    static constexpr int kIntermediate = 1 << 20;
    static constexpr int kPositions = 1 << 20;
    static constexpr int kExperts = 1024;
};

/// Throws InputError naming the first field the MiniMind decoder cannot be
/// built with: a size that is not positive or above its limit, heads that do
/// not split the hidden size into heads of even size (RoPE rotates pairs), kv
/// heads that do not divide the heads, a non-positive rope_theta or
/// rms_norm_eps, and with MoE experts per token outside 1..n_routed_experts.
void validateModelConfig(const ModelConfig& c);

/// Tensor name -> shape, e.g. "model.embed_tokens.weight" -> {6400, 512}.
using TensorShapes = std::map<std::string, std::vector<int64_t>>;

/// The model shape implied by a MiniMind state dict: vocab and hidden size
/// from the embedding, layers from the layer names, kv heads from k_proj given
/// `headsHint` attention heads (shapes cannot tell the head count), the FFN
/// and the MoE experts from layer 0's MLP. The result is valid; otherwise
/// InputError names the tensor (or the head count) that does not fit.
ModelConfig inferConfigFromShapes(const TensorShapes& shapes, int headsHint = 8);

/// A sidecar's text as JSON. Throws InputError naming `path` when it is not JSON.
nlohmann::json parseSidecar(const std::string& text, const std::string& path);

/// The config of a checkpoint: its sidecar's "model" object when there is one
/// (ModelConfig::fromJson; errors are prefixed with `sidecarPath`), else
/// inferred from the tensors (8 heads).
ModelConfig checkpointConfig(const nlohmann::json& sidecar, const std::string& sidecarPath, const TensorShapes& shapes);

} // namespace mm::model
