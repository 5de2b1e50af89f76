#include "train/stage_build.h"

#include "common/error.h"
#include "common/format.h"
#include "common/fs.h"
#include "config/stages.h"
#include "data/jsonl.h"
#include "eval/metrics.h"
#include "model/lora.h"
#include "train/distributed.h"
#include "train/dpo_stage.h"
#include "train/grpo_heldout.h"
#include "train/grpo_stage.h"
#include "train/pretrain_stage.h"
#include "train/resume.h"
#include "train/sft_stage.h"
#include "weights/paths.h"
#include "weights/state_dict.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace mm::train {

namespace stdfs = std::filesystem;

namespace {

using Info = std::function<void(const std::string&)>;

void say(const BuildHooks& h, const std::string& line) {
    if (h.info)
        h.info(line);
}

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

// What every stage does before reading data: the workspace, the threads, and
// --device/--dtype resolved once (a bad one fails before any tokenizing).
void prepare(const config::TrainingOptions& o, StageRun& run) {
    fs::ensureWritableDir(o.outDir);
    applyThreads(o.threads);
    run.device = resolveDevice(o.device);
    run.dtype = resolveDtype(o.dtype, *run.device);
}

void checkResumable(const config::TrainingOptions& o, const std::string& stem, const model::ModelConfig& mc) {
    if (o.resume)
        readResumeMeta(weights::resumePath(o.outDir, stem, mc));
}

template <class T>
StageRun baseRun(const T& o) {
    StageRun run;
    run.opts = o;
    run.config = config::optionsJson(o);
    return run;
}

// The learning rate kept to 6 significant digits, as --lr_scale_with_batch has
// always trained with and stored it.
double sixDigits(double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", x);
    return std::strtod(buf, nullptr);
}

/// --eval_data of an SFT-style stage: the assistant-token loss of its
/// conversations (at most --eval_max_samples, unweighted for distill_reason),
/// or an empty function when no file is given. The file is tokenized and
/// checked now, so a bad one fails before training starts.
std::function<std::vector<std::pair<std::string, double>>(model::MiniMind&)>
sftValidation(const config::SftOptions& o, const text::Tokenizer& tok, const BuildHooks& hooks) {
    const std::string& path = o.evalData;
    if (path.empty())
        return {};
    requireDataFile(path, "--eval_data", "give held-out conversations in the training file's format");
    auto cache = std::make_shared<data::TokenCache>(sftCache(path, tok, o.outDir, o.skipBadLines, hooks.info));
    const int seqLen = int(o.maxSeqLen), batch = int(o.batchSize);
    int64_t dropped = 0;
    std::vector<int64_t> docs = trainableDocuments(*cache, seqLen, {}, dropped);
    const int64_t cap = o.evalMaxSamples;
    if (cap > 0 && int64_t(docs.size()) > cap)
        docs.resize(size_t(cap));
    if (docs.empty())
        throw InputError("--eval_data " + path + ": no conversation has an assistant token within --max_seq_len " +
                         std::to_string(seqLen));
    say(hooks, "validation: " + std::to_string(docs.size()) + " conversations of " + path + " every " +
                   std::to_string(o.effectiveEvalInterval()) + " steps (val_loss)");
    return [cache, docs, seqLen, batch](model::MiniMind& m) {
        const MaskedLoss l = maskedLoss(m, *cache, docs, seqLen, batch);
        return std::vector<std::pair<std::string, double>>{{"val_loss", l.loss}};
    };
}

} // namespace

void requireDataFile(const std::string& path, const std::string& flag, const std::string& hint) {
    if (!fs::isFile(path))
        throw InputError(flag + " " + path + ": no such file; " + hint);
}

text::Tokenizer loadStageTokenizer(const std::string& tokenizer, const std::string& outDir) {
    const std::string path = tokenizerPath(tokenizer, outDir);
    if (!fs::isFile(path))
        throw InputError("tokenizer " + path +
                         " not found; train one with `micromind train_tokenizer --data_path X.jsonl --out_dir " +
                         outDir + "` or pass --tokenizer");
    return text::Tokenizer::load(path);
}

data::TokenCache sftCache(const std::string& dataPath, const text::Tokenizer& tok, const std::string& outDir,
                          bool skipBadLines, const Info& info) {
    data::CacheBuildOptions co;
    co.format = data::CacheFormat::Sft;
    co.skipBadLines = skipBadLines;
    data::TokenCache cache = data::TokenCache::openOrBuild(dataPath, tok, (stdfs::path(outDir) / "cache").string(), co);
    if (cache.badLines() > 0 && info)
        info("warning: " + std::to_string(cache.badLines()) + " bad lines in " + dataPath + " were skipped");
    return cache;
}

