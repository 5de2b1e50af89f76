#include "text/tokenizer.h"
#include "text/tokenizer_internal.h"

#include "common/error.h"
#include "common/fs.h"

#include "text/hf_bpe.h"
#include "text/spm_backend.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <cstdio>
#include <memory>
#include <utility>

namespace mm::text {

namespace tokenizer_detail {

size_t validUtf8Length(std::string_view s) {
    const auto at = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char c = at(0);
    if (c < 0x80)
        return 1;
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF; // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0)
            lo = 0xA0;
        else if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (s.size() < len || at(1) < lo || at(1) > hi)
        return 0;
    for (size_t i = 2; i < len; ++i)
        if ((at(i) & 0xC0) != 0x80)
            return 0;
    return len;
}

} // namespace tokenizer_detail

using namespace tokenizer_detail;

namespace {

/// Appends a run of byte-piece bytes, each invalid or incomplete byte as U+FFFD
/// (what a streaming view shows for a character still being generated).
void appendBytes(std::string& out, std::string_view bytes) {
    while (!bytes.empty()) {
        const size_t n = validUtf8Length(bytes);
        if (n == 0) {
            out += kReplacementChar;
            bytes.remove_prefix(1);
        } else {
            out.append(bytes.data(), n);
            bytes.remove_prefix(n);
        }
    }
}

/// Appends the surface text of a normal piece: the whitespace symbol is a space.
void appendPieceSurface(std::string& out, std::string_view piece) {
    size_t pos = 0;
    for (size_t k = piece.find(kSpaceSymbol); k != std::string_view::npos; k = piece.find(kSpaceSymbol, pos)) {
        out.append(piece.data() + pos, k - pos);
        out += ' ';
        pos = k + kSpaceSymbol.size();
    }
    out.append(piece.data() + pos, piece.size() - pos);
}

/// Encodes text free of the sequences encode() handles itself; replaces `out`.
void encodePlain(const spm::Processor& proc, std::string_view text, std::vector<int>& out) {
    std::string error;
    if (!proc.encode(text, &out, &error))
        throw Error("tokenizer cannot encode text: " + error);
}

std::string bytePiece(int byte) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", byte);
    return buf;
}

/// Why the loaded model cannot be used as a MicroMind tokenizer; empty if it can.
std::string whyNotOurs(const Tokenizer& tok, const spm::Processor& proc) {
    const auto& specials = specialTokenStrings();
    const int n = proc.pieceSize();
    if (n < kMinVocabSize)
        return "it has only " + std::to_string(n) + " pieces";
    for (int i = 0; i < special::kCount; ++i) {
        if (proc.idToPiece(i) != specials[i])
            return "id " + std::to_string(i) + " is '" + proc.idToPiece(i) + "', expected '" + specials[i] + "'";
    }
    if (!proc.isUnknown(special::kEndOfText))
        return "id 0 is not its unknown piece";
    for (int b = 0; b < kBytePieces; ++b) {
        const int id = kFirstByteId + b;
        if (!proc.isByte(id) || proc.idToPiece(id) != bytePiece(b))
            return "it lacks byte fallback pieces at ids " + std::to_string(kFirstByteId) + ".." +
                   std::to_string(kFirstByteId + kBytePieces - 1);
    }
    for (int i = 0; i < special::kCount; ++i) {
        if (tok.encode(specials[i]) != std::vector<int>{i})
            return "'" + specials[i] + "' does not encode to the single id " + std::to_string(i);
    }
    // Catches whitespace folding, a dummy prefix and Unicode normalisation (the
    // full-width letter and circled digit change under NFKC).
    const std::string probe = "  lead\n\tx  y \xEF\xBD\x86\xE2\x91\xA0 trail  ";
    if (tok.decode(tok.encode(probe)) != probe)
        return "it normalises text, so decode(encode(s)) != s";
    return {};
}

} // namespace

const std::vector<std::string>& specialTokenStrings() {
    static const std::vector<std::string> strings = {
        "<|endoftext|>", "<|im_start|>", "<|im_end|>",  "<think>",      "</think>",
        "<answer>",      "</answer>",    "<tool_call>", "</tool_call>",
    };
    return strings;
}

Tokenizer::Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

