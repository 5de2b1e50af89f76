// libFuzzer target for the Hugging Face tokenizer.json reader and byte-level
// BPE (core/text/hf_bpe*.cpp). Each input is used three ways:
//  (a) as tokenizer.json text: HfBpe::fromJson must load it or throw
//      mm::Error; a tokenizer it loads must encode and decode without trouble;
//  (b) as text for a fixed valid tokenizer (the file named by
//      MM_FUZZ_TOKENIZER, e.g. tests/data/hf_bpe/minimind_derived_tokenizer.json,
//      else a small one built here): decode(encode(s)) must be s for valid
//      UTF-8 and Rust's from_utf8_lossy(s) otherwise; decoding arbitrary ids
//      must give valid UTF-8;
//  (c) when the first byte is 1 mod 4, as the recipe of a small tokenizer (merges
//      over earlier tokens, added tokens with single_word/lstrip/rstrip/
//      normalized flags, pre-tokenizer options) plus a text to encode with it;
//      decode(encode(text)) must be the text unless a flag legitimately
//      changes it.
// Build: see scripts/fuzz.sh.

#include "common/error.h"
#include "text/hf_bpe.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

using mm::text::HfBpe;
using nlohmann::json;

// Independent of hf_bpe_unicode.cpp's own check on purpose.
bool validUtf8(std::string_view s) {
    size_t i = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    while (i < s.size()) {
        const unsigned c = p[i];
        size_t n;
        uint32_t cp;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            n = 1;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            n = 2;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + n >= s.size())
            return false;
        for (size_t k = 1; k <= n; ++k) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        const uint32_t minimum = n == 1 ? 0x80 : n == 2 ? 0x800 : 0x10000;
        if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}

[[noreturn]] void die(const char* what, std::string_view input) {
    std::fprintf(stderr, "fuzz_hf_tokenizer: %s (input %zu bytes)\n", what, input.size());
    std::abort();
}

/// The 256 GPT-2 byte-level characters as UTF-8, in byte order.
const std::vector<std::string>& byteChars() {
    static const std::vector<std::string> chars = [] {
        std::vector<std::string> out;
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
            out.push_back(s);
        }
        return out;
    }();
    return chars;
}

