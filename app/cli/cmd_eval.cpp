// eval and chat: answering prompts with one model of the workspace.

#include "commands.h"
#include "stage_cli.h"
#include "eval_setup.h"
#include "reporter.h"

#include "common/error.h"
#include "common/fs.h"
#include "eval/evaluator.h"
#include "eval/prompts.h"
#include "eval/text_stream.h"
#include "store/history.h"
#include "train/run_setup.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <unistd.h>

namespace mm::cli {

namespace stdfs = std::filesystem;

namespace {

/// The prompt sets named by --prompts / --prompt_set for `mode`.
std::vector<eval::PromptSet> promptSetsFor(const config::Values& cfg, int mode) {
    std::vector<eval::PromptSet> sets;
    if (!cfg.getString("prompts").empty()) {
        sets.push_back(eval::loadPromptSet(cfg.getString("prompts")));
        return sets;
    }
    const std::string& spec = cfg.getString("prompt_set");
    std::vector<std::string> names = spec == "auto"  ? eval::defaultPromptSets(mode)
                                     : spec == "all" ? eval::builtinPromptSets()
                                                     : splitList(spec);
    if (names.empty())
        throw InputError("--prompt_set is empty; use auto, all or names such as chat,eval");
    const std::string dir = resourceDir();
    for (const auto& n : names)
        sets.push_back(eval::loadPromptSet(eval::promptSetPath(dir, n)));
    return sets;
}

std::string answerSummary(const eval::EvalAnswer& a, int maxNew) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "(%lld tokens, %.0f tokens/s%s)", (long long)a.tokens, a.tokensPerSecond,
                  a.cancelled ? ", cancelled"
                  : a.hitStop ? ""
                              : (", stopped at --max_new_tokens " + std::to_string(maxNew)).c_str());
    return buf;
}

/// Prints streamed text as it arrives.
bool printPiece(const std::string& piece) {
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    std::fflush(stdout);
    return !g_stopRequested;
}

} // namespace

