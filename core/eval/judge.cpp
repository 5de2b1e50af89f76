#include "eval/judge.h"

#include "common/error.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <regex>
#include <thread>

namespace mm::eval {

const char* const kJudgePromptVersion = "judge-v1";

namespace {

using Clock = std::chrono::steady_clock;

} // namespace

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
    const nlohmann::json body{{"model", ep.model},
                              {"messages", msgs},
                              {"max_tokens", maxTokens},
                              {"temperature", temperature},
                              {"stream", false}};
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
            detail = e.is_object() && e.contains("message") && e["message"].is_string()
                         ? e["message"].get<std::string>()
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
