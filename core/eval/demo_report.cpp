#include "eval/demo_report.h"

#include "common/error.h"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace mm::eval {

using nlohmann::json;

namespace {

/// One table column: the measurement, its member, and whether it is a share.
struct Column {
    const char* title;
    const char* metric;
    const char* key;
    bool percent;
};

const std::vector<Column>& columns() {
    static const std::vector<Column> c{
        {"exact match, trained questions", "train_exact", "accuracy", true},
        {"exact match, held-out", "exact", "accuracy", true},
        {"held-out authors", "author_exact", "accuracy", true},
        {"held-out answer loss", "loss", "loss", false},
        {"Song ci held-out loss", "songci_loss", "loss", false},
        {"DPO preference accuracy", "preference", "pref_accuracy", true},
        {"think/answer format", "think", "format_rate", true},
        {"held-out reward", "reward", "reward_mean", false},
    };
    return c;
}

/// node[key], or null when node is no object or has no such member.
const json& member(const json& node, const char* key) {
    static const json none;
    return node.is_object() && node.contains(key) ? node[key] : none;
}

/// node[key] as a number, or NaN when it is missing or not a number.
double number(const json& node, const char* key) {
    const json& v = member(node, key);
    return v.is_number() ? v.get<double>() : NAN;
}

/// models[mode][metric][key], or NaN when that measurement is missing or failed.
double value(const DemoReport& r, const char* mode, const char* metric, const char* key) {
    return number(member(member(r.models, mode), metric), key);
}

std::string format(double v, bool percent) {
    if (std::isnan(v))
        return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, percent ? "%.1f %%" : "%.3f", percent ? 100 * v : v);
    return buf;
}

std::string pct(double v) { return format(v, true); }
std::string num(double v) { return format(v, false); }

/// Relative change in percent, signed ("-5.2 %").
std::string change(double before, double after) {
    if (std::isnan(before) || std::isnan(after) || before == 0)
        return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%+.1f %%", 100 * (after - before) / before);
    return buf;
}

/// Difference of two shares in points ("+12.3 points").
std::string points(double before, double after) {
    if (std::isnan(before) || std::isnan(after))
        return "n/a";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%+.1f points", 100 * (after - before));
    return buf;
}

bool has(const DemoReport& r, const char* mode) { return r.models.contains(mode); }

} // namespace

const std::vector<std::string>& demoColumns() {
    static const std::vector<std::string> t = [] {
        std::vector<std::string> v;
        for (const auto& c : columns())
            v.push_back(c.title);
        return v;
    }();
    return t;
}

std::vector<DemoRow> demoRows(const DemoReport& r) {
    std::vector<DemoRow> rows;
    for (auto it = r.models.begin(); it != r.models.end(); ++it) {
        DemoRow row;
        row.mode = it.key();
        row.name = it.value().value("name", std::string("model ") + it.key());
        for (const auto& c : columns())
            row.cells.push_back(format(value(r, it.key().c_str(), c.metric, c.key), c.percent));
        rows.push_back(std::move(row));
    }
    DemoRow chance;
    chance.name = "chance";
    const DemoBaselines& b = r.baselines;
    chance.cells = {pct(b.trainExactChance),
                    pct(b.heldoutExactChance),
                    pct(b.heldoutAuthorChance),
                    "",
                    "",
                    pct(b.preferenceChance),
                    "0.0 %",
                    ""};
    rows.push_back(std::move(chance));
    return rows;
}

