#include "text/chat_template.h"

#include <string_view>

namespace mm::text {

namespace {
// string_view constants need no dynamic initialisation, so renderChat is safe to
// call from other translation units' static initialisers.
constexpr std::string_view kTurnStart = "<|im_start|>";
constexpr std::string_view kTurnEnd = "<|im_end|>\n";
constexpr std::string_view kGenerationHeader = "<|im_start|>assistant\n";
} // namespace

const std::string& generationHeader() {
    static const std::string header(kGenerationHeader);
    return header;
}

std::string renderChat(const std::vector<Message>& messages, bool addGenerationPrompt) {
    // One allocation: SFT data renders every conversation of a large corpus.
    size_t size = addGenerationPrompt ? kGenerationHeader.size() : 0;
    for (const auto& m : messages)
        size += kTurnStart.size() + m.role.size() + 1 + m.content.size() + kTurnEnd.size();
    std::string out;
    out.reserve(size);
    for (const auto& m : messages) {
        out += kTurnStart;
        out += m.role;
        out += '\n';
        out += m.content;
        out += kTurnEnd;
    }
    if (addGenerationPrompt)
        out += kGenerationHeader;
    return out;
}

} // namespace mm::text
