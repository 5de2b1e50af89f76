#pragma once
// Hyper-parameters of the MiniMind decoder (minimind2 architecture). Torch-free.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace mm::model {

struct ModelConfig {
    int vocabSize = 6400;
    int hiddenSize = 512;
    int numLayers = 8;
    int numHeads = 8;
    int numKvHeads = 2;
    /// 0 = minimind's rule 64 * ceil(8/3 * hidden / 64).
    int intermediateSize = 0;
    int maxPositions = 32768;
    double ropeTheta = 1e6;
    double rmsEps = 1e-5;
    bool useMoe = false;
    int numRoutedExperts = 4;
    int numSharedExperts = 1;
    int expertsPerToken = 2;
    double auxLossAlpha = 0.1;
    bool normTopkProb = true;

    int headDim() const { return hiddenSize / numHeads; }
    int ffnSize() const;
    /// Trainable parameters with tied embedding/LM head counted once.
    int64_t parameterCount() const;
    /// Weights suffix of checkpoint names: "512" or "640_moe" (minimind's naming).
    std::string checkpointSuffix() const;
    /// Training FLOPs per token: 6*N (matmul parameters incl. LM head) plus
    /// attention 12*layers*hidden*seq/2 (causal), as in PaLM's MFU accounting.
    double trainFlopsPerToken(int seqLen) const;

    nlohmann::json toJson() const;
    /// Throws InputError naming the bad field.
    static ModelConfig fromJson(const nlohmann::json& j);
    bool sameShape(const ModelConfig& o) const;
};

} // namespace mm::model