int cmdEval(const Args& args) {
    config::Values cfg = parseCommand("eval", args);
    const bool json = cfg.getBool("json");
    const bool interactive = cfg.getBool("interactive");
    const int mode = int(cfg.getInt("model_mode"));
    const eval::ModeInfo& info = eval::modeInfo(mode);
    if (interactive && (!cfg.getString("prompts").empty() || cfg.isSet("prompt_set")))
        throw InputError("--interactive reads prompts from stdin; drop --prompts / --prompt_set");
    const std::vector<eval::PromptSet> sets = interactive ? std::vector<eval::PromptSet>{} : promptSetsFor(cfg, mode);

    LoadedModel loaded = loadModelFromFlags(cfg);
    const text::Tokenizer& tok = loaded.tok;
    const eval::ResolvedModel& rm = loaded.files;
    model::MiniMind net = loaded.net;
    eval::Generator gen(net);
    eval::EvalSettings settings;
    settings.raw = !info.chat;
    settings.systemPrompt = cfg.getString("system_prompt");
    settings.sampling = samplingFromFlags(cfg);
    const std::string samplingText = eval::samplingJson(settings.sampling).dump();

    const std::string outDir = cfg.getString("out_dir");
    fs::ensureWritableDir(outDir);
    store::History history((stdfs::path(outDir) / "micromind.db").string());
    nlohmann::json runCfg = cfg.toJson();
    runCfg["weights"] = rm.weights;
    runCfg["lora"] = rm.lora;
    const int64_t runId = history.beginRun("eval", runCfg.dump(),
                                           rm.lora.empty() ? rm.weights : rm.weights + "+" + rm.lora, "", MM_VERSION);

    auto say = [json](const std::string& s) { (json ? std::cerr : std::cout) << s << std::endl; };
    if (!rm.note.empty())
        say(rm.note);
    {
        std::string what;
        for (const auto& s : sets)
            what += (what.empty() ? "" : ", ") + s.name + " (" + std::to_string(s.prompts.size()) + ")";
        char buf[256];
        std::snprintf(buf, sizeof buf, "%s | %s, temperature %.2f, top_p %.2f%s, seed %llu, at most %d new tokens",
                      interactive ? "prompts from stdin" : ("prompts: " + what).c_str(),
                      settings.sampling.greedy ? "greedy" : "sampling", settings.sampling.temperature,
                      settings.sampling.topP,
                      settings.sampling.repetitionPenalty != 1.0
                          ? (", repetition penalty " + std::to_string(settings.sampling.repetitionPenalty)).c_str()
                          : "",
                      (unsigned long long)settings.sampling.seed, settings.sampling.maxNewTokens);
        say("eval --model_mode " + std::to_string(mode) + " (" + info.name + "): " + rm.label() + ", " +
            formatCount(double(net->config().parameterCount())) + " parameters, " +
            net->embed_tokens->weight.device().str() + "\n" + buf);
    }

    int64_t answers = 0, tokens = 0;
    // Throughput over the whole answering (prefill included): with batches,
    // rows overlap, so per-answer decode times do not add up to the wall time.
    const auto started = std::chrono::steady_clock::now();
    auto printHeading = [&](const eval::EvalItem& item, const std::string& heading) {
        if (!json)
            std::printf("\n%s\n👶: %s\n🤖️: ", heading.c_str(), item.prompt.c_str());
        std::fflush(stdout);
    };
    // Stores an answer and prints its JSON line or (after the streamed or
    // printed text) its summary.
    auto record = [&](const eval::EvalAnswer& a) {
        const eval::EvalItem& item = a.item;
        store::EvalAnswerRecord rec;
        rec.runId = runId;
        rec.modelMode = mode;
        rec.checkpoint = rm.weights;
        rec.lora = rm.lora;
        rec.promptSet = item.promptSet;
        rec.promptIndex = item.index;
        rec.prompt = item.prompt;
        rec.samplingJson = samplingText;
        rec.seed = int64_t(a.seed);
        rec.text = a.text;
        rec.tokens = a.tokens;
        rec.tokensPerSecond = a.tokensPerSecond;
        history.addEvalAnswers({rec});
        ++answers;
        tokens += a.tokens;
        history.updateProgress(runId, answers, tokens, std::nullopt);
        if (json) {
            nlohmann::json j{{"event", "answer"},
                             {"model_mode", mode},
                             {"prompt_set", item.promptSet},
                             {"index", item.index},
                             {"prompt", item.prompt},
                             {"text", a.text},
                             {"tokens", a.tokens},
                             {"tokens_per_s", a.tokensPerSecond},
                             {"seed", a.seed},
                             {"hit_stop", a.hitStop},
                             {"sampling", nlohmann::json::parse(samplingText)}};
            const eval::ReasoningParts parts = eval::splitReasoning(a.text);
            if (parts.hasThink || mode == 3) {
                j["reasoning"] = parts.reasoning;
                j["answer"] = parts.answer;
            }
            std::cout << j.dump() << std::endl;
        } else {
            std::printf("%s\n%s\n", a.tokens == 0 ? "(empty: the model ended its answer at once)" : "",
                        answerSummary(a, settings.sampling.maxNewTokens).c_str());
        }
    };
    auto answerOne = [&](const eval::EvalItem& item, const std::string& heading) {
        printHeading(item, heading);
        record(eval::answerPrompt(gen, tok, item, settings, json ? eval::TextCallback{} : printPiece));
    };

    try {
        if (interactive) {
            const bool tty = ::isatty(0);
            std::string line;
            int index = 0;
            while (!g_stopRequested) {
                if (tty && !json)
                    std::printf("\n👶 (empty line or Ctrl-D ends): "), std::fflush(stdout);
                if (!std::getline(std::cin, line) || eval::trimmed(line).empty())
                    break;
                answerOne({"interactive", index, line}, "[interactive " + std::to_string(index + 1) + "]");
                ++index;
            }
        } else {
            const int batch = int(cfg.getInt("batch_size"));
            for (const auto& set : sets) {
                std::vector<eval::EvalItem> items;
                for (size_t i = 0; i < set.prompts.size(); ++i)
                    items.push_back({set.name, int(i), set.prompts[i].text});
                auto heading = [&](const eval::EvalItem& item) {
                    return "[" + set.name + " " + std::to_string(item.index + 1) + "/" +
                           std::to_string(set.prompts.size()) + "]";
                };
                if (batch <= 1) {
                    for (const auto& item : items) {
                        if (g_stopRequested)
                            break;
                        answerOne(item, heading(item));
                    }
                    continue;
                }
                // Batched: each answer is printed whole once its batch is done.
                eval::answerPromptsBatched(
                    net, tok, items, settings, batch,
                    [&](const eval::EvalAnswer& a) {
                        if (a.cancelled && a.tokens == 0)
                            return;
                        printHeading(a.item, heading(a.item));
                        if (!json)
                            std::fwrite(a.text.data(), 1, a.text.size(), stdout);
                        record(a);
                    },
                    [] { return bool(g_stopRequested); });
            }
        }
    } catch (const std::exception& e) {
        history.finishRun(runId, "failed", e.what());
        throw;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    char msg[160];
    std::snprintf(msg, sizeof msg, "%lld answers, %lld tokens in %.1f s, %.1f tokens/s overall", (long long)answers,
                  (long long)tokens, seconds, seconds > 0 ? double(tokens) / seconds : 0.0);
    history.finishRun(runId, g_stopRequested ? "stopped" : "completed", msg);
    if (json) {
        std::cout << nlohmann::json{{"event", "done"},
                                    {"run_id", runId},
                                    {"answers", answers},
                                    {"tokens", tokens},
                                    {"database", history.path()}}
                         .dump()
                  << std::endl;
    } else {
        std::printf(
            "\nstored %s as eval run %lld in %s\nnext: evaluate the other modes, then `micromind scores export "
            "--out_dir %s` (answers side by side) or `micromind judge --out_dir %s --base_url URL --judge_model "
            "NAME`\n",
            msg, (long long)runId, history.path().c_str(), outDir.c_str(), outDir.c_str());
    }
    return g_stopRequested ? 130 : 0;
}

int cmdChat(const Args& args) {
    config::Values cfg = parseCommand("chat", args);
    const int mode = int(cfg.getInt("model_mode"));
    const eval::ModeInfo& info = eval::modeInfo(mode);
    LoadedModel loaded = loadModelFromFlags(cfg);
    const text::Tokenizer& tok = loaded.tok;
    const eval::ResolvedModel& rm = loaded.files;
    model::MiniMind net = loaded.net;
    eval::Generator gen(net);
    eval::SamplingOptions sampling = samplingFromFlags(cfg);
    const std::string system = cfg.getString("system_prompt");
    const size_t keep = size_t(cfg.getInt("history_turns")) * 2;
    const bool tty = ::isatty(0);

    if (!rm.note.empty())
        std::printf("%s\n", rm.note.c_str());
    std::printf("chatting with %s (model_mode %d, %s)%s; /reset clears the history, /exit or Ctrl-D quits\n",
                rm.label().c_str(), mode, info.name.c_str(),
                info.chat ? "" : ": a pretrained model continues your text instead of answering");
    std::vector<text::Message> past;
    std::string line;
    uint64_t turn = 0;
    while (!g_stopRequested) {
        if (tty)
            std::printf("\n👶: "), std::fflush(stdout);
        if (!std::getline(std::cin, line))
            break;
        const std::string msg = eval::trimmed(line);
        if (msg.empty())
            continue;
        if (msg == "/exit" || msg == "/quit")
            break;
        if (msg == "/reset") {
            past.clear();
            std::printf("(history cleared)\n");
            continue;
        }
        if (!tty)
            std::printf("👶: %s\n", msg.c_str());
        std::vector<text::Message> context;
        if (keep > 0 && info.chat)
            context.assign(past.size() > keep ? past.end() - long(keep) : past.begin(), past.end());
        const std::vector<int> ids = eval::promptIds(tok, msg, !info.chat, system, context);
        if (int64_t(ids.size()) >= net->config().maxPositions) {
            std::printf("(the conversation is longer than the model's %d positions; /reset it)\n",
                        net->config().maxPositions);
            continue;
        }
        eval::SamplingOptions o = sampling;
        o.seed = sampling.seed + turn++;
        std::printf("🤖️: ");
        std::fflush(stdout);
        eval::StreamDecoder dec(tok);
        eval::GenerationResult r = gen.generate(ids, o, [&](int id) { return printPiece(dec.push(id)); });
        const std::string tail = dec.flush();
        std::printf("%s\n", tail.c_str());
        if (!r.hitStop && !r.cancelled)
            std::printf("(stopped at --max_new_tokens %d)\n", o.maxNewTokens);
        past.push_back({"user", msg});
        past.push_back({"assistant", tok.decode(r.tokens)});
    }
    return 0;
}

} // namespace mm::cli
