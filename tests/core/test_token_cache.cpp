// TokenCache building/reuse, the SFT mask, PretrainDataset samples and
// summarize(), with the real fixture tokenizer and real files.

#include "core/fixtures.h"

#include "common/error.h"
#include "common/fs.h"
#include "data/token_cache.h"
#include "data/token_cache_header.h"
#include "text/chat_template.h"
#include "text/tokenizer.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mm::data {
namespace {

using mm::test::TempDir;
using nlohmann::json;
namespace special = mm::text::special;
namespace stdfs = std::filesystem;

class TokenCacheTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (!s_tok)
            s_tok = std::make_unique<text::Tokenizer>(text::Tokenizer::load(mm::test::fixtureTokenizer()));
    }
    static const text::Tokenizer& tok() { return *s_tok; }

    std::string cacheDir() const { return m_dir.file("cache"); }

    TokenCache build(const std::string& data, CacheFormat format = CacheFormat::Pretrain, int* progressCalls = nullptr,
                     bool skip = false) {
        CacheBuildOptions opts;
        opts.format = format;
        opts.skipBadLines = skip;
        if (progressCalls)
            opts.progress = [progressCalls](int64_t done, int64_t total) {
                EXPECT_LE(done, total);
                ++*progressCalls;
            };
        return TokenCache::openOrBuild(data, tok(), cacheDir(), opts);
    }

    std::vector<int> docTokens(const TokenCache& c, int64_t i) const {
        return std::vector<int>(c.tokens() + c.docBegin(i), c.tokens() + c.docEnd(i));
    }
    std::vector<int> docMask(const TokenCache& c, int64_t i) const {
        return std::vector<int>(c.mask() + c.docBegin(i), c.mask() + c.docEnd(i));
    }
    std::vector<std::string> cacheDirEntries() const {
        std::vector<std::string> names;
        for (const auto& e : stdfs::directory_iterator(cacheDir()))
            names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    }

    TempDir m_dir;
    static std::unique_ptr<text::Tokenizer> s_tok;
};
std::unique_ptr<text::Tokenizer> TokenCacheTest::s_tok;