std::string parentPath(const std::string& fromWeight, const std::string& outDir, const model::ModelConfig& mc) {
    if (fromWeight == "none")
        return "";
    return weights::weightsPath(outDir, fromWeight, mc);
}

model::MiniMind loadParent(const model::ModelConfig& mc, const std::string& from, const std::string& outDir,
                           uint64_t seed, const text::Tokenizer& tok, std::string& path) {
    path = parentPath(from, outDir, mc);
    torch::manual_seed(seed);
    model::MiniMind model(mc);
    model->resetParameters(seed);
    if (path.empty())
        return model;
    if (!fs::isFile(path))
        throw InputError("--from_weight " + from + ": parent checkpoint " + path + " not found; make it with `" +
                         producerOf(from) + " --out_dir " + outDir +
                         " ...` with the same model flags (--preset/--hidden_size/--num_hidden_layers/--use_moe), "
                         "or pass --from_weight <stem>");
    nlohmann::json side = weights::readSidecar(path);
    if (side.contains("tokenizer") && side["tokenizer"].is_string() &&
        side["tokenizer"].get<std::string>() != tok.fingerprint())
        throw InputError("parent checkpoint " + path + " was trained with another tokenizer (" +
                         side.value("tokenizer_path", std::string("?")) + "); pass that one with --tokenizer");
    weights::loadInto(model, weights::loadStateDict(path), path);
    return model;
}

// ---------------------------------------------------------------------------

PreparedStage buildPretrainRun(const config::PretrainOptions& o, const BuildHooks& hooks) {
    PreparedStage p;
    p.run = baseRun(o);
    const std::string& dataPath = o.dataPath;
    requireDataFile(dataPath, "--data_path", "download minimind's data (see README) or give a {\"text\": ...} jsonl");
    auto tok = std::make_shared<const text::Tokenizer>(loadStageTokenizer(o.tokenizer, o.outDir));
    prepare(o, p.run);

    data::CacheBuildOptions co;
    co.format = data::CacheFormat::Pretrain;
    co.skipBadLines = o.skipBadLines;
    co.progress = hooks.dataProgress;
    auto cache = std::make_shared<const data::TokenCache>(
        data::TokenCache::openOrBuild(dataPath, *tok, (stdfs::path(o.outDir) / "cache").string(), co));
    if (cache->badLines() > 0)
        say(hooks, "warning: " + std::to_string(cache->badLines()) + " bad lines in " + dataPath + " were skipped");
    const auto mode = o.packing == "pad" ? data::PretrainDataset::Mode::Pad : data::PretrainDataset::Mode::Pack;
    const int seqLen = int(o.maxSeqLen);
    auto ds = std::make_shared<const data::PretrainDataset>(*cache, seqLen, mode);
    say(hooks, "data: " + formatCount(double(cache->numDocuments())) + " documents, " +
                   formatCount(double(cache->numTokens())) + " tokens -> " + formatCount(double(ds->size())) +
                   " samples of " + std::to_string(seqLen) + " (" + o.packing + ")");

    model::ModelConfig mc = modelConfigFrom(o, tok->vocabSize());
    torch::manual_seed(uint64_t(o.seed));
    model::MiniMind model(mc);
    model->resetParameters(uint64_t(o.seed));
    checkResumable(o, "pretrain", mc); // clear error before anything runs

    // --eval_data: held-out texts, scored as pretraining reads them.
    auto evalTexts = std::make_shared<std::vector<std::string>>();
    if (!o.evalData.empty()) {
        const std::string& evalPath = o.evalData;
        requireDataFile(evalPath, "--eval_data", "give held-out text in the training file's format");
        data::JsonlReader reader(evalPath, o.skipBadLines);
        nlohmann::json rec;
        const size_t cap = o.evalMaxSamples > 0 ? size_t(o.evalMaxSamples) : SIZE_MAX;
        while (evalTexts->size() < cap && reader.next(rec))
            for (auto& t : data::anyTexts(rec, reader.where()))
                if (evalTexts->size() < cap)
                    evalTexts->push_back(std::move(t));
        if (evalTexts->empty())
            throw InputError("--eval_data " + evalPath + ": holds no texts");
        say(hooks, "validation: " + std::to_string(evalTexts->size()) + " texts of " + evalPath + " every " +
                       std::to_string(o.effectiveEvalInterval()) + " steps (val_loss, val_bpb)");
    }
    p.stage = std::make_shared<PretrainStage>(*ds);
    p.owned = {tok, cache, ds};
    p.run.model = model;
    p.run.stage = p.stage.get();
    p.run.dataKey = cache->key() + "|" + std::to_string(seqLen) + "|" + o.packing;
    p.run.extraMeta = {{"tokenizer", tok->fingerprint()}, {"tokenizer_path", tok->path()}, {"data_path", dataPath}};
    if (!evalTexts->empty())
        p.run.evaluate = [tok, evalTexts, seqLen](model::MiniMind& m) {
            const eval::PerplexityResult r = eval::perplexity(m, *tok, *evalTexts, seqLen);
            return std::vector<std::pair<std::string, double>>{
                {"val_loss", r.tokens > 0 ? r.nll / double(r.tokens) : 0.0}, {"val_bpb", r.bitsPerByte()}};
        };
    return p;
}

