// judge and scores: LLM-judge scores of the stored answers, manual scores and
// the seed's score table.

#include "commands.h"
#include "eval_setup.h"

#include "common/error.h"
#include "common/fs.h"
#include "eval/judge.h"
#include "eval/scores.h"
#include "model/model_config.h"
#include "store/history.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

namespace mm::cli {

namespace stdfs = std::filesystem;

namespace {

std::unique_ptr<store::History> openHistory(const std::string& outDir) {
    const std::string db = (stdfs::path(outDir) / "micromind.db").string();
    if (!fs::isFile(db))
        throw InputError("no history at " + db + "; run `micromind eval --model_mode N --out_dir " + outDir +
                         "` first (or point --out_dir at your workspace)");
    return std::make_unique<store::History>(db);
}

/// Parameters of the model behind a checkpoint, from its JSON sidecar (0 if unknown).
int64_t parametersOf(const std::string& weights) {
    std::string side = weights;
    if (side.size() > 4 && side.compare(side.size() - 4, 4, ".pth") == 0)
        side.resize(side.size() - 4);
    side += ".json";
    try {
        if (fs::isFile(side)) {
            const auto j = nlohmann::json::parse(fs::readFile(side));
            if (j.contains("model"))
                return model::ModelConfig::fromJson(j["model"]).parameterCount();
        }
    } catch (const std::exception&) {
    }
    return 0;
}

std::string excerpt(const std::string& s, size_t n) {
    if (s.size() <= n)
        return s;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;
    return s.substr(0, n) + "…";
}

int scoresExport(const config::Values& cfg) {
    const std::string outDir = cfg.getString("out_dir");
    auto h = openHistory(outDir);
    std::string dir = cfg.getString("export_dir");
    if (dir.empty())
        dir = (stdfs::path(outDir) / "reports").string();
    const eval::ScoreTable table = eval::buildScoreTable(h->scores(), cfg.getString("judge_model"));
    const std::string subtitle = eval::reportSubtitle(stdfs::absolute(outDir).string(), cfg.getString("judge_model"));
    const std::vector<eval::CompareColumn> cols = eval::comparisonColumns(*h);
    const std::string md = eval::scoresMarkdown(table);
    std::vector<eval::ReportFile> files = eval::scoreTableFiles(table, subtitle);
    for (auto& f : eval::comparisonFiles(cols, subtitle))
        files.push_back(std::move(f));
    for (const auto& f : files)
        fs::writeFileAtomic((stdfs::path(dir) / f.name).string(), f.text);
    std::cout << md << "\nwrote scores.md, scores.csv, scores.html (table) and compare.md, compare.html (answers of "
              << cols.size() << " model(s) side by side) to " << dir << std::endl;
    return 0;
}

int scoresSet(const config::Values& cfg) {
    // Manual scores may come before any eval (models judged elsewhere): create the history if needed.
    const std::string outDir = cfg.getString("out_dir");
    fs::ensureWritableDir(outDir);
    auto h = std::make_unique<store::History>((stdfs::path(outDir) / "micromind.db").string());
    const int mode = int(cfg.getInt("model_mode"));
    int stored = 0;
    for (const auto& d : eval::scoreDimensions()) {
        const double v = cfg.getFloat(d.key);
        if (v < 0)
            continue;
        store::ScoreRecord r;
        r.modelMode = mode;
        r.dimension = d.key;
        r.value = v;
        r.manual = true;
        r.rawReply = cfg.getString("note");
        h->addScore(r);
        ++stored;
        std::printf("model %d %s (%s) = %s (manual)\n", mode, d.key.c_str(), d.title.c_str(),
                    eval::formatScore(v).c_str());
    }
    if (stored == 0)
        throw InputError("`micromind scores set` needs at least one of --language, --knowledge, --efficiency (0-10), "
                         "e.g. micromind scores set --model_mode 1 --language 6 --knowledge 4 --efficiency 7");
    return 0;
}

int scoresList(const config::Values& cfg) {
    auto h = openHistory(cfg.getString("out_dir"));
    const auto all = h->scores();
    if (cfg.getBool("json")) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& s : all)
            arr.push_back({{"id", s.id},
                           {"model_mode", s.modelMode},
                           {"dimension", s.dimension},
                           {"value", s.value},
                           {"judge_model", s.judgeModel},
                           {"prompt_version", s.promptVersion},
                           {"manual", s.manual},
                           {"raw_reply", s.rawReply},
                           {"created_at", s.createdAt}});
        std::cout << arr.dump(2) << std::endl;
        return 0;
    }
    std::cout << eval::scoresMarkdown(eval::buildScoreTable(all, cfg.getString("judge_model"))) << "\n";
    std::printf("%4s %4s  %-10s %6s  %-20s %-9s %s\n", "id", "mode", "dimension", "value", "judge", "prompt",
                "created");
    for (const auto& s : all)
        std::printf("%4lld %4d  %-10s %6s  %-20s %-9s %s\n", (long long)s.id, s.modelMode, s.dimension.c_str(),
                    eval::formatScore(s.value).c_str(), s.manual ? "(manual)" : s.judgeModel.c_str(),
                    s.promptVersion.c_str(), s.createdAt.c_str());
    return 0;
}

} // namespace