json tokenizerJson(const std::vector<std::string>& vocab, const json& merges, const json& added) {
    json v = json::object();
    for (size_t i = 0; i < vocab.size(); ++i)
        v[vocab[i]] = i;
    return json{{"version", "1.0"},
                {"added_tokens", added},
                {"normalizer", nullptr},
                {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
                {"post_processor", nullptr},
                {"decoder", {{"type", "ByteLevel"}}},
                {"model", {{"type", "BPE"}, {"vocab", v}, {"merges", merges}}}};
}

HfBpe fixedTokenizer() {
    if (const char* path = std::getenv("MM_FUZZ_TOKENIZER"); path != nullptr && *path != '\0')
        return HfBpe::loadFile(path);
    std::vector<std::string> vocab = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
    for (const auto& c : byteChars())
        vocab.push_back(c);
    json merges = json::array();
    const char* pairs[][2] = {{"\xC4\xA0", "t"}, {"h", "e"},       {"\xC4\xA0t", "he"},  {"i", "n"},
                              {"in", "g"},       {"\xE4", "\xBD"}, {"\xE4\xBD", "\xA0"}, {"\xC4\x8A", "\xC4\x8A"}};
    for (const auto& p : pairs) {
        merges.push_back(json::array({p[0], p[1]}));
        vocab.push_back(std::string(p[0]) + p[1]);
    }
    json added = json::array();
    for (int i = 0; i < 3; ++i)
        added.push_back({{"id", i},
                         {"content", vocab[size_t(i)]},
                         {"single_word", false},
                         {"lstrip", false},
                         {"rstrip", false},
                         {"normalized", false},
                         {"special", true}});
    return HfBpe::fromJson(tokenizerJson(vocab, merges, added).dump(), "inline fuzz tokenizer");
}

void checkTokenizer(const HfBpe& tok, std::string_view text, bool expectRoundTrip) {
    const std::vector<int> ids = tok.encode(text);
    for (int id : ids)
        if (id < 0 || id >= tok.vocabSize())
            die("encode gave an id out of range", text);
    const std::string back = tok.decode(ids);
    if (!validUtf8(back))
        die("decode gave invalid UTF-8", text);
    if (expectRoundTrip) {
        if (validUtf8(text)) {
            if (back != text)
                die("decode(encode(s)) != s for valid UTF-8", text);
        } else if (back != HfBpe::toValidUtf8(text)) {
            die("decode(encode(s)) != lossy(s)", text);
        }
    }
}

/// What the ByteLevel decoder makes of one token string.
std::string byteLevelDecoded(const std::string& token) {
    std::string out;
    size_t i = 0;
    while (i < token.size()) {
        bool found = false;
        for (int b = 0; b < 256 && !found; ++b) {
            const std::string& c = byteChars()[size_t(b)];
            if (token.compare(i, c.size(), c) == 0) {
                out += char(b);
                i += c.size();
                found = true;
            }
        }
        if (!found)
            return token; // a character outside the byte alphabet: the raw UTF-8 stays
    }
    return out;
}

/// (c): a small tokenizer made from the input, then a text to encode with it.
/// Texts and added tokens are spelled from a few units (ASCII letters, kinds
/// of whitespace, an apostrophe, 2- and 3-byte characters) so that merges and
/// added tokens collide often; the vocabulary holds the byte-level characters
/// of those units only, which keeps the JSON (and each run) small.
void recipe(std::string_view in) {
    static const char* const kUnits[] = {"a",        "b", "c", "s", " ", " ",        "\n",           "\t",
                                         "'",        "<", ">", "|", "1", "\xC3\xA9", "\xE4\xB8\xAD", "\xE3\x80\x80",
                                         "\xC2\xA0", "_"};
    constexpr unsigned kUnitCount = sizeof(kUnits) / sizeof(kUnits[0]);
    size_t pos = 1;
    auto next = [&]() -> unsigned { return pos < in.size() ? static_cast<unsigned char>(in[pos++]) : 0u; };
    std::vector<std::string> vocab = {"<|endoftext|>"};
    auto known = [&](const std::string& t) {
        for (size_t i = 0; i < vocab.size(); ++i)
            if (vocab[i] == t)
                return int(i);
        return -1;
    };
    for (unsigned u = 0; u < kUnitCount; ++u)
        for (unsigned char byte : std::string(kUnits[u]))
            if (known(byteChars()[byte]) < 0)
                vocab.push_back(byteChars()[byte]);
    json merges = json::array();
    const unsigned mergeCount = next() % 32;
    for (unsigned m = 0; m < mergeCount; ++m) {
        // Mostly over recent tokens, so that merges build on merges.
        const unsigned ra = next(), rb = next();
        const std::string a = vocab[1 + ra % (vocab.size() - 1)];
        const std::string b = vocab[1 + rb % (vocab.size() - 1)];
        merges.push_back(json::array({a, b}));
        if (known(a + b) < 0)
            vocab.push_back(a + b);
    }
    json added = json::array({{{"id", 0}, {"content", "<|endoftext|>"}, {"special", true}, {"normalized", false}}});
    bool roundTrip = true;
    const unsigned addedCount = next() % 5;
    int nextId = int(vocab.size());
    std::vector<std::string> contents = {"<|endoftext|>"};
    for (unsigned k = 0; k < addedCount; ++k) {
        const unsigned flags = next();
        const unsigned len = 1 + next() % 4;
        std::string content;
        for (unsigned i = 0; i < len; ++i)
            content += kUnits[next() % kUnitCount];
        bool duplicate = false;
        for (const auto& c : contents)
            duplicate = duplicate || c == content;
        if (duplicate)
            continue;
        contents.push_back(content);
        int id = known(content);
        if (id < 0)
            id = nextId++;
        const bool lstrip = flags & 2, rstrip = flags & 4;
        added.push_back({{"id", id},
                         {"content", content},
                         {"single_word", bool(flags & 1)},
                         {"lstrip", lstrip},
                         {"rstrip", rstrip},
                         {"normalized", bool(flags & 8)},
                         {"special", bool(flags & 16)}});
        if (lstrip || rstrip || byteLevelDecoded(content) != content)
            roundTrip = false; // stripped spaces are gone; some contents decode to other bytes
    }
    json j = tokenizerJson(vocab, merges, added);
    const unsigned options = next();
    if (options & 1) {
        j["pre_tokenizer"]["add_prefix_space"] = true;
        roundTrip = false; // the added space decodes too
    }
    if (options & 2)
        j["pre_tokenizer"]["use_regex"] = false;
    if (options & 4)
        j["model"]["ignore_merges"] = true;
    if (options & 8) { // the "a b" merges format (no token here contains a space... except " ")
        bool spaceFree = true;
        json strings = json::array();
        for (const auto& m : merges) {
            const std::string a = m[0].get<std::string>(), b = m[1].get<std::string>();
            spaceFree = spaceFree && a.find(' ') == std::string::npos && b.find(' ') == std::string::npos;
            strings.push_back(a + " " + b);
        }
        if (spaceFree)
            j["model"]["merges"] = strings;
    }
    const HfBpe tok = HfBpe::fromJson(j.dump(), "recipe"); // must load: it is valid by construction
    std::string text;
    while (pos < in.size() && text.size() < 4096)
        text += kUnits[next() % kUnitCount];
    checkTokenizer(tok, text, roundTrip);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string_view in(reinterpret_cast<const char*>(data), size);

    // (a) the bytes as tokenizer.json.
    try {
        const HfBpe tok = HfBpe::fromJson(in, "fuzz input");
        checkTokenizer(tok, in.substr(0, 512), false);
        std::vector<int> ids;
        for (size_t i = 0; i + 1 < size && ids.size() < 64; i += 2)
            ids.push_back(int(data[i]) << 8 | data[i + 1]);
        if (!validUtf8(tok.decode(ids)))
            die("decode of a loaded tokenizer gave invalid UTF-8", in);
    } catch (const mm::Error&) {
    } catch (const nlohmann::json::exception&) {
    }

    // (b) the bytes as text.
    static const HfBpe fixed = fixedTokenizer();
    checkTokenizer(fixed, in, true);
    std::vector<int> ids;
    for (size_t i = 0; i + 1 < size && ids.size() < 256; i += 2)
        ids.push_back((int(data[i]) << 8 | data[i + 1]) % (fixed.vocabSize() + 8) - 4);
    if (!validUtf8(fixed.decode(ids)))
        die("decode of arbitrary ids gave invalid UTF-8", in);

    // (c) a tokenizer recipe (a quarter of the first-byte values; not '{').
    if (size > 0 && (data[0] & 3) == 1)
        recipe(in);
    return 0;
}
