#include "interop/import.h"

#include "common/error.h"
#include "common/fs.h"
#include "model/raw_tensor.h"
#include "io/pickle.h"
#include "io/safetensors.h"
#include "store/history.h"
#include "weights/paths.h"
#include "weights/state_dict.h"

#include <cstdio>
#include <filesystem>
#include <regex>

namespace mm::interop {

namespace stdfs = std::filesystem;

namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string shapeText(const torch::Tensor& t) {
    std::string s = "[";
    for (int64_t i = 0; i < t.dim(); ++i)
        s += (i ? ", " : "") + std::to_string(t.size(i));
    return s + "]";
}

bool isFloating(torch::ScalarType t) {
    return t == torch::kFloat32 || t == torch::kFloat16 || t == torch::kBFloat16 || t == torch::kFloat64;
}

/// Tensors of one weights file, by kind.
std::vector<io::RawTensor> readWeightsFile(const std::string& path, std::string& format,
                                           std::vector<std::string>& notes) {
    if (endsWith(path, ".safetensors")) {
        format = "safetensors";
        return io::readSafetensors(path);
    }
    if (endsWith(path, ".safetensors.index.json")) {
        format = "safetensors-sharded";
        return io::readShardedSafetensors(path);
    }
    io::StateDictFile sd = io::readTorchStateDict(path);
    format = "torch-" + sd.format;
    for (const auto& s : sd.skipped)
        notes.push_back("skipped non-tensor entry " + s);
    return std::move(sd.tensors);
}

/// config.json of a transformers folder -> ModelConfig, refusing what the
/// MiniMind decoder cannot compute.
model::ModelConfig configFromHf(const nlohmann::json& j, const std::string& path) {
    auto bad = [&](const std::string& what) {
        return InputError(path + ": " + what + "; MicroMind imports MiniMind and Llama-architecture models only");
    };
    const std::string type = j.value("model_type", std::string());
    if (type != "minimind" && type != "llama")
        throw bad("model_type is \"" + type + "\"");
    if (j.contains("hidden_act") && j["hidden_act"] != "silu")
        throw bad("hidden_act is " + j["hidden_act"].dump() + ", not \"silu\"");
    for (const char* k : {"attention_bias", "mlp_bias"})
        if (j.value(k, false))
            throw bad(std::string(k) + " is true (the MiniMind decoder has no biases)");
    if (j.contains("rope_scaling") && !j["rope_scaling"].is_null())
        throw bad("rope_scaling is set (" + j["rope_scaling"].dump() + "); only plain RoPE is supported");
    if (j.value("inference_rope_scaling", false))
        throw bad("inference_rope_scaling (YaRN) is on");
    if (j.contains("tie_word_embeddings") && !j["tie_word_embeddings"].get<bool>() && type == "llama") {
        // checked against the tensors: an lm_head equal to the embedding is fine
    }
    nlohmann::json c = j;
    if (!c.contains("num_key_value_heads") && c.contains("num_attention_heads"))
        c["num_key_value_heads"] = c["num_attention_heads"];
    model::ModelConfig mc;
    try {
        mc = model::ModelConfig::fromJson(c);
    } catch (const InputError& e) {
        throw InputError(path + ": " + e.what());
    }
    if (j.contains("head_dim") && j["head_dim"].is_number_integer() && j["head_dim"].get<int>() != mc.headDim())
        throw bad("head_dim " + j["head_dim"].dump() +
                  " differs from hidden_size / num_attention_heads = " + std::to_string(mc.headDim()));
    if (j.contains("max_position_embeddings") && j["max_position_embeddings"].is_number_integer())
        mc.maxPositions = j["max_position_embeddings"].get<int>();
    return mc;
}

/// Drops wrapper prefixes and adds "model." to a bare decoder state dict.
StateDict normaliseNames(StateDict in, std::vector<std::string>& notes) {
    for (const std::string prefix : {"module.", "_orig_mod."}) {
        bool all = !in.empty();
        for (const auto& [k, v] : in)
            all = all && k.rfind(prefix, 0) == 0;
        if (!all)
            continue;
        StateDict out;
        for (auto& [k, v] : in)
            out.emplace(k.substr(prefix.size()), v);
        in.swap(out);
        notes.push_back("dropped the \"" + prefix + "\" prefix of every name");
    }
    if (!in.count("model.embed_tokens.weight") && in.count("embed_tokens.weight")) {
        StateDict out;
        for (auto& [k, v] : in)
            out.emplace(k == "lm_head.weight" ? k : "model." + k, v);
        in.swap(out);
        notes.push_back("added the \"model.\" prefix (a MiniMindModel state dict)");
    }
    // Rotary tables are recomputed, never loaded (older transformers saved them).
    for (auto it = in.begin(); it != in.end();) {
        const std::string& k = it->first;
        if (endsWith(k, "rotary_emb.inv_freq") || k == "model.freqs_cos" || k == "model.freqs_sin") {
            notes.push_back("skipped " + k + " (recomputed)");
            it = in.erase(it);
        } else {
            ++it;
        }
    }
    return in;
}

} // namespace

