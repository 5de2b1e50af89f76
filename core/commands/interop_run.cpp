#include "commands/interop_run.h"

#include "common/error.h"
#include "common/format.h"
#include "commands/model_setup.h"
#include "interop/export.h"
#include "interop/import.h"
#include "interop/parity.h"
#include "train/run_setup.h"

#include <filesystem>

namespace mm::interop {

namespace stdfs = std::filesystem;

namespace {
const char* dtypeName(torch::ScalarType t) {
    return t == torch::kFloat16 ? "float16" : t == torch::kBFloat16 ? "bfloat16" : "float32";
}
} // namespace

int runImportCommand(const config::Values& cfg, const Console& con) {
    train::applyThreads(cfg.getInt("threads"));
    ImportOptions o;
    o.from = cfg.getString("from");
    o.outDir = cfg.getString("out_dir");
    o.name = cfg.getString("name");
    o.stage = cfg.getString("stage");
    o.tokenizer = cfg.getString("tokenizer");
    o.headsHint = int(cfg.getInt("num_attention_heads"));
    o.dtype = cfg.getString("dtype");
    o.force = cfg.getBool("force");
    o.config = cfg.toJson();
    ImportResult r = importModel(o);
    const model::ModelConfig& c = r.source.config;
    con.print(strf("read %s (%s): %d layers, hidden %d, %d/%d heads, ffn %d, vocab %d, %.2fM parameters, %s\n",
                   o.from.c_str(), r.source.format.c_str(), c.numLayers, c.hiddenSize, c.numHeads, c.numKvHeads,
                   c.ffnSize(), c.vocabSize, double(c.parameterCount()) / 1e6, dtypeName(r.source.dtype)));
    for (const auto& n : r.source.notes)
        con.print(strf("  note: %s\n", n.c_str()));
    con.print(strf("wrote %s (stage %s, history run #%lld)\ntokenizer %s\n", r.weightsPath.c_str(), r.stage.c_str(),
                   static_cast<long long>(r.historyRunId), r.tokenizerPath.c_str()));
    int mode = 1;
    for (const auto& m : eval::modes())
        if (m.weightsPrefix == r.stage && m.mode != 4)
            mode = m.mode;
    con.print(
        strf("next: micromind eval --out_dir %s --model_mode %d%s\n", r.destination.c_str(), mode,
             c.hiddenSize == 512 && !c.useMoe
                 ? ""
                 : (" --hidden_size " + std::to_string(c.hiddenSize) + (c.useMoe ? " --use_moe 1" : "")).c_str()));
    return 0;
}

int runExportCommand(const config::Values& cfg, const Console& con) {
    eval::LoadedModel lm = eval::loadModelFromFlags(cfg);
    const std::string format = cfg.getString("format");
    std::string dtype = cfg.getString("dtype");
    const std::string output = cfg.getString("output");
    if (dtype == "auto")
        dtype = "float16";
    nlohmann::json provenance{{"source", lm.files.weights},
                              {"lora", lm.files.lora},
                              {"model_mode", lm.files.mode},
                              {"micromind_version", MM_VERSION}};
    ExportResult res;
    model::MiniMind back{nullptr};
    if (format == "hf") {
        if (dtype == "q8_0")
            throw InputError(
                "--dtype q8_0 is a GGUF type; use it with --format gguf (hf takes float32, float16 or bfloat16)");
        res = exportHf(lm.net, lm.tok, output, dtype, cfg.getBool("force"), provenance);
        if (cfg.getBool("check"))
            back = buildModel(readForeignModel(output));
    } else {
        const std::string type = dtype == "float32" ? "f32" : dtype == "float16" ? "f16" : dtype;
        if (type == "bfloat16")
            throw InputError("--dtype bfloat16 is not written to GGUF here; use float32, float16 or q8_0");
        res = exportGguf(lm.net, lm.tok, output, type, cfg.getBool("force"),
                         stdfs::path(lm.files.weights).stem().string() +
                             (lm.files.lora.empty() ? "" : "+" + stdfs::path(lm.files.lora).stem().string()));
        if (cfg.getBool("check"))
            back = readGgufModel(output);
    }
    con.print(strf("exported %s%s (%s, %s) -> %s\n", lm.files.weights.c_str(),
                   lm.files.lora.empty() ? "" : (" + " + lm.files.lora).c_str(), format.c_str(), dtype.c_str(),
                   res.path.c_str()));
    for (const auto& f : res.files)
        con.print(strf("  %s\n", f.c_str()));
    for (const auto& n : res.notes)
        con.print(strf("  note: %s\n", n.c_str()));
    if (!back)
        return 0;
    lm.net->to(torch::kCPU);
    const auto report = compareModels(lm.net, back, parityPrompts(lm.tok), 64);
    con.print(strf("check: %s\n", describe(report).c_str()));
    if (dtype != "float32" && report.greedyAgree != report.prompts)
        con.print(strf("  (%s rounds the weights: where two tokens are nearly tied, greedy decoding may take the other "
                       "one; --dtype float32 must match exactly)\n",
                       dtype.c_str()));
    // float32 must be exact to rounding; reduced precision is reported, and a
    // greedy divergence there is the precision's, not a bug.
    if (dtype == "float32" && (report.maxAbsDiff > 1e-4 || report.greedyAgree != report.prompts))
        throw NumericError("the exported float32 model does not reproduce the checkpoint (" + describe(report) + ")");
    return 0;
}

} // namespace mm::interop
