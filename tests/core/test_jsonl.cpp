// JsonlReader and the record validators, on real files in a temp directory.

#include "core/fixtures.h"

#include "common/error.h"
#include "data/jsonl.h"

#include <fstream>
#include <functional>
#include <initializer_list>
#include <string>

#include "expect_error.h"

#include <gtest/gtest.h>

namespace mm::data {
namespace {

using mm::test::TempDir;
using nlohmann::json;

void writeRaw(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
    ASSERT_TRUE(out.good());
}

using test::expectError;

std::vector<json> readAll(JsonlReader& r) {
    std::vector<json> out;
    json j;
    while (r.next(j))
        out.push_back(j);
    return out;
}

TEST(JsonlReader, SkipsBlankLinesAndStripsCarriageReturns) {
    TempDir dir;
    const std::string path = dir.file("a.jsonl");
    // Line 6 has no terminating newline; lines 2, 3 and 5 are blank or whitespace.
    const std::string bytes = "{\"a\": 1}\r\n\r\n   \t\n{\"a\": \"x\\r\"}\r\n\n{\"a\": 3}";
    writeRaw(path, bytes);
    JsonlReader r(path);
    EXPECT_EQ(r.fileSize(), static_cast<int64_t>(bytes.size()));
    json j;
    ASSERT_TRUE(r.next(j));
    EXPECT_EQ(j["a"], 1);
    EXPECT_EQ(r.lineNumber(), 1);
    ASSERT_TRUE(r.next(j));
    EXPECT_EQ(j["a"], "x\r"); // an escaped \r inside a string is data, not a line ending
    EXPECT_EQ(r.lineNumber(), 4);
    EXPECT_EQ(r.where(), path + ":4");
    ASSERT_TRUE(r.next(j));
    EXPECT_EQ(j["a"], 3);
    EXPECT_EQ(r.lineNumber(), 6);
    EXPECT_EQ(r.bytesRead(), r.fileSize());
    EXPECT_FALSE(r.next(j));
    EXPECT_FALSE(r.next(j));
    EXPECT_EQ(r.badLines(), 0);
}

TEST(JsonlReader, BytesReadGrowsLineByLine) {
    TempDir dir;
    const std::string path = dir.file("a.jsonl");
    writeRaw(path, "{\"a\":1}\n{\"a\":22}\n");
    JsonlReader r(path);
    json j;
    ASSERT_TRUE(r.next(j));
    EXPECT_EQ(r.bytesRead(), 8);
    ASSERT_TRUE(r.next(j));
    EXPECT_EQ(r.bytesRead(), 17);
    EXPECT_FALSE(r.next(j));
    EXPECT_EQ(r.bytesRead(), 17);
}

TEST(JsonlReader, ReadsAOneMegabyteLine) {
    TempDir dir;
    const std::string path = dir.file("big.jsonl");
    std::string text(1 << 20, 'x');
    for (size_t i = 0; i < text.size(); i += 97)
        text[i] = 'a' + static_cast<char>(i % 26);
    mm::test::writeLines(path,
                         {json{{"text", "short"}}.dump(), json{{"text", text}}.dump(), json{{"text", "tail"}}.dump()});
    JsonlReader r(path);
    auto all = readAll(r);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[1]["text"].get<std::string>(), text);
    EXPECT_EQ(all[2]["text"], "tail");
}

TEST(JsonlReader, BadJsonNamesFileAndLine) {
    TempDir dir;
    const std::string path = dir.file("bad.jsonl");
    writeRaw(path, "{\"text\": \"ok\"}\n\n{\"text\": oops}\n{\"text\": \"after\"}\n");
    JsonlReader r(path);
    json j;
    ASSERT_TRUE(r.next(j));
    expectError<InputError>([&] { r.next(j); }, {path + ":3: invalid JSON (", "fix the line or pass --skip_bad_lines"});
}

TEST(JsonlReader, ParseMessageIsShortened) {
    TempDir dir;
    const std::string path = dir.file("bad.jsonl");
    // An unterminated 100 KB string: the parser's message quotes what it read.
    writeRaw(path, "{\"text\": \"" + std::string(100000, 'y') + "\n");
    JsonlReader r(path);
    json j;
    try {
        r.next(j);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        const std::string msg = e.what();
        EXPECT_LT(msg.size(), 400u) << msg;
        EXPECT_EQ(msg.find("[json.exception"), std::string::npos) << msg;
        EXPECT_NE(msg.find(path + ":1: invalid JSON"), std::string::npos) << msg;
    }
}

TEST(JsonlReader, NonObjectLineIsBad) {
    TempDir dir;
    const std::string path = dir.file("arr.jsonl");
    writeRaw(path, "[1, 2]\n");
    JsonlReader r(path);
    json j;
    expectError<InputError>([&] { r.next(j); }, {path + ":1: expected a JSON object, got an array"});
}

// Found by tests/fuzz/fuzz_jsonl.cpp: a number literal beyond double's range
// escaped as nlohmann's out_of_range instead of a file:line error.
TEST(JsonlReader, NumberTooLargeForADoubleIsABadLineNamedByFileAndLine) {
    TempDir dir;
    const std::string path = dir.file("big.jsonl");
    writeRaw(path, "{\"text\": \"ok\"}\n{\"text\": \"x\", \"n\": -2.1E00004054748367}\n{\"text\": \"after\"}\n");
    {
        JsonlReader r(path);
        json j;
        ASSERT_TRUE(r.next(j));
        expectError<InputError>([&] { r.next(j); }, {path + ":2: invalid JSON", "too large"});
    }
    JsonlReader skip(path, true);
    json j;
    ASSERT_TRUE(skip.next(j));
    ASSERT_TRUE(skip.next(j));
    EXPECT_EQ(j["text"], "after");
    EXPECT_EQ(skip.badLines(), 1);
}

TEST(JsonlReader, SkipBadLinesCountsAndContinues) {
    TempDir dir;
    const std::string path = dir.file("mixed.jsonl");
    writeRaw(path, "{\"i\": 1}\n{broken\n{\"i\": 2}\n42\n\"str\"\n{\"i\": 3}\n");
    JsonlReader r(path, /*skipBadLines=*/true);
    auto all = readAll(r);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[2]["i"], 3);
    EXPECT_EQ(r.badLines(), 3);
    ASSERT_EQ(r.badLineSamples().size(), 3u);
    EXPECT_NE(r.badLineSamples()[0].find(path + ":2: invalid JSON"), std::string::npos);
    EXPECT_NE(r.badLineSamples()[1].find(path + ":4: expected a JSON object, got a number"), std::string::npos);
    EXPECT_NE(r.badLineSamples()[2].find(path + ":5:"), std::string::npos);
}