int cmdScores(const Args& args) {
    if (args.empty() || args[0].rfind("--", 0) == 0)
        throw InputError("`micromind scores` needs a subcommand: export (write the tables), set (manual scores) or "
                         "list; e.g. micromind scores export --out_dir out");
    const std::string sub = args[0];
    const config::Values cfg = parseCommand("scores", Args(args.begin() + 1, args.end()));
    if (sub == "export")
        return scoresExport(cfg);
    if (sub == "set")
        return scoresSet(cfg);
    if (sub == "list")
        return scoresList(cfg);
    throw InputError("unknown `micromind scores " + sub + "`; use export, set or list");
}

int cmdJudge(const Args& args) {
    const config::Values cfg = parseCommand("judge", args);
    const std::string outDir = cfg.getString("out_dir");
    const bool json = cfg.getBool("json");
    auto h = openHistory(outDir);

    // Workspace defaults: <out_dir>/settings.json {"judge": {"base_url", "model", "api_key_env"}}.
    nlohmann::json settings;
    const std::string settingsPath = (stdfs::path(outDir) / "settings.json").string();
    if (fs::isFile(settingsPath)) {
        try {
            settings = nlohmann::json::parse(fs::readFile(settingsPath)).value("judge", nlohmann::json::object());
        } catch (const std::exception& e) {
            throw InputError(settingsPath + ": invalid JSON (" + std::string(e.what()) + ")");
        }
    }
    auto setting = [&](const char* flag, const char* key) {
        if (cfg.isSet(flag) || !settings.is_object() || !settings.contains(key) || !settings[key].is_string())
            return cfg.getString(flag);
        return settings[key].get<std::string>();
    };
    eval::JudgeEndpoint ep;
    ep.baseUrl = setting("base_url", "base_url");
    ep.model = setting("judge_model", "model");
    const std::string keyEnv = setting("api_key_env", "api_key_env");
    if (ep.baseUrl.empty())
        throw InputError("--base_url is required (e.g. https://api.deepseek.com/v1, http://127.0.0.1:11434/v1 for "
                         "Ollama, or the URL `micromind serve` prints), or set judge.base_url in " +
                         settingsPath);
    eval::splitBaseUrl(ep.baseUrl);
    if (ep.model.empty())
        throw InputError("--judge_model is required: the endpoint's model name (e.g. deepseek-chat, gpt-4o-mini; "
                         "GET <base_url>/models lists them)");
    if (const char* k = std::getenv(keyEnv.c_str()))
        ep.apiKey = k;

    std::vector<int> modes;
    if (cfg.getString("model_modes") == "all") {
        modes = h->evaluatedModes();
    } else {
        std::stringstream ss(cfg.getString("model_modes"));
        std::string item;
        while (std::getline(ss, item, ','))
            try {
                modes.push_back(std::stoi(item));
            } catch (const std::exception&) {
                throw InputError("--model_modes \"" + cfg.getString("model_modes") +
                                 "\": use all or numbers like 0,1,2");
            }
    }
    if (modes.empty())
        throw InputError("no stored answers to judge in " + h->path() +
                         "; run `micromind eval --model_mode N --out_dir " + outDir + "` first");

    eval::JudgeOptions jo;
    jo.attempts = int(cfg.getInt("attempts"));
    jo.timeoutSeconds = cfg.getFloat("timeout");
    jo.maxTokens = int(cfg.getInt("max_tokens"));
    if (!json)
        std::printf("judge %s at %s (%s), prompt %s; %zu model(s)\n", ep.model.c_str(), ep.baseUrl.c_str(),
                    ep.apiKey.empty() ? ("no API key: $" + keyEnv + " is unset").c_str()
                                      : ("API key from $" + keyEnv).c_str(),
                    eval::kJudgePromptVersion, modes.size());
    nlohmann::json runCfg = cfg.toJson(); // holds the variable's name, never the key
    const int64_t runId = h->beginRun("judge", runCfg.dump(), "", "", MM_VERSION);
    std::vector<std::string> failures;
    int judged = 0;
    for (int mode : modes) {
        const auto answers = h->latestEvalAnswers(mode, cfg.getString("prompt_set"));
        if (answers.empty()) {
            failures.push_back("mode " + std::to_string(mode) + ": no stored answers");
            continue;
        }
        eval::JudgedModelInfo info;
        info.label = eval::modeLabel(mode, answers.front().checkpoint);
        info.parameters = parametersOf(answers.front().checkpoint);
        std::vector<eval::JudgedAnswer> items;
        double tps = 0, toks = 0;
        for (const auto& a : answers) {
            items.push_back({a.prompt, a.text});
            tps += a.tokensPerSecond;
            toks += double(a.tokens);
        }
        info.tokensPerSecond = tps / double(answers.size());
        info.meanTokens = toks / double(answers.size());
        const eval::JudgeOutcome out = eval::runJudge(ep, eval::judgeMessages(info, items), jo);
        if (out.ok) {
            for (size_t d = 0; d < eval::scoreDimensions().size(); ++d) {
                store::ScoreRecord r;
                r.modelMode = mode;
                r.dimension = eval::scoreDimensions()[d].key;
                r.value = *out.scores.values[d];
                r.judgeModel = ep.model;
                r.promptVersion = eval::kJudgePromptVersion;
                r.rawReply = out.rawReply;
                r.answersRunId = answers.front().runId;
                h->addScore(r);
            }
            ++judged;
        } else {
            failures.push_back("mode " + std::to_string(mode) + ": " + out.error +
                               (out.rawReply.empty() ? "" : "; raw reply: " + excerpt(out.rawReply, 300)));
        }
        if (json) {
            nlohmann::json j{{"event", "judged"},        {"model_mode", mode},        {"ok", out.ok},
                             {"attempts", out.attempts}, {"raw_reply", out.rawReply}, {"error", out.error},
                             {"answers", answers.size()}};
            if (out.ok)
                for (size_t d = 0; d < 3; ++d)
                    j[eval::scoreDimensions()[d].key] = *out.scores.values[d];
            std::cout << j.dump() << std::endl;
        } else if (out.ok) {
            std::printf("  %-28s language %s, knowledge %s, efficiency %s (%d attempt%s)%s%s\n", info.label.c_str(),
                        eval::formatScore(*out.scores.values[0]).c_str(),
                        eval::formatScore(*out.scores.values[1]).c_str(),
                        eval::formatScore(*out.scores.values[2]).c_str(), out.attempts, out.attempts == 1 ? "" : "s",
                        out.scores.comment.empty() ? "" : " - ", excerpt(out.scores.comment, 120).c_str());
        } else {
            std::printf("  %-28s FAILED after %d attempt(s): %s\n", info.label.c_str(), out.attempts,
                        failures.back().c_str());
        }
    }
    const std::string summary = std::to_string(judged) + " of " + std::to_string(modes.size()) + " models judged";
    std::string message = summary;
    for (const auto& f : failures)
        message += "; " + f;
    h->finishRun(runId, failures.empty() ? "completed" : "failed", message);
    if (!json)
        std::printf("%s; `micromind scores export --out_dir %s` writes the table\n", summary.c_str(), outDir.c_str());
    if (!failures.empty())
        throw Error("judging failed for " + std::to_string(failures.size()) +
                    " model(s); raw replies are in the judge run's message (`micromind history --out_dir " + outDir +
                    " --json`)");
    return 0;
}

} // namespace mm::cli
