// The training commands (pretrain, full_sft, distill_reason, lora, dpo, grpo):
// parse, let train::buildStageRun assemble the stage, run it through
// train::runStage and format its events for the terminal or --json.

#include "commands.h"
#include "reporter.h"
#include "stage_cli.h"

#include "common/error.h"
#include "common/fs.h"
#include "common/subprocess.h"
#include "config/stages.h"
#include "data/eval_split.h"
#include "train/launcher.h"
#include "train/run_setup.h"
#include "train/stage_build.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

namespace mm::cli {

namespace stdfs = std::filesystem;

namespace {

// Terminal mode: the loop's log line plus this stage's own metrics.
train::EventSink stageSink(Reporter& rep, std::vector<std::string> metrics) {
    return [&rep, metrics](const train::Event& ev) {
        rep.event(ev);
        const auto* e = std::get_if<train::LogEvent>(&ev);
        if (rep.json() || !e)
            return;
        std::string line;
        char buf[96];
        for (const auto& m : metrics) {
            // The last value of a name wins, as in the event's JSON.
            const auto it =
                std::find_if(e->metrics.rbegin(), e->metrics.rend(), [&m](const auto& kv) { return kv.first == m; });
            if (it != e->metrics.rend()) {
                std::snprintf(buf, sizeof buf, "%s%s %.4f", line.empty() ? "  " : " | ", m.c_str(), it->second);
                line += buf;
            }
        }
        if (!line.empty())
            std::printf("%s\n", line.c_str());
    };
}

} // namespace

int runTraining(const std::string& stage, const Args& args) {
    const config::Values cfg = parseStageArgs(stage, args);
    Reporter rep(cfg.getBool("json"));
    train::BuildHooks hooks;
    hooks.info = [&rep](const std::string& line) { rep.info(line); };
    if (stage == "pretrain")
        hooks.dataProgress = cacheProgress(rep, cfg.getString("data_path"));
    train::PreparedStage p = train::buildStageRun(cfg, hooks);
    const train::EventSink sink =
        p.grpo ? grpoSink(rep, *p.grpo, size_t(cfg.getInt("sample_chars"))) : stageSink(rep, p.logMetrics);
    train::runStage(p.run, sink, &g_stopRequested);
    return g_stopRequested ? 130 : 0;
}

int cmdFullSft(const Args& args) { return runTraining("full_sft", args); }
int cmdDistillReason(const Args& args) { return runTraining("distill_reason", args); }
int cmdLora(const Args& args) { return runTraining("lora", args); }
int cmdDpo(const Args& args) { return runTraining("dpo", args); }

// ---------------------------------------------------------------------------
// Flag parsing shared with the other commands.

namespace {

// --eval_split: the run reads a training split of --data_path and validates on
// the held-out one, both under <out_dir>/cache (data/eval_split.h).
void applyEvalSplit(config::Values& v) {
    if (!v.getString("eval_data").empty())
        throw InputError("--eval_split and --eval_data are both given: hold out a share of --data_path "
                         "(--eval_split) or name a held-out file (--eval_data), not both");
    const std::string src = v.getString("data_path");
    requireDataFile(src, "--data_path", "give a minimind jsonl file");
    const std::string outDir = v.getString("out_dir");
    fs::ensureWritableDir(outDir);
    const data::SplitFiles sp =
        data::splitForValidation(src, v.getFloat("eval_split"), (stdfs::path(outDir) / "cache").string());
    v.set("data_path", sp.train);
    v.set("eval_data", sp.eval);
    Reporter(v.getBool("json"))
        .info("validation split: " + std::to_string(sp.evalRecords) + " of " +
              std::to_string(sp.evalRecords + sp.trainRecords) + " records of " + src + " held out (--eval_split " +
              v.getString("eval_split") + (sp.reused ? ", the split of an earlier run" : "") + "); training reads " +
              sp.train);
}

} // namespace

config::Values parseStageArgs(const std::string& stage, const std::vector<std::string>& args) {
    const config::Schema& s = config::schemaFor(stage);
    config::Values v = config::parseArgs(s, args);
    if (s.find("nproc_per_node") && train::shouldLaunchLocalRanks(int(v.getInt("nproc_per_node")))) {
        // This process only starts and waits for the ranks (same arguments).
        std::vector<std::string> again{stage};
        again.insert(again.end(), args.begin(), args.end());
        std::exit(train::runLocalRanks(int(v.getInt("nproc_per_node")), proc::selfExe(), again));
    }
    if (s.find("preset")) {
        auto problems = config::applyPresetAndCheck(v);
        if (!problems.empty()) {
            std::string msg = "invalid arguments for `micromind " + stage + "`:";
            for (auto& p : problems)
                msg += "\n  " + p;
            throw InputError(msg);
        }
    }
    if (s.find("eval_split") && v.getFloat("eval_split") > 0)
        applyEvalSplit(v);
    return v;
}

} // namespace mm::cli
