#include "weights/state_dict.h"

#include "common/error.h"
#include "common/fs.h"

#include "io/pickle.h"
#include "io/torch_save.h"
#include "model/config_infer.h"
#include "model/raw_tensor.h"

#include <map>
#include <memory>
#include <sstream>

namespace mm::weights {

using torch::Tensor;

namespace {
const char* kPrefix = "model.";

std::string shapeText(const Tensor& t) {
    std::ostringstream ss;
    ss << t.sizes();
    return ss.str();
}
} // namespace

StateDict stateDict(model::MiniMind& m, torch::ScalarType dtype) {
    StateDict sd;
    for (const auto& p : m->named_parameters(true)) {
        Tensor t = p.value().detach().to(torch::kCPU, dtype).contiguous();
        sd[kPrefix + p.key()] = t;
    }
    // Tied LM head: minimind's state_dict() lists it under its own name too.
    sd["lm_head.weight"] = sd.at(std::string(kPrefix) + "embed_tokens.weight");
    return sd;
}

void saveStateDict(const std::string& path, const StateDict& sd) {
    // Written as Python's torch.save writes it (io/torch_save.h): torch.load
    // reads it also with weights_only=True. Tensors sharing memory (the tied
    // LM head) share one storage entry, as in Python.
    std::vector<io::RawTensor> raw;
    std::map<const void*, std::shared_ptr<const std::string>> shared;
    for (const auto& [k, v] : sd) {
        Tensor c = v.detach().to(torch::kCPU).contiguous();
        io::RawTensor r = model::fromTorch(k, c);
        auto it = shared.find(c.data_ptr());
        if (it != shared.end() && it->second->size() == r.storage->size())
            r.storage = it->second;
        else
            shared[c.data_ptr()] = r.storage;
        raw.push_back(std::move(r));
    }
    io::writeTorchStateDict(path, raw);
}

StateDict loadStateDict(const std::string& path) {
    if (!fs::isFile(path))
        throw InputError("checkpoint " + path + " not found; train the parent stage first or pass the right --out_dir");
    // The restricted unpickler reads Python's torch.save (dict or
    // OrderedDict, zip or legacy) and LibTorch's pickle_save (older MicroMind
    // checkpoints) and runs nothing.
    io::StateDictFile f = io::readTorchStateDict(path);
    if (!f.skipped.empty())
        throw InputError("checkpoint " + path + " holds a non-tensor entry (" + f.skipped.front() +
                         "); expected a state dict");
    StateDict sd;
    for (const auto& r : f.tensors)
        sd[r.name] = model::toTorch(r);
    if (sd.empty())
        throw InputError("checkpoint " + path + " is not a dict of tensors");
    return sd;
}

namespace {
model::TensorShapes shapesOf(const StateDict& sd) {
    model::TensorShapes shapes;
    for (const auto& [k, v] : sd)
        shapes.emplace(k, v.sizes().vec());
    return shapes;
}
} // namespace

model::ModelConfig inferConfig(const StateDict& sd, int headsHint) {
    return model::inferConfigFromShapes(shapesOf(sd), headsHint);
}

void loadInto(model::MiniMind& m, const StateDict& sd, const std::string& path) {
    torch::NoGradGuard ng;
    std::vector<std::string> problems;
    auto params = m->named_parameters(true);
    const model::ModelConfig& mc = m->config();
    auto inferred = [&]() -> std::string {
        try {
            auto c = inferConfig(sd, mc.numHeads);
            return " (the checkpoint is hidden_size " + std::to_string(c.hiddenSize) + ", " +
                   std::to_string(c.numLayers) + " layers, vocab " + std::to_string(c.vocabSize) +
                   (c.useMoe ? ", MoE" : "") + "; the model asked for is hidden_size " + std::to_string(mc.hiddenSize) +
                   ", " + std::to_string(mc.numLayers) + " layers, vocab " + std::to_string(mc.vocabSize) +
                   (mc.useMoe ? ", MoE" : "") +
                   ": match --hidden_size/--num_hidden_layers/--use_moe/--tokenizer to the checkpoint)";
        } catch (const std::exception&) {
            return "";
        }
    };
    for (const auto& p : params) {
        const std::string key = kPrefix + p.key();
        auto it = sd.find(key);
        if (it == sd.end()) {
            problems.push_back("missing " + key);
            continue;
        }
        if (!it->second.sizes().equals(p.value().sizes()))
            problems.push_back(key + " has shape " + shapeText(it->second) + ", model expects " + shapeText(p.value()));
    }
    for (const auto& [k, v] : sd) {
        if (k == "lm_head.weight")
            continue;
        if (k.rfind(kPrefix, 0) != 0 || !params.find(k.substr(6)))
            problems.push_back("unexpected key " + k);
    }
    if (!problems.empty()) {
        std::string msg = "checkpoint " + path + " does not match the model" + inferred() + ":";
        for (size_t i = 0; i < problems.size() && i < 6; ++i)
            msg += "\n  " + problems[i];
        if (problems.size() > 6)
            msg += "\n  ... and " + std::to_string(problems.size() - 6) + " more";
        throw InputError(msg);
    }
    for (auto& p : params) {
        const Tensor& src = sd.at(kPrefix + p.key());
        p.value().copy_(src.to(p.value().device(), p.value().scalar_type()));
    }
}

model::MiniMind loadModel(const std::string& weightsPath, int expectVocab) {
    StateDict sd = loadStateDict(weightsPath);
    const model::ModelConfig c =
        model::checkpointConfig(readSidecar(weightsPath), sidecarPath(weightsPath), shapesOf(sd));
    if (expectVocab > 0 && c.vocabSize != expectVocab)
        throw InputError("checkpoint " + weightsPath + " has a vocabulary of " + std::to_string(c.vocabSize) +
                         " tokens but the tokenizer has " + std::to_string(expectVocab) +
                         "; use the tokenizer the model was trained with (--tokenizer)");
    model::MiniMind m(c);
    loadInto(m, sd, weightsPath);
    return m;
}

std::string sidecarPath(const std::string& weightsPath) {
    std::string base = weightsPath;
    if (base.size() > 4 && base.compare(base.size() - 4, 4, ".pth") == 0)
        base.resize(base.size() - 4);
    return base + ".json";
}

void saveWeights(const std::string& path, model::MiniMind& m, const nlohmann::json& meta, torch::ScalarType dtype) {
    saveStateDict(path, stateDict(m, dtype));
    nlohmann::json side = meta;
    side["model"] = m->config().toJson();
    side["format"] = "micromind-weights-v1";
    side["dtype"] = std::string(c10::toString(dtype));
    fs::writeFileAtomic(sidecarPath(path), side.dump(2) + "\n");
}

nlohmann::json readSidecar(const std::string& weightsPath) {
    const std::string p = sidecarPath(weightsPath);
    if (!fs::isFile(p))
        return {};
    return model::parseSidecar(fs::readFile(p), p);
}

} // namespace mm::weights