std::vector<int> concat(std::initializer_list<std::vector<int>> parts) {
    std::vector<int> out;
    for (const auto& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

struct stat statOf(const std::string& path) {
    struct stat st {};
    EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
    return st;
}

// ---------------------------------------------------------------------------
// Building and reuse

TEST_F(TokenCacheTest, PretrainTokensAreEncodePlusImEnd) {
    // 300 documents: enough for the multi-threaded tokenization path.
    const auto texts = mm::test::corpusTexts(300);
    const std::string data = mm::test::writePretrainJsonl(m_dir.path(), 300);
    int calls = 0;
    TokenCache c = build(data, CacheFormat::Pretrain, &calls);
    EXPECT_GE(calls, 1);
    ASSERT_EQ(c.numDocuments(), 300);
    EXPECT_FALSE(c.hasMask());
    EXPECT_EQ(c.mask(), nullptr);
    EXPECT_EQ(c.badLines(), 0);
    int64_t total = 0;
    for (int i = 0; i < 300; ++i) {
        auto expected = tok().encode(texts[i]);
        expected.push_back(special::kImEnd);
        EXPECT_EQ(docTokens(c, i), expected) << "document " << i;
        total += static_cast<int64_t>(expected.size());
    }
    EXPECT_EQ(c.numTokens(), total);
    EXPECT_EQ(c.docBegin(0), 0);
    EXPECT_EQ(c.docEnd(299), total);

    // File name and key follow the documented recipe.
    const std::string key = fs::hashHex(fs::fileStamp(data) + "|" + tok().fingerprint() + "|pretrain|v1");
    EXPECT_EQ(c.key(), key);
    EXPECT_EQ(c.path(), (stdfs::path(cacheDir()) / ("tok_" + key + ".bin")).string());
    // Nothing but the cache is left behind.
    EXPECT_EQ(cacheDirEntries(), std::vector<std::string>{"tok_" + key + ".bin"});
}

TEST_F(TokenCacheTest, ManyBatchesKeepDocumentOrder) {
    // More documents than one tokenization batch holds, so batch boundaries and
    // repeated progress reports are exercised. Document i is i+1 <think> tokens
    // (mod 7), so every id and boundary is known without the tokenizer.
    const int n = 40000;
    std::vector<std::string> lines;
    lines.reserve(n);
    int64_t expectedTokens = 0;
    for (int i = 0; i < n; ++i) {
        std::string text;
        for (int k = 0; k <= i % 7; ++k)
            text += "<think>";
        lines.push_back(json{{"text", text}}.dump());
        expectedTokens += i % 7 + 2;
    }
    const std::string data = m_dir.file("many.jsonl");
    mm::test::writeLines(data, lines);
    int64_t lastDone = -1, total = 0;
    CacheBuildOptions opts;
    opts.progress = [&](int64_t done, int64_t size) {
        EXPECT_GT(done, lastDone);
        lastDone = done;
        total = size;
    };
    TokenCache c = TokenCache::openOrBuild(data, tok(), cacheDir(), opts);
    EXPECT_EQ(lastDone, total);
    EXPECT_EQ(total, static_cast<int64_t>(stdfs::file_size(data)));
    ASSERT_EQ(c.numDocuments(), n);
    ASSERT_EQ(c.numTokens(), expectedTokens);
    for (int i = 0; i < n; ++i) {
        std::vector<int> expected(i % 7 + 1, special::kThinkOpen);
        expected.push_back(special::kImEnd);
        ASSERT_EQ(docTokens(c, i), expected) << "document " << i;
    }
}

TEST_F(TokenCacheTest, ReopenReusesTheSameFile) {
    const std::string data = mm::test::writePretrainJsonl(m_dir.path(), 20);
    int firstCalls = 0, secondCalls = 0;
    TokenCache first = build(data, CacheFormat::Pretrain, &firstCalls);
    const struct stat before = statOf(first.path());
    std::vector<int> firstTokens(first.tokens(), first.tokens() + first.numTokens());

    TokenCache second = build(data, CacheFormat::Pretrain, &secondCalls);
    const struct stat after = statOf(second.path());
    EXPECT_GE(firstCalls, 1);
    EXPECT_EQ(secondCalls, 0) << "the data file was read again: the cache was rebuilt";
    EXPECT_EQ(second.path(), first.path());
    EXPECT_EQ(after.st_ino, before.st_ino);
    EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
    EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
    EXPECT_EQ(std::vector<int>(second.tokens(), second.tokens() + second.numTokens()), firstTokens);

    // open() on the path gives the same view.
    TokenCache third = TokenCache::open(first.path());
    EXPECT_EQ(third.key(), first.key());
    EXPECT_EQ(third.numDocuments(), 20);
    EXPECT_EQ(third.numTokens(), first.numTokens());

    // Moving keeps the mapping alive and empties the source.
    TokenCache moved = std::move(third);
    EXPECT_EQ(moved.numTokens(), first.numTokens());
    EXPECT_EQ(moved.tokens()[0], first.tokens()[0]);
    EXPECT_EQ(third.tokens(), nullptr);
}

TEST_F(TokenCacheTest, ChangingTheDataFileChangesTheKey) {
    const std::string data = mm::test::writePretrainJsonl(m_dir.path(), 10);
    TokenCache a = build(data);

    // Same content, new modification time (touch).
    struct timespec times[2];
    times[0].tv_nsec = UTIME_OMIT;
    times[1].tv_sec = statOf(data).st_mtim.tv_sec + 5;
    times[1].tv_nsec = 0;
    ASSERT_EQ(::utimensat(AT_FDCWD, data.c_str(), times, 0), 0);
    int calls = 0;
    TokenCache b = build(data, CacheFormat::Pretrain, &calls);
    EXPECT_NE(b.key(), a.key());
    EXPECT_NE(b.path(), a.path());
    EXPECT_GE(calls, 1);
    EXPECT_EQ(b.numTokens(), a.numTokens());

    // Rewritten with other content.
    mm::test::writePretrainJsonl(m_dir.path(), 12);
    TokenCache c = build(data);
    EXPECT_NE(c.key(), a.key());
    EXPECT_NE(c.key(), b.key());
    EXPECT_EQ(c.numDocuments(), 12);

    // Another format is another cache too (a pretrain file read as SFT would
    // fail validation, so the SFT file is a fresh one).
    const std::string sft = m_dir.file("sft.jsonl");
    mm::test::writeLines(
        sft, {json{{"conversations", {{{"role", "user"}, {"content", "q"}}, {{"role", "assistant"}, {"content", "a"}}}}}
                  .dump()});
    TokenCache d = build(sft, CacheFormat::Sft);
    EXPECT_TRUE(d.hasMask());
    EXPECT_EQ(cacheDirEntries().size(), 4u);
}

TEST_F(TokenCacheTest, PartialFilesAreNotMistakenForACache) {
    const std::string data = mm::test::writePretrainJsonl(m_dir.path(), 15);
    std::vector<int> good;
    std::string path, key;
    {
        TokenCache c = build(data);
        good.assign(c.tokens(), c.tokens() + c.numTokens());
        path = c.path();
        key = c.key();
    }
    const auto size = stdfs::file_size(path);

    // A killed build's temp file (recent: left alone) and one long dead (removed).
    const std::string freshJunk = path + ".tmp.123";
    const std::string staleJunk = path + ".tmp.999999999";
    for (const auto& junk : {freshJunk, staleJunk}) {
        std::ofstream(junk, std::ios::binary) << "MMTOK001 half written";
    }
    struct timespec old[2];
    old[0].tv_sec = old[1].tv_sec = ::time(nullptr) - 3600;
    old[0].tv_nsec = old[1].tv_nsec = 0;
    ASSERT_EQ(::utimensat(AT_FDCWD, staleJunk.c_str(), old, 0), 0);

    EXPECT_THROW(TokenCache::open(m_dir.file("no_such_cache.bin")), IoError);

    // The cache itself cut in half.
    ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(size / 2)), 0);
    EXPECT_THROW(TokenCache::open(path), InputError);
    int calls = 0;
    {
        TokenCache c = build(data, CacheFormat::Pretrain, &calls);
        EXPECT_GE(calls, 1) << "a truncated cache must be rebuilt";
        EXPECT_EQ(c.key(), key);
        EXPECT_EQ(stdfs::file_size(path), size);
        EXPECT_EQ(std::vector<int>(c.tokens(), c.tokens() + c.numTokens()), good);
    }
    EXPECT_TRUE(stdfs::exists(freshJunk));
    EXPECT_FALSE(stdfs::exists(staleJunk));

    // Garbage of the right size and a header-only stub are rejected too.
    for (const std::string& bytes : {std::string(size, 'x'), std::string(256, '\0'), std::string("MMTOK001")}) {
        std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
        EXPECT_THROW(TokenCache::open(path), InputError);
        calls = 0;
        TokenCache c = build(data, CacheFormat::Pretrain, &calls);
        EXPECT_GE(calls, 1);
        EXPECT_EQ(std::vector<int>(c.tokens(), c.tokens() + c.numTokens()), good);
    }
}

