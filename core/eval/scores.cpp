#include "eval/scores.h"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>

namespace mm::eval {

const std::vector<Dimension>& scoreDimensions() {
    static const std::vector<Dimension> d{
        {"language", "语言理解与生成"}, {"knowledge", "知识与推理能力"}, {"efficiency", "效率与资源"}};
    return d;
}

std::optional<double> ScoreRow::total() const {
    double t = 0;
    for (const auto& v : values) {
        if (!v)
            return std::nullopt;
        t += *v;
    }
    return t;
}

ScoreTable buildScoreTable(const std::vector<store::ScoreRecord>& scores, const std::string& judgeFilter) {
    std::map<int, ScoreRow> rows;
    for (int m = 0; m <= 4; ++m)
        rows[m].mode = m;
    // Records come oldest first, so later ones overwrite earlier ones; a judge
    // score never replaces a manual one.
    for (const auto& s : scores) {
        int d = -1;
        for (size_t i = 0; i < scoreDimensions().size(); ++i)
            if (scoreDimensions()[i].key == s.dimension)
                d = int(i);
        if (d < 0 || (!s.manual && !judgeFilter.empty() && s.judgeModel != judgeFilter))
            continue;
        ScoreRow& r = rows[s.modelMode];
        r.mode = s.modelMode;
        if (!s.manual && r.manual[d])
            continue;
        r.values[d] = s.value;
        r.manual[d] = s.manual;
        if (!s.manual)
            r.judgeModel = s.judgeModel;
    }
    ScoreTable t;
    for (auto& [mode, row] : rows)
        t.rows.push_back(row);
    return t;
}

std::string formatScore(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    std::string s = buf;
    while (!s.empty() && s.back() == '0')
        s.pop_back();
    if (!s.empty() && s.back() == '.')
        s.pop_back();
    return s;
}

namespace {

// The seed's header and separator, verbatim; cell widths follow the dashes.
const char* const kSeedHeader =
    "| 模型编号 | 语言理解与生成 (0-10) | 知识与推理能力 (0-10) | 效率与资源 (0-10) | 总分 (0-30) |";
const char* const kSeedSeparator =
    "|----------|----------------------|----------------------|-----------------|-------------|";
const int kCellWidths[5] = {10, 22, 22, 17, 13};

std::vector<std::string> rowCells(const ScoreRow& r) {
    std::vector<std::string> c{std::to_string(r.mode)};
    for (const auto& v : r.values)
        c.push_back(v ? formatScore(*v) : "");
    const auto t = r.total();
    c.push_back(t ? formatScore(*t) : "");
    return c;
}

std::string csvField(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos)
        return s;
    std::string q = "\"";
    for (char ch : s)
        q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return q + "\"";
}

const char* const kCss =
    "body{font-family:'Noto Sans CJK SC','Noto Sans',sans-serif;margin:2em;color:#222}"
    "table{border-collapse:collapse}th,td{border:1px solid #bbb;padding:.4em .8em}"
    "th{background:#f0f0f0}td.num{text-align:right}td.manual{background:#fff6d5}"
    ".grid{display:grid;gap:.8em}.cell{border:1px solid #ccc;border-radius:4px;padding:.6em}"
    ".cell h4{margin:0 0 .4em 0;font-size:.95em}.cell pre{white-space:pre-wrap;word-break:break-word;margin:0;"
    "font-family:inherit}.missing{color:#999}.sub{color:#666}";

std::string page(const std::string& title, const std::string& subtitle, const std::string& body) {
    return "<!DOCTYPE html>\n<html lang=\"zh\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + htmlEscape(title) +
           "</title>\n<style>" + kCss + "</style>\n</head>\n<body>\n<h1>" + htmlEscape(title) +
           "</h1>\n<p class=\"sub\">" + htmlEscape(subtitle) + "</p>\n" + body + "</body>\n</html>\n";
}

struct PromptKey {
    std::string set, prompt;
    bool operator<(const PromptKey& o) const { return set != o.set ? set < o.set : prompt < o.prompt; }
};

/// Prompts in first-seen order and, per column, the answer to each.
std::vector<PromptKey> promptOrder(const std::vector<CompareColumn>& cols,
                                   std::vector<std::map<PromptKey, const store::EvalAnswerRecord*>>& byCol) {
    std::vector<PromptKey> order;
    std::map<PromptKey, bool> seen;
    byCol.assign(cols.size(), {});
    for (size_t c = 0; c < cols.size(); ++c)
        for (const auto& a : cols[c].answers) {
            PromptKey k{a.promptSet, a.prompt};
            if (!seen[k]) {
                seen[k] = true;
                order.push_back(k);
            }
            byCol[c].emplace(k, &a);
        }
    return order;
}

std::string mdCell(const std::string& s) {
    std::string out;
    for (char ch : s) {
        if (ch == '|')
            out += "\\|";
        else if (ch == '\n')
            out += "<br>";
        else if (ch == '\r')
            continue;
        else if (ch == '<')
            out += "&lt;";
        else
            out += ch;
    }
    return out;
}

} // namespace

std::string htmlEscape(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (char ch : s) {
        switch (ch) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += ch;
        }
    }
    return out;
}