PreparedStage buildSftRun(config::SftOptions o, const BuildHooks& hooks) {
    const bool isLora = o.stage == "lora", isReason = o.stage == "distill_reason", isFull = o.stage == "full_sft";
    const std::string& dataPath = o.dataPath;
    requireDataFile(dataPath, "--data_path", "give a {\"conversations\": [...]} jsonl");
    std::string stem = isReason ? "reason" : o.stage;
    model::LoraOptions lora;
    if (isLora) {
        if (!model::validLoraName(o.loraName))
            throw InputError("--lora_name \"" + o.loraName +
                             "\" is not a valid file name; use letters, digits, '_', '-' or '.' (e.g. lora_medical)");
        stem = "lora/" + o.loraName;
        lora.rank = int(o.loraRank);
        lora.alpha = o.loraAlpha > 0 ? o.loraAlpha : double(lora.rank);
        lora.targets.clear();
        std::stringstream ss(o.loraTargets);
        for (std::string t; std::getline(ss, t, ',');)
            if (!t.empty())
                lora.targets.push_back(t);
    }
    auto tok = std::make_shared<const text::Tokenizer>(loadStageTokenizer(o.tokenizer, o.outDir));
    PreparedStage p;
    prepare(o, p.run);
    auto cache =
        std::make_shared<const data::TokenCache>(sftCache(dataPath, *tok, o.outDir, o.skipBadLines, hooks.info));
    const int seqLen = int(o.maxSeqLen);
    std::vector<bool> excluded;
    int64_t noTags = 0, noTarget = 0;
    if (isReason) {
        excluded = checkReasoningData(dataPath, o.skipBadLines, noTags);
        if (noTags)
            say(hooks, "warning: skipped " + std::to_string(noTags) + " samples without <think>/<answer> tags");
    }
    std::vector<int64_t> docs = trainableDocuments(*cache, seqLen, excluded, noTarget);
    if (docs.empty())
        throw InputError(dataPath + ": no conversation has an assistant token within --max_seq_len " +
                         std::to_string(seqLen) + "; raise --max_seq_len");
    if (noTarget)
        say(hooks, "warning: " + std::to_string(noTarget) +
                       " conversations have no assistant token within --max_seq_len " + std::to_string(seqLen) +
                       " and are skipped");

    if (isFull && o.lrScaleWithBatch) {
        // The seed's rule: k times the batch, k times the learning rate, taken
        // relative to the schema's default batch. The batch is the global one:
        // per-process batch x accumulation x processes (torchrun's WORLD_SIZE).
        const std::string& refText = config::schemaFor(o.stage).find("batch_size")->defaultValue;
        const double ref = std::stod(refText);
        const double batch = double(o.batchSize * o.accumulationSteps * DistEnv::fromEnvironment().worldSize);
        const double lr0 = o.learningRate;
        o.learningRate = sixDigits(lr0 * batch / ref);
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.6g -> %.6g", lr0, o.learningRate);
        say(hooks, "--lr_scale_with_batch: batch " + std::to_string(int64_t(batch)) + " = " +
                       std::to_string(batch / ref).substr(0, 5) + " x the reference batch " + refText +
                       ", learning rate " + buf);
    }
    {
        // The options as the run uses them (the scaled learning rate included).
        StageRun base = baseRun(o);
        base.device = p.run.device;
        base.dtype = p.run.dtype;
        p.run = std::move(base);
    }

    std::string parent;
    model::MiniMind model =
        loadParent(modelConfigFrom(o, tok->vocabSize()), o.fromWeight, o.outDir, uint64_t(o.seed), *tok, parent);
    const model::ModelConfig mc = model->config();
    if (isLora) {
        const std::vector<std::string> wrapped = model::attachLora(model, lora, uint64_t(o.seed));
        int64_t n = 0;
        for (auto& t : model::loraParameters(model))
            n += t.numel();
        say(hooks, "LoRA rank " + std::to_string(lora.rank) + ", alpha " + std::to_string(lora.alpha).substr(0, 6) +
                       " on " + std::to_string(wrapped.size()) + " projections: " + formatCount(double(n)) +
                       " trainable parameters; base frozen");
    }
    checkResumable(o, stem, mc);
    // The token count is the whole file's: say so when conversations were left out.
    const std::string used =
        int64_t(docs.size()) < cache->numDocuments()
            ? std::to_string(docs.size()) + " of " + std::to_string(cache->numDocuments()) + " conversations used (" +
                  formatCount(double(cache->numTokens())) + " tokens in the file)"
            : std::to_string(docs.size()) + " conversations, " + formatCount(double(cache->numTokens())) + " tokens";
    say(hooks, "data: " + used + "; parent " + (parent.empty() ? std::string("none (random init)") : parent));

    const size_t numDocs = docs.size();
    if (isLora)
        p.stage = std::make_shared<LoraStage>(*cache, std::move(docs), seqLen, lora);
    else
        p.stage = std::make_shared<SftStage>(o.stage, *cache, std::move(docs), seqLen, isReason ? o.tagWeight : 0.0,
                                             tok->tagIds());
    p.owned = {tok, cache};
    p.logMetrics = {"token_loss"};
    p.run.model = model;
    p.run.stage = p.stage.get();
    p.run.parentCheckpoint = parent;
    p.run.checkpointStem = stem;
    p.run.dataKey = cache->key() + "|" + std::to_string(seqLen) + "|" + std::to_string(numDocs);
    p.run.extraMeta = {{"tokenizer", tok->fingerprint()}, {"tokenizer_path", tok->path()}, {"data_path", dataPath}};
    if (isLora)
        p.run.extraMeta["base"] = parent;
    p.run.evaluate = sftValidation(o, *tok, hooks);
    return p;
}

