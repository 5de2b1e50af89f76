#pragma once
// `micromind bench`: training throughput and MFU against a GEMM peak measured on
// the same machine, batch-1 KV-cached decode speed and the batched decode of
// several different prompts (evaluation). Training runs through
// the real Trainer and step function (random tokens), so the figure is what a
// real run gets minus data loading.

#include "model/model_config.h"

#include <torch/torch.h>

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace mm::bench {

struct BenchOptions {
    model::ModelConfig model;
    int batchSize = 8;
    int seqLen = 512;
    int steps = 3;
    int warmup = 1;
    int decodeTokens = 200;
    int promptTokens = 32;
    int decodeBatch = 8; ///< prompts in the batched-decode figure (0 = skip)
    bool skipTrain = false;
    torch::Device device = torch::kCPU;
    torch::ScalarType dtype = torch::kFloat32;      ///< training autocast dtype (CUDA)
    torch::ScalarType inferDtype = torch::kFloat32; ///< decode weights dtype
    std::string scratchDir;                         ///< where the Trainer may write its checkpoint
    std::string profilePath;                        ///< if set: chrome trace of the last timed training step
};

struct BenchResult {
    int threads = 0;
    int64_t parameters = 0;
    double gemmGflops = 0;       ///< measured fp32 (CUDA: autocast dtype) GEMM peak
    double gemmGflopsBf16 = 0;   ///< CPU bfloat16 GEMM peak (measured when training in bfloat16)
    double trainStepSeconds = 0; ///< median timed step
    double trainTokensPerSec = 0;
    double trainFlopsPerToken = 0;
    double mfu = 0;       ///< achieved FLOP/s / GEMM peak of the dtype trained in
    double mfuFp32 = 0;   ///< achieved FLOP/s / fp32 GEMM peak (CPU bfloat16 runs)
    std::string kernels;  ///< fused-kernel path: avx512, avx2 or portable
    std::string cpuFlags; ///< cpu::flagSummary()
    std::string blas;     ///< blasDescription()
    double decodeTokensPerSec = 0;
    double prefillSeconds = 0;
    double batchDecodeTokensPerSec = 0; ///< all rows' tokens / decode wall time
    double batchPrefillSeconds = 0;
    nlohmann::json toJson() const;
};

/// The BLAS behind torch's float32 matmuls on the CPU, e.g. "OpenBLAS 0.3.21
/// (core SkylakeX, OpenMP threads)", or "" when it does not say.
std::string blasDescription();

/// Best of a few timed n x n matmuls (GFLOP/s) in `dtype` on `device`.
double measureGemmGflops(const torch::Device& device, torch::ScalarType dtype, int n = 1024);

BenchResult run(const BenchOptions& opts, const std::function<void(const std::string&)>& progress);

} // namespace mm::bench
