#include "eval/judge_reply.h"

#include "eval/scores.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace mm::eval {

namespace {

/// Dimension index a reply key refers to (-1 for others such as "comment").
int dimensionOfKey(const std::string& keyIn) {
    std::string key;
    for (char c : keyIn)
        key += char(std::tolower(static_cast<unsigned char>(c)));
    if (key.find("total") != std::string::npos || key.find("总分") != std::string::npos)
        return -1;
    if (key.find("lang") != std::string::npos || key.find("语言") != std::string::npos)
        return 0;
    if (key.find("knowledge") != std::string::npos || key.find("reason") != std::string::npos ||
        key.find("知识") != std::string::npos || key.find("推理") != std::string::npos)
        return 1;
    if (key.find("effic") != std::string::npos || key.find("resource") != std::string::npos ||
        key.find("效率") != std::string::npos || key.find("资源") != std::string::npos)
        return 2;
    return -1;
}

/// Length of the decimal number -?[0-9]+(\.[0-9]+)? at `pos` (0 when there is none).
/// A hand scan: std::regex recurses once per character and overflows the
/// stack on a long run of digits.
size_t decimalLength(const std::string& s, size_t pos) {
    auto digits = [&](size_t i) {
        size_t j = i;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])))
            ++j;
        return j - i;
    };
    size_t i = pos + (pos < s.size() && s[pos] == '-' ? 1 : 0);
    const size_t whole = digits(i);
    if (whole == 0)
        return 0;
    i += whole;
    if (i < s.size() && s[i] == '.') {
        if (const size_t frac = digits(i + 1))
            i += 1 + frac;
    }
    return i - pos;
}

/// The number a decimal of `len` characters at `pos` spells; strtod, not
/// std::stod, which throws out_of_range for 400 nines (this gives inf, which
/// the range check reports).
double decimalValue(const std::string& s, size_t pos, size_t len) {
    return std::strtod(s.substr(pos, len).c_str(), nullptr);
}

std::optional<double> numberOf(const nlohmann::json& v, int depth = 0) {
    if (v.is_number())
        return v.get<double>();
    if (v.is_string()) {
        // "7", "7/10", "7 分", "7.5 out of 10": the leading number.
        const std::string& s = v.get_ref<const std::string&>();
        size_t p = 0;
        while (p < s.size() && std::isspace(static_cast<unsigned char>(s[p])))
            ++p;
        if (const size_t len = decimalLength(s, p))
            return decimalValue(s, p, len);
    }
    // {"score": 7}; a few levels at most (the nesting comes from the reply).
    if (v.is_object() && v.contains("score") && depth < 4)
        return numberOf(v["score"], depth + 1);
    return std::nullopt;
}

void collect(const nlohmann::json& obj, JudgeScores& out, int depth) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        const int d = dimensionOfKey(it.key());
        if (d >= 0 && !out.values[d]) {
            if (auto n = numberOf(it.value()))
                out.values[d] = n;
        } else if (it.value().is_object() && depth < 2) {
            collect(it.value(), out, depth + 1);
        } else if (it.value().is_string() && (it.key() == "comment" || it.key() == "reason" || it.key() == "理由")) {
            out.comment = it.value().get<std::string>();
        }
    }
}

/// Bytes the search for JSON objects may scan in all, over every '{' it
/// starts from. A '{' that never closes is scanned to the end of the reply,
/// so without a bound a reply of many of them costs its length squared
/// (60 KB of "{" ran past the fuzzer's 30 s); a real reply never comes near it.
constexpr size_t kCandidateScanBudget = size_t(1) << 20;

/// Calls `use` on each balanced {...} substring (braces inside JSON strings
/// ignored), outermost first, until it returns true or the scan budget is spent.
template <class Use>
void forEachObjectCandidate(const std::string& s, Use&& use) {
    size_t budget = kCandidateScanBudget;
    for (size_t start = s.find('{'); start != std::string::npos; start = s.find('{', start + 1)) {
        int depth = 0;
        bool inStr = false, esc = false;
        for (size_t i = start; i < s.size(); ++i) {
            if (budget-- == 0)
                return;
            const char c = s[i];
            if (inStr) {
                if (esc)
                    esc = false;
                else if (c == '\\')
                    esc = true;
                else if (c == '"')
                    inStr = false;
            } else if (c == '"') {
                inStr = true;
            } else if (c == '{') {
                ++depth;
            } else if (c == '}' && --depth == 0) {
                if (use(s.substr(start, i - start + 1)))
                    return;
                break;
            }
        }
    }
}