std::vector<std::string> demoFindings(const DemoReport& r) {
    std::vector<std::string> out;
    const DemoBaselines& b = r.baselines;
    auto v = [&](const char* mode, const char* metric, const char* key) { return value(r, mode, metric, key); };
    if (has(r, "0"))
        out.push_back("pretrain (model 0) read the poems and sayings: it continues text in their style (held-out "
                      "answer loss " +
                      num(v("0", "loss", "loss")) + ") but is no chat model yet (" +
                      pct(v("0", "train_exact", "accuracy")) + " of the trained questions).");
    if (has(r, "1")) {
        const double t = v("1", "train_exact", "accuracy"), h = v("1", "exact", "accuracy");
        const double a = v("1", "author_exact", "accuracy");
        const bool above = !std::isnan(h) && h >= 2 * b.heldoutExactChance + 0.02;
        std::string s = "full_sft (model 1) answers " + pct(t) +
                        " of the questions it was trained on exactly (chance " + pct(b.trainExactChance) +
                        ": always answering \"" + b.trainChanceAnswer + "\") and " + pct(h) +
                        " of the questions on held-out poems (chance " + pct(b.heldoutExactChance) + "): " +
                        (above ? "it recalls part of what only pretraining read."
                               : "it learnt its own questions; facts that only pretraining read are not recalled at "
                                 "this model size.");
        if (!std::isnan(a))
            s += " It names the poet of " + pct(a) + " of the held-out poems (chance " + pct(b.heldoutAuthorChance) +
                 (b.heldoutAuthorChanceAnswer.empty() ? "" : ": always \"" + b.heldoutAuthorChanceAnswer + "\"") +
                 "); a held-out poem's next line is only in its memory of the whole poem, which a question "
                 "does not bring back.";
        out.push_back(s + " Held-out answer loss " + num(v("0", "loss", "loss")) + " -> " +
                      num(v("1", "loss", "loss")) + ".");
    }
    if (has(r, "1") && has(r, "2")) {
        const double p1 = v("1", "preference", "pref_accuracy"), p2 = v("2", "preference", "pref_accuracy");
        std::string kinds;
        const json& k1 = member(member(r.models, "1"), "preference_kinds");
        const json& k2 = member(member(r.models, "2"), "preference_kinds");
        if (k1.is_object())
            for (auto it = k1.begin(); it != k1.end(); ++it)
                if (member(k2, it.key().c_str()).is_object())
                    kinds += std::string(kinds.empty() ? "" : ", ") + it.key() + " " +
                             pct(number(it.value(), "pref_accuracy")) + " -> " +
                             pct(number(k2[it.key()], "pref_accuracy"));
        out.push_back("DPO (model 2) moved held-out preference accuracy from " + pct(p1) + " to " + pct(p2) + " (" +
                      points(p1, p2) + "; chance " + pct(b.preferenceChance) + ")" +
                      (kinds.empty() ? "" : "; by kind of rejected answer: " + kinds) + ". Held-out answer loss " +
                      num(v("1", "loss", "loss")) + " -> " + num(v("2", "loss", "loss")) + " (" +
                      change(v("1", "loss", "loss"), v("2", "loss", "loss")) + ").");
    }
    if (has(r, "3"))
        out.push_back("distill_reason (model 3) answers " + pct(v("3", "think", "format_rate")) +
                      " of the held-out questions in <think>...</think><answer>...</answer> form (full_sft: " +
                      pct(v("1", "think", "format_rate")) + "), exact match on trained questions " +
                      pct(v("3", "train_exact", "accuracy")) + ".");
    if (has(r, "1") && has(r, "4")) {
        const double s1 = v("1", "songci_loss", "loss"), s4 = v("4", "songci_loss", "loss");
        const double l1 = v("1", "loss", "loss"), l4 = v("4", "loss", "loss");
        out.push_back("The Song ci LoRA (model 4, full_sft + adapter) moved the held-out Song ci loss " + num(s1) +
                      " -> " + num(s4) + " (" + change(s1, s4) + ") and the general held-out answer loss " + num(l1) +
                      " -> " + num(l4) + " (" + change(l1, l4) + ").");
    }
    if (has(r, "3") && has(r, "5"))
        out.push_back("GRPO (model 5, from reason) moved the held-out reward (format + exact + repetition, greedy) " +
                      num(v("3", "reward", "reward_mean")) + " -> " + num(v("5", "reward", "reward_mean")) +
                      " (exact answers " + pct(v("3", "reward", "accuracy")) + " -> " +
                      pct(v("5", "reward", "accuracy")) + "), think/answer format " +
                      pct(v("3", "think", "format_rate")) + " -> " + pct(v("5", "think", "format_rate")) + ".");
    return out;
}

