#include "train/stage_tools.h"

#include "common/error.h"
#include "common/format.h"
#include "common/fs.h"
#include "data/jsonl.h"
#include "eval/generator.h"
#include "model/lora.h"
#include "text/chat_template.h"
#include "train/dpo_stage.h"
#include "train/grpo_heldout.h"
#include "train/grpo_stage.h"
#include "train/run_setup.h"
#include "train/sft_stage.h"
#include "train/stage_build.h"
#include "train/stage_losses.h"
#include "weights/lora_adapter.h"
#include "weights/paths.h"
#include "weights/state_dict.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace mm::train {

std::string mergeLoraCommand(const config::Values& cfg) {
    const std::string outDir = cfg.getString("out_dir");
    const std::string name = cfg.getString("lora_name");
    if (!model::validLoraName(name))
        throw InputError("--lora_name \"" + name + "\" is not a valid file name; use letters, digits, '_', '-' or '.'");
    text::Tokenizer tok = loadStageTokenizer(cfg.getString("tokenizer"), outDir);
    std::string base;
    model::MiniMind model = loadParent(modelConfigFrom(cfg, tok.vocabSize()), cfg.getString("from_weight"), outDir,
                                       uint64_t(cfg.getInt("seed")), tok, base);
    if (base.empty())
        throw InputError("--from_weight none: merge_lora needs the base checkpoint the adapter was trained on");
    const model::ModelConfig mc = model->config();
    const std::string adapter = weights::weightsPath(outDir, "lora/" + name, mc);
    if (!fs::isFile(adapter))
        throw InputError("LoRA adapter " + adapter + " not found; train it with `micromind lora --lora_name " + name +
                         " --out_dir " + outDir + " ...` using the same model flags");
    model::LoraOptions opts = weights::loadLora(model, adapter);
    model::mergeLora(model);
    std::string stem = cfg.getString("save_weight");
    if (stem.empty())
        stem = cfg.getString("from_weight") + "_" + name;
    const std::string outPath = weights::weightsPath(outDir, stem, mc);
    nlohmann::json meta = weights::readSidecar(base);
    meta["stage"] = "merge_lora";
    meta["parent"] = base;
    meta["lora"] = adapter;
    meta["lora_options"] = opts.toJson();
    weights::saveWeights(outPath, model, meta);
    return strf("merged %s (%zu projections, rank %d, scale %.3g) into %s -> %s\n", adapter.c_str(),
                opts.targets.size(), opts.rank, opts.alpha / opts.rank, base.c_str(), outPath.c_str());
}

namespace {

// Prompt (turns before the last assistant turn) and that turn's content.
struct PromptItem {
    std::vector<int> prompt;
    std::string reference;
};

std::vector<PromptItem> promptItems(const std::string& path, const text::Tokenizer& tok, bool skipBad,
                                    int64_t maxItems) {
    data::JsonlReader reader(path, skipBad);
    std::vector<PromptItem> out;
    nlohmann::json rec;
    while (reader.next(rec) && (maxItems <= 0 || int64_t(out.size()) < maxItems)) {
        std::vector<text::Message> msgs;
        try {
            msgs = data::conversation(rec, reader.where());
        } catch (const InputError& e) {
            reader.reject(e.what());
            continue;
        }
        while (!msgs.empty() && msgs.back().role != "assistant")
            msgs.pop_back();
        PromptItem it;
        it.reference = msgs.back().content;
        msgs.pop_back();
        for (int id : tok.encode(tok.renderChat(msgs, true)))
            it.prompt.push_back(id);
        out.push_back(std::move(it));
    }
    return out;
}

std::string between(const std::string& s, const std::string& open, const std::string& close) {
    const size_t a = s.find(open);
    const size_t b = a == std::string::npos ? a : s.find(close, a + open.size());
    if (b == std::string::npos)
        return "";
    std::string v = s.substr(a + open.size(), b - a - open.size());
    const char* ws = " \t\r\n";
    const size_t f = v.find_first_not_of(ws);
    return f == std::string::npos ? "" : v.substr(f, v.find_last_not_of(ws) - f + 1);
}

// The first `n` bytes of s, cut back to a UTF-8 character boundary (a cut
// character would make the JSON output invalid).
std::string utf8Prefix(const std::string& s, size_t n) {
    if (s.size() <= n)
        return s;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;
    return s.substr(0, n);
}

} // namespace