TEST_F(TokenCacheTest, BadLinesFollowSkipBadLines) {
    const std::string data = m_dir.file("bad.jsonl");
    mm::test::writeLines(data, {json{{"text", "good one"}}.dump(), "{\"text\": ", json{{"text", ""}}.dump(),
                                json{{"text", "good two"}}.dump()});
    try {
        build(data);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(data + ":2: invalid JSON"), std::string::npos) << e.what();
    }
    // A failed build leaves nothing in the cache directory.
    EXPECT_TRUE(cacheDirEntries().empty());

    TokenCache c = build(data, CacheFormat::Pretrain, nullptr, /*skip=*/true);
    EXPECT_EQ(c.numDocuments(), 2);
    EXPECT_EQ(c.badLines(), 2);
    auto expected = tok().encode("good two");
    expected.push_back(special::kImEnd);
    EXPECT_EQ(docTokens(c, 1), expected);
}

TEST_F(TokenCacheTest, ValidationErrorsNameLineAndField) {
    const std::string data = m_dir.file("sft.jsonl");
    mm::test::writeLines(
        data,
        {json{{"conversations", {{{"role", "user"}, {"content", "q"}}, {{"role", "assistant"}, {"content", "a"}}}}}
             .dump(),
         json{{"conversations", {{{"role", "user"}, {"content", "q"}}, {{"role", "bot"}, {"content", "a"}}}}}.dump()});
    try {
        build(data, CacheFormat::Sft);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(data + ":2: field \"conversations\"[1].role is \"bot\""),
                  std::string::npos)
            << e.what();
    }
    // A pretrain file read as SFT names the missing field.
    const std::string pre = mm::test::writePretrainJsonl(m_dir.path(), 2);
    try {
        build(pre, CacheFormat::Sft);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(pre + ":1: field \"conversations\" is missing"), std::string::npos)
            << e.what();
    }
}