ForeignModel readForeignModel(const std::string& path, int headsHint) {
    ForeignModel fm;
    fm.source = path;
    std::error_code ec;
    std::string weights = path;
    nlohmann::json hfConfig;
    std::string configPath;
    if (stdfs::is_directory(path, ec)) {
        configPath = (stdfs::path(path) / "config.json").string();
        if (!fs::isFile(configPath))
            throw InputError(path + " is a folder without config.json; give a transformers model folder or the "
                                    "weights file itself (--from X.pth)");
        try {
            hfConfig = nlohmann::json::parse(fs::readFile(configPath));
        } catch (const nlohmann::json::exception& e) {
            throw InputError(configPath + ": invalid JSON (" + std::string(e.what()) + ")");
        }
        weights.clear();
        for (const char* name : {"model.safetensors", "pytorch_model.bin", "model.pth"}) {
            const std::string p = (stdfs::path(path) / name).string();
            if (fs::isFile(p)) {
                weights = p;
                break;
            }
        }
        if (weights.empty()) {
            if (fs::isFile((stdfs::path(path) / "model.safetensors.index.json").string()))
                weights = (stdfs::path(path) / "model.safetensors.index.json").string(); // sharded
            else if (fs::isFile((stdfs::path(path) / "pytorch_model.bin.index.json").string()))
                throw InputError(path + " holds a sharded pytorch_model.bin checkpoint; re-save it as safetensors "
                                        "(save_pretrained(safe_serialization=True)) or as one file");
            else
                throw InputError(path + " has config.json but no model.safetensors or pytorch_model.bin");
        }
        fm.tokenizerPath = text::tokenizerFileIn(path, /*preferJson=*/true);
    } else if (!fs::isFile(path)) {
        throw InputError("--from " + path + ": no such file or folder");
    } else {
        // minimind keeps its tokenizer beside the code, but a downloaded
        // checkpoint may come with one.
        const std::string beside = (stdfs::path(path).parent_path() / "tokenizer.json").string();
        if (fs::isFile(beside))
            fm.tokenizerPath = beside;
    }

    std::string format;
    std::vector<io::RawTensor> raw = readWeightsFile(weights, format, fm.notes);
    fm.format = configPath.empty() ? format : "hf-folder:" + format;
    StateDict sd;
    torch::ScalarType stored = torch::kFloat32;
    bool sawFloat = false;
    for (auto& r : raw) {
        torch::Tensor t = model::toTorch(r);
        if (isFloating(t.scalar_type())) {
            if (sawFloat && t.scalar_type() != stored)
                fm.notes.push_back("mixed floating dtypes; " + r.name + " is " +
                                   std::string(c10::toString(t.scalar_type())));
            stored = sawFloat ? stored : t.scalar_type();
            sawFloat = true;
        } else {
            throw InputError(weights + ": tensor " + r.name + " is " + std::string(c10::toString(t.scalar_type())) +
                             ", not floating point; this is not a model state dict");
        }
        if (!sd.emplace(r.name, std::move(t)).second)
            throw InputError(weights + ": tensor " + r.name + " appears twice");
    }
    raw.clear();
    if (sd.empty())
        throw InputError(weights + " holds no tensors; it is not a model state dict");
    fm.dtype = stored == torch::kFloat64 ? torch::kFloat32 : stored;
    sd = normaliseNames(std::move(sd), fm.notes);
    if (!sd.count("model.embed_tokens.weight"))
        throw InputError(weights + " has no model.embed_tokens.weight (it holds e.g. " + sd.begin()->first +
                         "); it is not a MiniMind/Llama state dict");

    if (!configPath.empty()) {
        fm.config = configFromHf(hfConfig, configPath);
    } else {
        fm.config = weights::inferConfig(sd, headsHint);
        const int64_t hidden = fm.config.hiddenSize;
        if (hidden % headsHint != 0 || (hidden / headsHint) % 2 != 0)
            throw InputError(weights + ": hidden size " + std::to_string(hidden) + " does not split into " +
                             std::to_string(headsHint) + " heads of even size; pass --num_attention_heads N");
        const torch::Tensor& k = sd.at("model.layers.0.self_attn.k_proj.weight");
        if (k.size(0) % (hidden / headsHint) != 0)
            throw InputError(weights + ": k_proj has " + std::to_string(k.size(0)) +
                             " rows, not a multiple of the head "
                             "size " +
                             std::to_string(hidden / headsHint) + "; pass the right --num_attention_heads");
    }
    if (sd.count("lm_head.weight")) {
        const torch::Tensor& head = sd.at("lm_head.weight");
        const torch::Tensor& emb = sd.at("model.embed_tokens.weight");
        if (!head.sizes().equals(emb.sizes()) || !torch::equal(head, emb))
            throw InputError(weights + ": lm_head.weight differs from model.embed_tokens.weight (shape " +
                             shapeText(head) + " vs " + shapeText(emb) +
                             "); MicroMind's models tie them, so an "
                             "untied head cannot be imported");
        sd.erase("lm_head.weight");
    }
    if (fm.config.vocabSize != sd.at("model.embed_tokens.weight").size(0))
        throw InputError((configPath.empty() ? weights : configPath) + ": vocab_size " +
                         std::to_string(fm.config.vocabSize) + " but model.embed_tokens.weight has shape " +
                         shapeText(sd.at("model.embed_tokens.weight")));
    fm.tensors = std::move(sd);
    return fm;
}

