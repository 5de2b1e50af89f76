#include "eval/judge.h"

#include "common/error.h"
#include "eval/scores.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <regex>
#include <thread>

namespace mm::eval {

const char* const kJudgePromptVersion = "judge-v1";

namespace {

using Clock = std::chrono::steady_clock;

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

std::optional<double> numberOf(const nlohmann::json& v) {
    if (v.is_number())
        return v.get<double>();
    if (v.is_string()) {
        // "7", "7/10", "7 分", "7.5 out of 10": the leading number.
        static const std::regex num(R"(^\s*(-?[0-9]+(\.[0-9]+)?))");
        std::smatch m;
        const std::string s = v.get<std::string>();
        if (std::regex_search(s, m, num))
            return std::stod(m[1].str());
    }
    if (v.is_object() && v.contains("score"))
        return numberOf(v["score"]);
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

/// Balanced {...} substrings (braces inside JSON strings ignored), outermost first.
std::vector<std::string> objectCandidates(const std::string& s) {
    std::vector<std::string> out;
    for (size_t start = s.find('{'); start != std::string::npos; start = s.find('{', start + 1)) {
        int depth = 0;
        bool inStr = false, esc = false;
        for (size_t i = start; i < s.size(); ++i) {
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
                out.push_back(s.substr(start, i - start + 1));
                break;
            }
        }
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
            const char c = text[p];
            if (!(std::isdigit(static_cast<unsigned char>(c)) || (c == '-' && p + 1 < text.size())))
                continue;
            char* end = nullptr;
            const double v = std::strtod(text.c_str() + p, &end);
            if (end != text.c_str() + p)
                return v;
        }
    }
    return std::nullopt;
}

std::string withoutThink(const std::string& s) {
    const size_t a = s.find("<think>");
    if (a == std::string::npos)
        return s;
    const size_t b = s.find("</think>", a);
    return b == std::string::npos ? s.substr(0, a) : s.substr(0, a) + s.substr(b + 8);
}

} // namespace

