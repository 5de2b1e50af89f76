// Hugging Face tokenizer.json byte-level BPE (see hf_bpe.h for the contract):
// reading and validating tokenizer.json into HfBpe::Impl.

#include "text/hf_bpe_internal.h"

#include "common/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mm::text {

using namespace hf_bpe_detail;

namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& name, const std::string& message) { throw InputError(name + ": " + message); }

std::string shown(std::string_view s) {
    // For messages: at most 60 bytes, cut on a character boundary, escapes for control bytes.
    std::string out = "\"";
    size_t i = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    while (i < s.size()) {
        if (i >= 60) {
            out += "...";
            break;
        }
        const unsigned char c = p[i];
        if (c < 0x20 || c == 0x7F) {
            static const char* hex = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
            ++i;
        } else if (c == '"' || c == '\\') {
            out += '\\';
            out += char(c);
            ++i;
        } else if (c < 0x80) {
            out += char(c);
            ++i;
        } else {
            size_t bad = 0;
            const size_t len = utf8Sequence(p + i, s.size() - i, &bad);
            if (len == 0) {
                out += "\\ufffd";
                i += bad;
            } else {
                out.append(s.data() + i, len);
                i += len;
            }
        }
    }
    out += "\"";
    return out;
}

const char* typeName(const json& v) { return v.type_name(); }

const json* member(const json& obj, const char* key) {
    if (!obj.is_object())
        return nullptr;
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
}

bool isNullOrAbsent(const json* v) { return v == nullptr || v->is_null(); }

/// Optional boolean field: null/absent -> fallback.
bool optBool(const std::string& name, const json& obj, const char* key, const std::string& path, bool fallback) {
    const json* v = member(obj, key);
    if (isNullOrAbsent(v))
        return fallback;
    if (!v->is_boolean())
        fail(name, path + "." + key + " is " + typeName(*v) + ", not true/false");
    return v->get<bool>();
}

std::string typeOf(const std::string& name, const json& obj, const std::string& path) {
    const json* t = member(obj, "type");
    if (t == nullptr)
        fail(name, path + ".type is missing");
    if (!t->is_string())
        fail(name, path + ".type is " + typeName(*t) + ", not a string");
    return t->get<std::string>();
}

/// The ByteLevel component of `v` (ByteLevel itself, or a Sequence whose
/// only element under `listKey` is ByteLevel), or null.
const json* singleByteLevel(const std::string& name, const json& v, const std::string& path, const char* listKey,
                            std::string* typeSeen) {
    if (!v.is_object())
        fail(name, path + " is " + typeName(v) + ", not an object");
    const std::string t = typeOf(name, v, path);
    *typeSeen = t;
    if (t == "ByteLevel")
        return &v;
    if (t == "Sequence") {
        const json* list = member(v, listKey);
        if (list == nullptr || !list->is_array())
            fail(name, path + "." + listKey + " is missing or not a list");
        if (list->size() == 1) {
            const json& only = (*list)[0];
            if (only.is_object()) {
                const json* ot = member(only, "type");
                if (ot != nullptr && ot->is_string() && ot->get<std::string>() == "ByteLevel")
                    return &only;
            }
        }
        *typeSeen = "Sequence (of " + std::to_string(list->size()) + " parts, not just ByteLevel)";
        return nullptr;
    }
    return nullptr;
}

int64_t idValue(const std::string& name, const json& v, const std::string& path) {
    if (!v.is_number_integer())
        fail(name, path + " is " + std::string(typeName(v)) + ", not an integer id");
    if (v.is_number_unsigned()) {
        const uint64_t u = v.get<uint64_t>();
        if (u >= uint64_t(kMaxId))
            fail(name, path + " is " + std::to_string(u) + ", out of range (ids must be below " +
                           std::to_string(kMaxId) + ")");
        return int64_t(u);
    }
    const int64_t i = v.get<int64_t>();
    if (i < 0 || i >= kMaxId)
        fail(name, path + " is " + std::to_string(i) + ", out of range (ids must be 0 .. " +
                       std::to_string(kMaxId - 1) + ")");
    return i;
}

