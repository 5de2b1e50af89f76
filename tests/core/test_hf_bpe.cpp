// Hugging Face byte-level BPE (core/text/hf_bpe*.cpp) against ids and texts
// recorded from the real HF tokenizers (scripts/interop/make_hf_tokenizer_fixture.mjs):
// a derived minimind tokenizer in the repository, and minimind's full
// tokenizer.json when ../shared/minimind is there.

#include "common/error.h"
#include "text/hf_bpe.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#ifndef MM_SOURCE_DIR
#error "MM_SOURCE_DIR must name the source root"
#endif

namespace mm::text {
namespace {

using nlohmann::json;

std::string sourcePath(const std::string& rel) { return std::string(MM_SOURCE_DIR) + "/" + rel; }
std::string derivedPath() { return sourcePath("tests/data/hf_bpe/minimind_derived_tokenizer.json"); }
std::string derivedRefPath() { return sourcePath("tests/data/hf_bpe/reference_derived.json"); }
std::string fullPath() { return sourcePath("../shared/minimind/tokenizer.json"); }
std::string fullRefPath() { return sourcePath("../shared/minimind/reference_full.json"); }

bool exists(const std::string& path) { return std::ifstream(path).good(); }

std::string readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const HfBpe& derived() {
    static const HfBpe tok = HfBpe::loadFile(derivedPath());
    return tok;
}

const json& derivedRef() {
    static const json j = json::parse(readText(derivedRefPath()));
    return j;
}

std::string idList(const std::vector<int>& ids) {
    std::string s;
    for (int id : ids)
        s += std::to_string(id) + " ";
    return s;
}

std::string escaped(const std::string& s) { return json(s).dump(-1, ' ', true, json::error_handler_t::replace); }

/// Checks every {text, ids, decoded} case; returns how many matched fully.
int checkCases(const HfBpe& tok, const json& cases, const std::string& what) {
    int ok = 0;
    for (const auto& c : cases) {
        const std::string text = c.at("text").get<std::string>();
        const std::vector<int> want = c.at("ids").get<std::vector<int>>();
        const std::vector<int> got = tok.encode(text);
        const std::string decoded = tok.decode(want);
        EXPECT_EQ(idList(got), idList(want)) << what << " encode " << escaped(text);
        EXPECT_EQ(decoded, c.at("decoded").get<std::string>()) << what << " decode of " << escaped(text);
        if (got == want && decoded == c.at("decoded").get<std::string>())
            ++ok;
    }
    return ok;
}

void checkDecodes(const HfBpe& tok, const json& decodes, const std::string& what) {
    for (const auto& d : decodes) {
        const std::vector<int> ids = d.at("ids").get<std::vector<int>>();
        EXPECT_EQ(tok.decode(ids), d.at("text").get<std::string>()) << what << " decode of " << idList(ids);
    }
}

/// The derived tokenizer's JSON with an RFC 7386 merge patch applied.
std::string patchedDerived(const json& patch) {
    json j = json::parse(readText(derivedPath()));
    j.merge_patch(patch);
    return j.dump();
}

std::string expectLoadError(const std::string& jsonText, const std::string& name = "tok.json") {
    try {
        HfBpe::fromJson(jsonText, name);
    } catch (const InputError& e) {
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "not an InputError: " << e.what();
        return e.what();
    }
    ADD_FAILURE() << "no error for " << jsonText.substr(0, 200);
    return "";
}

/// A tiny valid tokenizer.json: byte alphabet + a few merges, built inline.
json tinyTokenizer() {
    json vocab = json::object();
    vocab["<|endoftext|>"] = 0;
    int id = 1;
    // GPT-2 byte alphabet in byte order.
    int n = 0;
    for (int b = 0; b < 256; ++b) {
        const bool keep = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        const uint32_t cp = keep ? uint32_t(b) : uint32_t(256 + n++);
        std::string s;
        if (cp < 0x80) {
            s += char(cp);
        } else {
            s += char(0xC0 | (cp >> 6));
            s += char(0x80 | (cp & 0x3F));
        }
        vocab[s] = id++;
    }
    vocab["ab"] = id++;
    vocab["abc"] = id++;
    vocab["\xC4\xA0"
          "a"] = id++; // "Ġa"
    return json{
        {"version", "1.0"},
        {"truncation", nullptr},
        {"padding", nullptr},
        {"added_tokens", json::array({json{{"id", 0},
                                           {"content", "<|endoftext|>"},
                                           {"single_word", false},
                                           {"lstrip", false},
                                           {"rstrip", false},
                                           {"normalized", false},
                                           {"special", true}}})},
        {"normalizer", nullptr},
        {"pre_tokenizer",
         {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}}},
        {"post_processor", nullptr},
        {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
        {"model",
         {{"type", "BPE"},
          {"dropout", nullptr},
          {"unk_token", nullptr},
          {"continuing_subword_prefix", nullptr},
          {"end_of_word_suffix", nullptr},
          {"fuse_unk", false},
          {"byte_fallback", false},
          {"ignore_merges", false},
          {"vocab", vocab},
          {"merges",
           json::array({json::array({"a", "b"}), json::array({"ab", "c"}), json::array({"\xC4\xA0", "a"})})}}}};
}

/// Random valid UTF-8 (all planes, no surrogates), biased to interesting code points.
std::string randomUtf8(std::mt19937& rng, int maxChars) {
    static const uint32_t picks[] = {' ',     ' ',    '\n',  '\t', '\'',   's',    'a',     '1',
                                     '!',     0x3000, 0xA0,  0x85, 0x2028, 0x4F60, 0x597D,  0xFF0C,
                                     0x1F600, 0x200D, 0x301, '<',  '|',    '>',    0x31350, 0x10FFFF};
    std::uniform_int_distribution<int> len(0, maxChars);
    std::uniform_int_distribution<int> kind(0, 9);
    std::uniform_int_distribution<uint32_t> any(0, 0x10FFFF), bmp(0x80, 0xFFFF), ascii(0, 0x7F);
    std::uniform_int_distribution<size_t> pick(0, sizeof(picks) / sizeof(picks[0]) - 1);
    std::string s;
    const int n = len(rng);
    for (int i = 0; i < n; ++i) {
        uint32_t cp;
        switch (kind(rng)) {
        case 0:
        case 1:
        case 2: cp = ascii(rng); break;
        case 3:
        case 4: cp = picks[pick(rng)]; break;
        case 5:
        case 6: cp = bmp(rng); break;
        case 7: s += "<|im_start|>"; continue;
        default: cp = any(rng); break;
        }
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0xFFFD;
        if (cp < 0x80) {
            s += char(cp);
        } else if (cp < 0x800) {
            s += char(0xC0 | (cp >> 6));
            s += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            s += char(0xE0 | (cp >> 12));
            s += char(0x80 | ((cp >> 6) & 0x3F));
            s += char(0x80 | (cp & 0x3F));
        } else {
            s += char(0xF0 | (cp >> 18));
            s += char(0x80 | ((cp >> 12) & 0x3F));
            s += char(0x80 | ((cp >> 6) & 0x3F));
            s += char(0x80 | (cp & 0x3F));
        }
    }
    return s;
}

// ------------------------------------------------------------ reference

TEST(HfBpe, DerivedFixtureMatchesHfTokenizers) {
    const json& ref = derivedRef();
    ASSERT_TRUE(ref.contains("source"));
    const int fixed = checkCases(derived(), ref.at("cases"), "derived");
    const int random = checkCases(derived(), ref.at("random_cases"), "derived random");
    EXPECT_EQ(fixed, int(ref.at("cases").size()));
    EXPECT_EQ(random, int(ref.at("random_cases").size()));
    std::printf("[ derived ] %d/%zu fixed and %d/%zu random strings match HF %s\n", fixed, ref.at("cases").size(),
                random, ref.at("random_cases").size(), ref.value("hf_tokenizers", "?").c_str());
    checkDecodes(derived(), ref.at("decodes"), "derived");
}

TEST(HfBpe, DerivedVariantsMatchHfTokenizers) {
    for (const auto& v : derivedRef().at("variants")) {
        const std::string name = v.at("name").get<std::string>();
        SCOPED_TRACE(name);
        const HfBpe tok = HfBpe::fromJson(patchedDerived(v.at("patch")), name);
        const int ok = checkCases(tok, v.at("cases"), name);
        EXPECT_EQ(ok, int(v.at("cases").size()));
        checkDecodes(tok, v.at("decodes"), name);
    }
}

TEST(HfBpe, LegacyStringMergesGiveTheSameIds) {
    json j = json::parse(readText(derivedPath()));
    json strings = json::array();
    for (const auto& m : j["model"]["merges"])
        strings.push_back(m[0].get<std::string>() + " " + m[1].get<std::string>());
    strings.insert(strings.begin(), "#version: 0.2"); // merges.txt header, skipped as HF does
    j["model"]["merges"] = strings;
    const HfBpe tok = HfBpe::fromJson(j.dump(), "legacy");
    EXPECT_EQ(tok.merges(), derived().merges());
    EXPECT_EQ(checkCases(tok, derivedRef().at("cases"), "legacy"), int(derivedRef().at("cases").size()));
}

TEST(HfBpe, FullMinimindTokenizerMatchesHfTokenizers) {
    if (!exists(fullPath()) || !exists(fullRefPath()))
        GTEST_SKIP() << "needs " << fullPath() << " and " << fullRefPath()
                     << " (scripts/interop/make_hf_tokenizer_fixture.mjs writes the latter)";
    const HfBpe tok = HfBpe::loadFile(fullPath());
    EXPECT_EQ(tok.vocabSize(), 6400);
    EXPECT_EQ(tok.merges().size(), 6141u);
    const json ref = json::parse(readText(fullRefPath()));
    const int fixed = checkCases(tok, ref.at("cases"), "full");
    const int random = checkCases(tok, ref.at("random_cases"), "full random");
    EXPECT_EQ(fixed, int(ref.at("cases").size()));
    EXPECT_EQ(random, int(ref.at("random_cases").size()));
    std::printf("[ full ] %d/%zu fixed and %d/%zu random strings match HF %s\n", fixed, ref.at("cases").size(), random,
                ref.at("random_cases").size(), ref.value("hf_tokenizers", "?").c_str());
}

// ------------------------------------------------------------ properties

TEST(HfBpe, Accessors) {
    const HfBpe& tok = derived();
    EXPECT_EQ(tok.vocabSize(), int(tok.pieces().size()));
    EXPECT_EQ(tok.tokenId("<|endoftext|>"), 0);
    EXPECT_EQ(tok.tokenId("<|im_start|>"), 1);
    EXPECT_EQ(tok.tokenId("<|im_end|>"), 2);
    EXPECT_EQ(tok.tokenId("no such token"), -1);
    EXPECT_TRUE(tok.isSpecial(0));
    EXPECT_TRUE(tok.isSpecial(2));
    EXPECT_FALSE(tok.isSpecial(3));
    EXPECT_FALSE(tok.isSpecial(-1));
    EXPECT_FALSE(tok.isSpecial(1 << 30));
    EXPECT_EQ(tok.idToPiece(1), "<|im_start|>");
    EXPECT_EQ(tok.idToPiece(-5), "");
    EXPECT_EQ(tok.idToPiece(tok.vocabSize()), "");
    const int gThe = tok.tokenId("\xC4\xA0t"); // "Ġt", the first merge
    ASSERT_GE(gThe, 0);
    EXPECT_EQ(tok.idToPiece(gThe), "\xC4\xA0t");
    EXPECT_EQ(tok.decode({gThe}), " t");
    ASSERT_EQ(tok.merges().size(), 600u);
    EXPECT_EQ(tok.merges()[0], (std::pair<std::string, std::string>("\xC4\xA0", "t")));
    ASSERT_EQ(tok.addedTokens().size(), 3u);
    EXPECT_EQ(tok.addedTokens()[1].content, "<|im_start|>");
    EXPECT_TRUE(tok.addedTokens()[1].special);
    EXPECT_FALSE(tok.addedTokens()[1].normalized);
    EXPECT_EQ(tok.encode("<|im_start|>"), std::vector<int>{1});
    EXPECT_EQ(tok.decode({-1, 1, 1 << 30, 2}), "<|im_start|><|im_end|>");
    // Copies share the tables.
    const HfBpe copy = tok;
    EXPECT_EQ(copy.encode("hello"), tok.encode("hello"));
}

TEST(HfBpe, RoundTripsValidUtf8) {
    const std::vector<std::string> fixed = {"",
                                            " ",
                                            "  ",
                                            "\n",
                                            "\r\n",
                                            "\t\t",
                                            "a",
                                            "Hello world",
                                            "don't",
                                            "'",
                                            "''",
                                            "'s'",
                                            "\xE4\xBD\xA0\xE5\xA5\xBD",
                                            "<|im_start|>",
                                            "<|im_start|",
                                            "<|im_start|>user\n\xE4\xBD\xA0<|im_end|>",
                                            "\xF0\x9F\x98\x80",
                                            std::string("a\0b", 3),
                                            "\xEF\xBF\xBD",
                                            "\xF4\x8F\xBF\xBF",
                                            "x \n y  ",
                                            "   ",
                                            "\xE3\x80\x80\xE3\x80\x80"};
    for (const auto& s : fixed)
        EXPECT_EQ(derived().decode(derived().encode(s)), s) << escaped(s);
    std::mt19937 rng(12345);
    for (int i = 0; i < 3000; ++i) {
        const std::string s = randomUtf8(rng, 40);
        ASSERT_EQ(derived().decode(derived().encode(s)), s) << escaped(s);
    }
}

TEST(HfBpe, InvalidUtf8IsReplacedLikeRustLossy) {
    EXPECT_EQ(HfBpe::toValidUtf8("abc"), "abc");
    EXPECT_EQ(HfBpe::toValidUtf8("\xE4\xBD"
                                 "A"),
              "\xEF\xBF\xBD"
              "A");
    EXPECT_EQ(HfBpe::toValidUtf8("\xF0\x80\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_EQ(HfBpe::toValidUtf8("\xF0\x9F\x98"), "\xEF\xBF\xBD");
    EXPECT_EQ(HfBpe::toValidUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_EQ(HfBpe::toValidUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_EQ(HfBpe::toValidUtf8("\xFF"), "\xEF\xBF\xBD");
    // encode(s) == encode(lossy(s)); decode(encode(s)) == lossy(s).
    std::mt19937 rng(777);
    std::uniform_int_distribution<int> byte(0, 255), len(0, 30);
    for (int i = 0; i < 2000; ++i) {
        std::string s;
        const int n = len(rng);
        for (int k = 0; k < n; ++k)
            s += char(byte(rng));
        const std::string fixedUp = HfBpe::toValidUtf8(s);
        ASSERT_EQ(derived().encode(s), derived().encode(fixedUp)) << escaped(fixedUp);
        ASSERT_EQ(derived().decode(derived().encode(s)), fixedUp);
    }
}

TEST(HfBpe, InlineTokenizerBasics) {
    const HfBpe tok = HfBpe::fromJson(tinyTokenizer().dump(), "tiny");
    const int ab = tok.tokenId("ab"), abc = tok.tokenId("abc"),
              ga = tok.tokenId("\xC4\xA0"
                               "a");
    EXPECT_EQ(tok.encode("abc"), std::vector<int>{abc});
    EXPECT_EQ(tok.encode("abd"), (std::vector<int>{ab, tok.tokenId("d")}));
    EXPECT_EQ(tok.encode("x a"), (std::vector<int>{tok.tokenId("x"), ga}));
    EXPECT_EQ(tok.encode("<|endoftext|>abc"), (std::vector<int>{0, abc}));
    EXPECT_EQ(tok.decode(tok.encode("x abc<|endoftext|>")), "x abc<|endoftext|>");
}

TEST(HfBpe, ThreadSafeEncodeDecode) {
    std::vector<std::string> texts;
    for (const auto& c : derivedRef().at("cases"))
        texts.push_back(c.at("text").get<std::string>());
    std::mt19937 rng(99);
    for (int i = 0; i < 300; ++i)
        texts.push_back(randomUtf8(rng, 60));
    const HfBpe tok = HfBpe::loadFile(derivedPath()); // fresh cache, filled concurrently
    std::vector<std::vector<int>> single;
    {
        const HfBpe ref = HfBpe::loadFile(derivedPath());
        for (const auto& t : texts)
            single.push_back(ref.encode(t));
    }
    std::vector<int> mismatches(4, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            for (int rep = 0; rep < 5; ++rep)
                for (size_t i = 0; i < texts.size(); ++i) {
                    const size_t k = (i * 7 + size_t(t) * 13 + size_t(rep)) % texts.size();
                    const auto ids = tok.encode(texts[k]);
                    if (ids != single[k] || tok.decode(ids) != texts[k])
                        ++mismatches[size_t(t)];
                }
        });
    for (auto& th : threads)
        th.join();
    for (int t = 0; t < 4; ++t)
        EXPECT_EQ(mismatches[size_t(t)], 0) << "thread " << t;
}

TEST(HfBpe, EncodesAMegabyteOfChineseQuickly) {
    // Varied text (few repeated words, so the word cache does not help much):
    // random common CJK characters, a full-width comma or full stop every few.
    std::mt19937 rng(2024);
    std::uniform_int_distribution<uint32_t> han(0x4E00, 0x7FFF);
    std::uniform_int_distribution<int> clause(4, 24);
    std::string text;
    while (text.size() < (1u << 20)) {
        const int n = clause(rng);
        for (int i = 0; i < n; ++i) {
            const uint32_t cp = han(rng);
            text += char(0xE0 | (cp >> 12));
            text += char(0x80 | ((cp >> 6) & 0x3F));
            text += char(0x80 | (cp & 0x3F));
        }
        text += (rng() & 3) ? "\xEF\xBC\x8C" : "\xE3\x80\x82\n";
    }
    const HfBpe tok = exists(fullPath()) ? HfBpe::loadFile(fullPath()) : derived();
    const auto t0 = std::chrono::steady_clock::now();
    const auto ids = tok.encode(text);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("[ speed ] %zu bytes of Chinese -> %zu ids in %.3f s\n", text.size(), ids.size(), s);
    EXPECT_EQ(tok.decode(ids), text);
    EXPECT_LT(s, 10.0); // generous: sanitizer builds are slow
    // A single very long word (no cache, one big merge queue) stays fast too.
    std::string word;
    while (word.size() < 300000)
        word += "\xE7\x9A\x84\xE4\xB8\x80";
    const auto t1 = std::chrono::steady_clock::now();
    EXPECT_EQ(tok.decode(tok.encode(word)), word);
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count(), 10.0);
}

// ------------------------------------------------------------ errors

TEST(HfBpe, RefusesOtherModels) {
    json j = tinyTokenizer();
    j["model"]["type"] = "WordPiece";
    const std::string msg = expectLoadError(j.dump());
    EXPECT_NE(msg.find("tok.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find("model.type"), std::string::npos) << msg;
    EXPECT_NE(msg.find("WordPiece"), std::string::npos) << msg;
    EXPECT_NE(msg.find("byte-level BPE"), std::string::npos) << msg;
}

TEST(HfBpe, RefusesMissingParts) {
    json j = tinyTokenizer();
    j["model"].erase("merges");
    EXPECT_NE(expectLoadError(j.dump()).find("model.merges is missing"), std::string::npos);
    j = tinyTokenizer();
    j["model"].erase("vocab");
    EXPECT_NE(expectLoadError(j.dump()).find("model.vocab is missing"), std::string::npos);
    j = tinyTokenizer();
    j.erase("model");
    EXPECT_NE(expectLoadError(j.dump()).find("model is missing"), std::string::npos);
    EXPECT_NE(expectLoadError("[1, 2]").find("top level"), std::string::npos);
}

TEST(HfBpe, RefusesMergesOutsideTheVocab) {
    json j = tinyTokenizer();
    j["model"]["merges"].push_back(json::array({"zz", "q"}));
    std::string msg = expectLoadError(j.dump());
    EXPECT_NE(msg.find("model.merges[3]"), std::string::npos) << msg;
    EXPECT_NE(msg.find("\"zz\""), std::string::npos) << msg;
    EXPECT_NE(msg.find("not in model.vocab"), std::string::npos) << msg;
    j = tinyTokenizer();
    j["model"]["merges"].push_back(json::array({"x", "y"})); // both parts exist, "xy" does not
    msg = expectLoadError(j.dump());
    EXPECT_NE(msg.find("result \"xy\""), std::string::npos) << msg;
    j = tinyTokenizer();
    j["model"]["merges"] = json::array({"a b", "ab  c"});
    EXPECT_NE(expectLoadError(j.dump()).find("model.merges[1]"), std::string::npos);
    j = tinyTokenizer();
    j["model"]["merges"] = json::array({"a b", json::array({"ab", "c"})});
    EXPECT_NE(expectLoadError(j.dump()).find("mixes"), std::string::npos);
    j = tinyTokenizer();
    j["model"]["merges"] = json::array({json::array({"a"})});
    EXPECT_NE(expectLoadError(j.dump()).find("model.merges[0]"), std::string::npos);
}

TEST(HfBpe, RefusesBrokenJson) {
    const std::string text = tinyTokenizer().dump();
    std::string msg = expectLoadError(text.substr(0, text.size() / 2), "half.json");
    EXPECT_NE(msg.find("half.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find("not valid JSON"), std::string::npos) << msg;
    msg = expectLoadError("this is not json at all", "prose.txt");
    EXPECT_NE(msg.find("prose.txt: is not valid JSON"), std::string::npos) << msg;
    msg = expectLoadError("", "empty.json");
    EXPECT_NE(msg.find("not valid JSON"), std::string::npos) << msg;
    msg = expectLoadError(std::string("{\"model\": \"\xFF\"}"), "bytes.json");
    EXPECT_NE(msg.find("not valid JSON"), std::string::npos) << msg;
}

TEST(HfBpe, RefusesDirectoriesAndMissingFiles) {
    try {
        HfBpe::loadFile(sourcePath("tests/data/hf_bpe"));
        ADD_FAILURE() << "loaded a directory";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("tests/data/hf_bpe"), std::string::npos) << e.what();
    }
    try {
        HfBpe::loadFile("/nonexistent/tokenizer.json");
        ADD_FAILURE() << "loaded a missing file";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/tokenizer.json"), std::string::npos) << e.what();
    }
}

TEST(HfBpe, RefusesUnsupportedOptions) {
    struct Case {
        const char* field;
        std::function<void(json&)> edit;
        const char* expect;
    };
    const std::vector<Case> cases = {
        {"normalizer",
         [](json& j) {
             j["normalizer"] = {{"type", "NFC"}};
         },
         "normalizer.type is \"NFC\""},
        {"pre_tokenizer",
         [](json& j) {
             j["pre_tokenizer"] = {{"type", "Whitespace"}};
         },
         "pre_tokenizer.type is \"Whitespace\""},
        {"pre_tokenizer null", [](json& j) { j["pre_tokenizer"] = nullptr; }, "pre_tokenizer is null"},
        {"pre_tokenizer seq",
         [](json& j) {
             j["pre_tokenizer"] = {{"type", "Sequence"},
                                   {"pretokenizers", json::array({{{"type", "Digits"}}, j["pre_tokenizer"]})}};
         },
         "pre_tokenizer.type is \"Sequence (of 2 parts"},
        {"decoder", [](json& j) { j["decoder"] = nullptr; }, "decoder is null"},
        {"decoder type",
         [](json& j) {
             j["decoder"] = {{"type", "WordPiece"}};
         },
         "decoder.type is \"WordPiece\""},
        {"post_processor",
         [](json& j) {
             j["post_processor"] = {{"type", "TemplateProcessing"}};
         },
         "post_processor.type is \"TemplateProcessing\""},
        {"truncation",
         [](json& j) {
             j["truncation"] = {{"max_length", 5}};
         },
         "truncation is set"},
        {"padding", [](json& j) { j["padding"] = json::object(); }, "padding is set"},
        {"version", [](json& j) { j["version"] = "2.0"; }, "version is \"2.0\""},
        {"byte_fallback", [](json& j) { j["model"]["byte_fallback"] = true; },
         "model.byte_fallback is true; unsupported"},
        {"dropout", [](json& j) { j["model"]["dropout"] = 0.1; }, "model.dropout is set; BPE dropout"},
        {"dropout range", [](json& j) { j["model"]["dropout"] = 3; }, "model.dropout must be between 0 and 1"},
        {"prefix", [](json& j) { j["model"]["continuing_subword_prefix"] = "##"; },
         "model.continuing_subword_prefix is \"##\"; unsupported"},
        {"suffix", [](json& j) { j["model"]["end_of_word_suffix"] = "</w>"; },
         "model.end_of_word_suffix is \"</w>\"; unsupported"},
        {"fuse_unk type", [](json& j) { j["model"]["fuse_unk"] = "yes"; }, "model.fuse_unk is string"},
        {"vocab type", [](json& j) { j["model"]["vocab"] = json::array(); }, "model.vocab is array"},
        {"duplicate id", [](json& j) { j["model"]["vocab"]["abc"] = 3; }, "model.vocab has id 3 twice"},
        {"negative id", [](json& j) { j["model"]["vocab"]["abc"] = -4; }, "model.vocab[\"abc\"] is -4, out of range"},
        {"huge id", [](json& j) { j["model"]["vocab"]["abc"] = 4000000000u; }, "out of range"},
        {"float id", [](json& j) { j["model"]["vocab"]["abc"] = 1.5; }, "not an integer id"},
        {"sparse ids", [](json& j) { j["model"]["vocab"]["abc"] = 10000000; }, "sparse"},
        {"added id", [](json& j) { j["added_tokens"][0]["id"] = 7; },
         "added_tokens[0].id is 7, but HF tokenizers gives"},
        {"added new id",
         [](json& j) {
             j["added_tokens"].push_back({{"id", 5000}, {"content", "<x>"}, {"special", true}});
         },
         "added_tokens[1].id is 5000"},
        {"added dup", [](json& j) { j["added_tokens"].push_back(j["added_tokens"][0]); }, "listed twice"},
        {"added empty",
         [](json& j) {
             j["added_tokens"].push_back({{"id", 260}, {"content", ""}});
         },
         "content is empty"},
        {"added content", [](json& j) { j["added_tokens"][0]["content"] = 5; },
         "added_tokens[0].content is missing or not a string"},
        {"unk",
         [](json& j) {
             j["model"]["unk_token"] = "<unk>";
             j["model"]["vocab"].erase("\xC4\x80"); // the byte 0x00 character
         },
         "model.unk_token \"<unk>\" is not in model.vocab"},
        {"type", [](json& j) { j["model"]["type"] = 3; }, "model.type is number"},
    };
    for (const auto& c : cases) {
        json j = tinyTokenizer();
        c.edit(j);
        const std::string msg = expectLoadError(j.dump());
        EXPECT_NE(msg.find(c.expect), std::string::npos) << c.field << ": " << msg;
        EXPECT_EQ(msg.rfind("tok.json: ", 0), 0u) << c.field << ": " << msg;
    }
}

TEST(HfBpe, AcceptsWhatHfAccepts) {
    json j = tinyTokenizer();
    j["pre_tokenizer"] = {{"type", "Sequence"}, {"pretokenizers", json::array({j["pre_tokenizer"]})}};
    j["decoder"] = {{"type", "Sequence"}, {"decoders", json::array({j["decoder"]})}};
    j["post_processor"] = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false}};
    j["model"]["dropout"] = 0.0;
    j["model"]["continuing_subword_prefix"] = "";
    j["model"].erase("type");
    j.erase("version");
    j["added_tokens"].push_back({{"id", 260}, {"content", "<new>"}, {"special", true}}); // next id after 260 entries
    const HfBpe tok = HfBpe::fromJson(j.dump(), "ok.json");
    EXPECT_EQ(tok.tokenId("<new>"), 260);
    EXPECT_EQ(tok.vocabSize(), 261);
    EXPECT_TRUE(tok.isSpecial(260));
    EXPECT_EQ(tok.encode("a<new>ab"), (std::vector<int>{tok.tokenId("a"), 260, tok.tokenId("ab")}));
}

// Hostile shapes from fuzzing (tests/fuzz/fuzz_hf_tokenizer.cpp; no input has
// crashed so far): each must load or throw InputError, and never crash.
TEST(HfBpe, FuzzRegressions) {
    const std::vector<std::string> inputs = {
        "{\"model\":{\"vocab\":{},\"merges\":[]}}",
        "{\"model\":{\"type\":\"BPE\",\"vocab\":{\"a\":0},\"merges\":[\"#version\"]},\"pre_tokenizer\":{\"type\":"
        "\"ByteLevel\"},"
        "\"decoder\":{\"type\":\"ByteLevel\"}}",
        std::string(5000, '[') + std::string(5000, ']'),
        "{\"model\":{\"vocab\":{\"a\":16777215},\"merges\":[]}}",
        "{\"model\":{\"vocab\":{\"a\":0,\"b\":1},\"merges\":[[\"a\",\"b\"]]},\"pre_tokenizer\":{\"type\":\"ByteLevel\"}"
        "}",
        "\xEF\xBB\xBF{}",
        "{\"added_tokens\":{}}",
    };
    for (const auto& in : inputs) {
        try {
            const HfBpe tok = HfBpe::fromJson(in, "fuzz");
            (void)tok.decode(tok.encode("a b\xFF<|im_start|>"));
        } catch (const InputError&) {
        }
    }
}

TEST(HfBpe, OverlappingStripsDoNotCrash) {
    // An rstrip token eats spaces that a following lstrip token also matches:
    // HF tokenizers panics on such a slice ("AddedVocabulary bad split"); here
    // the added ids come out and nothing is read out of range.
    json j = tinyTokenizer();
    j["added_tokens"].push_back({{"id", 260}, {"content", "<R>"}, {"rstrip", true}, {"special", true}});
    j["added_tokens"].push_back({{"id", 261}, {"content", " "}, {"lstrip", true}, {"normalized", false}});
    const HfBpe tok = HfBpe::fromJson(j.dump(), "strips");
    const std::vector<int> ids = tok.encode("<R>   x");
    ASSERT_FALSE(ids.empty());
    EXPECT_EQ(ids.front(), 260);
    EXPECT_EQ(ids.back(), tok.tokenId("x"));
    for (int id : ids)
        EXPECT_TRUE(id >= 0 && id < tok.vocabSize());
}

} // namespace
} // namespace mm::text
