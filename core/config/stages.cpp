#include "config/stages.h"

#include "config/stage_fields.h"

#include "common/error.h"

#include <map>

namespace mm::config {

using namespace detail;

const std::vector<Preset>& presets() {
    static const std::vector<Preset> p{
        {"tiny", 128, 4, false, "~1.3M params: CPU demos and tests"},
        {"minimind2-small", 512, 8, false, "25.8M params (minimind2-small)"},
        {"minimind2", 768, 16, false, "104M params (minimind2)"},
        {"minimind2-moe", 640, 8, true, "MoE, 4 routed + 1 shared expert (minimind2-moe)"},
    };
    return p;
}

const Schema& schemaFor(const std::string& name) {
    static const std::map<std::string, Schema> all = [] {
        std::map<std::string, Schema> m;
        for (auto s :
             {makeTokenizer(), makePretrain(),      makeData(),   makeBench(),     makeEval(),    makeChat(),
              makeServe(),     makeJudge(),         makeScores(), makeMetrics(),   makeFullSft(), makeDpo(),
              makeLora(),      makeDistillReason(), makeGrpo(),   makeMergeLora(), makeHeldout(), makePipeline(),
              makeDemo(),      makeImport(),        makeExport()})
            m.emplace(s.stage, s);
        return m;
    }();
    auto it = all.find(name);
    if (it == all.end())
        throw InputError("unknown command \"" + name + "\"; run `micromind --help`");
    return it->second;
}

std::vector<std::string> schemaNames() {
    return {"train_tokenizer", "pretrain", "data",     "bench",  "eval",  "chat",           "serve", "judge",
            "scores",          "metrics",  "full_sft", "dpo",    "lora",  "distill_reason", "grpo",  "merge_lora",
            "heldout",         "pipeline", "demo",     "import", "export"};
}

namespace {

const Preset* chosenPreset(const Values& v) {
    if (!v.schema().find("preset"))
        return nullptr;
    const std::string& name = v.getString("preset");
    for (const auto& p : presets())
        if (p.name == name)
            return &p;
    return nullptr;
}

/// The values a preset gives the model fields it sets.
std::vector<std::pair<std::string, std::string>> presetValues(const Preset& p) {
    return {{"hidden_size", std::to_string(p.hiddenSize)},
            {"num_hidden_layers", std::to_string(p.numLayers)},
            {"use_moe", p.useMoe ? "1" : "0"}};
}

} // namespace

void applyPreset(Values& v) {
    const Preset* p = chosenPreset(v);
    if (!p)
        return;
    for (const auto& [name, value] : presetValues(*p))
        if (v.schema().find(name) && !v.isSet(name))
            v.set(name, value, false);
}

std::vector<Problem> applyPresetAndCheckFields(Values& v) {
    std::vector<Problem> problems;
    applyPreset(v);
    long long h = v.getInt("hidden_size"), nh = v.getInt("num_attention_heads"), kv = v.getInt("num_key_value_heads");
    if (h % nh != 0)
        problems.push_back({"hidden_size", "--hidden_size " + std::to_string(h) +
                                               " must be divisible by --num_attention_heads " + std::to_string(nh)});
    else if ((h / nh) % 2 != 0)
        problems.push_back({"hidden_size", "head size hidden_size/num_attention_heads = " + std::to_string(h / nh) +
                                               " must be even (RoPE rotates pairs)"});
    if (nh % kv != 0)
        problems.push_back({"num_attention_heads", "--num_attention_heads " + std::to_string(nh) +
                                                       " must be divisible by --num_key_value_heads " +
                                                       std::to_string(kv)});
    return problems;
}

std::vector<std::string> applyPresetAndCheck(Values& v) {
    std::vector<std::string> out;
    for (auto& p : applyPresetAndCheckFields(v))
        out.push_back(std::move(p.message));
    return out;
}

ModelShape modelShapeOf(const Values& values) {
    const Schema& s = values.schema();
    Values v = values;
    applyPreset(v);
    ModelShape shape;
    const auto size = [&](const char* name, int& out, bool needed) {
        if (!s.find(name)) {
            shape.ok = shape.ok && !needed;
            return;
        }
        const std::optional<long long> x = v.tryInt(name);
        out = x ? int(*x) : 0;
        shape.ok = shape.ok && x.has_value();
    };
    size("hidden_size", shape.hiddenSize, true);
    size("num_hidden_layers", shape.numLayers, true);
    size("num_attention_heads", shape.numHeads, false);
    size("num_key_value_heads", shape.numKvHeads, false);
    if (s.find("use_moe"))
        shape.useMoe = v.getBool("use_moe");
    return shape;
}

std::vector<std::string> commandArgs(const Values& values) {
    Values v = values;
    if (const Preset* p = chosenPreset(v))
        for (const auto& [name, value] : presetValues(*p))
            if (const Field* f = v.schema().find(name); f && v.getString(name) == value)
                v.set(name, f->defaultValue, false);
    return v.toArgs();
}

} // namespace mm::config
