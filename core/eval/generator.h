#pragma once
// Token generation with the KV cache: greedy or sampled (temperature, top-k,
// top-p, repetition penalty), seeded for reproducibility, streaming each token
// to a callback that can cancel. Safe to use from a worker thread (each call
// sets its own grad mode; one Generator per thread).

#include "model/minimind.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mm::eval {

struct SamplingOptions {
    int maxNewTokens = 512;
    double temperature = 0.85;
    double topP = 0.85;
    int topK = 50;                  ///< 0 = off
    double repetitionPenalty = 1.0; ///< > 1 discourages tokens already present
    bool greedy = false;
    uint64_t seed = 0;
    std::vector<int> stopIds{2}; ///< <|im_end|>
    /// Weights dtype for decode steps on CPU: bfloat16 halves the memory read
    /// per token, int8 (per-row scaled) quarters it (sums stay float32);
    /// float32 = exact.
    torch::ScalarType decodeDtype = torch::kFloat32;
};

/// --infer_dtype names: "float32", "bfloat16", "int8" (InputError otherwise).
torch::ScalarType decodeDtypeFromName(const std::string& name);
std::string decodeDtypeName(torch::ScalarType dtype);

/// Called with each new token id; return false to cancel.
using TokenCallback = std::function<bool(int token)>;

struct GenerationResult {
    std::vector<int> tokens; ///< generated ids (without the stop token)
    double seconds = 0;      ///< wall time of the decode loop (after prefill)
    double prefillSeconds = 0;
    bool hitStop = false;
    bool cancelled = false;
};

/// Applies repetition penalty, temperature, top-k and top-p to one row of
/// logits and returns the sampling distribution (probabilities, float32).
/// Exposed for tests.
torch::Tensor samplingDistribution(const torch::Tensor& logits, const std::vector<int>& seen,
                                   const SamplingOptions& opts);

class Generator {
public:
    explicit Generator(model::MiniMind model);
    GenerationResult generate(const std::vector<int>& prompt, const SamplingOptions& opts,
                              const TokenCallback& onToken = {});
    model::MiniMind& model() { return m_model; }

private:
    model::MiniMind m_model;
};

} // namespace mm::eval
