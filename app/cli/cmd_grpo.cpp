// grpo: group relative policy optimisation (reason -> grpo). Builds the
// GrpoStage (rollouts, rewards, frozen reference) and hands it to the one
// training loop through train::runStage; adds a sample completion with its
// reward to every log event.

#include "commands.h"
#include "reporter.h"
#include "stage_cli.h"

#include "common/error.h"
#include "common/fs.h"
#include "train/checkpoint.h"
#include "train/grpo_heldout.h"
#include "train/grpo_stage.h"
#include "train/run_setup.h"

#include <algorithm>
#include <cstdio>

namespace mm::cli {

namespace {

// The first `n` bytes of s, cut back to a UTF-8 character boundary.
std::string clip(const std::string& s, size_t n) {
    if (s.size() <= n)
        return s;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;
    return s.substr(0, n) + "...";
}

// One line for the terminal: newlines shown as "\n".
std::string oneLine(const std::string& s) {
    std::string out;
    for (char c : s)
        out += c == '\n' ? std::string("\\n") : std::string(1, c);
    return out;
}

nlohmann::json sampleJson(const train::GrpoSample& s, size_t chars) {
    nlohmann::json parts = nlohmann::json::object();
    for (const auto& [name, v] : s.components)
        parts[name] = v;
    return {{"question", clip(s.question, chars)}, {"completion", clip(s.completion, chars)},
            {"answer", s.answer}, {"reward", s.reward}, {"rewards", parts}};
}

// The loop's events plus, on each log event, the stage's latest samples
// ("samples" and, for older readers, the first as "sample" in --json mode; a
// line each in the terminal).
train::EventSink grpoSink(Reporter& rep, const train::GrpoStage& stage, size_t chars) {
    return [&rep, &stage, chars](const nlohmann::json& ev) {
        if (ev.value("event", "") != "log") {
            rep.event(ev);
            return;
        }
        nlohmann::json e = ev;
        std::vector<const train::GrpoSample*> kept;
        for (const auto& s : stage.lastSamples())
            if (s.valid)
                kept.push_back(&s);
        if (!kept.empty()) {
            e["sample"] = sampleJson(*kept.front(), chars);
            e["samples"] = nlohmann::json::array();
            for (const auto* s : kept)
                e["samples"].push_back(sampleJson(*s, chars));
        }
        rep.event(e);
        if (rep.json())
            return;
        std::string line;
        char buf[128];
        std::snprintf(buf, sizeof buf, "  reward %.4f (std %.4f) | accuracy %.1f%% | kl %.5f | completion %.1f tokens",
                      e.value("reward_mean", 0.0), e.value("reward_std", 0.0), 100.0 * e.value("accuracy", 0.0),
                      e.value("kl", 0.0), e.value("completion_len", 0.0));
        line = buf;
        for (const auto& name : stage.rewards().names()) {
            const std::string key = "reward_" + name;
            if (e.contains(key)) {
                std::snprintf(buf, sizeof buf, " | %s %.3f", name.c_str(), e[key].get<double>());
                line += buf;
            }
        }
        std::printf("%s\n", line.c_str());
        for (const auto* s : kept) {
            std::snprintf(buf, sizeof buf, "  sample (reward %.3f", s->reward);
            std::string head = buf;
            if (!s->answer.empty())
                head += ", answer " + oneLine(clip(s->answer, 40));
            std::printf("%s): %s -> %s\n", head.c_str(), oneLine(clip(s->question, 80)).c_str(),
                        oneLine(clip(s->completion, chars)).c_str());
        }
        std::fflush(stdout);
    };
}

} // namespace

int cmdGrpo(const Args& args) {
    config::Values cfg = parseStageArgs("grpo", args);
    Reporter rep(cfg.getBool("json"));
    const std::string dataPath = cfg.getString("data_path"), outDir = cfg.getString("out_dir");
    requireDataFile(dataPath, "--data_path",
                    "give a jsonl of {\"conversations\": [{\"role\": \"user\", \"content\": \"...\"}], \"answer\": \"...\"}");
    train::RewardSet rewards = train::RewardSet::parse(cfg.getString("rewards"));
    text::Tokenizer tok = loadStageTokenizer(cfg);
    fs::ensureWritableDir(outDir);
    train::applyThreads(cfg.getInt("threads"));
    const torch::Device dev = train::resolveDevice(cfg.getString("device"));
    train::resolveDtype(cfg.getString("dtype"), dev);

    const int seqLen = int(cfg.getInt("max_seq_len"));
    train::GrpoData data = train::loadGrpoData(dataPath, tok, seqLen, cfg.getBool("skip_bad_lines"));
    if (data.badLines)
        rep.info("warning: " + std::to_string(data.badLines) + " bad lines in " + dataPath + " were skipped");
    if (data.tooLong)
        rep.info("warning: " + std::to_string(data.tooLong) + " prompts longer than --max_seq_len " +
                 std::to_string(seqLen) + " tokens are skipped");
    const auto& names = rewards.names();
    if (data.withAnswer == 0 && std::find(names.begin(), names.end(), "exact") != names.end())
        rep.info("warning: no prompt in " + dataPath + " has an \"answer\"; the exact reward is 0 for every completion");

    // --eval_data: held-out prompts, checked now; answered greedily and scored
    // with the training rewards every --eval_interval steps.
    std::shared_ptr<train::GrpoData> evalData;
    if (!cfg.getString("eval_data").empty()) {
        const std::string ep = cfg.getString("eval_data");
        requireDataFile(ep, "--eval_data",
                        "give held-out prompts: {\"conversations\": [user turn], \"answer\": \"...\"} per line");
        evalData = std::make_shared<train::GrpoData>(
            train::loadGrpoData(ep, tok, seqLen, cfg.getBool("skip_bad_lines"), cfg.getInt("eval_max_samples")));
        rep.info("validation: " + std::to_string(evalData->size()) + " prompts of " + ep + " (" +
                 std::to_string(evalData->withAnswer) + " with an answer) every " +
                 std::to_string(cfg.getInt("eval_interval") > 0 ? cfg.getInt("eval_interval") : cfg.getInt("log_interval")) +
                 " steps, greedy (val_reward_mean, val_accuracy, val_format_rate, val_completion_len)");
    }

    std::string parent;
    model::MiniMind model = loadParent(cfg, tok, parent);
    if (parent.empty())
        throw InputError("--from_weight none: GRPO optimises a trained model against itself as reference; name its "
                         "checkpoint (default reason, or rlhf)");
    const model::ModelConfig mc = model->config();
    if (seqLen + cfg.getInt("max_gen_len") > mc.maxPositions)
        throw InputError("--max_seq_len " + std::to_string(seqLen) + " + --max_gen_len " +
                         std::to_string(cfg.getInt("max_gen_len")) + " exceed the model's " +
                         std::to_string(mc.maxPositions) + " positions; lower one of them");
    if (cfg.getBool("resume"))
        train::readResumeMeta(train::resumePath(outDir, "grpo", mc));

    train::GrpoOptions opts;
    opts.numGenerations = int(cfg.getInt("num_generations"));
    opts.maxGenLen = int(cfg.getInt("max_gen_len"));
    opts.temperature = cfg.getFloat("temperature");
    opts.beta = cfg.getFloat("beta");
    opts.clipEps = cfg.getFloat("clip_eps");
    opts.seed = uint64_t(cfg.getInt("seed"));
    opts.logSamples = int(cfg.getInt("log_samples"));
    // The reference is a second copy of the parent, frozen; with beta 0 the
    // KL term is off and no copy is needed.
    model::MiniMind reference{nullptr};
    if (opts.beta > 0) {
        std::string refPath;
        reference = loadParent(cfg, tok, refPath);
        reference->to(dev);
    }
    rep.info("data: " + std::to_string(data.size()) + " prompts (" + std::to_string(data.withAnswer) +
             " with a known answer), G = " + std::to_string(opts.numGenerations) + ", rewards " +
             cfg.getString("rewards") + "; parent " + parent + (opts.beta > 0 ? " (also the frozen reference)" : ""));

    const train::RewardSet evalRewards = rewards;
    train::GrpoStage stage(data, reference, std::move(rewards), tok, opts);
    train::StageRun run;
    run.cfg = cfg;
    run.model = model;
    run.stage = &stage;
    run.parentCheckpoint = parent;
    run.checkpointStem = "grpo";
    run.dataKey = data.key + "|" + std::to_string(data.size());
    run.extraMeta = {{"tokenizer", tok.fingerprint()}, {"tokenizer_path", tok.path()}, {"data_path", dataPath},
                     {"rewards", cfg.getString("rewards")}};
    if (evalData) {
        train::HeldoutRewardOptions eo;
        eo.maxNewTokens = opts.maxGenLen;
        eo.seed = opts.seed;
        run.evaluate = [&tok, evalData, evalRewards, eo](model::MiniMind& m) {
            const train::HeldoutReward r = train::heldoutReward(m, tok, *evalData, evalRewards, eo);
            return std::vector<std::pair<std::string, double>>{{"val_reward_mean", r.rewardMean},
                                                               {"val_accuracy", r.accuracy},
                                                               {"val_format_rate", r.formatRate},
                                                               {"val_completion_len", r.meanTokens}};
        };
    }
    train::runStage(run, grpoSink(rep, stage, size_t(cfg.getInt("sample_chars"))), &g_stopRequested);
    return g_stopRequested ? 130 : 0;
}

} // namespace mm::cli
