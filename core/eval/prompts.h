#pragma once
// Prompt sets for evaluation: editable JSON-lines resource files
// ({"prompt": "...", "answer": "..."} per line, "answer" optional) or plain
// text files with one prompt per line. The seed's sets ship as
// resources/prompts/{pretrain,chat,eval}.jsonl.

#include <string>
#include <vector>

namespace mm::eval {

/// One prompt; `answer` is a known reference answer (exact-match sets) or "".
struct Prompt {
    std::string text;
    std::string answer;
};

/// A named list of prompts.
struct PromptSet {
    std::string name; ///< file stem ("chat" for chat.jsonl)
    std::string path; ///< file it was read from
    std::vector<Prompt> prompts;
};

/// Reads a .jsonl prompt file (objects with "prompt" or "question", optional
/// "answer"), or any other file as one prompt per non-empty line. Throws
/// InputError naming file:line for a malformed line and for an empty set.
PromptSet loadPromptSet(const std::string& path);

/// The first of `candidates` that is a directory holding prompts/ (the
/// resources root); "" when none does.
std::string findResourceDir(const std::vector<std::string>& candidates);

/// The resources root of this build or installation: <exe>/../share/micromind
/// (an installed or extracted package), the source tree's resources/, then
/// the configured install prefix; "" when none holds prompts/.
std::string locateResourceDir();

/// The built-in set names, in the seed's order: pretrain, chat, eval.
const std::vector<std::string>& builtinPromptSets();

/// The sets the seed evaluates a model mode on: pretrain + eval for mode 0
/// (raw continuation), chat + eval for the chat modes.
std::vector<std::string> defaultPromptSets(int modelMode);

/// "<resourceDir>/prompts/<name>.jsonl"; throws InputError listing the
/// available sets when it does not exist.
std::string promptSetPath(const std::string& resourceDir, const std::string& name);

} // namespace mm::eval
