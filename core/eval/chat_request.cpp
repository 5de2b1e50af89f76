#include "eval/chat_request.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace mm::eval {

using nlohmann::json;

namespace {

HttpError badRequest(const std::string& msg, const std::string& code = "invalid_request") {
    return {400, msg, "invalid_request_error", code};
}

std::string contentText(const json& c, size_t index) {
    if (c.is_string())
        return c.get<std::string>();
    if (c.is_array()) {
        // OpenAI's content parts: [{"type": "text", "text": "..."}].
        std::string s;
        for (const auto& part : c) {
            // (json::value() would throw type_error on a "type" that is not a string.)
            if (!part.is_object() || !part.contains("type") || part["type"] != "text" || !part.contains("text") ||
                !part["text"].is_string())
                throw badRequest("messages[" + std::to_string(index) + "].content: only text parts are supported");
            s += part["text"].get<std::string>();
        }
        return s;
    }
    throw badRequest("messages[" + std::to_string(index) + "].content must be a string");
}

double numberField(const json& body, const char* key, double lo, double hi, double def) {
    if (!body.contains(key) || body[key].is_null())
        return def;
    if (!body[key].is_number())
        throw badRequest(std::string(key) + " must be a number");
    const double v = body[key].get<double>();
    if (v < lo || v > hi)
        throw badRequest(std::string(key) + " must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    return v;
}

} // namespace

ChatRequest parseChatRequest(const std::string& text, const std::vector<ChatModelRef>& models,
                             const ChatRequestLimits& limits) {
    const json body = json::parse(text, nullptr, false);
    if (body.is_discarded() || !body.is_object())
        throw badRequest("the request body must be a JSON object", "invalid_json");
    ChatRequest r;
    std::string id;
    if (body.contains("model") && !body["model"].is_null()) {
        if (!body["model"].is_string())
            throw badRequest("model must be a string");
        id = body["model"].get<std::string>();
    }
    if (models.empty())
        throw HttpError{404, "this workspace has no models to serve", "invalid_request_error", "model_not_found"};
    bool found = id.empty() || id == "micromind";
    for (size_t i = 0; i < models.size(); ++i)
        if (models[i].id == id) {
            r.model = i;
            found = true;
        }
    if (!found) {
        std::string have;
        for (const auto& m : models)
            have += (have.empty() ? "" : ", ") + m.id;
        throw HttpError{404, "model \"" + id + "\" not found; available: " + have, "invalid_request_error",
                        "model_not_found"};
    }
    if (!body.contains("messages") || !body["messages"].is_array() || body["messages"].empty())
        throw badRequest("messages must be a non-empty array of {role, content}");
    size_t i = 0;
    for (const auto& m : body["messages"]) {
        if (!m.is_object() || !m.contains("role") || !m["role"].is_string() || !m.contains("content"))
            throw badRequest("messages[" + std::to_string(i) + "] needs a string role and a content");
        std::string role = m["role"].get<std::string>();
        if (role == "developer")
            role = "system";
        if (role != "system" && role != "user" && role != "assistant")
            throw badRequest("messages[" + std::to_string(i) + "].role \"" + role +
                             "\" is not supported (system, user, assistant)");
        r.messages.push_back({role, contentText(m["content"], i)});
        ++i;
    }
    if (r.messages.back().role != "user")
        throw badRequest("the last message must come from the user");
    if (body.contains("n") && !(body["n"].is_number_integer() && body["n"].get<int64_t>() == 1))
        throw badRequest("only n = 1 is supported");
    const ChatSampling& d = limits.defaults;
    r.sampling = d;
    r.sampling.maxNewTokens = std::min(d.maxNewTokens, limits.maxTokens);
    for (const char* key : {"max_tokens", "max_completion_tokens"}) {
        if (!body.contains(key) || body[key].is_null())
            continue;
        // nlohmann keeps non-negative integers unsigned: one above INT64_MAX is too large, not negative.
        const json& n = body[key];
        if (!n.is_number_integer() || (n.is_number_unsigned() ? n.get<uint64_t>() < 1 : n.get<int64_t>() < 1))
            throw badRequest(std::string(key) + " must be a positive integer");
        const uint64_t v = n.get<uint64_t>();
        if (v > uint64_t(limits.maxTokens))
            throw badRequest(std::string(key) + " " + std::to_string(v) + " exceeds this server's limit of " +
                             std::to_string(limits.maxTokens) + " (micromind serve --max_tokens)");
        r.sampling.maxNewTokens = int(v);
    }
    r.sampling.temperature = numberField(body, "temperature", 0, 2, d.temperature);
    r.sampling.topP = numberField(body, "top_p", 0, 1, d.topP);
    r.sampling.topK = int(numberField(body, "top_k", 0, 1e6, d.topK));
    r.sampling.repetitionPenalty = numberField(body, "repetition_penalty", 0.01, 10, d.repetitionPenalty);
    r.sampling.greedy = r.sampling.temperature <= 0;
    if (body.contains("seed") && !body["seed"].is_null()) {
        if (!body["seed"].is_number_integer())
            throw badRequest("seed must be an integer");
        r.sampling.seed = body["seed"].get<uint64_t>();
        r.seedGiven = true;
    }
    if (body.contains("stream") && !body["stream"].is_null()) {
        if (!body["stream"].is_boolean())
            throw badRequest("stream must be true or false");
        r.stream = body["stream"].get<bool>();
    }
    if (body.contains("stream_options") && !body["stream_options"].is_null()) {
        const json& so = body["stream_options"];
        if (!so.is_object())
            throw badRequest("stream_options must be an object");
        if (so.contains("include_usage") && !so["include_usage"].is_null()) {
            if (!so["include_usage"].is_boolean())
                throw badRequest("stream_options.include_usage must be true or false");
            r.includeUsage = so["include_usage"].get<bool>();
        }
    }
    return r;
}

} // namespace mm::eval
