#pragma once
// Checkpoints trained elsewhere, read without running any of their code.
//
// Sources: a Python `torch.save` state dict (minimind's .pth: a dict or
// collections.OrderedDict of tensors, zip or legacy format, fp32/fp16/bf16),
// a .safetensors file, or a transformers folder (config.json +
// model.safetensors / pytorch_model.bin) of a MiniMind or Llama-style model.
// The pickles go through io::readTorchStateDict's allow-list unpickler.
// Names are minimind's (= Hugging Face Llama's); DDP's "module." and
// torch.compile's "_orig_mod." prefixes are dropped, a bare MiniMindModel
// state dict gets its "model." prefix, a tied lm_head.weight must equal the
// embedding.

#include "model/minimind.h"
#include "text/tokenizer.h"

#include <torch/torch.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mm::interop {

using StateDict = std::map<std::string, torch::Tensor>;

/// A model read from a foreign file: its tensors under MicroMind's names, the
/// shape (from config.json or the tensors), and what was learnt on the way.
struct ForeignModel {
    StateDict tensors;
    model::ModelConfig config;
    std::string source;        ///< the path given
    std::string format;        ///< "torch-zip", "torch-legacy", "safetensors", "hf-folder:<inner>"
    std::string tokenizerPath; ///< tokenizer.json / tokenizer.model found beside the weights ("" = none)
    torch::ScalarType dtype = torch::kFloat32; ///< the floating dtype the weights were stored in
    std::vector<std::string> notes;            ///< skipped entries, dropped prefixes, ...
};

/// Reads `path` (file or transformers folder). `headsHint` is the attention
/// head count when there is no config.json. Throws InputError naming the
/// file and what to do: unknown format, a pickle global outside the
/// allow-list, a config field MicroMind cannot represent, a tensor whose shape
/// disagrees with the config (both shapes named).
ForeignModel readForeignModel(const std::string& path, int headsHint = 8);

/// Builds the model and loads the tensors strictly (every parameter, same
/// shapes, nothing extra); errors name the source file.
model::MiniMind buildModel(const ForeignModel& fm);

struct ImportOptions {
    std::string from;
    std::string outDir = "out";
    std::string name;           ///< "" = straight into outDir, else outDir/imported/<name>
    std::string stage = "auto"; ///< pretrain, full_sft, rlhf, reason, grpo or auto
    std::string tokenizer;      ///< "" = beside the source, else the destination's
    int headsHint = 8;
    std::string dtype = "auto"; ///< auto, float32, float16, bfloat16
    bool force = false;
    nlohmann::json config; ///< the command's settings, stored with the history run
};

struct ImportResult {
    std::string weightsPath;   ///< the written <stage>_<suffix>.pth
    std::string tokenizerPath; ///< the destination's tokenizer
    std::string destination;   ///< the folder written into
    std::string stage;
    ForeignModel source; ///< tensors released; config/format/notes kept
    int64_t historyRunId = 0;
};

/// Reads, checks (tokenizer vocabulary == embedding rows, destination free),
/// writes weights + sidecar (temp name, renamed) and the tokenizer files when
/// the destination has none, and registers an "import" run in
/// <outDir>/micromind.db. Nothing is written when any check fails.
ImportResult importModel(const ImportOptions& opts);

/// Weights file prefix for a stage name ("rlhf" for dpo's checkpoints, ...);
/// `auto` is resolved from the file name of `source` (minimind's names).
std::string importStage(const std::string& stage, const std::string& source);

} // namespace mm::interop