JudgeParse parseJudgeReply(const std::string& replyIn) {
    JudgeParse r;
    const std::string reply = withoutThink(replyIn);
    static const std::regex trailingComma(R"(,\s*([}\]]))");
    for (const auto& cand : objectCandidates(reply)) {
        nlohmann::json j = nlohmann::json::parse(cand, nullptr, false);
        if (j.is_discarded())
            j = nlohmann::json::parse(std::regex_replace(cand, trailingComma, "$1"), nullptr, false);
        if (!j.is_object())
            continue;
        JudgeScores s;
        collect(j, s, 0);
        if (s.values[0] || s.values[1] || s.values[2]) {
            r.scores = s;
            break;
        }
    }
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
        if (v < 0 || v > 10) {
            r.error = "score for " + dims[i].key + " is " + formatScore(v) + ", outside 0-10";
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

std::vector<text::Message> judgeMessages(const JudgedModelInfo& model, const std::vector<JudgedAnswer>& answers,
                                         size_t maxAnswerChars) {
    std::string user = "请评价模型「" + model.label + "」对下列 " + std::to_string(answers.size()) +
                       " 个问题的回答，按三个维度各给 0-10 分（可用一位小数）：\n"
                       "1. language（语言理解与生成）：是否理解问题，语言是否通顺连贯、没有重复和乱码。\n"
                       "2. knowledge（知识与推理能力）：事实是否正确，推理是否合理，是否切中问题。\n"
                       "3. efficiency（效率与资源）：回答是否简洁切题、没有冗余；结合模型规模和生成速度评价。\n";
    char facts[200];
    std::snprintf(facts, sizeof facts, "模型信息：参数量 %s，平均生成速度 %.0f tokens/s，平均回答长度 %.0f tokens。\n",
                  model.parameters > 0 ? std::to_string(model.parameters).c_str() : "未知", model.tokensPerSecond,
                  model.meanTokens);
    user += facts;
    for (size_t i = 0; i < answers.size(); ++i) {
        std::string a = answers[i].answer;
        if (a.size() > maxAnswerChars) {
            size_t cut = maxAnswerChars;
            while (cut > 0 && (static_cast<unsigned char>(a[cut]) & 0xC0) == 0x80)
                --cut;
            a = a.substr(0, cut) + "…（已截断）";
        }
        user += "\n### 问题 " + std::to_string(i + 1) + "\n" + answers[i].prompt + "\n### 回答 " +
                std::to_string(i + 1) + "\n" + (a.empty() ? "（空）" : a) + "\n";
    }
    user += "\n只输出一个 JSON 对象，不要输出任何其他文字或代码块，格式如下：\n"
            "{\"language\": 分数, \"knowledge\": 分数, \"efficiency\": 分数, \"comment\": \"一句话理由\"}";
    return {{"system", "你是一位严格、公正的大语言模型评测专家，只按要求输出 JSON。"}, {"user", user}};
}

std::pair<std::string, std::string> splitBaseUrl(const std::string& url) {
    static const std::regex re(R"(^(https?://[^/\s]+)(/[^\s]*)?$)");
    std::smatch m;
    if (!std::regex_match(url, m, re))
        throw InputError("--base_url \"" + url +
                         "\" is not an http(s) URL; give e.g. https://api.deepseek.com/v1 or http://127.0.0.1:8998/v1");
    std::string prefix = m[2].str();
    while (!prefix.empty() && prefix.back() == '/')
        prefix.pop_back();
    return {m[1].str(), prefix};
}

ChatCallResult chatCompletion(const JudgeEndpoint& ep, const std::vector<text::Message>& messages, int maxTokens,
                              double temperature, double timeoutSeconds) {
    ChatCallResult r;
    const auto [hostPart, prefix] = splitBaseUrl(ep.baseUrl);
    httplib::Client cli(hostPart);
    const auto limit = std::chrono::milliseconds(int64_t(std::max(0.05, timeoutSeconds) * 1000));
    cli.set_connection_timeout(std::min<std::chrono::milliseconds>(limit, std::chrono::seconds(10)));
    cli.set_read_timeout(limit);
    cli.set_write_timeout(limit);
    httplib::Headers headers;
    if (!ep.apiKey.empty())
        headers.emplace("Authorization", "Bearer " + ep.apiKey);
    nlohmann::json msgs = nlohmann::json::array();
    for (const auto& m : messages)
        msgs.push_back({{"role", m.role}, {"content", m.content}});
    const nlohmann::json body{{"model", ep.model},       {"messages", msgs}, {"max_tokens", maxTokens},
                              {"temperature", temperature}, {"stream", false}};
    auto res = cli.Post(prefix + "/chat/completions", headers, body.dump(), "application/json");
    if (!res) {
        r.error = "no response from " + hostPart + " (" + httplib::to_string(res.error()) + ")";
        return r;
    }
    r.status = res->status;
    const nlohmann::json j = nlohmann::json::parse(res->body, nullptr, false);
    if (res->status != 200) {
        std::string detail;
        if (j.is_object() && j.contains("error")) {
            const auto& e = j["error"];
            detail = e.is_object() && e.contains("message") && e["message"].is_string() ? e["message"].get<std::string>()
                                                                                         : e.dump();
        } else {
            detail = res->body.substr(0, 200);
        }
        r.error = "HTTP " + std::to_string(res->status) + " from " + hostPart + prefix + "/chat/completions: " + detail;
        return r;
    }
    try {
        r.content = j.at("choices").at(0).at("message").at("content").get<std::string>();
    } catch (const std::exception&) {
        r.error = "the response is not an OpenAI chat completion (no choices[0].message.content): " +
                  res->body.substr(0, 200);
    }
    return r;
}

JudgeOutcome runJudge(const JudgeEndpoint& ep, const std::vector<text::Message>& messages, const JudgeOptions& o) {
    JudgeOutcome out;
    const auto deadline = Clock::now() + std::chrono::milliseconds(int64_t(o.timeoutSeconds * 1000));
    double backoff = o.firstBackoff;
    for (int attempt = 1; attempt <= o.attempts; ++attempt) {
        const double left = std::chrono::duration<double>(deadline - Clock::now()).count();
        if (left <= 0.05) {
            out.error += (out.error.empty() ? "" : "; ") + std::string("time limit reached");
            break;
        }
        out.attempts = attempt;
        ChatCallResult call = chatCompletion(ep, messages, o.maxTokens, o.temperature, left);
        bool retry = true;
        if (!call.error.empty()) {
            out.error = call.error;
            // Bad request, auth, unknown model: asking again cannot help.
            if (call.status == 400 || call.status == 401 || call.status == 403 || call.status == 404 ||
                call.status == 422)
                retry = false;
            if (call.status == 401 || call.status == 403)
                out.error += " (check the API key variable)";
        } else {
            out.rawReply = call.content;
            JudgeParse p = parseJudgeReply(call.content);
            if (p.ok) {
                out.ok = true;
                out.scores = p.scores;
                out.error.clear();
                return out;
            }
            out.error = "unusable reply: " + p.error;
        }
        if (!retry || attempt == o.attempts)
            break;
        const double wait = std::min(backoff, std::chrono::duration<double>(deadline - Clock::now()).count());
        if (wait > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(int64_t(wait * 1000)));
        backoff *= 2;
    }
    return out;
}

} // namespace mm::eval