TEST(JsonlReader, KeepsOnlyTheFirstFewBadLineSamples) {
    TempDir dir;
    const std::string path = dir.file("junk.jsonl");
    std::string bytes;
    for (int i = 0; i < 20; ++i)
        bytes += "not json " + std::to_string(i) + "\n";
    bytes += "{\"ok\": true}\n";
    writeRaw(path, bytes);
    JsonlReader r(path, true);
    auto all = readAll(r);
    EXPECT_EQ(all.size(), 1u);
    EXPECT_EQ(r.badLines(), 20);
    ASSERT_EQ(r.badLineSamples().size(), 5u);
    EXPECT_NE(r.badLineSamples()[0].find(path + ":1:"), std::string::npos);
    EXPECT_NE(r.badLineSamples()[4].find(path + ":5:"), std::string::npos);
}

TEST(JsonlReader, RejectThrowsOrCounts) {
    TempDir dir;
    const std::string path = dir.file("r.jsonl");
    writeRaw(path, "{\"x\": 1}\n{\"x\": 2}\n");
    {
        JsonlReader r(path);
        json j;
        ASSERT_TRUE(r.next(j));
        expectError<InputError>([&] { r.reject("field \"text\" is missing"); },
                                {path + ":1: field \"text\" is missing", "--skip_bad_lines"});
    }
    {
        JsonlReader r(path, true);
        json j;
        ASSERT_TRUE(r.next(j));
        r.reject("field \"text\" is missing");
        ASSERT_TRUE(r.next(j));
        // A validator message already names the line: no second prefix.
        r.reject(r.where() + ": conversation has no assistant turn");
        EXPECT_FALSE(r.next(j));
        EXPECT_EQ(r.badLines(), 2);
        ASSERT_EQ(r.badLineSamples().size(), 2u);
        EXPECT_EQ(r.badLineSamples()[0], path + ":1: field \"text\" is missing");
        EXPECT_EQ(r.badLineSamples()[1], path + ":2: conversation has no assistant turn");
    }
}