HeldoutOptions HeldoutOptions::from(const config::Values& cfg) {
    HeldoutOptions o;
    const std::string stage = cfg.getString("stage"), metric = cfg.getString("metric");
    o.metric = metric;
    const std::string own = stage == "dpo"              ? "preference"
                            : stage == "distill_reason" ? "think_format"
                            : stage == "grpo"           ? "reward"
                                                        : "loss";
    if (stage != "auto" && cfg.isSet("metric") && metric != own)
        throw InputError("--stage " + stage + " measures --metric " + own + ", not " + metric +
                         "; give one of the two");
    if (stage != "auto")
        o.metric = own;
    o.weights = cfg.getString("weights");
    o.loraPath = cfg.getString("lora_path");
    o.dataPath = cfg.getString("data_path");
    o.tokenizer = cfg.getString("tokenizer");
    o.outDir = cfg.getString("out_dir");
    o.device = cfg.getString("device");
    o.rewards = cfg.getString("rewards");
    o.temperature = cfg.getFloat("temperature");
    o.repetitionPenalty = cfg.getFloat("repetition_penalty");
    o.seed = cfg.getInt("seed");
    o.maxSeqLen = cfg.getInt("max_seq_len");
    o.batchSize = cfg.getInt("batch_size");
    o.maxSamples = cfg.getInt("max_samples");
    o.maxNewTokens = cfg.getInt("max_new_tokens");
    o.threads = cfg.getInt("threads");
    o.skipBadLines = cfg.getBool("skip_bad_lines");
    return o;
}

namespace {

// GRPO's held-out figures (train/grpo_heldout.h) as heldout's JSON.
nlohmann::json rewardMetric(const HeldoutOptions& h, model::MiniMind& model, const text::Tokenizer& tok) {
    RewardSet rewards = RewardSet::parse(h.rewards);
    GrpoData data = loadGrpoData(h.dataPath, tok, int(h.maxSeqLen), h.skipBadLines, h.maxSamples);
    HeldoutRewardOptions o;
    o.temperature = h.temperature;
    o.maxNewTokens = int(h.maxNewTokens);
    o.repetitionPenalty = h.repetitionPenalty;
    o.seed = uint64_t(h.seed);
    const HeldoutReward r = heldoutReward(model, tok, data, rewards, o);
    nlohmann::json out;
    out["reward_mean"] = r.rewardMean;
    out["reward_std"] = r.rewardStd;
    // Accuracy counts only prompts that have an answer to check.
    out["accuracy"] = r.accuracy;
    out["with_answer"] = data.withAnswer;
    out["format_rate"] = r.formatRate;
    out["mean_tokens"] = r.meanTokens;
    out["samples"] = data.size();
    out["skipped_too_long"] = data.tooLong; // prompts over --max_seq_len tokens
    nlohmann::json byName = nlohmann::json::object();
    for (size_t k = 0; k < r.parts.size(); ++k)
        byName[rewards.names()[k]] = r.parts[k];
    out["rewards"] = byName;
    out["decoding"] = o.temperature <= 0 ? "greedy" : "sampled";
    nlohmann::json examples = nlohmann::json::array();
    for (const auto& e : r.examples)
        examples.push_back({{"prompt", utf8Prefix(e.question, 200)},
                            {"output", utf8Prefix(e.output, 400)},
                            {"answer", e.answer},
                            {"reward", e.reward},
                            {"format_ok", e.formatOk}});
    out["examples"] = examples;
    return out;
}

} // namespace

