// full_sft, distill_reason, dpo, lora: the post-training stages. Each builds
// its Stage and hands it to the one training loop through train::runStage.

#include "commands.h"
#include "reporter.h"
#include "stage_cli.h"

#include "common/error.h"
#include "common/fs.h"
#include "common/subprocess.h"
#include "config/stages.h"
#include "data/eval_split.h"
#include "model/lora.h"
#include "train/checkpoint.h"
#include "train/distributed.h"
#include "train/launcher.h"
#include "train/dpo_stage.h"
#include "train/run_setup.h"
#include "train/sft_stage.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>

namespace mm::cli {

namespace stdfs = std::filesystem;

namespace {

// Which command writes a checkpoint stem (for "not found" hints).
std::string producerOf(const std::string& stem) {
    if (stem == "pretrain")
        return "micromind pretrain";
    if (stem == "full_sft")
        return "micromind full_sft";
    if (stem == "rlhf")
        return "micromind dpo";
    if (stem == "reason")
        return "micromind distill_reason";
    if (stem == "grpo")
        return "micromind grpo";
    return "the stage that writes " + stem;
}

// Terminal mode: the loop's log line plus this stage's own metrics.
train::EventSink stageSink(Reporter& rep, std::vector<std::string> metrics) {
    return [&rep, metrics](const nlohmann::json& e) {
        rep.event(e);
        if (rep.json() || e.value("event", "") != "log")
            return;
        std::string line;
        char buf[96];
        for (const auto& m : metrics)
            if (e.contains(m)) {
                std::snprintf(buf, sizeof buf, "%s%s %.4f", line.empty() ? "  " : " | ", m.c_str(), e[m].get<double>());
                line += buf;
            }
        if (!line.empty())
            std::printf("%s\n", line.c_str());
    };
}

/// --eval_data of an SFT-style stage: the assistant-token loss of its
/// conversations (at most --eval_max_samples, unweighted for distill_reason),
/// or an empty function when no file is given. The file is tokenized and
/// checked now, so a bad one fails before training starts.
std::function<std::vector<std::pair<std::string, double>>(model::MiniMind&)>
sftValidation(const config::Values& cfg, const text::Tokenizer& tok, Reporter& rep) {
    const std::string path = cfg.getString("eval_data");
    if (path.empty())
        return {};
    requireDataFile(path, "--eval_data", "give held-out conversations in the training file's format");
    auto cache = std::make_shared<data::TokenCache>(sftCache(cfg, tok, rep, path));
    const int seqLen = int(cfg.getInt("max_seq_len")), batch = int(cfg.getInt("batch_size"));
    int64_t dropped = 0;
    std::vector<int64_t> docs = train::trainableDocuments(*cache, seqLen, {}, dropped);
    const int64_t cap = cfg.getInt("eval_max_samples");
    if (cap > 0 && int64_t(docs.size()) > cap)
        docs.resize(size_t(cap));
    if (docs.empty())
        throw InputError("--eval_data " + path + ": no conversation has an assistant token within --max_seq_len " +
                         std::to_string(seqLen));
    rep.info("validation: " + std::to_string(docs.size()) + " conversations of " + path + " every " +
             std::to_string(cfg.getInt("eval_interval") > 0 ? cfg.getInt("eval_interval") : cfg.getInt("log_interval")) +
             " steps (val_loss)");
    return [cache, docs, seqLen, batch](model::MiniMind& m) {
        const train::MaskedLoss l = train::maskedLoss(m, *cache, docs, seqLen, batch);
        return std::vector<std::pair<std::string, double>>{{"val_loss", l.loss}};
    };
}

void prepareRun(const config::Values& cfg) {
    fs::ensureWritableDir(cfg.getString("out_dir"));
    train::applyThreads(cfg.getInt("threads"));
    const torch::Device dev = train::resolveDevice(cfg.getString("device"));
    train::resolveDtype(cfg.getString("dtype"), dev);
}

void checkResumable(const config::Values& cfg, const std::string& stem, const model::ModelConfig& mc) {
    if (cfg.getBool("resume"))
        train::readResumeMeta(train::resumePath(cfg.getString("out_dir"), stem, mc));
}

enum class SftKind { Full, Reason, Lora };

int runSft(const std::string& command, SftKind kind, const Args& args) {
    config::Values cfg = parseStageArgs(command, args);
    Reporter rep(cfg.getBool("json"));
    const std::string dataPath = cfg.getString("data_path");
    requireDataFile(dataPath, "--data_path", "give a {\"conversations\": [...]} jsonl");
    std::string stem = command == "distill_reason" ? "reason" : command;
    model::LoraOptions lora;
    if (kind == SftKind::Lora) {
        const std::string name = cfg.getString("lora_name");
        if (!model::validLoraName(name))
            throw InputError("--lora_name \"" + name +
                             "\" is not a valid file name; use letters, digits, '_', '-' or '.' (e.g. lora_medical)");
        stem = "lora/" + name;
        lora.rank = int(cfg.getInt("lora_rank"));
        lora.alpha = cfg.getFloat("lora_alpha") > 0 ? cfg.getFloat("lora_alpha") : double(lora.rank);
        lora.targets.clear();
        std::stringstream ss(cfg.getString("lora_targets"));
        for (std::string t; std::getline(ss, t, ',');)
            if (!t.empty())
                lora.targets.push_back(t);
    }
    text::Tokenizer tok = loadStageTokenizer(cfg);
    prepareRun(cfg);
    data::TokenCache cache = sftCache(cfg, tok, rep, dataPath);
    const int seqLen = int(cfg.getInt("max_seq_len"));
    std::vector<bool> excluded;
    int64_t noTags = 0, noTarget = 0;
    if (kind == SftKind::Reason) {
        excluded = train::checkReasoningData(dataPath, cfg.getBool("skip_bad_lines"), noTags);
        if (noTags)
            rep.info("warning: skipped " + std::to_string(noTags) + " samples without <think>/<answer> tags");
    }
    std::vector<int64_t> docs = train::trainableDocuments(cache, seqLen, excluded, noTarget);
    if (docs.empty())
        throw InputError(dataPath + ": no conversation has an assistant token within --max_seq_len " +
                         std::to_string(seqLen) + "; raise --max_seq_len");
    if (noTarget)
        rep.info("warning: " + std::to_string(noTarget) + " conversations have no assistant token within --max_seq_len " +
                 std::to_string(seqLen) + " and are skipped");

    if (kind == SftKind::Full && cfg.getBool("lr_scale_with_batch")) {
        // The seed's rule: k times the batch, k times the learning rate, taken
        // relative to the schema's default batch. The batch is the global one:
        // per-process batch x accumulation x processes (torchrun's WORLD_SIZE).
        const config::Field* bf = cfg.schema().find("batch_size");
        const double ref = std::stod(bf->defaultValue);
        const double batch = double(cfg.getInt("batch_size") * cfg.getInt("accumulation_steps") *
                                    train::DistEnv::fromEnvironment().worldSize);
        const double lr0 = cfg.getFloat("learning_rate"), lr = lr0 * batch / ref;
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.6g", lr);
        cfg.set("learning_rate", buf);
        std::snprintf(buf, sizeof buf, "%.6g -> %.6g", lr0, lr);
        rep.info("--lr_scale_with_batch: batch " + std::to_string(int64_t(batch)) + " = " +
                 std::to_string(batch / ref).substr(0, 5) + " x the reference batch " + bf->defaultValue +
                 ", learning rate " + buf);
    }

    std::string parent;
    model::MiniMind model = loadParent(cfg, tok, parent);
    const model::ModelConfig mc = model->config();
    std::vector<std::string> wrapped;
    if (kind == SftKind::Lora) {
        wrapped = model::attachLora(model, lora, uint64_t(cfg.getInt("seed")));
        int64_t n = 0;
        for (auto& p : model::loraParameters(model))
            n += p.numel();
        rep.info("LoRA rank " + std::to_string(lora.rank) + ", alpha " + std::to_string(lora.alpha).substr(0, 6) +
                 " on " + std::to_string(wrapped.size()) + " projections: " + formatCount(double(n)) +
                 " trainable parameters; base frozen");
    }
    checkResumable(cfg, stem, mc);
    // The token count is the whole file's: say so when conversations were left out.
    const std::string used = int64_t(docs.size()) < cache.numDocuments()
                                 ? std::to_string(docs.size()) + " of " + std::to_string(cache.numDocuments()) +
                                       " conversations used (" + formatCount(double(cache.numTokens())) +
                                       " tokens in the file)"
                                 : std::to_string(docs.size()) + " conversations, " +
                                       formatCount(double(cache.numTokens())) + " tokens";
    rep.info("data: " + used + "; parent " + (parent.empty() ? std::string("none (random init)") : parent));

    std::unique_ptr<train::SftStage> stage;
    if (kind == SftKind::Lora)
        stage = std::make_unique<train::LoraStage>(cache, docs, seqLen, lora);
    else
        stage = std::make_unique<train::SftStage>(command, cache, docs, seqLen,
                                                  kind == SftKind::Reason ? cfg.getFloat("tag_weight") : 0.0, tok.tagIds());
    train::StageRun run;
    run.cfg = cfg;
    run.model = model;
    run.stage = stage.get();
    run.parentCheckpoint = parent;
    run.checkpointStem = stem;
    run.dataKey = cache.key() + "|" + std::to_string(seqLen) + "|" + std::to_string(docs.size());
    run.extraMeta = {{"tokenizer", tok.fingerprint()}, {"tokenizer_path", tok.path()}, {"data_path", dataPath}};
    if (kind == SftKind::Lora)
        run.extraMeta["base"] = parent;
    run.evaluate = sftValidation(cfg, tok, rep);
    train::runStage(run, stageSink(rep, {"token_loss"}), &g_stopRequested);
    return g_stopRequested ? 130 : 0;
}

} // namespace

int cmdFullSft(const Args& args) { return runSft("full_sft", SftKind::Full, args); }
int cmdDistillReason(const Args& args) { return runSft("distill_reason", SftKind::Reason, args); }
int cmdLora(const Args& args) { return runSft("lora", SftKind::Lora, args); }

int cmdDpo(const Args& args) {
    config::Values cfg = parseStageArgs("dpo", args);
    Reporter rep(cfg.getBool("json"));
    const std::string dataPath = cfg.getString("data_path");
    requireDataFile(dataPath, "--data_path", "give a {\"chosen\": [...], \"rejected\": [...]} jsonl");
    text::Tokenizer tok = loadStageTokenizer(cfg);
    prepareRun(cfg);
    const int seqLen = int(cfg.getInt("max_seq_len"));
    train::PreferenceData pairs = train::loadPreferencePairs(dataPath, tok, seqLen, cfg.getBool("skip_bad_lines"));
    if (pairs.badLines)
        rep.info("warning: " + std::to_string(pairs.badLines) + " bad lines in " + dataPath + " were skipped");
    if (pairs.truncatedPairs)
        rep.info("warning: " + std::to_string(pairs.truncatedPairs) + " pairs whose answers start beyond --max_seq_len " +
                 std::to_string(seqLen) + " are skipped");

    // --eval_data: held-out pairs, checked now; scored as preference accuracy
    // and the chosen answers' mean log-prob (does DPO keep their likelihood?).
    std::shared_ptr<train::PreferenceData> evalPairs;
    if (!cfg.getString("eval_data").empty()) {
        const std::string ep = cfg.getString("eval_data");
        requireDataFile(ep, "--eval_data", "give held-out {\"chosen\": [...], \"rejected\": [...]} pairs");
        evalPairs = std::make_shared<train::PreferenceData>(
            train::loadPreferencePairs(ep, tok, seqLen, cfg.getBool("skip_bad_lines")));
        const int64_t cap = cfg.getInt("eval_max_samples");
        if (cap > 0 && evalPairs->pairs() > cap) {
            evalPairs->tokens.resize(size_t(2 * cap));
            evalPairs->mask.resize(size_t(2 * cap));
        }
        rep.info("validation: " + std::to_string(evalPairs->pairs()) + " pairs of " + ep + " every " +
                 std::to_string(cfg.getInt("eval_interval") > 0 ? cfg.getInt("eval_interval") : cfg.getInt("log_interval")) +
                 " steps (val_pref_accuracy, val_chosen_logp)");
    }

    std::string parent;
    model::MiniMind model = loadParent(cfg, tok, parent);
    if (parent.empty())
        throw InputError("--from_weight none: DPO needs a reference model; name the SFT checkpoint (default full_sft)");
    const model::ModelConfig mc = model->config();
    checkResumable(cfg, "rlhf", mc);

    // The reference is the parent checkpoint: its log-probs are computed with
    // the freshly loaded model before it becomes the policy, then only the
    // policy is in memory.
    const std::string outDir = cfg.getString("out_dir");
    const std::string refKey = fs::fileContentHash(parent) + "|" + pairs.key;
    const std::string refPath = (stdfs::path(outDir) / "cache" / ("dporef_" + fs::hashHex(refKey) + ".bin")).string();
    model->to(train::resolveDevice(cfg.getString("device")));
    auto t0 = std::chrono::steady_clock::now();
    bool computed = false;
    torch::Tensor ref = train::referenceLogProbs(refPath, refKey, model, pairs, seqLen,
                                                 int(cfg.getInt("batch_size")), computed);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rep.info(std::string("reference log-probs of ") + std::to_string(pairs.pairs()) + " pairs " +
             (computed ? "computed in " + formatDuration(secs) + " and cached at " : "read from ") + refPath);

    train::DpoStage stage(pairs, ref, seqLen, cfg.getFloat("beta"), cfg.getFloat("rpo_alpha"));
    train::StageRun run;
    run.cfg = cfg;
    run.model = model;
    run.stage = &stage;
    run.parentCheckpoint = parent;
    run.checkpointStem = "rlhf";
    run.dataKey = pairs.key + "|" + std::to_string(pairs.pairs());
    run.extraMeta = {{"tokenizer", tok.fingerprint()}, {"tokenizer_path", tok.path()}, {"data_path", dataPath},
                     {"reference_cache", refPath}};
    if (evalPairs)
        run.evaluate = [evalPairs, seqLen, batch = int(cfg.getInt("batch_size"))](model::MiniMind& m) {
            const torch::Tensor lp = train::pairLogProbs(m, *evalPairs, seqLen, batch);
            const torch::Tensor chosen = lp.select(1, 0);
            return std::vector<std::pair<std::string, double>>{
                {"val_pref_accuracy", (chosen > lp.select(1, 1)).to(torch::kFloat32).mean().item<double>()},
                {"val_chosen_logp", chosen.mean().item<double>()}};
        };
    train::runStage(run, stageSink(rep, {"reward_margin", "pref_accuracy", "chosen_reward", "rejected_reward", "chosen_nll"}),
                    &g_stopRequested);
    return g_stopRequested ? 130 : 0;
}

// ---------------------------------------------------------------------------
// Helpers shared with cmd_stage_tools.cpp.

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

void requireDataFile(const std::string& path, const std::string& flag, const std::string& hint) {
    if (!fs::isFile(path))
        throw InputError(flag + " " + path + ": no such file; " + hint);
}

text::Tokenizer loadStageTokenizer(const config::Values& cfg) {
    const std::string path = train::tokenizerPath(cfg);
    if (!fs::isFile(path))
        throw InputError("tokenizer " + path + " not found; train one with `micromind train_tokenizer --data_path X.jsonl --out_dir " +
                         cfg.getString("out_dir") + "` or pass --tokenizer");
    return text::Tokenizer::load(path);
}

data::TokenCache sftCache(const config::Values& cfg, const text::Tokenizer& tok, Reporter& rep,
                          const std::string& dataPath) {
    data::CacheBuildOptions co;
    co.format = data::CacheFormat::Sft;
    co.skipBadLines = cfg.getBool("skip_bad_lines");
    data::TokenCache cache =
        data::TokenCache::openOrBuild(dataPath, tok, (stdfs::path(cfg.getString("out_dir")) / "cache").string(), co);
    if (cache.badLines() > 0)
        rep.info("warning: " + std::to_string(cache.badLines()) + " bad lines in " + dataPath + " were skipped");
    return cache;
}

std::string parentPath(const config::Values& cfg, const model::ModelConfig& mc) {
    const std::string from = cfg.getString("from_weight");
    if (from == "none")
        return "";
    return train::weightsPath(cfg.getString("out_dir"), from, mc);
}

model::MiniMind loadParent(const config::Values& cfg, const text::Tokenizer& tok, std::string& path) {
    const model::ModelConfig mc = train::modelConfigFrom(cfg, tok.vocabSize());
    path = parentPath(cfg, mc);
    torch::manual_seed(uint64_t(cfg.getInt("seed")));
    model::MiniMind model(mc);
    model->resetParameters(uint64_t(cfg.getInt("seed")));
    if (path.empty())
        return model;
    const std::string from = cfg.getString("from_weight");
    if (!fs::isFile(path))
        throw InputError("--from_weight " + from + ": parent checkpoint " + path + " not found; make it with `" +
                         producerOf(from) + " --out_dir " + cfg.getString("out_dir") +
                         " ...` with the same model flags (--preset/--hidden_size/--num_hidden_layers/--use_moe), "
                         "or pass --from_weight <stem>");
    nlohmann::json side = train::readSidecar(path);
    if (side.contains("tokenizer") && side["tokenizer"].is_string() &&
        side["tokenizer"].get<std::string>() != tok.fingerprint())
        throw InputError("parent checkpoint " + path + " was trained with another tokenizer (" +
                         side.value("tokenizer_path", std::string("?")) + "); pass that one with --tokenizer");
    train::loadInto(model, train::loadStateDict(path), path);
    return model;
}

} // namespace mm::cli
