#include "commands/metrics_run.h"

#include "common/error.h"
#include "common/format.h"
#include "data/jsonl.h"
#include "eval/evaluator.h"
#include "eval/metrics.h"
#include "commands/model_setup.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>

namespace mm::eval {

namespace stdfs = std::filesystem;

int runMetricsCommand(const config::Values& cfg, const Console& con) {
    const int mode = int(cfg.getInt("model_mode"));
    const ModeInfo& info = modeInfo(mode);
    const std::string task = cfg.getString("task");
    const std::string path = cfg.getString("data_path");
    const size_t limit = cfg.getInt("limit") > 0 ? size_t(cfg.getInt("limit")) : SIZE_MAX;
    const bool json = cfg.getBool("json");
    LoadedModel loaded = loadModelFromFlags(cfg);
    const text::Tokenizer& tok = loaded.tok;
    const ResolvedModel& rm = loaded.files;
    model::MiniMind net = loaded.net;
    nlohmann::json out{{"task", task}, {"model", rm.label()}, {"model_mode", mode}, {"data_path", path}};

    if (task == "ppl") {
        std::vector<std::string> texts;
        data::JsonlReader reader(path, false);
        nlohmann::json rec;
        while (texts.size() < limit && reader.next(rec))
            for (auto& t : data::anyTexts(rec, reader.where()))
                texts.push_back(std::move(t));
        if (texts.empty())
            throw InputError("--data_path " + path + " holds no texts");
        const PerplexityResult r = perplexity(net, tok, texts, int(cfg.getInt("max_seq_len")));
        out.update({{"documents", r.documents},
                    {"tokens", r.tokens},
                    {"bytes", r.bytes},
                    {"perplexity", r.perplexity()},
                    {"bits_per_byte", r.bitsPerByte()}});
        if (!json)
            con.print(strf("%s on %s: perplexity %.3f, %.4f bits per byte (%lld documents, %lld tokens, %lld bytes)\n",
                           rm.label().c_str(), path.c_str(), r.perplexity(), r.bitsPerByte(), (long long)r.documents,
                           (long long)r.tokens, (long long)r.bytes));
    } else if (task == "choice") {
        std::vector<std::string> files;
        std::error_code ec;
        if (stdfs::is_directory(path, ec)) {
            for (const auto& e : stdfs::recursive_directory_iterator(path, ec))
                if (e.path().extension() == ".csv")
                    files.push_back(e.path().string());
            std::sort(files.begin(), files.end());
        } else {
            files.push_back(path);
        }
        if (files.empty())
            throw InputError("--data_path " + path + " holds no .csv files (C-Eval/CMMLU format)");
        ChoiceResult total;
        nlohmann::json perFile = nlohmann::json::array();
        for (const auto& f : files) {
            auto qs = readChoiceCsv(f);
            if (qs.size() > limit)
                qs.resize(limit);
            const ChoiceResult r = multipleChoice(net, tok, qs, info.chat);
            perFile.push_back({{"file", f}, {"questions", r.questions}, {"accuracy", r.accuracy()}});
            total.questions += r.questions;
            total.correct += r.correct;
            total.chance += r.chance * double(r.questions);
            if (!json)
                con.print(strf("  %-60s %5lld questions  accuracy %5.1f%%\n", f.c_str(), (long long)r.questions,
                               100 * r.accuracy()));
        }
        if (total.questions)
            total.chance /= double(total.questions);
        out.update({{"questions", total.questions},
                    {"correct", total.correct},
                    {"accuracy", total.accuracy()},
                    {"chance", total.chance},
                    {"files", perFile}});
        if (!json)
            con.print(strf("%s: %lld questions, accuracy %.1f%% (chance %.1f%%)\n", rm.label().c_str(),
                           (long long)total.questions, 100 * total.accuracy(), 100 * total.chance));
    } else {
        Generator gen(net);
        EvalSettings st;
        st.raw = !info.chat;
        st.sampling = samplingFromFlags(cfg);
        st.sampling.greedy = true;
        data::JsonlReader reader(path, false);
        nlohmann::json rec;
        int64_t n = 0, correct = 0;
        while (size_t(n) < limit && reader.next(rec)) {
            if (!rec.contains("question") || !rec.contains("answer"))
                throw InputError(reader.where() + ": needs \"question\" and \"answer\"");
            const std::string ref =
                referenceAnswer(rec["answer"].is_string() ? rec["answer"].get<std::string>() : rec["answer"].dump());
            const EvalAnswer a = answerPrompt(gen, tok, {"exact", int(n), rec["question"].get<std::string>()}, st);
            const bool ok = exactMatch(a.text, ref);
            correct += ok;
            ++n;
            if (json)
                con.print(nlohmann::json{{"event", "item"},
                                         {"index", n - 1},
                                         {"reference", ref},
                                         {"prediction", a.text},
                                         {"correct", ok}}
                              .dump() +
                          "\n");
        }
        out.update({{"questions", n}, {"correct", correct}, {"accuracy", n ? double(correct) / double(n) : 0.0}});
        if (!json)
            con.print(strf("%s on %s: exact match %lld / %lld = %.1f%% (greedy, at most %d new tokens)\n",
                           rm.label().c_str(), path.c_str(), (long long)correct, (long long)n,
                           n ? 100.0 * double(correct) / double(n) : 0.0, st.sampling.maxNewTokens));
    }
    if (json) {
        out["event"] = "result";
        con.print(out.dump() + "\n");
    }
    return 0;
}

} // namespace mm::eval