std::string scoresMarkdown(const ScoreTable& t) {
    std::string md = std::string(kSeedHeader) + "\n" + kSeedSeparator + "\n";
    for (const auto& r : t.rows) {
        const auto cells = rowCells(r);
        md += "|";
        for (size_t i = 0; i < cells.size(); ++i) {
            std::string cell = " " + cells[i];
            if (int(cell.size()) < kCellWidths[i])
                cell.append(size_t(kCellWidths[i]) - cell.size(), ' ');
            else
                cell += " ";
            md += cell + "|";
        }
        md += "\n";
    }
    return md;
}

std::string scoresCsv(const ScoreTable& t) {
    std::string csv = "模型编号";
    for (const auto& d : scoreDimensions())
        csv += "," + d.title + " (0-10)";
    csv += ",总分 (0-30),judge_model,manual\r\n";
    for (const auto& r : t.rows) {
        const auto cells = rowCells(r);
        std::string manual;
        for (size_t i = 0; i < r.manual.size(); ++i)
            if (r.manual[i])
                manual += (manual.empty() ? "" : " ") + scoreDimensions()[i].key;
        for (size_t i = 0; i < cells.size(); ++i)
            csv += (i ? "," : "") + csvField(cells[i]);
        csv += "," + csvField(r.judgeModel) + "," + csvField(manual) + "\r\n";
    }
    return csv;
}

std::string scoresHtml(const ScoreTable& t, const std::string& subtitle) {
    std::string body = "<table>\n<tr><th>模型编号</th>";
    for (const auto& d : scoreDimensions())
        body += "<th>" + htmlEscape(d.title) + " (0-10)</th>";
    body += "<th>总分 (0-30)</th><th>judge</th></tr>\n";
    for (const auto& r : t.rows) {
        const auto cells = rowCells(r);
        body += "<tr><td>" + cells[0] + "</td>";
        for (size_t i = 0; i < r.values.size(); ++i)
            body += std::string("<td class=\"num") + (r.manual[i] ? " manual\" title=\"manual score" : "") + "\">" +
                    cells[i + 1] + "</td>";
        body += "<td class=\"num\">" + cells[4] + "</td><td>" + htmlEscape(r.judgeModel) + "</td></tr>\n";
    }
    body += "</table>\n<p class=\"sub\">Highlighted cells are manual scores (micromind scores set).</p>\n";
    return page("MicroMind 模型打分", subtitle, body);
}

std::string compareMarkdown(const std::vector<CompareColumn>& cols, const std::string& subtitle) {
    std::vector<std::map<PromptKey, const store::EvalAnswerRecord*>> byCol;
    const auto order = promptOrder(cols, byCol);
    std::string md = "# 模型回答对比\n\n" + subtitle + "\n";
    std::map<std::string, int> counter;
    for (const auto& k : order) {
        md += "\n## " + k.set + " " + std::to_string(++counter[k.set]) + ": " + mdCell(k.prompt) + "\n\n";
        md += "| 模型 | 回答 |\n|------|------|\n";
        for (size_t c = 0; c < cols.size(); ++c) {
            auto it = byCol[c].find(k);
            md += "| " + mdCell(cols[c].label) + " | " +
                  (it == byCol[c].end() ? std::string("—")
                                        : mdCell(it->second->text.empty() ? "(empty)" : it->second->text)) +
                  " |\n";
        }
    }
    return md;
}

std::string compareHtml(const std::vector<CompareColumn>& cols, const std::string& subtitle) {
    std::vector<std::map<PromptKey, const store::EvalAnswerRecord*>> byCol;
    const auto order = promptOrder(cols, byCol);
    const std::string grid = "<div class=\"grid\" style=\"grid-template-columns:repeat(" +
                             std::to_string(cols.empty() ? 1 : cols.size()) + ",minmax(0,1fr))\">\n";
    std::string body;
    std::map<std::string, int> counter;
    for (const auto& k : order) {
        body += "<h2>" + htmlEscape(k.set) + " " + std::to_string(++counter[k.set]) + ": " + htmlEscape(k.prompt) +
                "</h2>\n" + grid;
        for (size_t c = 0; c < cols.size(); ++c) {
            auto it = byCol[c].find(k);
            body += "<div class=\"cell\"><h4>" + htmlEscape(cols[c].label) + "</h4>";
            if (it == byCol[c].end())
                body += "<pre class=\"missing\">—</pre>";
            else {
                char stats[96];
                std::snprintf(stats, sizeof stats, "%lld tokens, %.0f tokens/s, seed %lld",
                              (long long)it->second->tokens, it->second->tokensPerSecond, (long long)it->second->seed);
                body += "<pre>" + htmlEscape(it->second->text) + "</pre><p class=\"sub\">" + stats + "</p>";
            }
            body += "</div>\n";
        }
        body += "</div>\n";
    }
    return page("MicroMind 模型回答对比", subtitle, body);
}

std::string reportSubtitle(const std::string& workspaceDir, const std::string& judgeFilter) {
    return "workspace " + workspaceDir + (judgeFilter.empty() ? "" : ", judge " + judgeFilter);
}

std::vector<ReportFile> scoreTableFiles(const ScoreTable& t, const std::string& subtitle) {
    return {{"scores.md", scoresMarkdown(t)}, {"scores.csv", scoresCsv(t)}, {"scores.html", scoresHtml(t, subtitle)}};
}

std::vector<ReportFile> comparisonFiles(const std::vector<CompareColumn>& cols, const std::string& subtitle) {
    return {{"compare.md", compareMarkdown(cols, subtitle)}, {"compare.html", compareHtml(cols, subtitle)}};
}

} // namespace mm::eval
