#pragma once
// One declarative schema per stage: every field's name, type, default, range and
// one-line help. CLI flags, --help, JSON run configs and (later) the GUI forms are
// all generated from it, so names and defaults cannot drift apart.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mm::config {

enum class FieldType { Int, Float, String, Bool, Choice, Path };

/// One configurable field of a stage.
struct Field {
    std::string name; ///< flag name without "--" (minimind's names)
    FieldType type = FieldType::String;
    std::string defaultValue;         ///< as text; "" = no default
    std::optional<double> min, max;   ///< inclusive numeric range
    std::vector<std::string> choices; ///< for Choice
    std::string help;                 ///< one line, shown by --help and as GUI tooltip
    std::string group = "General";    ///< section in --help / GUI form
    bool required = false;
};

/// All fields of one stage.
struct Schema {
    std::string stage;
    std::string summary; ///< one line for `micromind --help`
    std::vector<Field> fields;
    const Field* find(const std::string& name) const;
};

/// Parsed, validated values of a schema; every field has a value (given or default).
class Values {
public:
    Values() = default;
    explicit Values(const Schema* schema) : m_schema(schema) {}

    long long getInt(const std::string& name) const;
    double getFloat(const std::string& name) const;
    bool getBool(const std::string& name) const;
    const std::string& getString(const std::string& name) const;
    /// True when the user gave the flag (not just the default).
    bool isSet(const std::string& name) const;
    /// The value as an integer the way getInt reads it; nullopt when the text is not one.
    std::optional<long long> tryInt(const std::string& name) const;
    /// Sets a value as if given by the user (used by presets); no validation.
    void set(const std::string& name, const std::string& value, bool userSet = true);
    /// Values as a JSON object with typed members (stored in the run history).
    nlohmann::json toJson() const;
    /// The equivalent command line "micromind <stage> --flag value ..." for the
    /// fields that differ from their defaults.
    std::vector<std::string> toArgs() const;
    const Schema& schema() const { return *m_schema; }

private:
    const Schema* m_schema = nullptr;
    std::map<std::string, std::string> m_values;
    std::map<std::string, bool> m_userSet;
};

/// Parses "--name value", "--name=value" and bare "--flag" (Bool). Collects every
/// problem (unknown flag with a did-you-mean, bad number, out of range, missing
/// required field, bad choice) and throws one InputError listing all of them.
Values parseArgs(const Schema& schema, const std::vector<std::string>& args);

/// Same validation for a JSON object (unknown keys rejected).
Values parseJson(const Schema& schema, const nlohmann::json& object);

/// One problem of one field: `message` is the text validate() gives
/// ("--epochs: 0 is below the minimum 1").
struct Problem {
    std::string field;
    std::string message;
};

/// What is wrong with one field's text (checkValue); None = fine.
enum class ValueIssue { None, Required, NotInteger, NotNumber, NotBoolean, BelowMinimum, AboveMaximum, NotAChoice };

/// The result of checking one field's text.
struct ValueCheck {
    ValueIssue issue = ValueIssue::None;
    /// The text validate() gives ("--epochs: 0 is below the minimum 1"); "" when fine.
    std::string message;
    /// The bound that was crossed (BelowMinimum, AboveMaximum).
    double limit = 0;
    bool ok() const { return issue == ValueIssue::None; }
};

/// Checks one value against its field: required, type, range, choice. The rule
/// parseArgs, parseJson and validate apply; the workbench's forms show the
/// issue beside the field in their own words.
ValueCheck checkValue(const Field& field, const std::string& text);

/// Checks ranges/choices of the current values; returns every problem with
/// its field (empty = ok).
std::vector<Problem> validateFields(const Values& values);
/// validateFields' messages alone.
std::vector<std::string> validate(const Values& values);

/// `micromind <stage> --help` text, grouped, with defaults and ranges.
std::string helpText(const Schema& schema);

} // namespace mm::config