std::string demoMarkdown(const DemoReport& r) {
    std::ostringstream md;
    md << "# MicroMind demo: what each stage did\n\n";
    for (const auto& f : demoFindings(r))
        md << "- " << f << "\n";
    md << "\n| 模型编号 | model";
    for (const auto& c : demoColumns())
        md << " | " << c;
    md << " |\n|---|---";
    for (size_t i = 0; i < demoColumns().size(); ++i)
        md << "|---";
    md << "|\n";
    for (const auto& row : demoRows(r)) {
        md << "| " << (row.mode.empty() ? "–" : row.mode) << " | " << row.name;
        for (const auto& c : row.cells)
            md << " | " << (c.empty() ? "–" : c);
        md << " |\n";
    }
    md << "\nHow to read it:\n"
          "- exact match, trained questions: a fixed sample of the author / next-line questions that full_sft saw "
          "(the greedy answer equals the reference); chance: answering the most frequent reference answer to every "
          "question;\n"
          "- the held-out columns use poems kept out of every post-training set (their text is in pretraining, so "
          "exact match there is closed-book recall); held-out authors: their author questions alone, chance: "
          "always naming the most frequent poet;\n"
          "- answer loss: assistant-token cross-entropy of plain answers on held-out Tang poems; Song ci loss: the "
          "same on held-out Song ci, the LoRA's domain, which no other post-training stage sees;\n"
          "- DPO preference accuracy: share of held-out pairs whose true answer gets the higher mean log-probability "
          "(rejected: a wrong fact, an echo of the question, the quoted line or title, or the answer with the "
          "boilerplate a fifth of the SFT answers end with);\n"
          "- think/answer format: share of greedy answers in <think>...</think><answer>...</answer> form;\n"
          "- held-out reward: GRPO's reward (format + exact + repetition) of greedy answers to held-out questions.\n";
    return md.str();
}

json toJson(const DemoReport& r) {
    const DemoBaselines& b = r.baselines;
    return {{"models", r.models},
            {"baselines",
             {{"train_exact_chance", b.trainExactChance},
              {"train_chance_answer", b.trainChanceAnswer},
              {"heldout_exact_chance", b.heldoutExactChance},
              {"heldout_chance_answer", b.heldoutChanceAnswer},
              {"heldout_author_chance", b.heldoutAuthorChance},
              {"heldout_author_chance_answer", b.heldoutAuthorChanceAnswer},
              {"preference_chance", b.preferenceChance}}},
            {"findings", demoFindings(r)},
            {"seconds", r.seconds}};
}

DemoReport demoReportFromJson(const json& j, const std::string& path) {
    if (!j.is_object() || !j.contains("models") || !j["models"].is_object())
        throw InputError(path + ": not a demo report (no \"models\" object); rerun `micromind demo` to rewrite it");
    DemoReport r;
    r.models = j["models"];
    try {
        if (j.contains("baselines") && j["baselines"].is_object()) {
            const json& b = j["baselines"];
            r.baselines.trainExactChance = b.value("train_exact_chance", 0.0);
            r.baselines.trainChanceAnswer = b.value("train_chance_answer", std::string());
            r.baselines.heldoutExactChance = b.value("heldout_exact_chance", 0.0);
            r.baselines.heldoutChanceAnswer = b.value("heldout_chance_answer", std::string());
            r.baselines.heldoutAuthorChance = b.value("heldout_author_chance", 0.0);
            r.baselines.heldoutAuthorChanceAnswer = b.value("heldout_author_chance_answer", std::string());
            r.baselines.preferenceChance = b.value("preference_chance", 0.5);
        }
        r.seconds = j.value("seconds", 0.0);
    } catch (const json::exception& e) {
        throw InputError(path + ": a baseline or the time has the wrong type (" + e.what() +
                         "); rerun `micromind demo` to rewrite it");
    }
    return r;
}

} // namespace mm::eval