TEST(JsonlReader, MissingFileIsAnIoError) {
    TempDir dir;
    const std::string path = dir.file("nope.jsonl");
    expectError<IoError>([&] { JsonlReader r(path); },
                         {"cannot open data file " + path + ": No such file", "check --data_path"});
    expectError<IoError>([&] { JsonlReader r(dir.path()); }, {dir.path(), "directory", "--data_path"});
}

// ---------------------------------------------------------------------------
// Validators

const std::string kWhere = "data.jsonl:17";

TEST(Validators, PretrainText) {
    EXPECT_EQ(pretrainText(json{{"text", "hello"}}, kWhere), "hello");
    expectError<InputError>(
        [] {
            pretrainText(json{{"txt", "hello"}}, kWhere);
        },
        {"data.jsonl:17: field \"text\" is missing"});
    expectError<InputError>(
        [] {
            pretrainText(json{{"text", 5}}, kWhere);
        },
        {"data.jsonl:17: field \"text\" is a number; expected a string"});
    expectError<InputError>(
        [] {
            pretrainText(json{{"text", ""}}, kWhere);
        },
        {"data.jsonl:17: field \"text\" is empty"});
}

json turn(const std::string& role, const std::string& content) { return json{{"role", role}, {"content", content}}; }

TEST(Validators, ConversationAcceptsValidTurns) {
    auto msgs = conversation(json{{"conversations",
                                   {turn("system", "be brief"), turn("user", "hi"), turn("assistant", "hello"),
                                    turn("user", ""), turn("assistant", "ok")}}},
                             kWhere);
    ASSERT_EQ(msgs.size(), 5u);
    EXPECT_EQ(msgs[0].role, "system");
    EXPECT_EQ(msgs[2].content, "hello");
    EXPECT_EQ(msgs[3].content, "");
    // A trailing user turn is allowed as long as some assistant turn exists.
    EXPECT_EQ(
        conversation(json{{"conversations", {turn("user", "a"), turn("assistant", "b"), turn("user", "c")}}}, kWhere)
            .size(),
        3u);
}

TEST(Validators, ConversationErrorsNameLineAndField) {
    auto conv = [](json turns) { return json{{"conversations", std::move(turns)}}; };
    struct Case {
        json record;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {json{{"text", "x"}}, "data.jsonl:17: field \"conversations\" is missing"},
        {json{{"conversations", "hi"}}, "data.jsonl:17: field \"conversations\" is a string; expected an array"},
        {conv(json::array()), "data.jsonl:17: field \"conversations\" is empty"},
        {conv({turn("user", "a"), 7}), "data.jsonl:17: field \"conversations\"[1] is a number; expected an object"},
        {conv({json{{"content", "a"}}}), "data.jsonl:17: field \"conversations\"[0].role is missing"},
        {conv({json{{"role", "user"}}}), "data.jsonl:17: field \"conversations\"[0].content is missing"},
        {conv({json{{"role", 1}, {"content", "a"}}}),
         "data.jsonl:17: field \"conversations\"[0].role is a number; expected a string"},
        {conv({turn("user", "a"), json{{"role", "assistant"}, {"content", nullptr}}}),
         "data.jsonl:17: field \"conversations\"[1].content is null; expected a string"},
        {conv({turn("user", "a"), turn("assistant", "b"), turn("bot", "c")}),
         "data.jsonl:17: field \"conversations\"[2].role is \"bot\"; expected \"user\" or \"assistant\""},
        {conv({turn("user", "a"), turn("system", "b"), turn("assistant", "c")}),
         "data.jsonl:17: field \"conversations\"[1].role is \"system\"; a system turn is only allowed first"},
        {conv({turn("assistant", "a")}),
         "data.jsonl:17: field \"conversations\"[0].role is \"assistant\"; expected \"user\""},
        {conv({turn("system", "s"), turn("assistant", "a")}),
         "data.jsonl:17: field \"conversations\"[1].role is \"assistant\"; expected \"user\""},
        {conv({turn("user", "a"), turn("user", "b"), turn("assistant", "c")}),
         "data.jsonl:17: field \"conversations\"[1].role is \"user\"; expected \"assistant\""},
        {conv({turn("user", "a"), turn("assistant", "")}),
         "data.jsonl:17: field \"conversations\"[1].content is empty"},
        {conv({turn("system", "s"), turn("user", "a")}), "data.jsonl:17: conversation has no assistant turn"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.record.dump());
        expectError<InputError>([&] { conversation(c.record, kWhere); }, {c.expected});
    }
}

