#pragma once
// Streaming readers for minimind's jsonl formats. A file is read line by line and
// never held in memory whole. Every problem names file:line and the field.

#include "text/chat_template.h"

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mm::data {

/// Reads one JSON object per line. Blank lines are skipped silently.
class JsonlReader {
public:
    /// Throws IoError if the file cannot be opened (message names the path and
    /// says what to do).
    explicit JsonlReader(std::string path, bool skipBadLines = false);

    /// Reads the next object into `out`. Returns false at end of file. A line
    /// that is not a JSON object throws InputError "path:line: <problem>" unless
    /// skipBadLines, in which case it is counted and skipped.
    bool next(nlohmann::json& out);

    /// Call when a parsed object is rejected by a format check: throws
    /// InputError("path:line: " + problem + a hint to fix the line or pass
    /// --skip_bad_lines) or, with skipBadLines, counts it. A problem that already
    /// starts with where() (the validators' messages) is not prefixed again.
    void reject(const std::string& problem);

    const std::string& path() const { return m_path; }
    int64_t lineNumber() const { return m_line; }
    /// "path:line" of the line last returned by next().
    std::string where() const;
    int64_t badLines() const { return m_bad; }
    /// First few bad-line messages (for the summary when skipping).
    const std::vector<std::string>& badLineSamples() const { return m_badSamples; }
    /// Bytes consumed so far and total file size (progress display).
    int64_t bytesRead() const { return m_bytes; }
    int64_t fileSize() const { return m_size; }

private:
    std::string m_path;
    std::ifstream m_in;
    bool m_skip;
    int64_t m_line = 0;
    int64_t m_bad = 0;
    int64_t m_bytes = 0;
    int64_t m_size = 0;
    std::vector<std::string> m_badSamples;
    std::string m_buf;
};

/// Pretrain record {"text": "..."}. Throws InputError naming `where` and the
/// field when "text" is missing, not a string, or empty.
std::string pretrainText(const nlohmann::json& record, const std::string& where);

/// SFT record {"conversations": [{"role","content"}, ...]}. Checks: the field
/// exists and is a non-empty array; each turn has string role/content; roles are
/// system (first turn only), then user/assistant alternating starting with user;
/// at least one assistant turn; no empty assistant content.
std::vector<text::Message> conversation(const nlohmann::json& record, const std::string& where);

/// The "conversations" of a prompt-only record (GRPO): the same checks, except
/// that no assistant turn is required and an assistant turn may be empty.
std::vector<text::Message> promptTurns(const nlohmann::json& record, const std::string& where, const char* shapeHint);

/// DPO record {"chosen": [msgs], "rejected": [msgs]}: both valid conversations
/// ending with an assistant turn, with identical turns before the last one.
struct PreferencePair {
    std::vector<text::Message> chosen;
    std::vector<text::Message> rejected;
};
PreferencePair preferencePair(const nlohmann::json& record, const std::string& where);

/// All texts of a record of any of the three formats (pretrain text, each turn's
/// content) for tokenizer training. Unknown shapes throw InputError.
std::vector<std::string> anyTexts(const nlohmann::json& record, const std::string& where);

} // namespace mm::data