nlohmann::json heldoutMetrics(const HeldoutOptions& o, const std::function<void(const std::string&)>& info) {
    const std::string &weightsFile = o.weights, &dataPath = o.dataPath, &metric = o.metric;
    requireDataFile(weightsFile, "--weights", "give a checkpoint such as out/full_sft_512.pth");
    requireDataFile(dataPath, "--data_path", "give a held-out jsonl file");
    text::Tokenizer tok = loadStageTokenizer(o.tokenizer, o.outDir);
    applyThreads(o.threads);
    fs::ensureWritableDir(o.outDir);
    model::MiniMind model = weights::loadModel(weightsFile, tok.vocabSize());
    const std::string& lora = o.loraPath;
    if (!lora.empty()) {
        requireDataFile(lora, "--lora_path", "give an adapter written by `micromind lora`");
        weights::loadLora(model, lora);
    }
    model->to(resolveDevice(o.device));
    model->eval();
    const int seqLen = int(o.maxSeqLen), batch = int(o.batchSize);
    const int64_t maxSamples = o.maxSamples;
    const bool skipBad = o.skipBadLines;
    nlohmann::json out{{"weights", weightsFile}, {"data_path", dataPath}, {"metric", metric}};
    if (!lora.empty())
        out["lora_path"] = lora;
    auto t0 = std::chrono::steady_clock::now();

    if (metric == "loss") {
        data::TokenCache cache = sftCache(dataPath, tok, o.outDir, skipBad, info);
        int64_t dropped = 0;
        std::vector<int64_t> docs = trainableDocuments(cache, seqLen, {}, dropped);
        if (maxSamples > 0 && int64_t(docs.size()) > maxSamples)
            docs.resize(size_t(maxSamples));
        if (docs.empty())
            throw InputError(dataPath + ": no conversation has an assistant token within --max_seq_len");
        MaskedLoss l = maskedLoss(model, cache, docs, seqLen, batch);
        out["loss"] = l.loss;
        out["targets"] = l.targets;
        out["samples"] = l.samples;
    } else if (metric == "preference") {
        PreferenceData pairs = loadPreferencePairs(dataPath, tok, seqLen, skipBad);
        if (maxSamples > 0 && pairs.pairs() > maxSamples) {
            pairs.tokens.resize(size_t(2 * maxSamples));
            pairs.mask.resize(size_t(2 * maxSamples));
        }
        torch::Tensor lp = pairLogProbs(model, pairs, seqLen, batch);
        torch::Tensor diff = lp.select(1, 0) - lp.select(1, 1);
        // The policy's own preference: chosen answer more likely (per token)
        // than the rejected one.
        out["pref_accuracy"] = (diff > 0).to(torch::kFloat32).mean().item<double>();
        out["logprob_margin"] = diff.mean().item<double>();
        out["chosen_logprob"] = lp.select(1, 0).mean().item<double>();
        out["rejected_logprob"] = lp.select(1, 1).mean().item<double>();
        out["samples"] = pairs.pairs();
    } else if (metric == "reward") {
        out.update(rewardMetric(o, model, tok));
    } else { // think_format
        std::vector<PromptItem> items = promptItems(dataPath, tok, skipBad, maxSamples);
        if (items.empty())
            throw InputError(dataPath + ": no prompts");
        eval::Generator gen(model);
        eval::SamplingOptions so;
        so.greedy = true;
        so.maxNewTokens = int(o.maxNewTokens);
        so.repetitionPenalty = o.repetitionPenalty;
        int64_t ok = 0, match = 0, tokens = 0;
        // The first three answers, and the first three that miss the format
        // (what a user looking at this metric wants to see).
        nlohmann::json examples = nlohmann::json::array();
        int misses = 0;
        for (size_t i = 0; i < items.size(); ++i) {
            eval::GenerationResult r = gen.generate(items[i].prompt, so);
            const std::string text = tok.decode(r.tokens);
            const bool good = followsThinkFormat(text);
            ok += good;
            tokens += int64_t(r.tokens.size());
            const std::string want = between(items[i].reference, "<answer>", "</answer>");
            match += good && !want.empty() && between(text, "<answer>", "</answer>") == want;
            if (i < 3 || (!good && misses < 3))
                examples.push_back({{"output", utf8Prefix(text, 400)}, {"format_ok", good}});
            misses += !good;
        }
        out["format_rate"] = double(ok) / double(items.size());
        out["answer_match"] = double(match) / double(items.size());
        out["mean_tokens"] = double(tokens) / double(items.size());
        out["samples"] = int64_t(items.size());
        out["examples"] = examples;
    }
    out["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

std::string heldoutText(const nlohmann::json& out) {
    std::string text;
    for (auto it = out.begin(); it != out.end(); ++it)
        if (it.key() != "examples")
            text += strf("%-18s %s\n", it.key().c_str(), it.value().dump().c_str());
    if (out.contains("examples"))
        for (const auto& e : out["examples"])
            text += strf("--- example (format %s%s)\n%s\n", e["format_ok"].get<bool>() ? "ok" : "wrong",
                         e.contains("reward") ? (", reward " + e["reward"].dump()).c_str() : "",
                         e["output"].get<std::string>().c_str());
    return text;
}

} // namespace mm::train