PreparedStage buildDpoRun(const config::DpoOptions& o, const BuildHooks& hooks) {
    PreparedStage p;
    p.run = baseRun(o);
    const std::string& dataPath = o.dataPath;
    requireDataFile(dataPath, "--data_path", "give a {\"chosen\": [...], \"rejected\": [...]} jsonl");
    auto tok = std::make_shared<const text::Tokenizer>(loadStageTokenizer(o.tokenizer, o.outDir));
    prepare(o, p.run);
    const int seqLen = int(o.maxSeqLen), batch = int(o.batchSize);
    auto pairs = std::make_shared<const PreferenceData>(loadPreferencePairs(dataPath, *tok, seqLen, o.skipBadLines));
    if (pairs->badLines)
        say(hooks, "warning: " + std::to_string(pairs->badLines) + " bad lines in " + dataPath + " were skipped");
    if (pairs->truncatedPairs)
        say(hooks, "warning: " + std::to_string(pairs->truncatedPairs) +
                       " pairs whose answers start beyond --max_seq_len " + std::to_string(seqLen) + " are skipped");

    // --eval_data: held-out pairs, checked now; scored as preference accuracy
    // and the chosen answers' mean log-prob (does DPO keep their likelihood?).
    std::shared_ptr<PreferenceData> evalPairs;
    if (!o.evalData.empty()) {
        const std::string& ep = o.evalData;
        requireDataFile(ep, "--eval_data", "give held-out {\"chosen\": [...], \"rejected\": [...]} pairs");
        evalPairs = std::make_shared<PreferenceData>(loadPreferencePairs(ep, *tok, seqLen, o.skipBadLines));
        const int64_t cap = o.evalMaxSamples;
        if (cap > 0 && evalPairs->pairs() > cap) {
            evalPairs->tokens.resize(size_t(2 * cap));
            evalPairs->mask.resize(size_t(2 * cap));
        }
        say(hooks, "validation: " + std::to_string(evalPairs->pairs()) + " pairs of " + ep + " every " +
                       std::to_string(o.effectiveEvalInterval()) + " steps (val_pref_accuracy, val_chosen_logp)");
    }

    std::string parent;
    model::MiniMind model =
        loadParent(modelConfigFrom(o, tok->vocabSize()), o.fromWeight, o.outDir, uint64_t(o.seed), *tok, parent);
    if (parent.empty())
        throw InputError("--from_weight none: DPO needs a reference model; name the SFT checkpoint (default full_sft)");
    const model::ModelConfig mc = model->config();
    checkResumable(o, "rlhf", mc);

    // The reference is the parent checkpoint: its log-probs are computed with
    // the freshly loaded model before it becomes the policy, then only the
    // policy is in memory.
    const std::string refKey = fs::fileContentHash(parent) + "|" + pairs->key;
    const std::string refPath = (stdfs::path(o.outDir) / "cache" / ("dporef_" + fs::hashHex(refKey) + ".bin")).string();
    model->to(*p.run.device);
    auto t0 = std::chrono::steady_clock::now();
    bool computed = false;
    torch::Tensor ref = referenceLogProbs(refPath, refKey, model, *pairs, seqLen, batch, computed);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    say(hooks, std::string("reference log-probs of ") + std::to_string(pairs->pairs()) + " pairs " +
                   (computed ? "computed in " + formatDuration(secs) + " and cached at " : "read from ") + refPath);

    p.stage = std::make_shared<DpoStage>(*pairs, ref, seqLen, o.beta, o.rpoAlpha);
    p.owned = {tok, pairs};
    p.logMetrics = {"reward_margin", "pref_accuracy", "chosen_reward", "rejected_reward", "chosen_nll"};
    p.run.model = model;
    p.run.stage = p.stage.get();
    p.run.parentCheckpoint = parent;
    p.run.checkpointStem = "rlhf";
    p.run.dataKey = pairs->key + "|" + std::to_string(pairs->pairs());
    p.run.extraMeta = {{"tokenizer", tok->fingerprint()},
                       {"tokenizer_path", tok->path()},
                       {"data_path", dataPath},
                       {"reference_cache", refPath}};
    if (evalPairs)
        p.run.evaluate = [evalPairs, seqLen, batch](model::MiniMind& m) {
            const torch::Tensor lp = pairLogProbs(m, *evalPairs, seqLen, batch);
            const torch::Tensor chosen = lp.select(1, 0);
            return std::vector<std::pair<std::string, double>>{
                {"val_pref_accuracy", (chosen > lp.select(1, 1)).to(torch::kFloat32).mean().item<double>()},
                {"val_chosen_logp", chosen.mean().item<double>()}};
        };
    return p;
}

