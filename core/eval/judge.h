#pragma once
// An LLM judge over any OpenAI-compatible chat-completions endpoint (DeepSeek,
// OpenAI, Ollama, a llama.cpp server, `micromind serve`). It scores one
// model's answers on the seed's rubric (语言理解与生成, 知识与推理能力,
// 效率与资源, 0-10 each), asks for strict JSON, parses the reply tolerantly,
// retries with exponential backoff inside an overall time limit, and keeps the
// raw reply. The API key is only ever put in the Authorization header: it is
// never part of an error message, a log line or the database.

#include "eval/judge_reply.h"
#include "text/chat_template.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace mm::eval {

/// Version of the judging prompt; stored with every score so tables made with
/// different rubrics are not mixed up silently.
extern const char* const kJudgePromptVersion;

/// One answer shown to the judge.
struct JudgedAnswer {
    std::string prompt;
    std::string answer;
};

/// Facts about the judged model for the efficiency dimension (0 = unknown).
struct JudgedModelInfo {
    std::string label;
    int64_t parameters = 0;
    double tokensPerSecond = 0;
    double meanTokens = 0;
};

/// The chat messages asking the judge to score one model's answers. Answers
/// longer than `maxAnswerChars` bytes are cut (at a UTF-8 boundary).
std::vector<text::Message> judgeMessages(const JudgedModelInfo& model, const std::vector<JudgedAnswer>& answers,
                                         size_t maxAnswerChars = 1500);

/// Where the judge lives.
struct JudgeEndpoint {
    std::string baseUrl; ///< "https://api.deepseek.com/v1", "http://127.0.0.1:8998/v1"
    std::string model;   ///< model name sent in the request
    std::string apiKey;  ///< "" = no Authorization header
};

/// Retry and time limits.
struct JudgeOptions {
    int attempts = 3;            ///< tries in total
    double timeoutSeconds = 120; ///< for all tries together
    double firstBackoff = 1.0;   ///< seconds before the 2nd try; doubles each time
    int maxTokens = 512;
    double temperature = 0.0;
};

/// What judging one model produced.
struct JudgeOutcome {
    bool ok = false;
    JudgeScores scores;
    std::string rawReply; ///< the last reply received ("" when none arrived)
    std::string error;    ///< the last problem (HTTP status, network, parse)
    int attempts = 0;
};

/// Raw result of one chat-completions call.
struct ChatCallResult {
    int status = 0;      ///< HTTP status, 0 when no response arrived
    std::string content; ///< choices[0].message.content
    std::string error;   ///< transport or protocol problem ("" when status 200 and content parsed)
};

/// One non-streaming chat-completions request with the given time limit.
ChatCallResult chatCompletion(const JudgeEndpoint& ep, const std::vector<text::Message>& messages, int maxTokens,
                              double temperature, double timeoutSeconds);

/// Asks the judge until a reply parses, the attempts are used up, the time
/// limit passes or the endpoint refuses for good (400/401/403/404).
JudgeOutcome runJudge(const JudgeEndpoint& ep, const std::vector<text::Message>& messages, const JudgeOptions& o);

/// Splits "http://host:port/v1" into ("http://host:port", "/v1"). Throws
/// InputError for anything that is not an http(s) URL.
std::pair<std::string, std::string> splitBaseUrl(const std::string& baseUrl);

} // namespace mm::eval
