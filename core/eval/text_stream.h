#pragma once
// Turning prompts into model input and generated ids back into text: the
// prompt encoding of each model mode, an incremental UTF-8-safe decoder for
// streaming, and the think/answer split of reasoning models.

#include "text/chat_template.h"
#include "text/tokenizer.h"

#include <string>
#include <vector>

namespace mm::eval {

/// Input ids for one prompt. Raw (pretrain, mode 0): <|im_start|> + text, as
/// the pretrain samples begin. Chat: the ChatML rendering of `history` plus
/// the user turn (after an optional system turn) and the generation header.
std::vector<int> promptIds(const text::Tokenizer& tok, const std::string& prompt, bool raw,
                           const std::string& systemPrompt = {}, const std::vector<text::Message>& history = {});

/// Decodes a growing id sequence piece by piece. push() returns the text that
/// became complete with this id: a multi-byte character split over several
/// byte-fallback tokens is held back until its last byte arrives.
class StreamDecoder {
public:
    explicit StreamDecoder(const text::Tokenizer& tok) : m_tok(tok) {}
    std::string push(int id);
    /// Whatever is still held back (an incomplete character at the end).
    std::string flush();

private:
    const text::Tokenizer& m_tok;
    std::vector<int> m_pending;
};

/// A reasoning model's answer split into its parts.
struct ReasoningParts {
    bool hasThink = false; ///< a <think> block was present
    std::string reasoning; ///< text inside <think>...</think> (trimmed)
    std::string answer;    ///< text inside <answer>...</answer>, or everything outside the think block
};

/// Splits "<think>r</think><answer>a</answer>" (either tag may be missing or
/// unclosed when generation stopped early) into reasoning and answer.
ReasoningParts splitReasoning(const std::string& text);

/// Removes leading and trailing ASCII whitespace.
std::string trimmed(const std::string& s);

} // namespace mm::eval