TEST_F(TokenCacheTest, NoUsableRecordsAndMissingFile) {
    const std::string blank = m_dir.file("blank.jsonl");
    mm::test::writeLines(blank, {"", "   ", ""});
    try {
        build(blank);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(blank + ": no usable records"), std::string::npos) << e.what();
    }
    const std::string junk = m_dir.file("junk.jsonl");
    mm::test::writeLines(junk, {"nope", "[]"});
    try {
        build(junk, CacheFormat::Pretrain, nullptr, true);
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(junk + ": no usable records (2 bad lines skipped; first: " + junk + ":1:"),
                  std::string::npos)
            << msg;
    }
    try {
        build(m_dir.file("missing.jsonl"));
        FAIL() << "expected IoError";
    } catch (const IoError& e) {
        EXPECT_NE(std::string(e.what()).find("missing.jsonl"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("--data_path"), std::string::npos);
    }
}

// ---------------------------------------------------------------------------
// SFT mask

TEST_F(TokenCacheTest, SftMaskMarksAssistantContentAndItsImEnd) {
    const std::string user = "请复述：床前明月光。", answer = "The quick brown fox jumps over the lazy dog.";
    const std::string data = m_dir.file("two.jsonl");
    mm::test::writeLines(
        data,
        {json{{"conversations", {{{"role", "user"}, {"content", user}}, {{"role", "assistant"}, {"content", answer}}}}}
             .dump()});
    TokenCache c = build(data, CacheFormat::Sft);
    ASSERT_EQ(c.numDocuments(), 1);
    ASSERT_TRUE(c.hasMask());

    // Separately encoded segments: prompt (no target), answer, <|im_end|> (targets), "\n" (no target).
    const auto prompt = tok().encode("<|im_start|>user\n" + user + "<|im_end|>\n<|im_start|>assistant\n");
    const auto content = tok().encode(answer);
    const auto newline = tok().encode("\n");
    ASSERT_EQ(prompt.front(), special::kImStart);
    const auto expectedTokens = concat({prompt, content, {special::kImEnd}, newline});
    std::vector<int> expectedMask = concat({std::vector<int>(prompt.size(), 0),
                                            std::vector<int>(content.size(), 1),
                                            {1},
                                            std::vector<int>(newline.size(), 0)});
    const auto tokens = docTokens(c, 0);
    const auto mask = docMask(c, 0);
    ASSERT_EQ(tokens.size(), expectedTokens.size());
    for (size_t i = 0; i < tokens.size(); ++i) {
        EXPECT_EQ(tokens[i], expectedTokens[i]) << "token " << i << " (" << tok().idToPiece(tokens[i]) << ")";
        EXPECT_EQ(mask[i], expectedMask[i]) << "mask " << i << " (" << tok().idToPiece(tokens[i]) << ")";
    }
    // The ids spell the rendered conversation exactly.
    EXPECT_EQ(tok().decode(tokens), text::renderChat({{"user", user}, {"assistant", answer}}, false));
}

TEST_F(TokenCacheTest, SftMaskOnMultiTurnConversations) {
    const std::vector<text::Message> msgs = {{"system", "You are terse."},
                                             {"user", "hi"},
                                             {"assistant", "hello"},
                                             {"user", ""},
                                             {"assistant", "白日依山尽"}};
    json turns = json::array();
    for (const auto& m : msgs)
        turns.push_back({{"role", m.role}, {"content", m.content}});
    const std::string data = m_dir.file("multi.jsonl");
    mm::test::writeLines(data, {json{{"conversations", turns}}.dump()});
    TokenCache c = build(data, CacheFormat::Sft);
    ASSERT_EQ(c.numDocuments(), 1);
    const auto tokens = docTokens(c, 0);
    const auto mask = docMask(c, 0);
    EXPECT_EQ(tok().decode(tokens), text::renderChat(msgs, false));

    // Masked runs, decoded, are exactly each answer followed by <|im_end|>.
    std::vector<std::string> runs;
    for (size_t i = 0; i < tokens.size();) {
        if (!mask[i]) {
            ++i;
            continue;
        }
        std::vector<int> run;
        for (; i < tokens.size() && mask[i]; ++i)
            run.push_back(tokens[i]);
        runs.push_back(tok().decode(run));
    }
    EXPECT_EQ(runs, (std::vector<std::string>{"hello<|im_end|>", "白日依山尽<|im_end|>"}));
    // The last token is the "\n" after the final <|im_end|>: not a target.
    EXPECT_EQ(mask.back(), 0);
    EXPECT_EQ(tokens[tokens.size() - 2], special::kImEnd);
}

