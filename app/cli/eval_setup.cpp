#include "eval_setup.h"

#include "common/error.h"
#include "common/fs.h"
#include "config/stages.h"
#include "eval/prompts.h"
#include "train/run_setup.h"

#include <filesystem>

namespace mm::cli {

namespace stdfs = std::filesystem;

config::Values parseCommand(const std::string& name, const Args& args) {
    return config::parseArgs(config::schemaFor(name), args);
}

std::string resourceDir() {
    const std::string dir = eval::locateResourceDir();
    if (dir.empty())
        throw InputError("the prompt sets (share/micromind/prompts) were not found next to the micromind binary, in "
                         "the source tree or under the install prefix; reinstall micromind or pass your own file "
                         "with --prompts FILE");
    return dir;
}

text::Tokenizer loadWorkspaceTokenizer(const config::Values& cfg) {
    const std::string path = train::tokenizerPath(cfg);
    if (!fs::isFile(path))
        throw InputError("tokenizer " + path +
                         " not found; pass --tokenizer FILE or --out_dir of the workspace the "
                         "model was trained in (it holds tokenizer.model)");
    return text::Tokenizer::load(path);
}

std::string suffixFromFlags(const config::Values& cfg) {
    long long hidden = cfg.getInt("hidden_size");
    bool moe = cfg.getBool("use_moe");
    const std::string& preset = cfg.getString("preset");
    const bool presetSet = preset != "custom";
    if (!cfg.isSet("hidden_size") && !cfg.isSet("use_moe") && !presetSet)
        return {};
    for (const auto& p : config::presets())
        if (p.name == preset) {
            if (!cfg.isSet("hidden_size"))
                hidden = p.hiddenSize;
            if (!cfg.isSet("use_moe"))
                moe = p.useMoe;
        }
    return std::to_string(hidden) + (moe ? "_moe" : "");
}

eval::ResolvedModel resolveFromFlags(const config::Values& cfg) {
    const int mode = int(cfg.getInt("model_mode"));
    const std::string& explicitPath = cfg.getString("checkpoint");
    if (!explicitPath.empty()) {
        eval::modeInfo(mode);
        if (!fs::isFile(explicitPath))
            throw InputError("--checkpoint " + explicitPath + ": no such file");
        if (!cfg.getString("lora_name").empty())
            throw InputError(
                "--lora_name cannot be combined with --checkpoint; give the base model's --out_dir instead");
        eval::ResolvedModel r;
        r.mode = mode;
        r.weights = explicitPath;
        return r;
    }
    return eval::resolveModel(cfg.getString("out_dir"), mode, suffixFromFlags(cfg), cfg.getString("lora_name"));
}

torch::ScalarType inferDtypeFromFlags(const config::Values& cfg) {
    return eval::decodeDtypeFromName(cfg.getString("infer_dtype"));
}

eval::SamplingOptions samplingFromFlags(const config::Values& cfg) {
    eval::SamplingOptions o;
    o.maxNewTokens = int(cfg.getInt("max_new_tokens"));
    o.temperature = cfg.getFloat("temperature");
    o.topP = cfg.getFloat("top_p");
    o.topK = int(cfg.getInt("top_k"));
    o.repetitionPenalty = cfg.getFloat("repetition_penalty");
    o.greedy = cfg.getBool("greedy") || o.temperature <= 0;
    o.seed = uint64_t(cfg.getInt("seed"));
    o.decodeDtype = inferDtypeFromFlags(cfg);
    return o;
}

LoadedModel loadModelFromFlags(const config::Values& cfg) {
    train::applyThreads(cfg.getInt("threads"));
    const torch::Device dev = train::resolveDevice(cfg.getString("device"));
    LoadedModel m{loadWorkspaceTokenizer(cfg), resolveFromFlags(cfg)};
    m.net = eval::loadResolvedModel(m.files, m.tok.vocabSize(), dev);
    return m;
}

} // namespace mm::cli
