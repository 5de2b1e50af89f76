#pragma once
// Validation of a POST /v1/chat/completions body for `micromind serve`: pure
// JSON checks, torch-free (nlohmann json and the standard library only), so
// that scripts/fuzz.sh builds it alone (tests/fuzz/fuzz_server_request.cpp).
// The server turns the result into a prompt and SamplingOptions.

#include "text/chat_template.h"

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace mm::eval {

/// A request the server refuses: becomes the JSON error body
/// {"error": {"message": what(), "type", "code"}} with this HTTP status.
class HttpError : public std::runtime_error {
public:
    HttpError(int status, const std::string& message, std::string type, std::string code)
        : std::runtime_error(message), status(status), type(std::move(type)), code(std::move(code)) {}
    int status;
    std::string type; ///< "invalid_request_error", "rate_limit_error", "server_error"
    std::string code; ///< "invalid_json", "model_not_found", "rate_limit_exceeded", ...
};

/// A model as the parser sees it (ServedModel without the files).
struct ChatModelRef {
    std::string id;
    bool chat = true;
};

/// The sampling settings a request may change (SamplingOptions without the
/// decode dtype and stop ids, which stay the server's).
struct ChatSampling {
    int maxNewTokens = 512;
    double temperature = 0.85;
    double topP = 0.85;
    int topK = 50;
    double repetitionPenalty = 1.0;
    bool greedy = false;
    uint64_t seed = 0;
};

/// What the server allows and uses when a request says nothing.
struct ChatRequestLimits {
    int maxTokens = 1024;  ///< largest max_tokens accepted (micromind serve --max_tokens)
    ChatSampling defaults; ///< temperature, top_p, ... when a request gives none
};

/// A parsed, validated chat-completions request.
struct ChatRequest {
    size_t model = 0;                    ///< index into the served models
    std::vector<text::Message> messages; ///< non-empty, the last one from the user
    ChatSampling sampling;
    bool seedGiven = false; ///< false: sampling.seed is the default; the server varies it
    bool stream = false;
    bool includeUsage = false;
};

/// Parses and validates `body` against the served `models` (a request without
/// "model", or with "micromind", gets the first) and `limits`. Throws
/// HttpError (400 invalid request, 404 unknown model) and nothing else.
ChatRequest parseChatRequest(const std::string& body, const std::vector<ChatModelRef>& models,
                             const ChatRequestLimits& limits);

} // namespace mm::eval