model::MiniMind buildModel(const ForeignModel& fm) {
    model::MiniMind m(fm.config);
    StateDict sd = fm.tensors;
    sd["lm_head.weight"] = sd.at("model.embed_tokens.weight");
    try {
        weights::loadInto(m, sd, fm.source);
    } catch (const InputError& e) {
        // loadInto speaks of training flags; here the shape came from the file.
        std::string msg = e.what();
        const size_t cut = msg.find(" (the checkpoint is");
        const size_t colon = msg.find("):", cut);
        if (cut != std::string::npos && colon != std::string::npos)
            msg.erase(cut, colon + 1 - cut);
        throw InputError(msg + "\n(model shape from " +
                         (fm.format.rfind("hf-folder", 0) == 0 ? "config.json" : "the tensors") + ": hidden_size " +
                         std::to_string(fm.config.hiddenSize) + ", " + std::to_string(fm.config.numLayers) +
                         " layers, " + std::to_string(fm.config.numHeads) + " heads, " +
                         std::to_string(fm.config.numKvHeads) + " kv heads)");
    }
    m->eval();
    return m;
}

std::string importStage(const std::string& stage, const std::string& source) {
    static const std::vector<std::string> known{"pretrain", "full_sft", "rlhf", "reason", "grpo"};
    if (stage != "auto") {
        if (std::find(known.begin(), known.end(), stage) == known.end())
            throw InputError("--stage " + stage + ": use one of pretrain, full_sft, rlhf, reason, grpo or auto");
        return stage;
    }
    const std::string file = stdfs::path(source).filename().string();
    for (const auto& k : known)
        if (file.rfind(k + "_", 0) == 0)
            return k;
    if (file.rfind("dpo_", 0) == 0)
        return "rlhf";
    return "full_sft";
}