namespace {

bool endsWith(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// The default system prompt of a ChatML chat template like minimind's
/// (`{% else %}{{ '<|im_start|>system\nYou are a helpful assistant<|im_end|>\n' }}`), "" when it has none.
std::string defaultSystemOf(const std::string& tmpl) {
    static constexpr std::string_view kOpen = "'<|im_start|>system\\n";
    const size_t els = tmpl.find("{% else %}");
    if (els == std::string::npos)
        return {};
    const size_t open = tmpl.find(kOpen, els);
    if (open == std::string::npos || open > els + 24)
        return {};
    const size_t begin = open + kOpen.size();
    const size_t end = tmpl.find("<|im_end|>", begin);
    if (end == std::string::npos)
        return {};
    std::string out = tmpl.substr(begin, end - begin);
    return out.find_first_of("'{}") == std::string::npos ? out : std::string();
}

} // namespace

std::string tokenizerFileIn(const std::string& dir, bool preferJson) {
    const std::filesystem::path d(dir);
    const std::string model = (d / "tokenizer.model").string(), json = (d / "tokenizer.json").string();
    const std::string& first = preferJson ? json : model;
    const std::string& second = preferJson ? model : json;
    if (fs::isFile(first))
        return first;
    return fs::isFile(second) ? second : std::string();
}

Tokenizer Tokenizer::load(const std::string& modelPath) {
    std::string path = modelPath;
    if (std::error_code ec; std::filesystem::is_directory(path, ec)) {
        path = tokenizerFileIn(modelPath, /*preferJson=*/true);
        if (path.empty())
            throw InputError(
                "tokenizer directory " + modelPath +
                " holds neither tokenizer.json nor tokenizer.model; pass the file itself with --tokenizer");
    }
    if (!fs::isFile(path))
        throw InputError("tokenizer model " + path +
                         " not found or not a file (train one with `micromind train_tokenizer` or fix the path)");
    std::string bytes;
    try {
        bytes = fs::readFile(path);
    } catch (const IoError& e) {
        throw InputError(std::string("cannot read tokenizer model: ") + e.what());
    }
    Tokenizer tok;
    // Same value as fs::fileContentHash(path), without reading the file twice.
    tok.m_fingerprint = fs::hashHex(bytes);
    tok.m_path = path;
    const size_t firstChar = bytes.find_first_not_of(" \t\r\n");
    if (endsWith(path, ".json") || (firstChar != std::string::npos && bytes[firstChar] == '{')) {
        tok.m_hf = std::make_unique<HfBpe>(HfBpe::fromJson(bytes, path));
        const auto& specials = specialTokenStrings();
        for (int i = 0; i <= special::kImEnd; ++i) {
            const int id = tok.m_hf->tokenId(specials[i]);
            if (id != i || !tok.m_hf->isSpecial(i))
                throw InputError(path + ": MicroMind needs the special token " + specials[i] + " at id " +
                                 std::to_string(i) +
                                 (id < 0 ? " but the tokenizer lacks it" : " but it is id " + std::to_string(id)) +
                                 " (minimind's tokenizer has <|endoftext|>, <|im_start|>, <|im_end|> at 0, 1, 2)");
        }
        // tokenizer_config.json beside it: the chat template and its default system prompt.
        const std::string cfgPath = (std::filesystem::path(path).parent_path() / "tokenizer_config.json").string();
        if (fs::isFile(cfgPath)) {
            try {
                const auto cfg = nlohmann::json::parse(fs::readFile(cfgPath));
                if (cfg.contains("chat_template") && cfg["chat_template"].is_string())
                    tok.m_chatTemplate = cfg["chat_template"].get<std::string>();
            } catch (const nlohmann::json::exception& e) {
                throw InputError(cfgPath + ": invalid JSON (" + std::string(e.what()) +
                                 "); fix it or remove it (it only supplies the chat template)");
            }
            tok.m_defaultSystem = defaultSystemOf(tok.m_chatTemplate);
        }
        tok.finishSpecials();
        return tok;
    }
    const std::string notOurs = "tokenizer model " + path + " was not made by `micromind train_tokenizer`";
    tok.m_sp.reset(spm::api().createProcessor());
    if (!tok.m_sp->loadFromSerializedProto(bytes))
        throw InputError(notOurs + ": it is neither a SentencePiece model file nor a Hugging Face tokenizer.json");
    const std::string why = whyNotOurs(tok, *tok.m_sp);
    if (!why.empty())
        throw InputError(notOurs + ": " + why + "; train one with `micromind train_tokenizer`");
    tok.finishSpecials();
    return tok;
}

void Tokenizer::finishSpecials() {
    const auto& specials = specialTokenStrings();
    m_specialIds.assign(special::kCount, -1);
    for (int i = 0; i < special::kCount; ++i) {
        if (m_sp) {
            m_specialIds[i] = i;
        } else {
            const int id = m_hf->tokenId(specials[i]);
            m_specialIds[i] = id >= 0 && m_hf->encode(specials[i]) == std::vector<int>{id} ? id : -1;
        }
    }
    m_tagIds.clear();
    for (int t = special::kThinkOpen; t <= special::kAnswerClose; ++t) {
        if (m_specialIds[t] >= 0)
            m_tagIds.push_back(m_specialIds[t]);
        else
            for (int id : encode(specials[t]))
                m_tagIds.push_back(id);
    }
    std::sort(m_tagIds.begin(), m_tagIds.end());
    m_tagIds.erase(std::unique(m_tagIds.begin(), m_tagIds.end()), m_tagIds.end());
}

int Tokenizer::specialId(int which) const {
    return which >= 0 && which < int(m_specialIds.size()) ? m_specialIds[which] : -1;
}

std::string Tokenizer::renderChat(const std::vector<Message>& messages, bool addGenerationPrompt) const {
    if (m_defaultSystem.empty() || (!messages.empty() && messages.front().role == "system"))
        return text::renderChat(messages, addGenerationPrompt);
    std::vector<Message> withSystem;
    withSystem.reserve(messages.size() + 1);
    withSystem.push_back({"system", m_defaultSystem});
    withSystem.insert(withSystem.end(), messages.begin(), messages.end());
    return text::renderChat(withSystem, addGenerationPrompt);
}

float Tokenizer::pieceScore(int id) const { return m_sp ? m_sp->score(id) : 0.f; }

int Tokenizer::pieceKind(int id) const {
    if (m_hf)
        return m_hf->isSpecial(id) ? 1 : 0;
    if (id < special::kCount)
        return 1;
    return m_sp->isByte(id) ? 2 : 0;
}

std::vector<int> Tokenizer::encode(std::string_view text) const {
    if (m_hf)
        return m_hf->encode(text);
    std::vector<int> ids;
    size_t eot = text.find(kEndOfText);
    size_t ws = text.find(kSpaceSymbol);
    if (eot == std::string_view::npos && ws == std::string_view::npos) {
        // Nearly every text: straight into the result, no intermediate copies.
        encodePlain(*m_sp, text, ids);
        return ids;
    }
    // <|endoftext|> is SentencePiece's unknown piece, which it never matches in
    // text, and a literal U+2581 would decode as a space: both are emitted here
    // and the text between them goes to SentencePiece. The two cannot overlap.
    std::vector<int> part;
    size_t pos = 0;
    while (pos < text.size()) {
        const size_t next = std::min({eot, ws, text.size()});
        if (next > pos) {
            encodePlain(*m_sp, text.substr(pos, next - pos), part);
            ids.insert(ids.end(), part.begin(), part.end());
        }
        if (next == text.size())
            break;
        if (next == eot) {
            ids.push_back(special::kEndOfText);
            pos = eot + kEndOfText.size();
            eot = text.find(kEndOfText, pos);
        } else {
            for (char c : kSpaceSymbol)
                ids.push_back(kFirstByteId + static_cast<unsigned char>(c));
            pos = ws + kSpaceSymbol.size();
            ws = text.find(kSpaceSymbol, pos);
        }
    }
    return ids;
}

std::string Tokenizer::decode(const std::vector<int>& ids) const {
    // Decoded here rather than by SentencePiece: its decoder builds a proto per
    // call, maps the unknown piece to a surface string and strips a leading
    // space whenever the model has a dummy prefix. Walking the pieces directly is
    // faster and an exact inverse of encode by construction.
    if (m_hf) {
        const int n = m_hf->vocabSize();
        for (int id : ids)
            if (id < 0 || id >= n)
                throw InputError("token id " + std::to_string(id) + " is outside the tokenizer's vocabulary of " +
                                 std::to_string(n) + " (" + m_path + ")");
        return m_hf->decode(ids);
    }
    const int n = m_sp->pieceSize();
    const auto& specials = specialTokenStrings();
    std::string out;
    out.reserve(ids.size() * 3);
    std::string bytes; // consecutive byte pieces, joined so multi-byte characters decode whole
    for (int id : ids) {
        if (id < 0 || id >= n)
            throw InputError("token id " + std::to_string(id) + " is outside the tokenizer's vocabulary of " +
                             std::to_string(n) + " (" + m_path + ")");
        if (id >= kFirstByteId && id < kFirstByteId + kBytePieces) {
            bytes += static_cast<char>(id - kFirstByteId);
            continue;
        }
        if (!bytes.empty()) {
            appendBytes(out, bytes);
            bytes.clear();
        }
        if (id < special::kCount)
            out += specials[id];
        else
            appendPieceSurface(out, m_sp->idToPiece(id));
    }
    appendBytes(out, bytes);
    return out;
}

std::string Tokenizer::idToPiece(int id) const {
    if (m_hf) {
        if (id < 0 || id >= m_hf->vocabSize())
            throw InputError("token id " + std::to_string(id) + " is outside the tokenizer's vocabulary of " +
                             std::to_string(m_hf->vocabSize()) + " (" + m_path + ")");
        return m_hf->idToPiece(id);
    }
    if (id < 0 || id >= m_sp->pieceSize())
        throw InputError("token id " + std::to_string(id) + " is outside the tokenizer's vocabulary of " +
                         std::to_string(m_sp->pieceSize()) + " (" + m_path + ")");
    return m_sp->idToPiece(id);
}

int Tokenizer::vocabSize() const { return m_hf ? m_hf->vocabSize() : m_sp->pieceSize(); }

} // namespace mm::text
