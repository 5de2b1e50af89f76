#include "data/jsonl.h"

#include "common/error.h"

#include <cerrno>
#include <cstring>

#include <sys/stat.h>

namespace mm::data {

namespace {

using nlohmann::json;

// How many bad-line messages are kept for the end-of-run summary; the rest are
// only counted, so a file with millions of bad lines costs no memory.
constexpr size_t kMaxBadSamples = 5;
// Parser messages quote what was read so far, which on a long line can be huge.
constexpr size_t kMaxParseMessage = 200;

const char* const kSkipHint = "; fix the line or pass --skip_bad_lines";

// nlohmann's messages look like "[json.exception.parse_error.101] parse error at
// line 1, column 7: syntax error ...". The id prefix and the "line 1" (a jsonl
// record is always one line) add nothing for a user.
std::string shortParseMessage(const std::string& what) {
    std::string msg = what;
    if (msg.rfind("[json.exception.", 0) == 0) {
        size_t close = msg.find("] ");
        if (close != std::string::npos)
            msg.erase(0, close + 2);
    }
    const std::string lineOne = "parse error at line 1, ";
    if (msg.rfind(lineOne, 0) == 0)
        msg.erase(0, lineOne.size());
    if (msg.size() > kMaxParseMessage)
        msg = msg.substr(0, kMaxParseMessage) + "...";
    return msg;
}

bool isBlank(const std::string& s) {
    for (char c : s)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f' && c != '\v')
            return false;
    return true;
}

// JSON type names as a user would say them ("a number", "an array").
std::string describeType(const json& v) {
    switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    default: return "an unsupported value";
    }
}

[[noreturn]] void fail(const std::string& where, const std::string& problem) {
    throw InputError(where + ": " + problem);
}

// Reads the string field `key` of `obj`; `label` is how the field is named in
// messages (e.g. "conversations"[2].role).
const std::string& stringField(const json& obj, const char* key, const std::string& label, const std::string& where) {
    auto it = obj.find(key);
    if (it == obj.end())
        fail(where, "field " + label + " is missing");
    if (!it->is_string())
        fail(where, "field " + label + " is " + describeType(*it) + "; expected a string");
    return it->get_ref<const std::string&>();
}

// Validates a list of chat turns stored in field `field` of `record`. Shared by
// SFT ("conversations") and DPO ("chosen"/"rejected") records so both give the
// same messages.
std::vector<text::Message> turns(const json& record, const std::string& field, const std::string& where,
                                 const char* shapeHint, bool promptOnly = false) {
    if (!record.is_object())
        fail(where, "record is " + describeType(record) + "; expected a JSON object");
    const std::string quoted = "\"" + field + "\"";
    auto it = record.find(field);
    if (it == record.end())
        fail(where, "field " + quoted + " is missing (" + shapeHint + ")");
    if (!it->is_array())
        fail(where, "field " + quoted + " is " + describeType(*it) + "; expected an array of turns");
    if (it->empty())
        fail(where, "field " + quoted + " is empty");

    std::vector<text::Message> out;
    out.reserve(it->size());
    bool sawAssistant = false;
    // Index of the first non-system turn: alternation is checked relative to it.
    size_t dialogStart = 0;
    for (size_t i = 0; i < it->size(); ++i) {
        const json& turn = (*it)[i];
        const std::string label = quoted + "[" + std::to_string(i) + "]";
        if (!turn.is_object())
            fail(where,
                 "field " + label + " is " + describeType(turn) + "; expected an object with \"role\" and \"content\"");
        const std::string& role = stringField(turn, "role", label + ".role", where);
        const std::string& content = stringField(turn, "content", label + ".content", where);

        if (role == "system") {
            if (i != 0)
                fail(where, "field " + label + ".role is \"system\"; a system turn is only allowed first");
            dialogStart = 1;
        } else if (role == "user" || role == "assistant") {
            const char* expected = (i - dialogStart) % 2 == 0 ? "user" : "assistant";
            if (role != expected)
                fail(where, "field " + label + ".role is \"" + role + "\"; expected \"" + expected +
                                "\" (turns alternate user/assistant, starting with user)");
            if (role == "assistant") {
                if (content.empty() && !promptOnly)
                    fail(where, "field " + label + ".content is empty; an assistant turn needs text");
                sawAssistant = true;
            }
        } else {
            // Only the roles the ChatML template and the trainer understand.
            fail(where, "field " + label + ".role is \"" + role + "\"; expected \"user\" or \"assistant\"" +
                            (i == 0 ? " (or \"system\")" : ""));
        }
        out.push_back(text::Message{role, content});
    }
    if (!sawAssistant && !promptOnly)
        fail(where, field == "conversations" ? "conversation has no assistant turn"
                                             : "field " + quoted + " has no assistant turn");
    return out;
}

} // namespace

// ---------------------------------------------------------------------------
// JsonlReader

JsonlReader::JsonlReader(std::string path, bool skipBadLines) : m_path(std::move(path)), m_skip(skipBadLines) {
    struct stat st {};
    if (::stat(m_path.c_str(), &st) != 0)
        throw IoError("cannot open data file " + m_path + ": " + std::strerror(errno) + "; check --data_path");
    // An ifstream happily "opens" a directory and then reads nothing, which would
    // surface later as a confusing "no usable records".
    if (S_ISDIR(st.st_mode))
        throw IoError("cannot open data file " + m_path + ": it is a directory; check --data_path");
    m_in.open(m_path, std::ios::binary);
    if (!m_in)
        throw IoError("cannot open data file " + m_path + ": " + std::strerror(errno) + "; check --data_path");
    m_size = static_cast<int64_t>(st.st_size);
}

