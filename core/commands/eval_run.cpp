#include "commands/eval_run.h"

#include "common/error.h"
#include "common/format.h"
#include "common/fs.h"
#include "eval/evaluator.h"
#include "commands/model_setup.h"
#include "eval/prompts.h"
#include "eval/text_stream.h"
#include "store/history.h"

#include <chrono>
#include <cstdio>
#include <filesystem>

namespace mm::eval {

namespace stdfs = std::filesystem;

namespace {

std::string answerSummary(const EvalAnswer& a, int maxNew) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "(%lld tokens, %.0f tokens/s%s)", (long long)a.tokens, a.tokensPerSecond,
                  a.cancelled ? ", cancelled"
                  : a.hitStop ? ""
                              : (", stopped at --max_new_tokens " + std::to_string(maxNew)).c_str());
    return buf;
}

} // namespace

int runEvalCommand(const config::Values& cfg, const Console& con) {
    const bool json = cfg.getBool("json");
    const bool interactive = cfg.getBool("interactive");
    const int mode = int(cfg.getInt("model_mode"));
    const ModeInfo& info = modeInfo(mode);
    if (interactive && (!cfg.getString("prompts").empty() || cfg.isSet("prompt_set")))
        throw InputError("--interactive reads prompts from stdin; drop --prompts / --prompt_set");
    const std::vector<PromptSet> sets = interactive ? std::vector<PromptSet>{} : promptSetsFromFlags(cfg, mode);

    LoadedModel loaded = loadModelFromFlags(cfg);
    const text::Tokenizer& tok = loaded.tok;
    const ResolvedModel& rm = loaded.files;
    model::MiniMind net = loaded.net;
    Generator gen(net);
    EvalSettings settings;
    settings.raw = !info.chat;
    settings.systemPrompt = cfg.getString("system_prompt");
    settings.sampling = samplingFromFlags(cfg);
    const std::string samplingText = samplingJson(settings.sampling).dump();

    const std::string outDir = cfg.getString("out_dir");
    fs::ensureWritableDir(outDir);
    store::History history((stdfs::path(outDir) / "micromind.db").string());
    nlohmann::json runCfg = cfg.toJson();
    runCfg["weights"] = rm.weights;
    runCfg["lora"] = rm.lora;
    const int64_t runId = history.beginRun("eval", runCfg.dump(),
                                           rm.lora.empty() ? rm.weights : rm.weights + "+" + rm.lora, "", MM_VERSION);

    auto say = [&](const std::string& s) { con.say(s, json); };
    auto printPiece = [&](const std::string& piece) {
        con.print(piece);
        return !con.stopped();
    };
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
    auto printHeading = [&](const EvalItem& item, const std::string& heading) {
        if (!json)
            con.print(strf("\n%s\n👶: %s\n🤖️: ", heading.c_str(), item.prompt.c_str()));
    };
    // Stores an answer and prints its JSON line or (after the streamed or
    // printed text) its summary.
    auto record = [&](const EvalAnswer& a) {
        const EvalItem& item = a.item;
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
            const ReasoningParts parts = splitReasoning(a.text);
            if (parts.hasThink || mode == 3) {
                j["reasoning"] = parts.reasoning;
                j["answer"] = parts.answer;
            }
            con.print(j.dump() + "\n");
        } else {
            con.print(strf("%s\n%s\n", a.tokens == 0 ? "(empty: the model ended its answer at once)" : "",
                           answerSummary(a, settings.sampling.maxNewTokens).c_str()));
        }
    };
    auto answerOne = [&](const EvalItem& item, const std::string& heading) {
        printHeading(item, heading);
        record(answerPrompt(gen, tok, item, settings, json ? TextCallback{} : TextCallback(printPiece)));
    };

    try {
        if (interactive) {
            const bool tty = con.inputIsTerminal;
            std::string line;
            int index = 0;
            while (!con.stopped()) {
                if (tty && !json)
                    con.print("\n👶 (empty line or Ctrl-D ends): ");
                if (!con.readLine(line) || trimmed(line).empty())
                    break;
                answerOne({"interactive", index, line}, "[interactive " + std::to_string(index + 1) + "]");
                ++index;
            }
        } else {
            const int batch = int(cfg.getInt("batch_size"));
            for (const auto& set : sets) {
                std::vector<EvalItem> items;
                for (size_t i = 0; i < set.prompts.size(); ++i)
                    items.push_back({set.name, int(i), set.prompts[i].text});
                auto heading = [&](const EvalItem& item) {
                    return "[" + set.name + " " + std::to_string(item.index + 1) + "/" +
                           std::to_string(set.prompts.size()) + "]";
                };
                if (batch <= 1) {
                    for (const auto& item : items) {
                        if (con.stopped())
                            break;
                        answerOne(item, heading(item));
                    }
                    continue;
                }
                // Batched: each answer is printed whole once its batch is done.
                answerPromptsBatched(
                    net, tok, items, settings, batch,
                    [&](const EvalAnswer& a) {
                        if (a.cancelled && a.tokens == 0)
                            return;
                        printHeading(a.item, heading(a.item));
                        if (!json)
                            con.print(a.text);
                        record(a);
                    },
                    [&] { return con.stopped(); });
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
    history.finishRun(runId, con.stopped() ? "stopped" : "completed", msg);
    if (json) {
        con.print(nlohmann::json{{"event", "done"},
                                 {"run_id", runId},
                                 {"answers", answers},
                                 {"tokens", tokens},
                                 {"database", history.path()}}
                      .dump() +
                  "\n");
    } else {
        con.print(
            strf("\nstored %s as eval run %lld in %s\nnext: evaluate the other modes, then `micromind scores export "
                 "--out_dir %s` (answers side by side) or `micromind judge --out_dir %s --base_url URL --judge_model "
                 "NAME`\n",
                 msg, (long long)runId, history.path().c_str(), outDir.c_str(), outDir.c_str()));
    }
    return con.stopped() ? 130 : 0;
}

int runChatCommand(const config::Values& cfg, const Console& con) {
    const int mode = int(cfg.getInt("model_mode"));
    const ModeInfo& info = modeInfo(mode);
    LoadedModel loaded = loadModelFromFlags(cfg);
    const text::Tokenizer& tok = loaded.tok;
    const ResolvedModel& rm = loaded.files;
    model::MiniMind net = loaded.net;
    Generator gen(net);
    SamplingOptions sampling = samplingFromFlags(cfg);
    const std::string system = cfg.getString("system_prompt");
    const size_t keep = size_t(cfg.getInt("history_turns")) * 2;
    const bool tty = con.inputIsTerminal;
    auto printPiece = [&](const std::string& piece) {
        con.print(piece);
        return !con.stopped();
    };

    if (!rm.note.empty())
        con.print(strf("%s\n", rm.note.c_str()));
    con.print(strf("chatting with %s (model_mode %d, %s)%s; /reset clears the history, /exit or Ctrl-D quits\n",
                   rm.label().c_str(), mode, info.name.c_str(),
                   info.chat ? "" : ": a pretrained model continues your text instead of answering"));
    std::vector<text::Message> past;
    std::string line;
    uint64_t turn = 0;
    while (!con.stopped()) {
        if (tty)
            con.print("\n👶: ");
        if (!con.readLine(line))
            break;
        const std::string msg = trimmed(line);
        if (msg.empty())
            continue;
        if (msg == "/exit" || msg == "/quit")
            break;
        if (msg == "/reset") {
            past.clear();
            con.print(strf("(history cleared)\n"));
            continue;
        }
        if (!tty)
            con.print(strf("👶: %s\n", msg.c_str()));
        std::vector<text::Message> context;
        if (keep > 0 && info.chat)
            context.assign(past.size() > keep ? past.end() - long(keep) : past.begin(), past.end());
        const std::vector<int> ids = promptIds(tok, msg, !info.chat, system, context);
        if (int64_t(ids.size()) >= net->config().maxPositions) {
            con.print(strf("(the conversation is longer than the model's %d positions; /reset it)\n",
                           net->config().maxPositions));
            continue;
        }
        SamplingOptions o = sampling;
        o.seed = sampling.seed + turn++;
        con.print("🤖️: ");
        StreamDecoder dec(tok);
        GenerationResult r = gen.generate(ids, o, [&](int id) { return printPiece(dec.push(id)); });
        const std::string tail = dec.flush();
        con.print(strf("%s\n", tail.c_str()));
        if (!r.hitStop && !r.cancelled)
            con.print(strf("(stopped at --max_new_tokens %d)\n", o.maxNewTokens));
        past.push_back({"user", msg});
        past.push_back({"assistant", tok.decode(r.tokens)});
    }
    return 0;
}

} // namespace mm::eval