/// `s` with every comma that only whitespace separates from a closing } or ]
/// removed (what the regex ,\s*([}\]]) -> $1 does, without its recursion).
std::string withoutTrailingCommas(const std::string& s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == ',') {
            size_t j = i + 1;
            while (j < s.size() && std::isspace(static_cast<unsigned char>(s[j])))
                ++j;
            if (j < s.size() && (s[j] == '}' || s[j] == ']')) {
                out += s[j];
                i = j;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

/// Skips any of `tokens` (and spaces, quotes, asterisks) at `pos`.
size_t skipFiller(const std::string& s, size_t pos, const std::vector<std::string>& tokens) {
    for (bool moved = true; moved && pos < s.size();) {
        moved = false;
        if (std::string(" \t\"'*").find(s[pos]) != std::string::npos) {
            ++pos;
            moved = true;
            continue;
        }
        for (const auto& t : tokens)
            if (s.compare(pos, t.size(), t) == 0) {
                pos += t.size();
                moved = true;
                break;
            }
    }
    return pos;
}

/// The number after "<key>: " for a dimension, searching every alias.
std::optional<double> scoreAfterKey(const std::string& text, int dim) {
    static const std::vector<std::vector<std::string>> aliases{
        {"language", "Language", "语言理解与生成", "语言"},
        {"knowledge", "Knowledge", "知识与推理能力", "知识", "推理"},
        {"efficiency", "Efficiency", "效率与资源", "效率"}};
    static const std::vector<std::string> ranges{"(0-10)", "（0-10）"};
    static const std::vector<std::string> separators{":", "：", "="};
    for (const auto& alias : aliases[size_t(dim)]) {
        for (size_t at = text.find(alias); at != std::string::npos; at = text.find(alias, at + 1)) {
            size_t p = skipFiller(text, at + alias.size(), ranges);
            const size_t beforeSep = p;
            p = skipFiller(text, p, separators);
            if (p == beforeSep || p >= text.size())
                continue;
            // A digit, or '-' and a digit: strtod would also read "-nan" and "-inf".
            const char c = text[p];
            if (!(std::isdigit(static_cast<unsigned char>(c)) ||
                  (c == '-' && p + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[p + 1])))))
                continue;
            char* end = nullptr;
            const double v = std::strtod(text.c_str() + p, &end);
            if (end != text.c_str() + p)
                return v;
        }
    }
    return std::nullopt;
}

/// The reply without the <think> block a reasoning model opens it with (all
/// of it when the block never closes: the reply was cut off while thinking).
/// Only a block at the start: "<think>" quoted in a comment is text.
std::string withoutThink(const std::string& s) {
    size_t a = 0;
    while (a < s.size() && std::isspace(static_cast<unsigned char>(s[a])))
        ++a;
    if (s.compare(a, 7, "<think>") != 0)
        return s;
    const size_t b = s.find("</think>", a);
    return b == std::string::npos ? s.substr(0, a) : s.substr(0, a) + s.substr(b + 8);
}

/// A score for an error message: formatScore's "6.5", or "1e+40" for values
/// too large for its fixed-point buffer.
std::string scoreText(double v) {
    if (std::isfinite(v) && std::fabs(v) < 1e9)
        return formatScore(v);
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

} // namespace

JudgeParse parseJudgeReply(const std::string& replyIn) {
    JudgeParse r;
    const std::string reply = withoutThink(replyIn);
    forEachObjectCandidate(reply, [&](const std::string& cand) {
        nlohmann::json j = nlohmann::json::parse(cand, nullptr, false);
        if (j.is_discarded())
            j = nlohmann::json::parse(withoutTrailingCommas(cand), nullptr, false);
        if (!j.is_object())
            return false;
        JudgeScores s;
        collect(j, s, 0);
        if (s.values[0] || s.values[1] || s.values[2]) {
            r.scores = s;
            return true;
        }
        return false;
    });
    // Text fallback for replies without a parseable object (cut off, prose):
    // "language": 7 / 语言理解与生成（0-10）：7 / knowledge = 6.5.
    for (int d = 0; d < 3; ++d)
        if (!r.scores.values[d])
            r.scores.values[d] = scoreAfterKey(reply, d);
    const auto& dims = scoreDimensions();
    std::string missing;
    int found = 0;
    for (size_t i = 0; i < dims.size(); ++i) {
        if (!r.scores.values[i]) {
            missing += (missing.empty() ? "" : ", ") + dims[i].key;
            continue;
        }
        ++found;
        const double v = *r.scores.values[i];
        if (!(v >= 0 && v <= 10)) { // NaN too
            r.error = "score for " + dims[i].key + " is " + scoreText(v) + ", outside 0-10";
            return r;
        }
    }
    if (found == 0) {
        r.error = "no scores in the reply (the judge refused, went off-topic or ignored the JSON format)";
        return r;
    }
    if (!missing.empty()) {
        r.error = "the reply lacks " + missing + " (truncated or incomplete JSON)";
        return r;
    }
    r.ok = true;
    return r;
}

} // namespace mm::eval
