#include "train/resume.h"

#include "common/error.h"
#include "common/fs.h"

#include <torch/serialize.h>

#include <sstream>

namespace mm::train {

using torch::Tensor;

namespace {
std::string shapeText(const Tensor& t) {
    std::ostringstream ss;
    ss << t.sizes();
    return ss.str();
}
} // namespace

void saveResume(const std::string& path, model::MiniMind& m, torch::optim::Optimizer& opt, const nlohmann::json& meta) {
    torch::serialize::OutputArchive ar;
    for (const auto& p : m->named_parameters(true))
        ar.write("model." + p.key(), p.value().detach().to(torch::kCPU), /*is_buffer=*/true);
    torch::serialize::OutputArchive optAr;
    opt.save(optAr);
    ar.write("optimizer", optAr);
    ar.write("meta", c10::IValue(meta.dump()));
    std::ostringstream os;
    ar.save_to(os);
    fs::writeFileAtomic(path, os.str());
}

nlohmann::json readResumeMeta(const std::string& path) {
    if (!fs::isFile(path))
        throw InputError("no resume state at " + path + "; run once without --resume first");
    try {
        torch::serialize::InputArchive ar;
        ar.load_from(path);
        c10::IValue iv;
        ar.read("meta", iv);
        return nlohmann::json::parse(iv.toStringRef());
    } catch (const c10::Error& e) {
        throw InputError("resume state " + path + " is unreadable (" +
                         std::string(e.what_without_backtrace()).substr(0, 200) + "); remove it to start over");
    }
}

nlohmann::json loadResume(const std::string& path, model::MiniMind& m, torch::optim::Optimizer& opt) {
    nlohmann::json meta = readResumeMeta(path);
    if (meta.contains("model")) {
        model::ModelConfig saved = model::ModelConfig::fromJson(meta["model"]);
        if (!saved.sameShape(m->config()))
            throw InputError("resume state " + path + " belongs to a model with hidden_size " +
                             std::to_string(saved.hiddenSize) + ", " + std::to_string(saved.numLayers) +
                             " layers, vocab " + std::to_string(saved.vocabSize) + (saved.useMoe ? ", MoE" : "") +
                             "; resume with the flags of the original run (--hidden_size/--num_hidden_layers/"
                             "--use_moe/--tokenizer) or remove the file to start over");
    }
    torch::serialize::InputArchive ar;
    ar.load_from(path);
    torch::NoGradGuard ng;
    for (auto& p : m->named_parameters(true)) {
        Tensor t;
        try {
            ar.read("model." + p.key(), t, /*is_buffer=*/true);
        } catch (const c10::Error&) {
            throw InputError("resume state " + path + " lacks model." + p.key() + "; it belongs to another model");
        }
        if (!t.sizes().equals(p.value().sizes()))
            throw InputError("resume state " + path + ": model." + p.key() + " has shape " + shapeText(t) +
                             ", model expects " + shapeText(p.value()) +
                             "; resume with the flags of the original run or remove the file");
        p.value().copy_(t.to(p.value().device()));
    }
    torch::serialize::InputArchive optAr;
    ar.read("optimizer", optAr);
    opt.load(optAr);
    return meta;
}

} // namespace mm::train
