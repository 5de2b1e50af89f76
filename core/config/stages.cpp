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

std::vector<std::string> applyPresetAndCheck(Values& v) {
    std::vector<std::string> problems;
    const std::string& name = v.getString("preset");
    for (const auto& p : presets()) {
        if (p.name != name)
            continue;
        if (!v.isSet("hidden_size"))
            v.set("hidden_size", std::to_string(p.hiddenSize), false);
        if (!v.isSet("num_hidden_layers"))
            v.set("num_hidden_layers", std::to_string(p.numLayers), false);
        if (!v.isSet("use_moe"))
            v.set("use_moe", p.useMoe ? "1" : "0", false);
    }
    long long h = v.getInt("hidden_size"), nh = v.getInt("num_attention_heads"), kv = v.getInt("num_key_value_heads");
    if (h % nh != 0)
        problems.push_back("--hidden_size " + std::to_string(h) + " must be divisible by --num_attention_heads " +
                           std::to_string(nh));
    else if ((h / nh) % 2 != 0)
        problems.push_back("head size hidden_size/num_attention_heads = " + std::to_string(h / nh) +
                           " must be even (RoPE rotates pairs)");
    if (nh % kv != 0)
        problems.push_back("--num_attention_heads " + std::to_string(nh) +
                           " must be divisible by --num_key_value_heads " + std::to_string(kv));
    return problems;
}

} // namespace mm::config
