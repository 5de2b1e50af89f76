#pragma once
// What every training command does around the loop: resolve device, dtype,
// threads and paths from the stage config; open the workspace history; run the
// Trainer; record the outcome. Stages differ only in the Stage they pass in.

#include "config/schema.h"
#include "config/stage_options.h"
#include "model/model_config.h"
#include "train/events.h"
#include "train/trainer.h"

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace mm::train {

/// "cpu", "cuda", "cuda:N" or "auto". Throws InputError when CUDA is asked for
/// but unavailable.
torch::Device resolveDevice(const std::string& spec);
/// "auto" = bfloat16 on CUDA, float32 on CPU. CPU always trains in float32
/// (a half-precision CPU request is refused with an explanation).
torch::ScalarType resolveDtype(const std::string& spec, const torch::Device& device);
/// Sets intra-op threads on this thread. 0 = all cores, divided among the
/// LOCAL_WORLD_SIZE processes that torchrun started on this host.
void applyThreads(int64_t n);
/// --tokenizer, else the workspace's tokenizer.model or tokenizer.json.
std::string tokenizerPath(const std::string& tokenizer, const std::string& outDir);
/// Same from a config with "tokenizer" and "out_dir" fields.
std::string tokenizerPath(const config::Values& cfg);
/// Model shape from the config's model fields and the tokenizer's vocabulary.
model::ModelConfig modelConfigFrom(const config::Values& cfg, int vocabSize);
model::ModelConfig modelConfigFrom(const config::TrainingOptions& o, int vocabSize);

/// Everything runStage needs.
struct StageRun {
    /// The loop's options (typed, from the stage's schema).
    config::TrainingOptions opts;
    /// The stage's options as the history and the checkpoint meta store them
    /// (config::optionsJson, i.e. Values::toJson of the same values).
    nlohmann::json config = nlohmann::json::object();
    /// --device and --dtype, resolved once when the stage was built; unset:
    /// runStage resolves opts.device / opts.dtype.
    std::optional<torch::Device> device;
    std::optional<torch::ScalarType> dtype;
    model::MiniMind model{nullptr};
    Stage* stage = nullptr;
    std::string parentCheckpoint; ///< lineage ("" for pretrain)
    /// File stem of the weights and resume files when it differs from the
    /// stage name (minimind's names: dpo -> "rlhf", lora -> "lora/<name>").
    std::string checkpointStem;
    std::string dataKey;      ///< resume compatibility key
    nlohmann::json extraMeta; ///< merged into checkpoint meta
    /// Validation (--eval_data, every --eval_interval steps, rank 0): the
    /// model's metrics on held-out data, e.g. {{"val_loss", 2.1}}. Called in
    /// eval mode without autograd; it must not touch weights or generators.
    std::function<std::vector<std::pair<std::string, double>>(model::MiniMind&)> evaluate;
};

/// Events for the front end (terminal or --json): the typed events of
/// train/events.h ("start", "log", "eval", "probe", "warning", "checkpoint",
/// "done", "stopped"); toJson gives their --json form.
using EventSink = std::function<void(const Event&)>;

/// Runs a stage with history bookkeeping; `stopFlag` (set by a signal handler
/// or the GUI) makes the loop save and return. Errors are recorded as a failed
/// run and rethrown.
///
/// Launched by torchrun/srun (WORLD_SIZE > 1 in the environment, see
/// train/distributed.h) the run is data parallel: the ranks meet at
/// MASTER_ADDR:MASTER_PORT within --ddp_timeout seconds, CUDA runs use the
/// device of LOCAL_RANK, and only rank 0 opens the history, writes checkpoints
/// and calls `sink`; a lost rank ends every rank with a DistributedError.
TrainResult runStage(StageRun& run, const EventSink& sink, const std::atomic<bool>* stopFlag);

} // namespace mm::train
