#pragma once
// MiniMind's ChatML template: "<|im_start|>{role}\n{content}<|im_end|>\n" per turn,
// generation header "<|im_start|>assistant\n".

#include <string>
#include <vector>

namespace mm::text {

/// One chat turn. role is "system", "user" or "assistant".
struct Message {
    std::string role;
    std::string content;
};

/// Renders turns with the ChatML template; appends the generation header when
/// `addGenerationPrompt` is true.
std::string renderChat(const std::vector<Message>& messages, bool addGenerationPrompt);

/// The generation header "<|im_start|>assistant\n".
const std::string& generationHeader();

} // namespace mm::text
