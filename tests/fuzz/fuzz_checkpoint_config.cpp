// libFuzzer target: where a checkpoint's model config comes from
// (core/model/config_infer.cpp, ModelConfig::fromJson): the JSON sidecar
// beside a .pth, and, without one, the shapes of the state dict's tensors.
// Each input is used as
//  (a) the sidecar's text (weights::readSidecar + weights::loadModel's choice);
//      a JSON object also as the sidecar's "model" object, and an object with
//      "tensors": {name: [dims]} (and "heads") as a state dict's shapes;
//  (b) a torch.save file (zip or legacy pickle), unpickled and inferred from;
//  (c) otherwise a recipe of a shape table (tensor names from minimind's
//      layout, any ranks and sizes) and a head count.
// Either a config the MiniMind decoder can be built with (every size
// positive and within its limit, heads that divide the hidden size into
// even heads, kv heads that divide the heads, experts that fit; the derived
// sizes computed without overflow; toJson/fromJson giving it back; inferred
// configs agreeing with the shapes) or an mm::InputError naming the field,
// the tensor or the file. Nothing else may come out.

#include "common/error.h"
#include "io/pickle.h"
#include "model/config_infer.h"
#include "model/model_config.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using mm::model::ModelConfig;
using mm::model::TensorShapes;
using nlohmann::json;

[[noreturn]] void die(const char* what, const std::string& detail = {}) {
    std::fprintf(stderr, "fuzz_checkpoint_config: %s %s\n", what, detail.c_str());
    std::abort();
}

void check(bool ok, const char* what) {
    if (!ok)
        die(what);
}

void checkValid(const ModelConfig& c) {
    check(c.vocabSize >= 1 && c.hiddenSize >= 1 && c.numLayers >= 1, "a size is not positive");
    check(c.numHeads >= 1 && c.numKvHeads >= 1, "a head count is not positive");
    check(c.hiddenSize % c.numHeads == 0 && c.headDim() % 2 == 0, "heads do not split the hidden size evenly");
    check(c.numHeads % c.numKvHeads == 0, "kv heads do not divide the heads");
    check(c.intermediateSize >= 0 && c.ffnSize() >= 1 && c.maxPositions >= 1, "FFN or positions not positive");
    check(std::isfinite(c.ropeTheta) && c.ropeTheta > 0 && std::isfinite(c.rmsEps) && c.rmsEps > 0,
          "rope_theta or rms_norm_eps not positive");
    if (c.useMoe) {
        check(c.numRoutedExperts >= 1 && c.numSharedExperts >= 0, "expert counts");
        check(c.expertsPerToken >= 1 && c.expertsPerToken <= c.numRoutedExperts, "experts per token");
        check(std::isfinite(c.auxLossAlpha) && c.auxLossAlpha >= 0, "aux_loss_alpha");
    }
    // Derived sizes: UBSan reports an overflow on the way.
    check(c.parameterCount() > 0, "parameter count");
    const double flops = c.trainFlopsPerToken(512);
    check(std::isfinite(flops) && flops > 0, "FLOPs per token");
    check(!c.checkpointSuffix().empty(), "checkpoint suffix");
    const ModelConfig back = ModelConfig::fromJson(c.toJson());
    check(back.sameShape(c) && back.maxPositions == c.maxPositions && back.ropeTheta == c.ropeTheta &&
              back.rmsEps == c.rmsEps && back.expertsPerToken == c.expertsPerToken,
          "toJson/fromJson changed the config");
}

/// Words an error must contain one of: a config field, a tensor or the file.
void checkError(const mm::InputError& e) {
    const std::string m = e.what();
    static const char* const kNames[] = {"vocab_size",
                                         "hidden_size",
                                         "num_hidden_layers",
                                         "num_attention_heads",
                                         "num_key_value_heads",
                                         "intermediate_size",
                                         "max_position_embeddings",
                                         "rope_theta",
                                         "rms_norm_eps",
                                         "use_moe",
                                         "n_routed_experts",
                                         "n_shared_experts",
                                         "num_experts_per_tok",
                                         "aux_loss_alpha",
                                         "norm_topk_prob",
                                         "model config",
                                         "model.",
                                         "fuzz.json",
                                         "fuzz.pth"};
    for (const char* n : kNames)
        if (m.find(n) != std::string::npos)
            return;
    die("error names no field:", m);
}

void checkInferred(const ModelConfig& c, const TensorShapes& shapes, int heads) {
    checkValid(c);
    const auto& emb = shapes.at("model.embed_tokens.weight");
    check(emb.size() == 2 && emb[0] == c.vocabSize && emb[1] == c.hiddenSize, "config disagrees with the embedding");
    check(c.numHeads == heads, "heads differ from the hint");
    check(shapes.at("model.layers.0.self_attn.k_proj.weight").at(0) == int64_t(c.numKvHeads) * c.headDim(),
          "kv heads disagree with k_proj");
    check(shapes.count("model.layers." + std::to_string(c.numLayers - 1) + ".input_layernorm.weight") == 1 &&
              shapes.count("model.layers." + std::to_string(c.numLayers) + ".input_layernorm.weight") == 0,
          "layer count disagrees with the names");
}