ImportResult importModel(const ImportOptions& opts) {
    ImportResult res;
    if (!opts.name.empty() && !std::regex_match(opts.name, std::regex("[A-Za-z0-9_.-]+")))
        throw InputError("--name \"" + opts.name +
                         "\" is not a valid folder name; use letters, digits, '_', '-' or '.'");
    res.source = readForeignModel(opts.from, opts.headsHint);
    ForeignModel& fm = res.source;
    res.stage = importStage(opts.stage, opts.from);

    // Tokenizer: the one named, else the one beside the source, else the
    // destination's.
    res.destination = opts.name.empty() ? opts.outDir : (stdfs::path(opts.outDir) / "imported" / opts.name).string();
    const std::string existingTok = text::tokenizerFileIn(res.destination);
    std::string tokSrc = !opts.tokenizer.empty()     ? opts.tokenizer
                         : !fm.tokenizerPath.empty() ? fm.tokenizerPath
                                                     : existingTok;
    if (tokSrc.empty())
        throw InputError("no tokenizer for " + opts.from +
                         ": pass --tokenizer (minimind's model/tokenizer.json, or the "
                         ".model the checkpoint was trained with)");
    text::Tokenizer tok = text::Tokenizer::load(tokSrc);
    if (tok.vocabSize() != fm.config.vocabSize)
        throw InputError("tokenizer " + tok.path() + " has " + std::to_string(tok.vocabSize()) + " tokens but " +
                         opts.from + " has an embedding of " + std::to_string(fm.config.vocabSize) +
                         " rows; pass the tokenizer the model was trained with (--tokenizer)");
    std::optional<text::Tokenizer> existing;
    if (!existingTok.empty()) {
        existing.emplace(text::Tokenizer::load(existingTok));
        if (existing->fingerprint() != tok.fingerprint())
            throw InputError(res.destination + " already holds another tokenizer (" + existingTok +
                             "); models there must share it: import into a folder of its own with --name NAME");
    }

    // Check everything before writing anything.
    model::MiniMind m = buildModel(fm);
    const std::string weightsFile = weights::weightsPath(res.destination, res.stage, fm.config);
    if (fs::isFile(weightsFile) && !opts.force)
        throw InputError(weightsFile + " exists; pass --force to overwrite it or choose another --name / --stage");
    torch::ScalarType dtype = fm.dtype;
    if (opts.dtype == "float32")
        dtype = torch::kFloat32;
    else if (opts.dtype == "float16")
        dtype = torch::kFloat16;
    else if (opts.dtype == "bfloat16")
        dtype = torch::kBFloat16;

    stdfs::create_directories(res.destination);
    if (existingTok.empty()) {
        // Copy the tokenizer (and its config with the chat template) beside the weights.
        const stdfs::path src(tok.path());
        const std::string destName =
            tok.kind() == text::Tokenizer::Kind::HuggingFaceBpe ? "tokenizer.json" : "tokenizer.model";
        if (tok.kind() == text::Tokenizer::Kind::HuggingFaceBpe) {
            const stdfs::path cfg = src.parent_path() / "tokenizer_config.json";
            if (fs::isFile(cfg.string()))
                fs::writeFileAtomic((stdfs::path(res.destination) / "tokenizer_config.json").string(),
                                    fs::readFile(cfg.string()));
        }
        res.tokenizerPath = (stdfs::path(res.destination) / destName).string();
        fs::writeFileAtomic(res.tokenizerPath, fs::readFile(tok.path()));
    } else {
        res.tokenizerPath = existingTok;
    }
    nlohmann::json meta{{"stage", res.stage},
                        {"step", 0},
                        {"imported_from", stdfs::absolute(opts.from).string()},
                        {"source_format", fm.format},
                        {"tokenizer", tok.fingerprint()},
                        {"tokenizer_path", res.tokenizerPath}};
    if (!fm.notes.empty())
        meta["import_notes"] = fm.notes;
    weights::saveWeights(weightsFile, m, meta, dtype);
    res.weightsPath = weightsFile;

    store::History history((stdfs::path(opts.outDir) / "micromind.db").string());
    nlohmann::json cfg = opts.config.is_object() ? opts.config : nlohmann::json::object();
    cfg["source_format"] = fm.format;
    cfg["model"] = fm.config.toJson();
    res.historyRunId = history.beginRun("import", cfg.dump(), stdfs::absolute(opts.from).string(),
                                        stdfs::absolute(weightsFile).string(), MM_VERSION);
    history.addCheckpoint(res.historyRunId, stdfs::absolute(weightsFile).string(), "weights", 0);
    history.finishRun(res.historyRunId, "completed", "imported from " + opts.from + " (" + fm.format + ")");
    fm.tensors.clear();
    return res;
}

} // namespace mm::interop
