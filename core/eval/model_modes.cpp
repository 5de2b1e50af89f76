#include "eval/model_modes.h"

#include "common/error.h"
#include "common/fs.h"
#include "model/lora.h"
#include "text/tokenizer.h"
#include "weights/lora_adapter.h"
#include "weights/state_dict.h"

#include <algorithm>
#include <filesystem>
#include <regex>

namespace mm::eval {

namespace stdfs = std::filesystem;

const std::vector<ModeInfo>& modes() {
    static const std::vector<ModeInfo> m{
        {0, "pretrain", "pretrain", "pretrain", false},
        {1, "full_sft", "full_sft", "full_sft", true},
        {2, "rlhf", "rlhf", "dpo", true},
        {3, "reason", "reason", "distill_reason", true},
        {4, "lora", "full_sft", "lora", true},
        {5, "grpo", "grpo", "grpo", true},
    };
    return m;
}

const ModeInfo& modeInfo(int mode) {
    for (const auto& m : modes())
        if (m.mode == mode)
            return m;
    throw InputError("--model_mode " + std::to_string(mode) +
                     " is unknown; use 0 pretrain, 1 full_sft, 2 rlhf, 3 reason, 4 lora+sft, 5 grpo");
}

std::string ResolvedModel::label() const {
    std::string l = stdfs::path(weights).stem().string();
    if (!lora.empty())
        l += "+" + stdfs::path(lora).stem().string();
    return l;
}

std::vector<std::string> checkpointSuffixes(const std::string& dir, const std::string& prefix) {
    std::vector<std::string> out;
    const std::regex re(prefix + R"(_([0-9]+(_moe)?)\.pth)");
    std::error_code ec;
    for (const auto& e : stdfs::directory_iterator(dir, ec)) {
        std::smatch m;
        const std::string name = e.path().filename().string();
        if (e.is_regular_file(ec) && std::regex_match(name, m, re))
            out.push_back(m[1].str());
    }
    std::sort(out.begin(), out.end());
    return out;
}

namespace {

std::string joined(const std::vector<std::string>& v, const std::string& prefix) {
    std::string s;
    for (const auto& x : v)
        s += (s.empty() ? "" : ", ") + prefix + x + ".pth";
    return s;
}

} // namespace

ResolvedModel resolveModel(const std::string& outDir, int mode, const std::string& suffix,
                           const std::string& loraName) {
    const ModeInfo& info = modeInfo(mode);
    if (mode == 4 && loraName.empty())
        throw InputError("--model_mode 4 (lora+sft) needs --lora_name NAME (the adapter " + outDir +
                         "/lora/NAME_<suffix>.pth, e.g. --lora_name lora_medical)");
    if (mode == 4 && !model::validLoraName(loraName))
        throw InputError("--lora_name \"" + loraName + "\" is not a plain file name (letters, digits, _ - .)");
    if (mode != 4 && !loraName.empty())
        throw InputError("--lora_name is only used with --model_mode 4 (lora+sft); drop it or use --model_mode 4");
    ResolvedModel r;
    r.mode = mode;
    const auto have = checkpointSuffixes(outDir, info.weightsPrefix);
    const std::string trainHint = "train it with `micromind " + info.trainCommand + " --out_dir " + outDir + " ...`";
    if (suffix.empty()) {
        if (have.empty())
            throw InputError("no " + info.weightsPrefix + "_<size>.pth in " + outDir + " for --model_mode " +
                             std::to_string(mode) + " (" + info.name + "); " + trainHint +
                             ", or point --out_dir at the workspace that holds it");
        if (have.size() == 1) {
            r.suffix = have[0];
            r.note = "using " + info.weightsPrefix + "_" + r.suffix + ".pth, the only " + info.weightsPrefix +
                     " checkpoint in " + outDir;
        } else if (std::find(have.begin(), have.end(), "512") != have.end()) {
            r.suffix = "512";
            r.note = "using " + info.weightsPrefix +
                     "_512.pth; also present: " + joined(have, info.weightsPrefix + "_") +
                     " (choose with --hidden_size / --use_moe / --preset)";
        } else {
            throw InputError(outDir + " holds several " + info.weightsPrefix + " checkpoints (" +
                             joined(have, info.weightsPrefix + "_") +
                             "); choose one with --hidden_size N (and --use_moe) or --preset");
        }
    } else {
        r.suffix = suffix;
    }
    r.weights = (stdfs::path(outDir) / (info.weightsPrefix + "_" + r.suffix + ".pth")).string();
    if (!fs::isFile(r.weights))
        throw InputError("checkpoint " + r.weights + " not found for --model_mode " + std::to_string(mode) + " (" +
                         info.name + "); " +
                         (have.empty() ? trainHint
                                       : "this workspace has " + joined(have, info.weightsPrefix + "_") +
                                             ": pick it with --hidden_size (and --use_moe) or --preset"));
    if (mode == 4) {
        r.lora = (stdfs::path(outDir) / "lora" / (loraName + "_" + r.suffix + ".pth")).string();
        if (!fs::isFile(r.lora)) {
            const auto adapters = checkpointSuffixes((stdfs::path(outDir) / "lora").string(), loraName);
            throw InputError("LoRA adapter " + r.lora + " not found" +
                             (adapters.empty() ? "; train it with `micromind lora --lora_name " + loraName +
                                                     " --out_dir " + outDir + " ...`"
                                               : "; present for this name: " + joined(adapters, loraName + "_")));
        }
    }
    return r;
}

model::MiniMind loadResolvedModel(const ResolvedModel& r, int expectVocab, const torch::Device& device) {
    model::MiniMind m = weights::loadModel(r.weights, expectVocab);
    if (!r.lora.empty()) {
        // Folding the adapter into the base weights makes decoding exactly as
        // fast as the base model's; the loaded copy is private to this call.
        weights::loadLora(m, r.lora);
        model::mergeLora(m);
    }
    m->to(device);
    m->eval();
    return m;
}

std::vector<std::string> importedModelDirs(const std::string& outDir) {
    std::vector<std::string> out;
    std::error_code ec;
    const std::filesystem::path root = std::filesystem::path(outDir) / "imported";
    if (!std::filesystem::is_directory(root, ec))
        return out;
    for (const auto& e : std::filesystem::directory_iterator(root, ec))
        if (e.is_directory(ec))
            out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

std::string tokenizerForWeights(const std::string& weightsPath, const std::string& workspace) {
    const std::string own = text::tokenizerFileIn(std::filesystem::path(weightsPath).parent_path().string());
    return own.empty() ? text::tokenizerFileIn(workspace) : own;
}

} // namespace mm::eval