TEST_F(TokenCacheTest, SftCorpusFile) {
    // Conversations from the fixture corpus (Chinese, English, code, emoji).
    // Built here rather than with writeSftJsonl, whose byte-cut prompts can
    // split a UTF-8 character.
    const auto texts = mm::test::corpusTexts(24);
    std::vector<std::string> lines;
    for (int i = 0; i < 12; ++i)
        lines.push_back(json{{"conversations",
                              {{{"role", "user"}, {"content", "请复述：" + texts[2 * i]}},
                               {{"role", "assistant"}, {"content", texts[2 * i + 1]}}}}}
                            .dump());
    const std::string data = m_dir.file("corpus_sft.jsonl");
    mm::test::writeLines(data, lines);
    TokenCache c = build(data, CacheFormat::Sft);
    ASSERT_EQ(c.numDocuments(), 12);
    std::ifstream in(data);
    std::string line;
    for (int64_t d = 0; d < 12 && std::getline(in, line); ++d) {
        const auto conv = json::parse(line)["conversations"];
        std::vector<int> targets;
        const auto tokens = docTokens(c, d);
        const auto mask = docMask(c, d);
        for (size_t i = 0; i < tokens.size(); ++i)
            if (mask[i])
                targets.push_back(tokens[i]);
        EXPECT_EQ(tok().decode(targets), conv[1]["content"].get<std::string>() + "<|im_end|>") << "document " << d;
    }
}

// ---------------------------------------------------------------------------
// PretrainDataset and summarize on a cache whose ids are known by hand: special
// tokens always encode to their fixed ids.

class TinyCacheTest : public TokenCacheTest {
protected:
    void SetUp() override {
        const std::string data = m_dir.file("tiny.jsonl");
        // Documents become [3,5,2], [7,2], [3,4,5,6,7,2]: 11 tokens.
        mm::test::writeLines(data, {json{{"text", "<think><answer>"}}.dump(), json{{"text", "<tool_call>"}}.dump(),
                                    json{{"text", "<think></think><answer></answer><tool_call>"}}.dump()});
        m_cache = std::make_unique<TokenCache>(build(data));
    }
    std::unique_ptr<TokenCache> m_cache;
};

TEST_F(TinyCacheTest, CacheHoldsTheExpectedIds) {
    const TokenCache& c = *m_cache;
    ASSERT_EQ(c.numDocuments(), 3);
    ASSERT_EQ(c.numTokens(), 11);
    EXPECT_EQ(std::vector<int>(c.tokens(), c.tokens() + 11), (std::vector<int>{3, 5, 2, 7, 2, 3, 4, 5, 6, 7, 2}));
    EXPECT_EQ(c.docBegin(1), 3);
    EXPECT_EQ(c.docEnd(1), 5);
}

TEST_F(TinyCacheTest, PackSamples) {
    PretrainDataset ds(*m_cache, 4, PretrainDataset::Mode::Pack);
    ASSERT_EQ(ds.size(), 2); // (11 - 1) / 4
    Example ex;
    ds.get(0, ex);
    EXPECT_EQ(ex.x, (std::vector<int64_t>{3, 5, 2, 7}));
    EXPECT_EQ(ex.y, (std::vector<int64_t>{5, 2, 7, 2}));
    EXPECT_EQ(ex.w, (std::vector<float>{1, 1, 1, 1}));
    ds.get(1, ex);
    EXPECT_EQ(ex.x, (std::vector<int64_t>{2, 3, 4, 5}));
    EXPECT_EQ(ex.y, (std::vector<int64_t>{3, 4, 5, 6}));
    EXPECT_EQ(ex.w, (std::vector<float>{1, 1, 1, 1}));
    EXPECT_THROW(ds.get(2, ex), std::out_of_range);
    EXPECT_THROW(ds.get(-1, ex), std::out_of_range);

    // Exactly one window fits 10 + 1 tokens; none fits 11 + 1.
    EXPECT_EQ(PretrainDataset(*m_cache, 10, PretrainDataset::Mode::Pack).size(), 1);
    EXPECT_THROW(PretrainDataset(*m_cache, 11, PretrainDataset::Mode::Pack), InputError);
    EXPECT_THROW(PretrainDataset(*m_cache, 0, PretrainDataset::Mode::Pad), InputError);
}

