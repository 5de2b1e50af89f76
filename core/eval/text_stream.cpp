#include "eval/text_stream.h"

namespace mm::eval {

std::vector<int> promptIds(const text::Tokenizer& tok, const std::string& prompt, bool raw,
                           const std::string& systemPrompt, const std::vector<text::Message>& history) {
    if (raw) {
        std::vector<int> ids{text::special::kImStart};
        const auto body = tok.encode(prompt);
        ids.insert(ids.end(), body.begin(), body.end());
        return ids;
    }
    std::vector<text::Message> msgs;
    if (!systemPrompt.empty())
        msgs.push_back({"system", systemPrompt});
    msgs.insert(msgs.end(), history.begin(), history.end());
    msgs.push_back({"user", prompt});
    return tok.encode(tok.renderChat(msgs, true));
}

namespace {

// Length of the longest prefix of `s` that does not end inside a UTF-8
// sequence, treating the U+FFFD that decode() emits for a truncated tail as
// "incomplete" too.
bool endsIncomplete(const std::string& s) {
    static const std::string replacement = "\xEF\xBF\xBD";
    if (s.size() >= 3 && s.compare(s.size() - 3, 3, replacement) == 0)
        return true;
    // Walk back over continuation bytes to the lead byte of the last character.
    size_t i = s.size();
    int cont = 0;
    while (i > 0 && (static_cast<unsigned char>(s[i - 1]) & 0xC0) == 0x80 && cont < 4) {
        --i;
        ++cont;
    }
    if (i == 0)
        return cont > 0;
    const unsigned char lead = static_cast<unsigned char>(s[i - 1]);
    const int need = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
    return cont < need;
}

} // namespace

std::string StreamDecoder::push(int id) {
    m_pending.push_back(id);
    std::string text = m_tok.decode(m_pending);
    // Byte-fallback pieces of one character arrive one by one; a character
    // longer than 4 bytes of pending ids can never complete, so give up
    // waiting then and emit what decode() makes of it.
    if (endsIncomplete(text) && m_pending.size() < 4)
        return {};
    m_pending.clear();
    return text;
}

std::string StreamDecoder::flush() {
    if (m_pending.empty())
        return {};
    std::string text = m_tok.decode(m_pending);
    m_pending.clear();
    return text;
}

std::string trimmed(const std::string& s) {
    const char* ws = " \t\r\n";
    const size_t b = s.find_first_not_of(ws);
    if (b == std::string::npos)
        return {};
    const size_t e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

ReasoningParts splitReasoning(const std::string& text) {
    ReasoningParts p;
    std::string rest = text;
    const size_t t0 = rest.find("<think>");
    if (t0 != std::string::npos) {
        p.hasThink = true;
        const size_t t1 = rest.find("</think>", t0);
        if (t1 == std::string::npos) {
            p.reasoning = trimmed(rest.substr(t0 + 7));
            rest = rest.substr(0, t0);
        } else {
            p.reasoning = trimmed(rest.substr(t0 + 7, t1 - t0 - 7));
            rest = rest.substr(0, t0) + rest.substr(t1 + 8);
        }
    }
    const size_t a0 = rest.find("<answer>");
    if (a0 != std::string::npos) {
        const size_t a1 = rest.find("</answer>", a0);
        rest = a1 == std::string::npos ? rest.substr(a0 + 8) : rest.substr(a0 + 8, a1 - a0 - 8);
    }
    p.answer = trimmed(rest);
    return p;
}

} // namespace mm::eval