TEST(Validators, PreferencePair) {
    json prompt = {turn("user", "q1"), turn("assistant", "a1"), turn("user", "q2")};
    json chosen = prompt, rejected = prompt;
    chosen.push_back(turn("assistant", "good"));
    rejected.push_back(turn("assistant", "bad"));
    auto pair = preferencePair(json{{"chosen", chosen}, {"rejected", rejected}}, kWhere);
    ASSERT_EQ(pair.chosen.size(), 4u);
    EXPECT_EQ(pair.chosen.back().content, "good");
    EXPECT_EQ(pair.rejected.back().content, "bad");

    expectError<InputError>(
        [&] {
            preferencePair(json{{"chosen", chosen}}, kWhere);
        },
        {"data.jsonl:17: field \"rejected\" is missing"});
    expectError<InputError>(
        [&] {
            preferencePair(json{{"chosen", chosen}, {"rejected", prompt}}, kWhere);
        },
        {"data.jsonl:17: field \"rejected\" ends with a user turn"});
    json shortRejected = {turn("user", "q2"), turn("assistant", "bad")};
    expectError<InputError>(
        [&] {
            preferencePair(json{{"chosen", chosen}, {"rejected", shortRejected}}, kWhere);
        },
        {"data.jsonl:17: DPO pair: \"chosen\" has 4 turns and \"rejected\" has 2"});
    json changed = rejected;
    changed[1]["content"] = "other";
    expectError<InputError>(
        [&] {
            preferencePair(json{{"chosen", chosen}, {"rejected", changed}}, kWhere);
        },
        {"data.jsonl:17: DPO pair: \"chosen\" and \"rejected\" differ before the last turn (turn 1)"});
    json badRole = rejected;
    badRole[2]["role"] = "tool";
    expectError<InputError>(
        [&] {
            preferencePair(json{{"chosen", chosen}, {"rejected", badRole}}, kWhere);
        },
        {"data.jsonl:17: field \"rejected\"[2].role is \"tool\""});
}

TEST(Validators, AnyTexts) {
    EXPECT_EQ(anyTexts(json{{"text", "plain"}}, kWhere), std::vector<std::string>{"plain"});
    EXPECT_EQ(
        anyTexts(json{{"conversations", {turn("system", "s"), turn("user", ""), turn("assistant", "a")}}}, kWhere),
        (std::vector<std::string>{"s", "a"}));
    json chosen = {turn("user", "q"), turn("assistant", "good")};
    json rejected = {turn("user", "q"), turn("assistant", "bad")};
    EXPECT_EQ(anyTexts(json{{"chosen", chosen}, {"rejected", rejected}}, kWhere),
              (std::vector<std::string>{"q", "good", "bad"}));
    expectError<InputError>(
        [] {
            anyTexts(json{{"input", "x"}, {"output", "y"}}, kWhere);
        },
        {"data.jsonl:17: unrecognised record", "\"input\", \"output\""});
    expectError<InputError>([] { anyTexts(json{{"text", 3}}, kWhere); }, {"data.jsonl:17: field \"text\""});
}

TEST(Validators, ErrorThroughReaderNamesRealLine) {
    TempDir dir;
    const std::string path = dir.file("data.jsonl");
    std::vector<std::string> lines;
    for (int i = 0; i < 16; ++i)
        lines.push_back(json{{"conversations", {turn("user", "q"), turn("assistant", "a")}}}.dump());
    lines.push_back(json{{"conversations", {turn("user", "q"), turn("assistant", "a"), turn("bot", "c")}}}.dump());
    mm::test::writeLines(path, lines);
    JsonlReader r(path);
    json j;
    int good = 0;
    try {
        while (r.next(j)) {
            conversation(j, r.where());
            ++good;
        }
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_EQ(good, 16);
        EXPECT_EQ(std::string(e.what()),
                  path + ":17: field \"conversations\"[2].role is \"bot\"; expected \"user\" or \"assistant\"");
    }
}

} // namespace
} // namespace mm::data
