// `micromind serve`'s request parser (eval/chat_request.h), torch-free: what
// it accepts, what it refuses with which status, and the inputs that once
// escaped as nlohmann exceptions (a 500 from the server instead of a 400).

#include "eval/chat_request.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace mm::eval;

namespace {

const std::vector<ChatModelRef> kModels{{"full_sft_32", true}, {"pretrain_32", false}};

ChatRequestLimits limits() {
    ChatRequestLimits l;
    l.maxTokens = 64;
    l.defaults.maxNewTokens = 512;
    l.defaults.seed = 42;
    return l;
}

ChatRequest parse(const std::string& body) { return parseChatRequest(body, kModels, limits()); }

/// The HttpError `body` is refused with (status 0 when it is accepted).
HttpError refusal(const std::string& body, const std::vector<ChatModelRef>& models = kModels) {
    try {
        parseChatRequest(body, models, limits());
    } catch (const HttpError& e) {
        return e;
    }
    return {0, "accepted", "", ""};
}

const std::string kUser = R"("messages": [{"role": "user", "content": "你好"}])";

} // namespace

TEST(ChatRequest, AcceptsOpenAiBodiesAndAppliesTheLimits) {
    ChatRequest r = parse("{" + kUser + "}");
    EXPECT_EQ(r.model, 0u); // no model: the first (a chat model)
    ASSERT_EQ(r.messages.size(), 1u);
    EXPECT_EQ(r.messages[0].content, "你好");
    EXPECT_EQ(r.sampling.maxNewTokens, 64); // the default, clamped to --max_tokens
    EXPECT_FALSE(r.seedGiven);
    EXPECT_EQ(r.sampling.seed, 42u);
    EXPECT_FALSE(r.stream);

    r = parse(R"({"model": "pretrain_32", "messages": [{"role": "developer", "content": "brief"},
                 {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}],
                 "max_completion_tokens": 9, "temperature": 0, "seed": 7, "stream": true,
                 "stream_options": {"include_usage": true}})");
    EXPECT_EQ(r.model, 1u);
    EXPECT_EQ(r.messages[0].role, "system");
    EXPECT_EQ(r.messages[1].content, "ab");
    EXPECT_EQ(r.sampling.maxNewTokens, 9);
    EXPECT_TRUE(r.sampling.greedy);
    EXPECT_TRUE(r.seedGiven);
    EXPECT_EQ(r.sampling.seed, 7u);
    EXPECT_TRUE(r.stream);
    EXPECT_TRUE(r.includeUsage);
    EXPECT_EQ(parse(R"({"model": "micromind", )" + kUser + "}").model, 0u);
}

TEST(ChatRequest, RefusesWithStatusCodeAndMessage) {
    struct Case {
        std::string body;
        int status;
        std::string code, part;
    };
    const std::vector<Case> cases{
        {"{not json", 400, "invalid_json", "JSON object"},
        {"[1]", 400, "invalid_json", "JSON object"},
        {R"({"messages": 3})", 400, "invalid_request", "non-empty array"},
        {R"({"messages": [{"role": "tool", "content": "x"}]})", 400, "invalid_request", "\"tool\""},
        {R"({"messages": [{"role": "assistant", "content": "x"}]})", 400, "invalid_request", "last message"},
        {"{" + kUser + R"(, "max_tokens": 65})", 400, "invalid_request", "--max_tokens"},
        {"{" + kUser + R"(, "max_tokens": 0})", 400, "invalid_request", "positive integer"},
        {"{" + kUser + R"(, "temperature": 2.5})", 400, "invalid_request", "between"},
        {"{" + kUser + R"(, "n": 2})", 400, "invalid_request", "n = 1"},
        {R"({"model": "gpt-9", )" + kUser + "}", 404, "model_not_found", "full_sft_32, pretrain_32"},
    };
    for (const auto& c : cases) {
        const HttpError e = refusal(c.body);
        EXPECT_EQ(e.status, c.status) << c.body;
        EXPECT_EQ(e.code, c.code) << c.body;
        EXPECT_NE(std::string(e.what()).find(c.part), std::string::npos) << c.body << ": " << e.what();
        EXPECT_FALSE(e.type.empty());
    }
    EXPECT_EQ(refusal("{" + kUser + "}", {}).status, 404);
}

TEST(ChatRequest, WrongTypesDeepInsideAreBadRequestsNotExceptions) {
    // These escaped as nlohmann::json::type_error (json::value() on a field of
    // the wrong type), which the server answered with 500 internal_error.
    HttpError e = refusal(R"({"messages": [{"role": "user", "content": [{"type": 1, "text": "x"}]}]})");
    EXPECT_EQ(e.status, 400);
    EXPECT_NE(std::string(e.what()).find("only text parts"), std::string::npos) << e.what();
    e = refusal("{" + kUser + R"(, "stream": true, "stream_options": {"include_usage": "yes"}})");
    EXPECT_EQ(e.status, 400);
    EXPECT_NE(std::string(e.what()).find("include_usage"), std::string::npos) << e.what();
    e = refusal("{" + kUser + R"(, "stream_options": 5})");
    EXPECT_EQ(e.status, 400);
    // Above INT64_MAX: nlohmann keeps it unsigned; too large, not "negative".
    e = refusal("{" + kUser + R"(, "max_tokens": 18446744073709551615})");
    EXPECT_EQ(e.status, 400);
    EXPECT_NE(std::string(e.what()).find("exceeds this server's limit of 64"), std::string::npos) << e.what();
}