TEST_F(TinyCacheTest, PadSamples) {
    PretrainDataset ds(*m_cache, 4, PretrainDataset::Mode::Pad);
    ASSERT_EQ(ds.size(), 3);
    Example ex;
    ds.get(0, ex); // [1,3,5,2]
    EXPECT_EQ(ex.x, (std::vector<int64_t>{1, 3, 5, 2}));
    EXPECT_EQ(ex.y, (std::vector<int64_t>{3, 5, 2, 0}));
    EXPECT_EQ(ex.w, (std::vector<float>{1, 1, 1, 0}));
    ds.get(1, ex); // [1,7,2,0,0]
    EXPECT_EQ(ex.x, (std::vector<int64_t>{1, 7, 2, 0}));
    EXPECT_EQ(ex.y, (std::vector<int64_t>{7, 2, 0, 0}));
    EXPECT_EQ(ex.w, (std::vector<float>{1, 1, 0, 0}));
    ds.get(2, ex); // [1,3,4,5,6] (7,2 cut off)
    EXPECT_EQ(ex.x, (std::vector<int64_t>{1, 3, 4, 5}));
    EXPECT_EQ(ex.y, (std::vector<int64_t>{3, 4, 5, 6}));
    EXPECT_EQ(ex.w, (std::vector<float>{1, 1, 1, 1}));
    EXPECT_THROW(ds.get(3, ex), std::out_of_range);

    // A document of exactly seqLen tokens fills the sample with no padding.
    PretrainDataset ds3(*m_cache, 3, PretrainDataset::Mode::Pad);
    ds3.get(0, ex);
    EXPECT_EQ(ex.x, (std::vector<int64_t>{1, 3, 5}));
    EXPECT_EQ(ex.y, (std::vector<int64_t>{3, 5, 2}));
    EXPECT_EQ(ex.w, (std::vector<float>{1, 1, 1}));
}

TEST_F(TinyCacheTest, Summary) {
    DataSummary s = summarize(*m_cache, 4);
    EXPECT_EQ(s.documents, 3);
    EXPECT_EQ(s.tokens, 11);
    EXPECT_EQ(s.badLines, 0);
    EXPECT_DOUBLE_EQ(s.meanTokensPerDoc, 11.0 / 3.0);
    EXPECT_EQ(s.p50TokensPerDoc, 3); // lengths 2, 3, 6
    EXPECT_EQ(s.p95TokensPerDoc, 6);
    EXPECT_EQ(s.maxTokensPerDoc, 6);
    EXPECT_EQ(s.seqLen, 4);
    EXPECT_EQ(s.packedSamples, 2);
    EXPECT_EQ(s.packedDroppedTokens, 2); // windows use tokens 0..8; 9 and 10 are never seen
    EXPECT_EQ(s.paddedSamples, 3);
    EXPECT_DOUBLE_EQ(s.truncatedShare, 1.0 / 3.0);       // only the 6-token document
    EXPECT_DOUBLE_EQ(s.truncatedTokenShare, 2.0 / 11.0); // it loses 2 tokens
    EXPECT_DOUBLE_EQ(s.paddingShare, 3.0 / 12.0);        // 1 + 2 padded targets of 3 * 4

    DataSummary big = summarize(*m_cache, 16);
    EXPECT_EQ(big.packedSamples, 0);
    EXPECT_EQ(big.packedDroppedTokens, 11);
    EXPECT_DOUBLE_EQ(big.truncatedShare, 0.0);
    EXPECT_DOUBLE_EQ(big.paddingShare, (14.0 + 13.0 + 10.0) / 48.0);
}

TEST_F(TinyCacheTest, PadModeHonoursAMaskedCache) {
    const std::string data = m_dir.file("one.jsonl");
    mm::test::writeLines(
        data, {json{{"conversations",
                     {{{"role", "user"}, {"content", "<think>"}}, {{"role", "assistant"}, {"content", "<answer>"}}}}}
                   .dump()});
    TokenCache c = build(data, CacheFormat::Sft);
    const auto tokens = docTokens(c, 0);
    const auto mask = docMask(c, 0);
    const int T = static_cast<int>(tokens.size()) + 2;
    PretrainDataset ds(c, T, PretrainDataset::Mode::Pad);
    Example ex;
    ds.get(0, ex);
    for (size_t j = 0; j < tokens.size(); ++j) {
        EXPECT_EQ(ex.y[j], tokens[j]);
        EXPECT_EQ(ex.w[j], static_cast<float>(mask[j]));
    }
    EXPECT_EQ(ex.w[T - 1], 0.0f);
}

