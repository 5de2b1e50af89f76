// Tokenizer and chat template tests against a real SentencePiece model trained
// on the fixture corpus (no mocks).

#include "core/fixtures.h"

#include "common/error.h"
#include "common/fs.h"
#include "text/chat_template.h"
#include "text/tokenizer.h"

#include <gtest/gtest.h>
#include "text/spm_backend.h"

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <thread>

namespace mm::text {
namespace {

const Tokenizer& fixture() {
    static const Tokenizer tok = Tokenizer::load(test::fixtureTokenizer());
    return tok;
}

/// Trains from an in-memory list of texts.
void trainFrom(const std::vector<std::string>& texts, const std::string& out, const TokenizerTrainOptions& opts) {
    size_t i = 0;
    trainTokenizer(
        [&](std::string& t) {
            if (i >= texts.size())
                return false;
            t = texts[i++];
            return true;
        },
        out, opts);
}

std::string idList(const std::vector<int>& ids) {
    std::string s;
    for (int id : ids)
        s += std::to_string(id) + " ";
    return s;
}

TEST(Tokenizer, SpecialTokensHaveFixedIds) {
    const auto& tok = fixture();
    const auto& specials = specialTokenStrings();
    ASSERT_EQ(specials.size(), static_cast<size_t>(special::kCount));
    EXPECT_EQ(specials[special::kEndOfText], "<|endoftext|>");
    EXPECT_EQ(specials[special::kImStart], "<|im_start|>");
    EXPECT_EQ(specials[special::kImEnd], "<|im_end|>");
    EXPECT_EQ(specials[special::kThinkOpen], "<think>");
    EXPECT_EQ(specials[special::kThinkClose], "</think>");
    EXPECT_EQ(specials[special::kAnswerOpen], "<answer>");
    EXPECT_EQ(specials[special::kAnswerClose], "</answer>");
    EXPECT_EQ(specials[special::kToolCallOpen], "<tool_call>");
    EXPECT_EQ(specials[special::kToolCallClose], "</tool_call>");
    EXPECT_EQ(tok.vocabSize(), 512);
    for (int i = 0; i < special::kCount; ++i) {
        EXPECT_EQ(tok.idToPiece(i), specials[i]);
        EXPECT_EQ(tok.encode(specials[i]), std::vector<int>{i}) << specials[i];
        EXPECT_EQ(tok.decode({i}), specials[i]);
    }
}

TEST(Tokenizer, SpecialTokensInsideTextEncodeToSingleIds) {
    const auto& tok = fixture();
    const std::string s = "before<|im_start|>user\n<think>x</think><|endoftext|>after<|im_end|>";
    const auto ids = tok.encode(s);
    for (int id : {special::kImStart, special::kImEnd, special::kThinkOpen, special::kThinkClose, special::kEndOfText})
        EXPECT_EQ(std::count(ids.begin(), ids.end(), id), 1) << "id " << id << " in " << idList(ids);
    EXPECT_EQ(tok.decode(ids), s);
}

TEST(Tokenizer, RoundTripsHardStrings) {
    const auto& tok = fixture();
    const std::vector<std::string> cases = {
        "",
        " ",
        "\n",
        "line one\nline two\n\n\nline five",
        "  leading",
        "trailing  ",
        "   many    runs     of   spaces   ",
        "\t",
        "\ttab\tseparated\t\tvalues\t",
        "\r\n windows \r\n",
        "emoji \xF0\x9F\x98\x80\xF0\x9F\x9A\x80 and a family "
        "\xF0\x9F\x91\xA8\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7",
        "def f(x):\n    if x:\n        return {'a': [1, 2]}  # done\n",
        "床前明月光，疑是地上霜。",
        "mixed 中文 English 123，数字4567！caf\xC3\xA9 na\xC3\xAFve",
        "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n",
        "almost special <|im_start <im_end|> <|endoftext| <|endoftext|><|endoftext|>",
        "full-width \xEF\xBD\x86\xEF\xBD\x8F\xEF\xBD\x8F and ligature \xEF\xAC\x81 and circled \xE2\x91\xA0",
        "combining e\xCC\x81 vs \xC3\xA9",
        "the whitespace symbol \xE2\x96\x81 itself, \xE2\x96\x81\xE2\x96\x81 twice, "
        "and \xE2\x96\x85 the trainer's unk mark",
        std::string("nul\0inside", 10),
        "\xE3\x80\x80ideographic space\xE3\x80\x80",
    };
    for (const auto& s : cases) {
        const auto ids = tok.encode(s);
        EXPECT_EQ(tok.decode(ids), s) << "ids: " << idList(ids);
    }
    EXPECT_TRUE(tok.encode("").empty());
    EXPECT_EQ(tok.decode({}), "");
}

TEST(Tokenizer, LeadingSpaceIsKeptTokenByToken) {
    const auto& tok = fixture();
    // Decoding each token alone (a streaming view) must not drop spaces either.
    const std::string s = " the quick  fox";
    std::string joined;
    for (int id : tok.encode(s))
        joined += tok.decode({id});
    EXPECT_EQ(joined, s);
}

TEST(Tokenizer, UnseenCharactersUseByteFallback) {
    const auto& tok = fixture();
    // U+1F9EA (test tube) and U+9F98 (a rare CJK character) are not in the corpus.
    const std::string tube = "\xF0\x9F\xA7\xAA";
    const auto ids = tok.encode(tube);
    std::vector<std::string> pieces;
    for (int id : ids)
        pieces.push_back(tok.idToPiece(id));
    EXPECT_EQ(pieces, (std::vector<std::string>{"<0xF0>", "<0x9F>", "<0xA7>", "<0xAA>"}));
    EXPECT_EQ(tok.decode(ids), tube);
    const std::string rare = "a\xE9\xBE\x98z " + tube + tube;
    EXPECT_EQ(tok.decode(tok.encode(rare)), rare);
}

TEST(Tokenizer, IncompleteUtf8DecodesToReplacementCharacter) {
    const auto& tok = fixture();
    auto ids = tok.encode("ok\xF0\x9F\xA7\xAA");
    ids.pop_back(); // cut the 4-byte character short, as a streaming view does
    EXPECT_EQ(tok.decode(ids), "ok\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(Tokenizer, RejectsIdsOutsideTheVocabulary) {
    const auto& tok = fixture();
    EXPECT_THROW(tok.decode({1, tok.vocabSize()}), InputError);
    EXPECT_THROW(tok.decode({-1}), InputError);
    EXPECT_THROW(tok.idToPiece(tok.vocabSize()), InputError);
}

TEST(Tokenizer, FingerprintIsTheFileContentHash) {
    const auto& tok = fixture();
    EXPECT_EQ(tok.path(), test::fixtureTokenizer());
    EXPECT_EQ(tok.fingerprint(), fs::fileContentHash(test::fixtureTokenizer()));
}

TEST(Tokenizer, ConcurrentEncodeDecodeAgree) {
    const auto& tok = fixture();
    const auto texts = test::corpusTexts(40);
    std::vector<std::vector<int>> expected;
    for (const auto& t : texts)
        expected.push_back(tok.encode(t));
    std::atomic<int> mismatches{0};
    std::vector<std::thread> threads;
    for (int w = 0; w < 4; ++w) {
        threads.emplace_back([&, w] {
            for (int round = 0; round < 5; ++round) {
                for (size_t i = w; i < texts.size(); i += 2) {
                    const auto ids = tok.encode(texts[i]);
                    if (ids != expected[i] || tok.decode(ids) != texts[i])
                        ++mismatches;
                }
            }
        });
    }
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(mismatches.load(), 0);
}

TEST(Tokenizer, MovedTokenizerKeepsWorking) {
    Tokenizer a = Tokenizer::load(test::fixtureTokenizer());
    Tokenizer b = std::move(a);
    EXPECT_EQ(b.decode(b.encode("moved ok")), "moved ok");
}

TEST(Tokenizer, LoadMissingFileNamesThePath) {
    test::TempDir dir;
    const std::string path = dir.file("no_such_tokenizer.model");
    try {
        Tokenizer::load(path);
        FAIL() << "load succeeded";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
}

TEST(Tokenizer, LoadRejectsFilesThatAreNotTokenizers) {
    test::TempDir dir;
    const std::string text = dir.file("notes.model");
    fs::writeFileAtomic(text, "this is not a sentencepiece model\n");
    EXPECT_THROW(Tokenizer::load(text), InputError);

    const std::string truncated = dir.file("truncated.model");
    const std::string bytes = fs::readFile(test::fixtureTokenizer());
    fs::writeFileAtomic(truncated, bytes.substr(0, bytes.size() / 2));
    EXPECT_THROW(Tokenizer::load(truncated), InputError);

    EXPECT_THROW(Tokenizer::load(dir.path()), InputError); // a directory
}

TEST(Tokenizer, LoadRejectsForeignSentencePieceModels) {
    // A valid SentencePiece model with default settings: <unk>, <s>, </s> first.
    // Trained through the same SentencePiece module the tokenizer uses.
    const auto texts = test::corpusTexts(200);
    size_t i = 0;
    std::string proto, error;
    const bool ok = spm::api().train(
        {{"model_type", "bpe"}, {"vocab_size", "600"}, {"byte_fallback", "true"}, {"minloglevel", "2"}},
        [&](std::string& t) {
            if (i >= texts.size())
                return false;
            t = texts[i++];
            return true;
        },
        &proto, &error);
    ASSERT_TRUE(ok) << error;
    test::TempDir dir;
    const std::string path = dir.file("foreign.model");
    fs::writeFileAtomic(path, proto);
    try {
        Tokenizer::load(path);
        FAIL() << "load succeeded";
    } catch (const InputError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("micromind train_tokenizer"), std::string::npos) << what;
        EXPECT_NE(what.find(path), std::string::npos) << what;
    }
}

TEST(Tokenizer, TrainingRejectsTooLittleText) {
    test::TempDir dir;
    TokenizerTrainOptions opts;
    opts.vocabSize = 2000;
    try {
        trainFrom({"tiny corpus", "just a few words"}, dir.file("t.model"), opts);
        FAIL() << "training succeeded";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("--vocab_size"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::isFile(dir.file("t.model")));
}

TEST(Tokenizer, TrainingRejectsTooSmallVocabulary) {
    test::TempDir dir;
    TokenizerTrainOptions opts;
    opts.vocabSize = 100;
    try {
        trainFrom(test::corpusTexts(50), dir.file("t.model"), opts);
        FAIL() << "training succeeded";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("too small"), std::string::npos) << e.what();
    }
}

TEST(Tokenizer, TrainingRejectsEmptyInput) {
    test::TempDir dir;
    TokenizerTrainOptions opts;
    opts.vocabSize = 512;
    EXPECT_THROW(trainFrom({}, dir.file("t.model"), opts), InputError);
    EXPECT_THROW(trainFrom({"", ""}, dir.file("t.model"), opts), InputError);
}

TEST(Tokenizer, TrainingPassesSourceErrorsThrough) {
    test::TempDir dir;
    TokenizerTrainOptions opts;
    opts.vocabSize = 512;
    int calls = 0;
    try {
        trainTokenizer(
            [&](std::string& t) {
                if (++calls > 3)
                    throw IoError("disk went away");
                t = "some text";
                return true;
            },
            dir.file("t.model"), opts);
        FAIL() << "training succeeded";
    } catch (const IoError& e) {
        EXPECT_EQ(std::string(e.what()), "disk went away");
    }
}

TEST(Tokenizer, TrainingChunksLongTextsAndIsDeterministic) {
    // One document far longer than maxSentenceBytes: it must be cut into chunks
    // (SentencePiece would skip it whole) and still yield a full vocabulary.
    std::string doc;
    for (const auto& t : test::corpusTexts(300))
        doc += t + "\n";
    TokenizerTrainOptions opts;
    opts.vocabSize = 512;
    opts.maxSentenceBytes = 256;
    opts.threads = 2;
    test::TempDir dir;
    trainFrom({doc}, dir.file("a.model"), opts);
    trainFrom({doc}, dir.file("b.model"), opts);
    const auto tok = Tokenizer::load(dir.file("a.model"));
    EXPECT_EQ(tok.vocabSize(), 512);
    EXPECT_EQ(tok.decode(tok.encode(doc)), doc);
    EXPECT_EQ(tok.fingerprint(), fs::fileContentHash(dir.file("b.model")));
}

TEST(Tokenizer, TrainingKeepsTextsWithTheTrainersUnknownMark) {
    // SentencePiece drops every training sentence containing U+2585; here every
    // text has one, so training only succeeds if the texts are kept.
    auto texts = test::corpusTexts(400);
    for (auto& t : texts)
        t += " \xE2\x96\x85";
    TokenizerTrainOptions opts;
    opts.vocabSize = 512;
    test::TempDir dir;
    trainFrom(texts, dir.file("t.model"), opts);
    const auto tok = Tokenizer::load(dir.file("t.model"));
    EXPECT_EQ(tok.decode(tok.encode(texts[7])), texts[7]);
}

TEST(Tokenizer, TrainingHonoursSmallSentenceCaps) {
    // Three English paragraphs first, then texts whose only characters are 明
    // and 月: whether those became pieces shows whether the later texts were read.
    const std::string para = "the quick brown fox jumps over the lazy dog while the other dogs sleep. "
                             "a language model predicts the next token from the tokens before it. "
                             "to be or not to be, that is the question the player asks the room. ";
    std::vector<std::string> texts = {para + para, para, para + para + para};
    for (int i = 0; i < 200; ++i)
        texts.push_back("明月明月");
    TokenizerTrainOptions opts;
    opts.vocabSize = 340;
    test::TempDir dir;

    opts.maxSentences = 3; // below SentencePiece's own sampling minimum
    trainFrom(texts, dir.file("capped.model"), opts);
    const auto capped = Tokenizer::load(dir.file("capped.model"));
    EXPECT_EQ(capped.encode("明").size(), 3u); // never seen: three byte pieces

    opts.maxSentences = 0; // no cap
    trainFrom(texts, dir.file("all.model"), opts);
    const auto all = Tokenizer::load(dir.file("all.model"));
    EXPECT_EQ(all.encode("明").size(), 1u);
}

TEST(ChatTemplate, RendersMiniMindChatMl) {
    const std::vector<Message> msgs = {
        {"system", "You are helpful."},
        {"user", "你好\nthere"},
        {"assistant", "Hi!"},
    };
    EXPECT_EQ(renderChat(msgs, false), "<|im_start|>system\nYou are helpful.<|im_end|>\n"
                                       "<|im_start|>user\n你好\nthere<|im_end|>\n"
                                       "<|im_start|>assistant\nHi!<|im_end|>\n");
    EXPECT_EQ(renderChat({msgs[1]}, true), "<|im_start|>user\n你好\nthere<|im_end|>\n<|im_start|>assistant\n");
    EXPECT_EQ(generationHeader(), "<|im_start|>assistant\n");
    EXPECT_EQ(renderChat({}, true), generationHeader());
    EXPECT_EQ(renderChat({}, false), "");
}

TEST(ChatTemplate, EncodesWithTurnMarkerIds) {
    const auto& tok = fixture();
    const std::vector<Message> msgs = {{"user", "床前明月光 what next?"}, {"assistant", "疑是地上霜。"}};
    const std::string rendered = renderChat(msgs, true);
    const auto ids = tok.encode(rendered);
    ASSERT_FALSE(ids.empty());
    EXPECT_EQ(ids.front(), special::kImStart);
    // Markers alternate start, end, start, end and the generation header's start.
    std::vector<int> markers;
    for (int id : ids)
        if (id == special::kImStart || id == special::kImEnd)
            markers.push_back(id);
    EXPECT_EQ(markers, (std::vector<int>{1, 2, 1, 2, 1}));
    // The header is its own tokens at the end: a prompt ends exactly there.
    const auto header = tok.encode(generationHeader());
    ASSERT_LE(header.size(), ids.size());
    EXPECT_TRUE(std::equal(header.begin(), header.end(), ids.end() - header.size()));
    EXPECT_EQ(tok.decode(ids), rendered);
}

} // namespace
} // namespace mm::text
