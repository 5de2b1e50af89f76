#include "model/config_infer.h"

#include "common/error.h"

#include <cmath>

namespace mm::model {

namespace {

[[noreturn]] void badField(const char* field, const std::string& value, const std::string& why) {
    throw InputError(std::string("model config field \"") + field + "\" is " + value + "; " + why);
}

void checkRange(const char* field, int v, int lo, int hi) {
    if (v < lo || v > hi)
        badField(field, std::to_string(v), "it must be " + std::to_string(lo) + " to " + std::to_string(hi));
}

void checkPositive(const char* field, double v) {
    if (!(std::isfinite(v) && v > 0))
        badField(field, std::to_string(v), "it must be a positive number");
}

std::string shapeText(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t i = 0; i < shape.size(); ++i)
        s += (i ? ", " : "") + std::to_string(shape[i]);
    return s + "]";
}

} // namespace

void validateModelConfig(const ModelConfig& c) {
    checkRange("vocab_size", c.vocabSize, 1, ModelLimits::kVocab);
    checkRange("hidden_size", c.hiddenSize, 1, ModelLimits::kHidden);
    checkRange("num_hidden_layers", c.numLayers, 1, ModelLimits::kLayers);
    checkRange("num_attention_heads", c.numHeads, 1, c.hiddenSize);
    if (c.hiddenSize % c.numHeads != 0 || (c.hiddenSize / c.numHeads) % 2 != 0)
        badField("num_attention_heads", std::to_string(c.numHeads),
                 "it must split hidden_size " + std::to_string(c.hiddenSize) + " into heads of even size");
    checkRange("num_key_value_heads", c.numKvHeads, 1, c.numHeads);
    if (c.numHeads % c.numKvHeads != 0)
        badField("num_key_value_heads", std::to_string(c.numKvHeads),
                 "it must divide num_attention_heads " + std::to_string(c.numHeads));
    checkRange("intermediate_size", c.intermediateSize, 0, ModelLimits::kIntermediate); // 0: minimind's rule
    checkRange("max_position_embeddings", c.maxPositions, 1, ModelLimits::kPositions);
    checkPositive("rope_theta", c.ropeTheta);
    checkPositive("rms_norm_eps", c.rmsEps);
    if (c.useMoe) {
        checkRange("n_routed_experts", c.numRoutedExperts, 1, ModelLimits::kExperts);
        checkRange("n_shared_experts", c.numSharedExperts, 0, ModelLimits::kExperts);
        checkRange("num_experts_per_tok", c.expertsPerToken, 1, c.numRoutedExperts);
        if (!(std::isfinite(c.auxLossAlpha) && c.auxLossAlpha >= 0))
            badField("aux_loss_alpha", std::to_string(c.auxLossAlpha), "it must be a number >= 0");
    }
}

