#include "model/model_config.h"

#include "common/error.h"
#include "model/config_infer.h"

#include <climits>
#include <cmath>

namespace mm::model {

int ModelConfig::ffnSize() const {
    if (intermediateSize > 0)
        return intermediateSize;
    return 64 * static_cast<int>(std::ceil(8.0 * hiddenSize / 3.0 / 64.0));
}

int64_t ModelConfig::parameterCount() const {
    const int64_t h = hiddenSize, kv = int64_t(numKvHeads) * headDim(), f = ffnSize();
    const int64_t attn = h * h * 2 + h * kv * 2;
    int64_t ffn = 3 * h * f;
    if (useMoe)
        ffn = ffn * (numRoutedExperts + numSharedExperts) + int64_t(numRoutedExperts) * h;
    const int64_t perLayer = attn + ffn + 2 * h;
    return int64_t(vocabSize) * h + numLayers * perLayer + h;
}

std::string ModelConfig::checkpointSuffix() const { return std::to_string(hiddenSize) + (useMoe ? "_moe" : ""); }

double ModelConfig::trainFlopsPerToken(int seqLen) const {
    const double h = hiddenSize, kv = double(numKvHeads) * headDim(), f = ffnSize();
    double ffnActive = 3 * h * f * (useMoe ? (expertsPerToken + numSharedExperts) : 1);
    double matmulParams = numLayers * (2 * h * h + 2 * h * kv + ffnActive) + double(vocabSize) * h;
    // QK^T and AV: 2 matmuls * 2 FLOP * seq * hidden per layer forward, x3 for
    // forward+backward, halved by the causal mask.
    double attention = numLayers * 12.0 * h * seqLen / 2.0;
    return 6.0 * matmulParams + attention;
}

nlohmann::json ModelConfig::toJson() const {
    return {{"vocab_size", vocabSize},
            {"hidden_size", hiddenSize},
            {"num_hidden_layers", numLayers},
            {"num_attention_heads", numHeads},
            {"num_key_value_heads", numKvHeads},
            {"intermediate_size", ffnSize()},
            {"max_position_embeddings", maxPositions},
            {"rope_theta", ropeTheta},
            {"rms_norm_eps", rmsEps},
            {"use_moe", useMoe},
            {"n_routed_experts", numRoutedExperts},
            {"n_shared_experts", numSharedExperts},
            {"num_experts_per_tok", expertsPerToken},
            {"aux_loss_alpha", auxLossAlpha},
            {"norm_topk_prob", normTopkProb}};
}

ModelConfig ModelConfig::fromJson(const nlohmann::json& j) {
    if (!j.is_object())
        throw InputError(std::string("model config must be a JSON object, not ") + j.type_name());
    ModelConfig c;
    auto geti = [&](const char* k, int& out) {
        if (j.contains(k)) {
            const nlohmann::json& v = j[k];
            if (!v.is_number_integer())
                throw InputError(std::string("model config field \"") + k + "\" must be an integer");
            // get<int> would wrap 4294967297 to 1.
            if (v.is_number_unsigned() ? v.get<uint64_t>() > uint64_t(INT_MAX)
                                       : v.get<int64_t>() < INT_MIN || v.get<int64_t>() > INT_MAX)
                throw InputError(std::string("model config field \"") + k + "\" is " + v.dump() + ", out of range");
            out = v.get<int>();
        }
    };
    auto getd = [&](const char* k, double& out) {
        if (j.contains(k)) {
            if (!j[k].is_number())
                throw InputError(std::string("model config field \"") + k + "\" must be a number");
            out = j[k].get<double>();
        }
    };
    auto getb = [&](const char* k, bool& out) {
        if (j.contains(k)) {
            const nlohmann::json& v = j[k];
            if (!v.is_boolean() && !v.is_number_integer())
                throw InputError(std::string("model config field \"") + k + "\" must be true or false");
            out = v.is_boolean() ? v.get<bool>() : v.get<int64_t>() != 0;
        }
    };
    geti("vocab_size", c.vocabSize);
    geti("hidden_size", c.hiddenSize);
    geti("num_hidden_layers", c.numLayers);
    geti("num_attention_heads", c.numHeads);
    geti("num_key_value_heads", c.numKvHeads);
    geti("intermediate_size", c.intermediateSize);
    geti("max_position_embeddings", c.maxPositions);
    getd("rope_theta", c.ropeTheta);
    getd("rms_norm_eps", c.rmsEps);
    getb("use_moe", c.useMoe);
    geti("n_routed_experts", c.numRoutedExperts);
    geti("n_shared_experts", c.numSharedExperts);
    geti("num_experts_per_tok", c.expertsPerToken);
    getd("aux_loss_alpha", c.auxLossAlpha);
    getb("norm_topk_prob", c.normTopkProb);
    validateModelConfig(c);
    return c;
}

bool ModelConfig::sameShape(const ModelConfig& o) const {
    return vocabSize == o.vocabSize && hiddenSize == o.hiddenSize && numLayers == o.numLayers &&
           numHeads == o.numHeads && numKvHeads == o.numKvHeads && ffnSize() == o.ffnSize() && useMoe == o.useMoe &&
           (!useMoe || (numRoutedExperts == o.numRoutedExperts && numSharedExperts == o.numSharedExperts));
}

} // namespace mm::model