PreparedStage buildGrpoRun(const config::GrpoStageOptions& o, const BuildHooks& hooks) {
    PreparedStage p;
    p.run = baseRun(o);
    const std::string& dataPath = o.dataPath;
    requireDataFile(
        dataPath, "--data_path",
        "give a jsonl of {\"conversations\": [{\"role\": \"user\", \"content\": \"...\"}], \"answer\": \"...\"}");
    RewardSet rewards = RewardSet::parse(o.rewards);
    auto tok = std::make_shared<const text::Tokenizer>(loadStageTokenizer(o.tokenizer, o.outDir));
    prepare(o, p.run);
    const torch::Device dev = *p.run.device;

    const int seqLen = int(o.maxSeqLen);
    auto data = std::make_shared<const GrpoData>(loadGrpoData(dataPath, *tok, seqLen, o.skipBadLines));
    if (data->badLines)
        say(hooks, "warning: " + std::to_string(data->badLines) + " bad lines in " + dataPath + " were skipped");
    if (data->tooLong)
        say(hooks, "warning: " + std::to_string(data->tooLong) + " prompts longer than --max_seq_len " +
                       std::to_string(seqLen) + " tokens are skipped");
    const auto& names = rewards.names();
    if (data->withAnswer == 0 && std::find(names.begin(), names.end(), "exact") != names.end())
        say(hooks,
            "warning: no prompt in " + dataPath + " has an \"answer\"; the exact reward is 0 for every completion");

    // --eval_data: held-out prompts, checked now; answered greedily and scored
    // with the training rewards every --eval_interval steps.
    std::shared_ptr<const GrpoData> evalData;
    if (!o.evalData.empty()) {
        const std::string& ep = o.evalData;
        requireDataFile(ep, "--eval_data",
                        "give held-out prompts: {\"conversations\": [user turn], \"answer\": \"...\"} per line");
        evalData = std::make_shared<const GrpoData>(loadGrpoData(ep, *tok, seqLen, o.skipBadLines, o.evalMaxSamples));
        say(hooks, "validation: " + std::to_string(evalData->size()) + " prompts of " + ep + " (" +
                       std::to_string(evalData->withAnswer) + " with an answer) every " +
                       std::to_string(o.effectiveEvalInterval()) +
                       " steps, greedy (val_reward_mean, val_accuracy, val_format_rate, val_completion_len)");
    }

    std::string parent;
    const model::ModelConfig shape = modelConfigFrom(o, tok->vocabSize());
    model::MiniMind model = loadParent(shape, o.fromWeight, o.outDir, uint64_t(o.seed), *tok, parent);
    if (parent.empty())
        throw InputError("--from_weight none: GRPO optimises a trained model against itself as reference; name its "
                         "checkpoint (default reason, or rlhf)");
    const model::ModelConfig mc = model->config();
    if (seqLen + o.maxGenLen > mc.maxPositions)
        throw InputError("--max_seq_len " + std::to_string(seqLen) + " + --max_gen_len " + std::to_string(o.maxGenLen) +
                         " exceed the model's " + std::to_string(mc.maxPositions) + " positions; lower one of them");
    checkResumable(o, "grpo", mc);

    GrpoOptions opts;
    opts.numGenerations = int(o.numGenerations);
    opts.maxGenLen = int(o.maxGenLen);
    opts.temperature = o.temperature;
    opts.beta = o.beta;
    opts.clipEps = o.clipEps;
    opts.seed = uint64_t(o.seed);
    opts.logSamples = int(o.logSamples);
    // The reference is a second copy of the parent, frozen; with beta 0 the
    // KL term is off and no copy is needed.
    model::MiniMind reference{nullptr};
    if (opts.beta > 0) {
        std::string refPath;
        reference = loadParent(shape, o.fromWeight, o.outDir, uint64_t(o.seed), *tok, refPath);
        reference->to(dev);
    }
    say(hooks, "data: " + std::to_string(data->size()) + " prompts (" + std::to_string(data->withAnswer) +
                   " with a known answer), G = " + std::to_string(opts.numGenerations) + ", rewards " + o.rewards +
                   "; parent " + parent + (opts.beta > 0 ? " (also the frozen reference)" : ""));

    const RewardSet evalRewards = rewards;
    auto stage = std::make_shared<GrpoStage>(*data, reference, std::move(rewards), *tok, opts);
    p.grpo = stage.get();
    p.stage = stage;
    p.owned = {tok, data};
    p.run.model = model;
    p.run.stage = p.stage.get();
    p.run.parentCheckpoint = parent;
    p.run.checkpointStem = "grpo";
    p.run.dataKey = data->key + "|" + std::to_string(data->size());
    p.run.extraMeta = {{"tokenizer", tok->fingerprint()},
                       {"tokenizer_path", tok->path()},
                       {"data_path", dataPath},
                       {"rewards", o.rewards}};
    if (evalData) {
        HeldoutRewardOptions eo;
        eo.maxNewTokens = opts.maxGenLen;
        eo.seed = opts.seed;
        p.run.evaluate = [tok, evalData, evalRewards, eo](model::MiniMind& m) {
            const HeldoutReward r = heldoutReward(m, *tok, *evalData, evalRewards, eo);
            return std::vector<std::pair<std::string, double>>{{"val_reward_mean", r.rewardMean},
                                                               {"val_accuracy", r.accuracy},
                                                               {"val_format_rate", r.formatRate},
                                                               {"val_completion_len", r.meanTokens}};
        };
    }
    return p;
}

PreparedStage buildStageRun(const config::Values& v, const BuildHooks& hooks) {
    const std::string& stage = v.schema().stage;
    if (stage == "pretrain")
        return buildPretrainRun(config::pretrainOptions(v), hooks);
    if (stage == "full_sft" || stage == "distill_reason" || stage == "lora")
        return buildSftRun(config::sftOptions(v), hooks);
    if (stage == "dpo")
        return buildDpoRun(config::dpoOptions(v), hooks);
    if (stage == "grpo")
        return buildGrpoRun(config::grpoOptions(v), hooks);
    throw std::logic_error("buildStageRun: \"" + stage + "\" is not a training stage");
}

} // namespace mm::train