void checkNull(const std::string& name, const json& root, const char* key, const std::string& what) {
    const json* v = member(root, key);
    if (!isNullOrAbsent(v))
        fail(name, std::string(key) + " is set (" + typeName(*v) + "); " + what);
}

} // namespace

HfBpe HfBpe::fromJson(std::string_view jsonText, const std::string& nameForErrors) {
    const std::string& name = nameForErrors;
    std::shared_ptr<Impl> impl;
    try {
        json root;
        try {
            root = json::parse(jsonText.begin(), jsonText.end());
        } catch (const json::exception& e) {
            fail(name, std::string("is not valid JSON (") + e.what() +
                           "); expected a Hugging Face tokenizer.json (tokenizers' Tokenizer.save output)");
        }
        impl = std::make_shared<Impl>();
        Impl& m = *impl;
        m.name = name;
        if (!root.is_object())
            fail(name, std::string("top level is ") + typeName(root) +
                           ", not an object; expected a Hugging Face tokenizer.json");

        if (const json* v = member(root, "version"); !isNullOrAbsent(v)) {
            if (!v->is_string() || v->get<std::string>() != "1.0")
                fail(name, "version is " + (v->is_string() ? shown(v->get<std::string>()) : std::string(typeName(*v))) +
                               "; HF tokenizers reads only version \"1.0\"");
        }
        checkNull(name, root, "truncation",
                  "MicroMind encodes whole texts and cuts sequences itself; set \"truncation\": null");
        checkNull(name, root, "padding", "MicroMind pads batches itself; set \"padding\": null");
        if (const json* v = member(root, "normalizer"); !isNullOrAbsent(v)) {
            std::string t = "a " + std::string(typeName(*v));
            if (v->is_object()) {
                const json* vt = member(*v, "type");
                if (vt != nullptr && vt->is_string())
                    t = shown(vt->get<std::string>());
            }
            fail(name, "normalizer.type is " + t +
                           "; MicroMind reads byte-level BPE tokenizers without a normalizer (\"normalizer\": null)");
        }

        // ---- model
        const json* model = member(root, "model");
        if (model == nullptr || model->is_null())
            fail(name, "model is missing; expected a byte-level BPE tokenizer.json with model.vocab and model.merges");
        if (!model->is_object())
            fail(name, std::string("model is ") + typeName(*model) + ", not an object");
        if (const json* t = member(*model, "type"); t != nullptr) {
            if (!t->is_string())
                fail(name, std::string("model.type is ") + typeName(*t) + ", not a string");
            if (t->get<std::string>() != "BPE")
                fail(name, "model.type is " + shown(t->get<std::string>()) +
                               "; MicroMind reads byte-level BPE tokenizers (model.type \"BPE\" with a ByteLevel "
                               "pre-tokenizer)");
        }
        if (const json* d = member(*model, "dropout"); !isNullOrAbsent(d)) {
            if (!d->is_number())
                fail(name, std::string("model.dropout is ") + typeName(*d) + ", not a number");
            const double p = d->get<double>();
            if (!(p >= 0.0 && p <= 1.0))
                fail(name, "model.dropout must be between 0 and 1");
            if (p > 0.0)
                fail(name, "model.dropout is set; BPE dropout (random merges) is unsupported, set it to null");
        }
        for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
            const json* v = member(*model, key);
            if (isNullOrAbsent(v))
                continue;
            if (!v->is_string())
                fail(name, std::string("model.") + key + " is " + typeName(*v) + ", not a string");
            if (!v->get<std::string>().empty())
                fail(name, std::string("model.") + key + " is " + shown(v->get<std::string>()) +
                               "; unsupported (byte-level BPE uses none), set it to null");
        }
        if (optBool(name, *model, "byte_fallback", "model", false))
            fail(name, "model.byte_fallback is true; unsupported (byte-level BPE needs no byte fallback), set it to "
                       "false");
        m.fuseUnk = optBool(name, *model, "fuse_unk", "model", false);
        m.ignoreMerges = optBool(name, *model, "ignore_merges", "model", false);

        const json* vocab = member(*model, "vocab");
        if (vocab == nullptr || vocab->is_null())
            fail(name, "model.vocab is missing; a BPE tokenizer.json maps token strings to ids there");
        if (!vocab->is_object())
            fail(name, std::string("model.vocab is ") + typeName(*vocab) + ", not an object of token -> id");
        const json* merges = member(*model, "merges");
        if (merges == nullptr || merges->is_null())
            fail(name, "model.merges is missing; a BPE tokenizer.json lists its merges there");
        if (!merges->is_array())
            fail(name, std::string("model.merges is ") + typeName(*merges) + ", not a list");

        // Vocabulary: ids unique, bounded.
        const size_t vocabCount = vocab->size();
        int64_t maxId = -1;
        std::unordered_map<int64_t, std::string> tokenOfId;
        tokenOfId.reserve(vocabCount);
        m.vocab.reserve(vocabCount);
        for (auto it = vocab->begin(); it != vocab->end(); ++it) {
            const int64_t id = idValue(name, it.value(), "model.vocab[" + shown(it.key()) + "]");
            auto [pos, inserted] = tokenOfId.emplace(id, it.key());
            if (!inserted)
                fail(name, "model.vocab has id " + std::to_string(id) + " twice (" + shown(pos->second) + " and " +
                               shown(it.key()) + "); every token needs its own id");
            m.vocab.emplace(it.key(), int(id));
            maxId = std::max(maxId, id);
        }

        // Added tokens: ids as HF assigns them (vocab id when the content is a
        // vocab entry, else the next id after the vocabulary, in file order).
        if (const json* list = member(root, "added_tokens"); !isNullOrAbsent(list)) {
            if (!list->is_array())
                fail(name, std::string("added_tokens is ") + typeName(*list) + ", not a list");
            int64_t nextId = int64_t(vocabCount);
            for (size_t i = 0; i < list->size(); ++i) {
                const json& e = (*list)[i];
                const std::string path = "added_tokens[" + std::to_string(i) + "]";
                if (!e.is_object())
                    fail(name, path + " is " + typeName(e) + ", not an object");
                const json* content = member(e, "content");
                if (content == nullptr || !content->is_string())
                    fail(name, path + ".content is missing or not a string");
                const json* idv = member(e, "id");
                if (idv == nullptr)
                    fail(name, path + ".id is missing");
                AddedToken tok;
                tok.id = int(idValue(name, *idv, path + ".id"));
                tok.content = content->get<std::string>();
                if (tok.content.empty())
                    fail(name, path + ".content is empty; remove that entry");
                tok.special = optBool(name, e, "special", path, false);
                tok.singleWord = optBool(name, e, "single_word", path, false);
                tok.lstrip = optBool(name, e, "lstrip", path, false);
                tok.rstrip = optBool(name, e, "rstrip", path, false);
                tok.normalized = optBool(name, e, "normalized", path, !tok.special);
                if (m.addedByContent.count(tok.content))
                    fail(name, path + ".content " + shown(tok.content) + " is listed twice in added_tokens");
                int64_t expected;
                auto inVocab = m.vocab.find(tok.content);
                if (inVocab != m.vocab.end()) {
                    expected = inVocab->second;
                } else {
                    expected = nextId++;
                    auto clash = tokenOfId.find(expected);
                    if (clash != tokenOfId.end())
                        fail(name, path + " " + shown(tok.content) + " gets id " + std::to_string(expected) +
                                       ", which model.vocab gives to " + shown(clash->second) +
                                       "; ids must be unique (HF gives added tokens that are not in the vocab the "
                                       "ids after the " +
                                       std::to_string(vocabCount) + " vocab entries)");
                }
                if (tok.id != expected)
                    fail(name, path + ".id is " + std::to_string(tok.id) + ", but HF tokenizers gives " +
                                   shown(tok.content) + " id " + std::to_string(expected) +
                                   (inVocab != m.vocab.end()
                                        ? " (its id in model.vocab)"
                                        : " (added tokens not in model.vocab get consecutive ids after the " +
                                              std::to_string(vocabCount) + " vocab entries, in file order)") +
                                   "; fix the id");
                if (expected >= kMaxId)
                    fail(name, path + ".id is out of range");
                maxId = std::max(maxId, expected);
                m.addedByContent.emplace(tok.content, tok.id);
                m.added.push_back(std::move(tok));
            }
        }
        const size_t tokenCount = vocabCount + m.added.size();
        if (maxId >= int64_t(2 * tokenCount + 65536))
            fail(name, "ids go up to " + std::to_string(maxId) + " for only " + std::to_string(tokenCount) +
                           " tokens; such a sparse id space is not supported (renumber the vocabulary densely)");
        m.size = int(maxId + 1);

        // id tables.
        const ByteAlphabet& alphabet = byteAlphabet();
        m.pieces.assign(size_t(m.size), std::string());
        m.present.assign(size_t(m.size), 0);
        m.addedIndexById.assign(size_t(m.size), -1);
        for (const auto& [token, id] : m.vocab) {
            m.pieces[size_t(id)] = token;
            m.present[size_t(id)] = 1;
        }
        for (size_t i = 0; i < m.added.size(); ++i) {
            const AddedToken& tok = m.added[i];
            m.pieces[size_t(tok.id)] = tok.content; // HF decodes an added id to its content first
            m.present[size_t(tok.id)] = 1;
            m.addedIndexById[size_t(tok.id)] = int(i);
            (tok.normalized ? m.normalizedTrie : m.plainTrie).add(tok.content, int(i));
        }
        m.decodedBytes.assign(size_t(m.size), std::string());
        for (size_t id = 0; id < m.pieces.size(); ++id) {
            const std::string& t = m.pieces[id];
            if (t.empty())
                continue;
            // ByteLevel decoder: every character must be in the byte alphabet, else the raw UTF-8 stays.
            std::string bytes;
            bytes.reserve(t.size());
            const auto* p = reinterpret_cast<const unsigned char*>(t.data());
            size_t i = 0;
            bool all = true;
            while (i < t.size()) {
                size_t len = 0;
                const uint32_t cp = decodeValid(p, i, &len);
                auto b = alphabet.byteOf.find(cp);
                if (b == alphabet.byteOf.end()) {
                    all = false;
                    break;
                }
                bytes += char(b->second);
                i += len;
            }
            m.decodedBytes[id] = all ? std::move(bytes) : t;
        }

        bool allBytes = true;
        for (int b = 0; b < 256; ++b) {
            auto it = m.vocab.find(alphabet.utf8Of[size_t(b)]);
            m.byteId[size_t(b)] = it == m.vocab.end() ? -1 : it->second;
            allBytes = allBytes && it != m.vocab.end();
        }
        if (const json* unk = member(*model, "unk_token"); !isNullOrAbsent(unk)) {
            if (!unk->is_string())
                fail(name, std::string("model.unk_token is ") + typeName(*unk) + ", not a string");
            auto it = m.vocab.find(unk->get<std::string>());
            if (it != m.vocab.end())
                m.unkId = it->second;
            else if (!allBytes)
                fail(name, "model.unk_token " + shown(unk->get<std::string>()) +
                               " is not in model.vocab, and the vocab lacks some of the 256 byte-level characters, so "
                               "HF would fail to encode them; add the token to model.vocab or set unk_token to null");
        }

        // Merges: both file formats; rank = position; a repeated pair keeps its last rank (HF collects a map).
        m.mergeList.reserve(merges->size());
        bool sawString = false, sawPair = false;
        for (size_t i = 0; i < merges->size(); ++i) {
            const json& e = (*merges)[i];
            const std::string path = "model.merges[" + std::to_string(i) + "]";
            if (e.is_string()) {
                sawString = true;
                const std::string& line = e.get_ref<const std::string&>();
                if (line.rfind("#version", 0) == 0)
                    continue; // HF skips a merges.txt version line
                const size_t sp = line.find(' ');
                if (sp == std::string::npos || line.find(' ', sp + 1) != std::string::npos)
                    fail(name,
                         path + " is " + shown(line) +
                             ", not two tokens separated by one space (\"a b\"); or write the pair as [\"a\", \"b\"]");
                m.mergeList.emplace_back(line.substr(0, sp), line.substr(sp + 1));
            } else if (e.is_array()) {
                sawPair = true;
                if (e.size() != 2 || !e[0].is_string() || !e[1].is_string())
                    fail(name, path + " is a list but not a pair of two strings [\"a\", \"b\"]");
                m.mergeList.emplace_back(e[0].get<std::string>(), e[1].get<std::string>());
            } else {
                fail(name, path + " is " + typeName(e) + "; merges are \"a b\" strings or [\"a\", \"b\"] pairs");
            }
            if (sawString && sawPair)
                fail(name, "model.merges mixes \"a b\" strings and [\"a\", \"b\"] pairs; use one format");
        }
        m.mergeMap.reserve(m.mergeList.size());
        for (size_t rank = 0; rank < m.mergeList.size(); ++rank) {
            const auto& [a, b] = m.mergeList[rank];
            const std::string path = "model.merges[" + std::to_string(rank) + "]";
            auto ia = m.vocab.find(a);
            if (ia == m.vocab.end())
                fail(name, path + " part " + shown(a) + " is not in model.vocab; every merge part must be a token");
            auto ib = m.vocab.find(b);
            if (ib == m.vocab.end())
                fail(name, path + " part " + shown(b) + " is not in model.vocab; every merge part must be a token");
            auto ir = m.vocab.find(a + b);
            if (ir == m.vocab.end())
                fail(name,
                     path + " result " + shown(a + b) + " is not in model.vocab; every merge result must be a token");
            m.mergeMap[pairKey(ia->second, ib->second)] = {uint32_t(rank), uint32_t(ir->second)};
        }

        // ---- pre-tokenizer, decoder, post-processor
        const json* pre = member(root, "pre_tokenizer");
        if (isNullOrAbsent(pre))
            fail(name, "pre_tokenizer is null; MicroMind reads byte-level BPE tokenizers (model.type \"BPE\" with a "
                       "ByteLevel pre-tokenizer)");
        std::string seen;
        const json* bl = singleByteLevel(name, *pre, "pre_tokenizer", "pretokenizers", &seen);
        if (bl == nullptr)
            fail(name, "pre_tokenizer.type is " + shown(seen) +
                           "; MicroMind reads byte-level BPE tokenizers (a ByteLevel pre-tokenizer, GPT-2 style)");
        m.addPrefixSpace = optBool(name, *bl, "add_prefix_space", "pre_tokenizer", true);
        m.useRegex = optBool(name, *bl, "use_regex", "pre_tokenizer", true);

        const json* dec = member(root, "decoder");
        if (isNullOrAbsent(dec))
            fail(name, "decoder is null; MicroMind decodes byte-level BPE with the ByteLevel decoder (\"decoder\": "
                       "{\"type\": \"ByteLevel\"})");
        if (singleByteLevel(name, *dec, "decoder", "decoders", &seen) == nullptr)
            fail(name,
                 "decoder.type is " + shown(seen) + "; MicroMind decodes byte-level BPE with the ByteLevel decoder");

        if (const json* post = member(root, "post_processor"); !isNullOrAbsent(post)) {
            if (singleByteLevel(name, *post, "post_processor", "processors", &seen) == nullptr)
                fail(name, "post_processor.type is " + shown(seen) +
                               "; MicroMind adds no template tokens when encoding (it renders the chat template "
                               "itself): use a file with \"post_processor\": null or ByteLevel");
        }
    } catch (const mm::Error&) {
        throw;
    } catch (const json::exception& e) {
        fail(name, std::string("unexpected JSON content (") + e.what() + ")");
    } catch (const std::bad_alloc&) {
        fail(name, "too large to load");
    } catch (const std::length_error&) {
        fail(name, "too large to load");
    }
    return HfBpe(std::move(impl));
}

HfBpe HfBpe::loadFile(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        fail(path, "is a directory; pass the tokenizer.json file inside it");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        fail(path, std::string("cannot open the tokenizer file (") + std::strerror(errno) + ")");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad())
        fail(path, "cannot read the tokenizer file");
    return fromJson(ss.str(), path);
}

} // namespace mm::text