ModelConfig inferConfigFromShapes(const TensorShapes& sd, int headsHint) {
    ModelConfig c;
    auto get = [&](const std::string& k) -> const std::vector<int64_t>& {
        auto it = sd.find(k);
        if (it == sd.end())
            throw InputError("checkpoint lacks " + k + "; it is not a MiniMind state dict");
        return it->second;
    };
    // A matrix's row count (sizes from the file: anything may come).
    auto rows = [&](const std::string& k, int64_t hi, const char* what) {
        const std::vector<int64_t>& s = get(k);
        if (s.size() != 2)
            throw InputError(k + " has shape " + shapeText(s) + "; a MiniMind state dict has a matrix there");
        if (s[0] < 1 || s[0] > hi)
            throw InputError(k + " has shape " + shapeText(s) + ": " + std::to_string(s[0]) + " " + what +
                             ", outside 1 to " + std::to_string(hi));
        return int(s[0]);
    };
    const std::string embName = "model.embed_tokens.weight";
    c.vocabSize = rows(embName, ModelLimits::kVocab, "tokens");
    const int64_t hidden = get(embName)[1];
    if (hidden < 1 || hidden > ModelLimits::kHidden)
        throw InputError(embName + " has shape " + shapeText(get(embName)) + ": hidden size " + std::to_string(hidden) +
                         ", outside 1 to " + std::to_string(ModelLimits::kHidden));
    c.hiddenSize = int(hidden);
    int layers = 0;
    while (layers <= ModelLimits::kLayers &&
           sd.count("model.layers." + std::to_string(layers) + ".input_layernorm.weight"))
        ++layers;
    if (layers == 0)
        throw InputError("checkpoint lacks model.layers.0.input_layernorm.weight; it is not a MiniMind state dict");
    if (layers > ModelLimits::kLayers)
        throw InputError("checkpoint has more than " + std::to_string(ModelLimits::kLayers) +
                         " layers (model.layers.N.input_layernorm.weight)");
    c.numLayers = layers;
    // The head count is a hint (--num_attention_heads): say so, not "the file is bad".
    if (headsHint < 1 || c.hiddenSize % headsHint != 0 || (c.hiddenSize / headsHint) % 2 != 0)
        throw InputError("hidden size " + std::to_string(c.hiddenSize) + " (" + embName + ") does not split into " +
                         std::to_string(headsHint) + " heads of even size; pass --num_attention_heads N");
    c.numHeads = headsHint;
    const int headDim = c.hiddenSize / c.numHeads;
    const std::string kName = "model.layers.0.self_attn.k_proj.weight";
    const int kRows = rows(kName, c.hiddenSize, "rows");
    if (kRows % headDim != 0 || c.numHeads % (kRows / headDim) != 0)
        throw InputError(kName + " has " + std::to_string(kRows) + " rows, not a whole number of kv heads of size " +
                         std::to_string(headDim) + " dividing the " + std::to_string(c.numHeads) +
                         " heads; pass the right --num_attention_heads");
    c.numKvHeads = kRows / headDim;
    c.useMoe = sd.count("model.layers.0.mlp.gate.weight") > 0;
    if (c.useMoe) {
        c.numRoutedExperts = rows("model.layers.0.mlp.gate.weight", ModelLimits::kExperts, "experts");
        if (c.expertsPerToken > c.numRoutedExperts)
            throw InputError("model.layers.0.mlp.gate.weight has " + std::to_string(c.numRoutedExperts) +
                             " routed experts, fewer than the " + std::to_string(c.expertsPerToken) +
                             " experts per token");
        c.intermediateSize = rows("model.layers.0.mlp.experts.0.gate_proj.weight", ModelLimits::kIntermediate, "rows");
        int shared = 0;
        while (shared <= ModelLimits::kExperts &&
               sd.count("model.layers.0.mlp.shared_experts." + std::to_string(shared) + ".gate_proj.weight"))
            ++shared;
        if (shared > ModelLimits::kExperts)
            throw InputError("checkpoint has more than " + std::to_string(ModelLimits::kExperts) +
                             " shared experts (model.layers.0.mlp.shared_experts.N.gate_proj.weight)");
        c.numSharedExperts = shared;
    } else {
        c.intermediateSize = rows("model.layers.0.mlp.gate_proj.weight", ModelLimits::kIntermediate, "rows");
    }
    validateModelConfig(c); // the rest are defaults; kept as a guard
    return c;
}

nlohmann::json parseSidecar(const std::string& text, const std::string& path) {
    try {
        return nlohmann::json::parse(text);
    } catch (const std::exception& e) {
        throw InputError(path + ": invalid JSON (" + std::string(e.what()) + "); delete it or restore it");
    }
}

ModelConfig checkpointConfig(const nlohmann::json& sidecar, const std::string& sidecarPath,
                             const TensorShapes& shapes) {
    if (!sidecar.is_object() || !sidecar.contains("model"))
        return inferConfigFromShapes(shapes);
    try {
        return ModelConfig::fromJson(sidecar["model"]);
    } catch (const InputError& e) {
        throw InputError(sidecarPath + ": " + e.what() +
                         " (restore the file, or delete it to infer the model from the tensors)");
    }
}

} // namespace mm::model