bool JsonlReader::next(nlohmann::json& out) {
    while (std::getline(m_in, m_buf)) {
        ++m_line;
        // getline drops the '\n'; count it unless this was an unterminated last line.
        m_bytes += static_cast<int64_t>(m_buf.size()) + (m_in.eof() ? 0 : 1);
        if (!m_buf.empty() && m_buf.back() == '\r')
            m_buf.pop_back();
        if (isBlank(m_buf))
            continue;
        try {
            out = json::parse(m_buf);
        } catch (const json::parse_error& e) {
            reject("invalid JSON (" + shortParseMessage(e.what()) + ")");
            continue;
        } catch (const json::out_of_range&) {
            // A number literal beyond double's range ("1e99999"); found by fuzzing.
            reject("invalid JSON (a number is too large to represent)");
            continue;
        }
        if (!out.is_object()) {
            reject("expected a JSON object, got " + describeType(out));
            continue;
        }
        return true;
    }
    if (m_in.bad())
        throw IoError("cannot read data file " + m_path + " after line " + std::to_string(m_line) + ": " +
                      std::strerror(errno));
    m_bytes = m_size;
    return false;
}

void JsonlReader::reject(const std::string& problem) {
    // Validators already prefix their messages with where(); do not repeat it.
    const std::string prefix = where() + ": ";
    std::string msg = problem.rfind(prefix, 0) == 0 ? problem : prefix + problem;
    if (!m_skip)
        throw InputError(msg + kSkipHint);
    ++m_bad;
    if (m_badSamples.size() < kMaxBadSamples)
        m_badSamples.push_back(std::move(msg));
}

std::string JsonlReader::where() const { return m_path + ":" + std::to_string(m_line); }

// ---------------------------------------------------------------------------
// Record validators

std::string pretrainText(const nlohmann::json& record, const std::string& where) {
    if (!record.is_object())
        fail(where, "record is " + describeType(record) + "; expected a JSON object");
    if (record.find("text") == record.end())
        fail(where, "field \"text\" is missing (pretrain records are {\"text\": \"...\"})");
    const std::string& text = stringField(record, "text", "\"text\"", where);
    if (text.empty())
        fail(where, "field \"text\" is empty");
    return text;
}

std::vector<text::Message> conversation(const nlohmann::json& record, const std::string& where) {
    return turns(record, "conversations", where,
                 "SFT records are {\"conversations\": [{\"role\": \"user\", \"content\": \"...\"}, ...]}");
}

std::vector<text::Message> promptTurns(const nlohmann::json& record, const std::string& where, const char* shapeHint) {
    return turns(record, "conversations", where, shapeHint, true);
}

PreferencePair preferencePair(const nlohmann::json& record, const std::string& where) {
    const char* hint = "DPO records are {\"chosen\": [turns], \"rejected\": [turns]}";
    PreferencePair pair;
    pair.chosen = turns(record, "chosen", where, hint);
    pair.rejected = turns(record, "rejected", where, hint);
    for (const char* side : {"chosen", "rejected"}) {
        const auto& msgs = std::string(side) == "chosen" ? pair.chosen : pair.rejected;
        if (msgs.back().role != "assistant")
            fail(where, std::string("field \"") + side + "\" ends with a " + msgs.back().role +
                            " turn; expected the assistant's answer last");
    }
    if (pair.chosen.size() != pair.rejected.size())
        fail(where, "DPO pair: \"chosen\" has " + std::to_string(pair.chosen.size()) + " turns and \"rejected\" has " +
                        std::to_string(pair.rejected.size()) + "; they must differ only in the last turn");
    for (size_t i = 0; i + 1 < pair.chosen.size(); ++i) {
        if (pair.chosen[i].role != pair.rejected[i].role || pair.chosen[i].content != pair.rejected[i].content)
            fail(where,
                 "DPO pair: \"chosen\" and \"rejected\" differ before the last turn (turn " + std::to_string(i) + ")");
    }
    return pair;
}

std::vector<std::string> anyTexts(const nlohmann::json& record, const std::string& where) {
    if (!record.is_object())
        fail(where, "record is " + describeType(record) + "; expected a JSON object");
    std::vector<std::string> out;
    auto addContents = [&out](const std::vector<text::Message>& msgs, size_t from) {
        for (size_t i = from; i < msgs.size(); ++i)
            if (!msgs[i].content.empty())
                out.push_back(msgs[i].content);
    };
    if (record.contains("text")) {
        out.push_back(pretrainText(record, where));
    } else if (record.contains("conversations")) {
        addContents(conversation(record, where), 0);
    } else if (record.contains("chosen") || record.contains("rejected")) {
        PreferencePair pair = preferencePair(record, where);
        addContents(pair.chosen, 0);
        // The shared prompt turns are already in; only the rejected answer is new.
        addContents(pair.rejected, pair.rejected.size() - 1);
    } else {
        std::string keys;
        for (auto it = record.begin(); it != record.end(); ++it) {
            if (keys.size() > 100) {
                keys += ", ...";
                break;
            }
            keys += (keys.empty() ? "" : ", ") + ("\"" + it.key() + "\"");
        }
        fail(where, "unrecognised record: expected a \"text\", \"conversations\" or \"chosen\"/\"rejected\" field"
                    " (found " +
                        (keys.empty() ? std::string("no fields") : keys) + ")");
    }
    return out;
}

} // namespace mm::data
