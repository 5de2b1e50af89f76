#pragma once
// The one training loop. Every stage (pretrain, SFT, DPO, LoRA, distillation,
// GRPO) supplies only a batch builder and a step function through `Stage`; the
// loop owns data order, gradient accumulation, AdamW, the learning-rate
// schedule, clipping, NaN detection, logging, checkpoints, resume and stopping.

#include "model/minimind.h"

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace mm::train {

class Communicator;

/// A micro-batch as built by a stage.
struct Batch {
    torch::Tensor x; ///< (B, T) int64 inputs
    torch::Tensor y; ///< (B, T) int64 targets
    torch::Tensor w; ///< (B, T) float loss weights; undefined = all ones
    /// Stage-specific tensors (DPO reference log-probs, ...); the loop moves
    /// them to the device with x/y/w.
    std::vector<torch::Tensor> extra;
    int64_t tokens = 0;  ///< input tokens (throughput accounting)
    int64_t targets = 0; ///< positions with non-zero weight
    /// Denominator of the stage's loss when the loss is a weighted mean over
    /// positions: the sum of w (B*T when w is undefined). Data-parallel runs
    /// scale each rank's loss by its share of the sum over all ranks, so the
    /// averaged gradient equals one process's over the whole global batch even
    /// when ranks have different numbers of targets. 0 = the loss is a mean over
    /// something every rank's micro-batch has equally many of (DPO's pairs):
    /// plain averaging is already exact.
    double lossDenominator = 0;
};

/// What a stage's step returns: the loss to minimise and extra metrics
/// (scalars, averaged over the micro-batches of an optimizer step).
struct StepOutput {
    torch::Tensor loss;
    std::vector<std::pair<std::string, torch::Tensor>> metrics;
};

/// The part of a training run that differs between stages.
class Stage {
public:
    virtual ~Stage() = default;
    /// "pretrain", "full_sft", ...
    virtual std::string name() const = 0;
    /// Training samples per epoch.
    virtual int64_t numSamples() const = 0;
    /// Builds the micro-batch of the given sample indices. Must throw InputError
    /// for a batch that has nothing to learn from (empty loss mask), never
    /// return one that would average into NaN.
    virtual Batch makeBatch(const std::vector<int64_t>& indices) = 0;
    /// Forward + loss for one micro-batch (on the model's device).
    virtual StepOutput step(model::MiniMind& model, const Batch& batch) = 0;
    /// Parameters to optimise (default: all); others are frozen by the loop.
    virtual std::vector<torch::Tensor> trainableParameters(model::MiniMind& model) { return model->parameters(); }
    /// Writes the weights file of a checkpoint. Default: the whole model as a
    /// state dict + sidecar (saveWeights); LoRA writes only its adapter.
    virtual void writeWeights(const std::string& path, model::MiniMind& model, const nlohmann::json& meta);
};

struct TrainOptions {
    int64_t epochs = 1;
    int64_t batchSize = 32;
    int64_t accumulation = 1;
    int64_t maxSteps = 0; ///< 0 = all epochs
    int64_t warmupSteps = 0;
    int64_t logInterval = 100;
    int64_t saveInterval = 100;
    /// Rank 0 calls TrainCallbacks::onProbe after every probeInterval-th
    /// optimizer step and after the last one (0 = never).
    int64_t probeInterval = 0;
    /// Rank 0 calls TrainCallbacks::onEval after every evalInterval-th
    /// optimizer step and after the last one (0 = never).
    int64_t evalInterval = 0;
    double learningRate = 5e-4;
    double minLrRatio = 0.1; ///< cosine decays to learningRate * minLrRatio (minimind: 1/10)
    double gradClip = 1.0;
    double weightDecay = 0.01;
    uint64_t seed = 42;
    torch::Device device = torch::kCPU;
    torch::ScalarType dtype =
        torch::kFloat32; ///< autocast dtype on CUDA; on the CPU float32 or bfloat16 matmuls (ops::CpuGemmDtypeGuard)
    std::string weightsPath; ///< where weights are saved
    std::string resumePath;  ///< resume archive (every rank reads it on resume)
    bool resume = false;
    nlohmann::json meta; ///< stored in the sidecar and resume meta (config, tokenizer, parent)
    /// Must match on resume (data file + tokenizer + sequence length...).
    std::string dataKey;
    /// Data parallel: this process's rank and the number of processes. Each
    /// micro-step covers worldSize * batchSize consecutive samples of the
    /// epoch's permutation and rank r takes rows [r*B, (r+1)*B) of them, so W
    /// ranks with batch B see exactly the batches of one process with batch
    /// W*B. Gradients are averaged over ranks once per optimizer step (not on
    /// accumulation micro-steps); only rank 0 writes files and calls the
    /// callbacks. worldSize > 1 needs `comm`.
    int rank = 0;
    int worldSize = 1;
    Communicator* comm = nullptr; ///< not owned; the job's process group
};

/// One log step, also written to the history and streamed as JSON.
struct LogRecord {
    int64_t step = 0, totalSteps = 0;
    int64_t epoch = 0, epochs = 0;
    double loss = 0, lr = 0, gradNorm = 0;
    double tokensPerSec = 0;
    int64_t tokens = 0;                                  ///< cumulative training tokens
    double elapsed = 0, eta = 0;                         ///< seconds
    std::vector<std::pair<std::string, double>> metrics; ///< stage metrics
};

struct TrainCallbacks {
    std::function<void(const nlohmann::json& startInfo)> onStart;
    std::function<void(const LogRecord&)> onLog;
    std::function<void(const std::string& path, const std::string& kind, int64_t step)> onCheckpoint;
    /// Polled once per optimizer step; true = save and stop.
    std::function<bool()> shouldStop;
    /// Live probe (see TrainOptions::probeInterval and train/probe.h): called
    /// on rank 0 only, after the step's update and log, with the model in eval
    /// mode under NoGradGuard (training mode is restored afterwards). It must
    /// not change weights or draw from a random generator; no collective runs
    /// meanwhile. Its time is left out of tokens/s.
    std::function<void(model::MiniMind& model, int64_t step, int64_t tokens)> onProbe;
    /// Validation on held-out data (TrainOptions::evalInterval), with the same
    /// contract as onProbe: it must leave the weights, the optimizer and every
    /// random generator as they were, so training is the same with or without it.
    std::function<void(model::MiniMind& model, int64_t step, int64_t tokens)> onEval;
};

struct TrainResult {
    int64_t steps = 0;
    int64_t totalSteps = 0;
    int64_t tokens = 0;
    double lastLoss = 0;
    bool stopped = false;    ///< stopped on request before the end (resumable)
    double probeSeconds = 0; ///< wall time spent in onProbe and onEval
};

/// Learning rate at `step` of `total`: linear warmup, then cosine from lr down to
/// lr * minRatio. (minimind's formula lr/10 + lr/2 * (1 + cos) starts at 1.1 lr;
/// this one keeps the nominal peak.)
double learningRateAt(int64_t step, int64_t total, int64_t warmup, double lr, double minRatio);

/// Sample order of an epoch: a seeded Fisher-Yates permutation, identical on
/// every platform and every rank.
std::vector<int64_t> epochPermutation(int64_t n, uint64_t seed, int64_t epoch);

class Trainer {
public:
    Trainer(TrainOptions opts, model::MiniMind model, Stage& stage, TrainCallbacks cb);
    /// Runs to the end, a stop request, or an error (exceptions propagate after
    /// the last good checkpoint is on disk).
    TrainResult run();

private:
    void save(torch::optim::Optimizer& opt, int64_t step, int64_t epoch, int64_t pos, int64_t tokens, double elapsed);
    /// Data parallel: every rank must run the same schedule on the same data.
    void checkSameSetup(const std::vector<int64_t>& setup);
    /// Averages the gradients over ranks (in buckets), after agreeing on which
    /// parameters have a gradient at all.
    void syncGradients(const std::vector<torch::Tensor>& params, int64_t step);
    TrainOptions m_o;
    model::MiniMind m_model;
    Stage& m_stage;
    TrainCallbacks m_cb;
};

} // namespace mm::train