// ---------------------------------------------------------------------------
// Hostile headers (found by tests/fuzz/fuzz_token_cache.cpp)

/// A cache file of `tokens` tokens in `docs` documents as written by
/// openOrBuild, then with header fields overwritten by `patch`.
std::string cacheBytes(const std::vector<std::vector<uint16_t>>& docs,
                       const std::function<void(CacheHeader&)>& patch = {}) {
    std::vector<uint16_t> tokens;
    std::vector<uint64_t> offsets{0};
    for (const auto& d : docs) {
        tokens.insert(tokens.end(), d.begin(), d.end());
        offsets.push_back(tokens.size());
    }
    CacheHeader h{};
    std::memcpy(h.magic, kCacheMagic, sizeof kCacheMagic);
    h.version = kCacheVersion;
    h.documents = static_cast<int64_t>(docs.size());
    h.tokens = static_cast<int64_t>(tokens.size());
    const size_t offsetsAt = (kCacheHeaderSize + 2 * tokens.size() + 7) / 8 * 8;
    h.tokensOffset = kCacheHeaderSize;
    h.offsetsOffset = offsetsAt;
    h.fileSize = offsetsAt + 8 * offsets.size();
    std::string bytes(h.fileSize, '\0');
    if (patch)
        patch(h);
    std::memcpy(&bytes[0], &h, sizeof h);
    std::memcpy(&bytes[kCacheHeaderSize], tokens.data(), 2 * tokens.size());
    std::memcpy(&bytes[offsetsAt], offsets.data(), 8 * offsets.size());
    return bytes;
}

/// validateCacheFile on an 8-byte aligned copy, as a mapping is.
std::string whyInvalid(const std::string& bytes) {
    std::vector<uint64_t> aligned((bytes.size() + 7) / 8);
    std::memcpy(aligned.data(), bytes.data(), bytes.size());
    return validateCacheFile(aligned.data(), bytes.size());
}

TEST(TokenCacheHeader, CountsWhoseSectionEndsWrapAroundAreRefused) {
    const std::vector<std::vector<uint16_t>> docs{{5, 6}, {7, 2}};
    ASSERT_EQ(whyInvalid(cacheBytes(docs)), "");
    // The fuzzer's find: 2^61 + 3 documents make 8 * (documents + 1) wrap to
    // 32, so the offset array passed the bounds check and the offsets were
    // then read 2^61 entries past the mapping.
    EXPECT_EQ(whyInvalid(cacheBytes(docs, [](CacheHeader& h) { h.documents = (int64_t(1) << 61) + 3; })),
              "offset array out of bounds");
    // An offset array that starts just below 2^64: offset + size wraps too.
    EXPECT_EQ(whyInvalid(cacheBytes(docs, [](CacheHeader& h) { h.offsetsOffset = ~uint64_t(0) - 7; })),
              "offset array out of bounds");
    // The mask's end likewise.
    EXPECT_EQ(whyInvalid(cacheBytes(docs,
                                    [](CacheHeader& h) {
                                        h.flags = kCacheHasMask;
                                        h.maskOffset = ~uint64_t(0) - 1;
                                    })),
              "mask out of bounds");
    EXPECT_EQ(whyInvalid(cacheBytes(docs, [](CacheHeader& h) { h.tokens = int64_t(1) << 62; })),
              "token array out of bounds");

    // Through TokenCache::open, which a build's reuse check goes through.
    TempDir dir;
    const std::string path = dir.file("hostile.bin");
    std::ofstream(path, std::ios::binary)
        << cacheBytes(docs, [](CacheHeader& h) { h.documents = (int64_t(1) << 61) + 3; });
    try {
        TokenCache::open(path);
        FAIL() << "a cache with 2^61 documents opened";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("offset array out of bounds"), std::string::npos) << e.what();
    }
    std::ofstream(path, std::ios::binary | std::ios::trunc) << cacheBytes(docs);
    const TokenCache c = TokenCache::open(path);
    EXPECT_EQ(c.numDocuments(), 2);
    EXPECT_EQ(std::vector<int>(c.tokens() + c.docBegin(1), c.tokens() + c.docEnd(1)), (std::vector<int>{7, 2}));
}

} // namespace
} // namespace mm::data
