#include "weights/lora_adapter.h"

#include "common/error.h"
#include "common/fs.h"
#include "weights/state_dict.h"

namespace mm::weights {

void saveLora(const std::string& path, model::MiniMind& model, const model::LoraOptions& opts,
              const nlohmann::json& meta) {
    auto sd = model::loraStateDict(model);
    if (sd.empty())
        throw Error("saveLora: the model carries no LoRA adapter");
    saveStateDict(path, sd);
    nlohmann::json side = meta;
    side["lora"] = opts.toJson();
    side["model"] = model->config().toJson();
    side["format"] = "micromind-lora-v1";
    fs::writeFileAtomic(sidecarPath(path), side.dump(2) + "\n");
}

model::LoraOptions loadLora(model::MiniMind& model, const std::string& path) {
    auto sd = loadStateDict(path);
    nlohmann::json side = readSidecar(path);
    return model::loadLoraStateDict(model, sd, side, path);
}

} // namespace mm::weights
