#pragma once
// The seed's model modes (`eval --model_mode N`) and where their weights live:
// 0 pretrain_{s}.pth, 1 full_sft_{s}.pth, 2 rlhf_{s}.pth, 3 reason_{s}.pth,
// 4 full_sft_{s}.pth + lora/{lora_name}_{s}.pth, 5 grpo_{s}.pth, where the
// suffix s is the hidden size plus "_moe" for MoE models (minimind's naming).

#include "model/minimind.h"

#include <string>
#include <vector>

namespace mm::eval {

/// One model mode.
struct ModeInfo {
    int mode;
    std::string name;          ///< pretrain, full_sft, rlhf, reason, lora, grpo
    std::string weightsPrefix; ///< base weights file prefix
    std::string trainCommand;  ///< the `micromind` stage that writes them
    bool chat;                 ///< prompts go through the chat template
};

/// Modes 0-5 in order.
const std::vector<ModeInfo>& modes();
/// Throws InputError listing the modes when `mode` is unknown.
const ModeInfo& modeInfo(int mode);

/// Files of one model, found in a workspace.
struct ResolvedModel {
    int mode = 0;
    std::string weights; ///< base weights .pth
    std::string lora;    ///< adapter .pth ("" = none)
    std::string suffix;  ///< "512", "128_moe", ...
    std::string note;    ///< how an automatic choice was made ("" when the user named it)
    /// Short id: weights file stem, plus "+<adapter stem>" ("full_sft_512+lora_medical_512").
    std::string label() const;
};

/// Finds the files for `mode` in `outDir`. `suffix` "" means automatic: the
/// only checkpoint of that kind, or "512" when several exist. `loraName` is
/// required for mode 4 and refused otherwise. Throws InputError saying which
/// files exist and which flag or command fixes it.
ResolvedModel resolveModel(const std::string& outDir, int mode, const std::string& suffix, const std::string& loraName);

/// Checkpoint suffixes present for a weights prefix ("pretrain" -> {"128", "512"}).
std::vector<std::string> checkpointSuffixes(const std::string& outDir, const std::string& prefix);

/// Folders of models brought in with `micromind import --name N`:
/// <outDir>/imported/<N>/, sorted by name.
std::vector<std::string> importedModelDirs(const std::string& outDir);

/// The tokenizer of a weights file: tokenizer.model or tokenizer.json in the
/// file's own folder (an imported model's), else the workspace's; "" if none.
std::string tokenizerForWeights(const std::string& weightsPath, const std::string& workspace);

/// Loads the model (and its adapter) in eval mode on `device`; `expectVocab`
/// checks the tokenizer. Throws InputError when the adapter cannot be loaded.
model::MiniMind loadResolvedModel(const ResolvedModel& m, int expectVocab, const torch::Device& device);

} // namespace mm::eval