void infer(const TensorShapes& shapes, int heads) {
    try {
        checkInferred(mm::model::inferConfigFromShapes(shapes, heads), shapes, heads);
    } catch (const mm::InputError& e) {
        checkError(e);
    }
}

/// A small valid state dict's shapes (hidden 64, 2 layers, 4 heads of 16, 2 kv heads).
TensorShapes tinyShapes() {
    TensorShapes s{
        {"model.embed_tokens.weight", {400, 64}}, {"model.norm.weight", {64}}, {"lm_head.weight", {400, 64}}};
    for (int l = 0; l < 2; ++l) {
        const std::string p = "model.layers." + std::to_string(l) + ".";
        s[p + "input_layernorm.weight"] = {64};
        s[p + "post_attention_layernorm.weight"] = {64};
        s[p + "self_attn.q_proj.weight"] = {64, 64};
        s[p + "self_attn.k_proj.weight"] = {32, 64};
        s[p + "self_attn.v_proj.weight"] = {32, 64};
        s[p + "self_attn.o_proj.weight"] = {64, 64};
        s[p + "mlp.gate_proj.weight"] = {192, 64};
        s[p + "mlp.up_proj.weight"] = {192, 64};
        s[p + "mlp.down_proj.weight"] = {64, 192};
    }
    return s;
}

void sidecar(const json& side) {
    static const TensorShapes tiny = tinyShapes();
    try {
        const ModelConfig c = mm::model::checkpointConfig(side, "fuzz.json", tiny);
        if (side.is_object() && side.contains("model"))
            checkValid(c);
        else
            checkInferred(c, tiny, 8);
    } catch (const mm::InputError& e) {
        checkError(e);
    }
}

/// (c): names from minimind's layout with small layer/expert indices, ranks
/// 0-4, sizes as 1-, 4- or 8-byte values (so that 0, negatives and values
/// past INT_MAX come up as often as ordinary ones).
void recipe(const uint8_t* data, size_t size) {
    size_t pos = 0;
    auto next = [&]() -> unsigned { return pos < size ? data[pos++] : 0u; };
    const int heads = int(next() % 20) - 2;
    static const char* const kNames[] = {"model.embed_tokens.weight",
                                         "model.layers.%u.input_layernorm.weight",
                                         "model.layers.%u.self_attn.k_proj.weight",
                                         "model.layers.%u.self_attn.q_proj.weight",
                                         "model.layers.%u.mlp.gate.weight",
                                         "model.layers.%u.mlp.gate_proj.weight",
                                         "model.layers.%u.mlp.experts.%u.gate_proj.weight",
                                         "model.layers.%u.mlp.shared_experts.%u.gate_proj.weight",
                                         "model.norm.weight",
                                         "lm_head.weight"};
    TensorShapes shapes;
    while (pos < size && shapes.size() < 64) {
        const unsigned which = next(), idx = next(), form = next();
        char name[96];
        std::snprintf(name, sizeof name, kNames[which % 10], idx % 4, (idx >> 2) % 4);
        std::vector<int64_t> shape;
        for (unsigned d = 0; d < form % 5; ++d) {
            int64_t v = 0;
            const unsigned width = (form >> 3) % 3 == 0 ? 1 : (form >> 3) % 3 == 1 ? 4 : 8;
            uint64_t u = 0;
            for (unsigned b = 0; b < width; ++b)
                u |= uint64_t(next()) << (8 * b);
            if (width == 1)
                v = int64_t(u) * 8; // small multiples of 8: sizes that split into heads
            else if (width == 4)
                v = int64_t(int32_t(uint32_t(u)));
            else
                std::memcpy(&v, &u, sizeof v);
            shape.push_back(v);
        }
        shapes[name] = shape;
    }
    infer(shapes, heads);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    // (a) the sidecar.
    json side;
    bool isJson = false;
    try {
        side = mm::model::parseSidecar(bytes, "fuzz.json");
        isJson = true;
    } catch (const mm::InputError& e) {
        checkError(e);
    }
    if (isJson) {
        sidecar(side);
        if (side.is_object()) {
            sidecar(json{{"model", side}});
            if (side.contains("tensors") && side["tensors"].is_object()) {
                TensorShapes shapes;
                for (const auto& [k, v] : side["tensors"].items()) {
                    std::vector<int64_t> shape;
                    if (v.is_array())
                        for (const auto& d : v)
                            shape.push_back(d.is_number_integer() ? d.get<int64_t>() : 1);
                    shapes[k] = shape;
                }
                const int heads = side.contains("heads") && side["heads"].is_number_integer()
                                      ? int(side["heads"].get<int64_t>() % 1000)
                                      : 8;
                infer(shapes, heads);
            }
        }
        return 0;
    }
    // (b) a torch.save file: the state dict weights::loadStateDict reads.
    if (size >= 2 && (bytes.compare(0, 2, "PK") == 0 || data[0] == 0x80)) {
        try {
            const mm::io::StateDictFile f = mm::io::readTorchStateDictFromMemory(bytes, "fuzz.pth");
            TensorShapes shapes;
            for (const auto& t : f.tensors)
                shapes[t.name] = t.shape;
            for (int heads : {8, 4, 1})
                infer(shapes, heads);
        } catch (const mm::Error&) {
        }
        return 0;
    }
    // (c) a shape-table recipe.
    recipe(data, size);
    return 0;
}
