#include "commands/model_setup.h"

#include "common/error.h"
#include "common/format.h"
#include "common/fs.h"
#include "config/stages.h"
#include "train/run_setup.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace mm::eval {

std::string resourceDir() {
    const std::string dir = locateResourceDir();
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

ResolvedModel resolveFromFlags(const config::Values& cfg) {
    const int mode = int(cfg.getInt("model_mode"));
    const std::string& explicitPath = cfg.getString("checkpoint");
    if (!explicitPath.empty()) {
        modeInfo(mode);
        if (!fs::isFile(explicitPath))
            throw InputError("--checkpoint " + explicitPath + ": no such file");
        if (!cfg.getString("lora_name").empty())
            throw InputError(
                "--lora_name cannot be combined with --checkpoint; give the base model's --out_dir instead");
        ResolvedModel r;
        r.mode = mode;
        r.weights = explicitPath;
        return r;
    }
    return resolveModel(cfg.getString("out_dir"), mode, suffixFromFlags(cfg), cfg.getString("lora_name"));
}

torch::ScalarType inferDtypeFromFlags(const config::Values& cfg) {
    return decodeDtypeFromName(cfg.getString("infer_dtype"));
}

SamplingOptions samplingFromFlags(const config::Values& cfg) {
    SamplingOptions o;
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
    m.net = loadResolvedModel(m.files, m.tok.vocabSize(), dev);
    return m;
}

std::vector<PromptSet> promptSetsFromFlags(const config::Values& cfg, int mode) {
    std::vector<PromptSet> sets;
    if (!cfg.getString("prompts").empty()) {
        sets.push_back(loadPromptSet(cfg.getString("prompts")));
        return sets;
    }
    const std::string& spec = cfg.getString("prompt_set");
    std::vector<std::string> names = spec == "auto"  ? defaultPromptSets(mode)
                                     : spec == "all" ? builtinPromptSets()
                                                     : splitList(spec);
    if (names.empty())
        throw InputError("--prompt_set is empty; use auto, all or names such as chat,eval");
    const std::string dir = resourceDir();
    for (const auto& n : names)
        sets.push_back(loadPromptSet(promptSetPath(dir, n)));
    return sets;
}

ServerOptions serverOptionsFromFlags(const config::Values& cfg) {
    train::applyThreads(cfg.getInt("threads"));
    ServerOptions o;
    o.device = train::resolveDevice(cfg.getString("device"));
    o.host = cfg.getString("host");
    o.port = int(cfg.getInt("port"));
    o.maxTokens = int(cfg.getInt("max_tokens"));
    o.maxBodyBytes = size_t(cfg.getInt("max_body_bytes"));
    o.maxQueue = int(cfg.getInt("max_queue"));
    o.defaults.topK = 0;
    o.defaults.maxNewTokens = std::min(512, o.maxTokens);
    o.defaults.decodeDtype = inferDtypeFromFlags(cfg);
    const std::string keyEnv = cfg.getString("api_key_env");
    if (!keyEnv.empty()) {
        const char* k = std::getenv(keyEnv.c_str());
        if (!k || !*k)
            throw InputError("--api_key_env " + keyEnv +
                             ": the variable is unset or empty; export it or drop the flag");
        o.apiKey = k;
    }
    return o;
}

std::vector<ServedModel> servedModelsFromFlags(const config::Values& cfg) {
    const std::string outDir = cfg.getString("out_dir");
    std::vector<ServedModel> models = discoverModels(outDir);
    const std::string suffix = suffixFromFlags(cfg);
    if (!suffix.empty())
        models.erase(std::remove_if(models.begin(), models.end(),
                                    [&](const ServedModel& m) { return m.files.suffix != suffix; }),
                     models.end());
    if (models.empty())
        throw InputError("no checkpoints to serve in " + outDir + (suffix.empty() ? "" : " with suffix " + suffix) +
                         " (pretrain_*.pth, full_sft_*.pth, ...); train one or point --out_dir at a workspace");
    return models;
}

} // namespace mm::eval
