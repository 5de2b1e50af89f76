// libFuzzer target: `micromind serve`'s chat-completions request parser on
// arbitrary bytes as a request body, against two served models and against
// none; and, when the bytes are a JSON value, that value in each field of an
// otherwise valid request (so that a wrong type deep inside is reached without
// the fuzzer having to build the rest). Either a request that keeps the
// server's promises (messages present, the last from the user, every limit
// respected) or an HttpError with a 4xx status and a message that serialises
// as the JSON error body. Nothing else may come out.

#include "eval/chat_request.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using mm::eval::ChatRequest;
using mm::eval::ChatRequestLimits;
using mm::eval::HttpError;

void check(bool ok) {
    if (!ok)
        __builtin_trap();
}

ChatRequestLimits limits() {
    ChatRequestLimits l;
    l.maxTokens = 64;
    l.defaults.maxNewTokens = 512; // above the limit: the parser must clamp it
    l.defaults.topK = 0;
    l.defaults.seed = 42;
    return l;
}

void checkRequest(const ChatRequest& r, const std::vector<mm::eval::ChatModelRef>& models, const ChatRequestLimits& l) {
    check(r.model < models.size());
    check(!r.messages.empty());
    check(r.messages.back().role == "user");
    for (const auto& m : r.messages)
        check(m.role == "system" || m.role == "user" || m.role == "assistant");
    const auto& s = r.sampling;
    check(s.maxNewTokens >= 1 && s.maxNewTokens <= l.maxTokens);
    check(s.temperature >= 0 && s.temperature <= 2);
    check(s.topP >= 0 && s.topP <= 1);
    check(s.topK >= 0 && s.topK <= 1000000);
    check(s.repetitionPenalty >= 0.01 && s.repetitionPenalty <= 10);
    check(s.greedy == (s.temperature <= 0));
    check(r.seedGiven || s.seed == l.defaults.seed);
}

void checkError(const HttpError& e) {
    check(e.status >= 400 && e.status < 500);
    check(*e.what() != '\0');
    check(!e.type.empty() && !e.code.empty());
    // What the server sends: must serialise (valid UTF-8 in the message).
    const std::string body =
        nlohmann::json{{"error", {{"message", e.what()}, {"type", e.type}, {"code", e.code}}}}.dump();
    check(!body.empty());
}

/// Valid requests with `v` in one place each.
std::vector<nlohmann::json> embeddings(const nlohmann::json& v) {
    using nlohmann::json;
    const json user{{"role", "user"}, {"content", "x"}};
    std::vector<json> out;
    for (const char* key : {"model", "messages", "max_tokens", "max_completion_tokens", "temperature", "top_p", "top_k",
                            "repetition_penalty", "seed", "n", "stream", "stream_options"}) {
        json b{{"messages", json::array({user})}};
        b[key] = v;
        out.push_back(b);
    }
    out.push_back({{"messages", json::array({v, user})}});
    out.push_back({{"messages", json::array({{{"role", "user"}, {"content", v}}})}});
    out.push_back({{"messages", json::array({{{"role", v}, {"content", "x"}}, user})}});
    out.push_back({{"messages", json::array({{{"role", "user"}, {"content", json::array({v})}}})}});
    out.push_back({{"messages", json::array({{{"role", "user"}, {"content", {{{"type", v}, {"text", "x"}}}}}})}});
    out.push_back({{"messages", json::array({{{"role", "user"}, {"content", {{{"type", "text"}, {"text", v}}}}}})}});
    out.push_back({{"messages", json::array({user})}, {"stream", true}, {"stream_options", {{"include_usage", v}}}});
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string body(reinterpret_cast<const char*>(data), size);
    static const std::vector<mm::eval::ChatModelRef> served{{"full_sft_32", true}, {"pretrain_32", false}};
    static const std::vector<mm::eval::ChatModelRef> none;
    static const ChatRequestLimits l = limits();
    try {
        checkRequest(mm::eval::parseChatRequest(body, served, l), served, l);
    } catch (const HttpError& e) {
        checkError(e);
    }
    try {
        (void)mm::eval::parseChatRequest(body, none, l);
        check(false); // nothing to serve: never a request
    } catch (const HttpError& e) {
        checkError(e);
    }
    const nlohmann::json v = nlohmann::json::parse(body, nullptr, false);
    if (v.is_discarded())
        return 0;
    for (const auto& b : embeddings(v)) {
        try {
            checkRequest(mm::eval::parseChatRequest(b.dump(), served, l), served, l);
        } catch (const HttpError& e) {
            checkError(e);
        }
    }
    return 0;
}
