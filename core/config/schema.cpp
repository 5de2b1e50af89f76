#include "config/schema.h"

#include "common/error.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace mm::config {

const Field* Schema::find(const std::string& name) const {
    for (const auto& f : fields)
        if (f.name == name)
            return &f;
    return nullptr;
}

namespace {

std::string typeName(FieldType t) {
    switch (t) {
    case FieldType::Int: return "int";
    case FieldType::Float: return "float";
    case FieldType::Bool: return "bool";
    case FieldType::Choice: return "choice";
    case FieldType::Path: return "path";
    default: return "string";
    }
}

bool parseBoolText(const std::string& s, bool& out) {
    if (s == "1" || s == "true" || s == "True" || s == "yes" || s == "on") {
        out = true;
        return true;
    }
    if (s == "0" || s == "false" || s == "False" || s == "no" || s == "off") {
        out = false;
        return true;
    }
    return false;
}

bool parseIntText(const std::string& s, long long& out) {
    if (s.empty())
        return false;
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno == 0 && end && *end == '\0') {
        out = v;
        return true;
    }
    // Accept integral floats such as "1e4" for step counts.
    double d = std::strtod(s.c_str(), &end);
    if (end && *end == '\0' && std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e18) {
        out = static_cast<long long>(d);
        return true;
    }
    return false;
}

bool parseFloatText(const std::string& s, double& out) {
    if (s.empty())
        return false;
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (!end || *end != '\0' || !std::isfinite(v))
        return false;
    out = v;
    return true;
}

std::string fmtNum(double v) {
    std::ostringstream ss;
    ss << v;
    return ss.str();
}

size_t editDistance(const std::string& a, const std::string& b) {
    std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        prev[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= b.size(); ++j)
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::string suggest(const Schema& s, const std::string& name) {
    std::string best;
    size_t bestD = 4;
    for (const auto& f : s.fields) {
        size_t d = editDistance(name, f.name);
        if (d < bestD) {
            bestD = d;
            best = f.name;
        }
    }
    return best.empty() ? "" : " (did you mean --" + best + "?)";
}

[[noreturn]] void throwProblems(const Schema& s, const std::vector<std::string>& problems) {
    std::string msg = "invalid arguments for `micromind " + s.stage + "` (" + std::to_string(problems.size()) +
                      (problems.size() == 1 ? " problem" : " problems") + "):";
    for (const auto& p : problems)
        msg += "\n  " + p;
    msg += "\nRun `micromind " + s.stage + " --help` for every flag with its default and range.";
    throw InputError(msg);
}

Values withDefaults(const Schema& s) {
    Values v(&s);
    for (const auto& f : s.fields)
        v.set(f.name, f.defaultValue, false);
    return v;
}

} // namespace

ValueCheck checkValue(const Field& f, const std::string& v) {
    const std::string flag = "--" + f.name;
    const auto issue = [](ValueIssue i, std::string message, double limit = 0) {
        return ValueCheck{i, std::move(message), limit};
    };
    if (f.required && v.empty())
        return issue(ValueIssue::Required, flag + " is required");
    switch (f.type) {
    case FieldType::Int:
    case FieldType::Float: {
        const bool integer = f.type == FieldType::Int;
        long long i = 0;
        double x = 0;
        if (integer ? !parseIntText(v, i) : !parseFloatText(v, x))
            return integer ? issue(ValueIssue::NotInteger, flag + ": \"" + v + "\" is not an integer")
                           : issue(ValueIssue::NotNumber, flag + ": \"" + v + "\" is not a number");
        if (integer)
            x = double(i);
        if (f.min && x < *f.min)
            return issue(ValueIssue::BelowMinimum, flag + ": " + v + " is below the minimum " + fmtNum(*f.min), *f.min);
        if (f.max && x > *f.max)
            return issue(ValueIssue::AboveMaximum, flag + ": " + v + " is above the maximum " + fmtNum(*f.max), *f.max);
        return {};
    }
    case FieldType::Bool: {
        bool b;
        if (!parseBoolText(v, b))
            return issue(ValueIssue::NotBoolean, flag + ": \"" + v + "\" is not a boolean (use 1/0, true/false)");
        return {};
    }
    case FieldType::Choice:
        if (std::find(f.choices.begin(), f.choices.end(), v) == f.choices.end()) {
            std::string all;
            for (const auto& c : f.choices)
                all += (all.empty() ? "" : ", ") + c;
            return issue(ValueIssue::NotAChoice, flag + ": \"" + v + "\" is not one of " + all);
        }
        return {};
    default: return {};
    }
}

long long Values::getInt(const std::string& name) const {
    long long x = 0;
    parseIntText(getString(name), x);
    return x;
}

double Values::getFloat(const std::string& name) const {
    double x = 0;
    parseFloatText(getString(name), x);
    return x;
}

bool Values::getBool(const std::string& name) const {
    bool b = false;
    parseBoolText(getString(name), b);
    return b;
}

const std::string& Values::getString(const std::string& name) const {
    auto it = m_values.find(name);
    if (it == m_values.end())
        throw std::logic_error("config field not in schema: " + name);
    return it->second;
}

std::optional<long long> Values::tryInt(const std::string& name) const {
    long long x = 0;
    if (!parseIntText(getString(name), x))
        return std::nullopt;
    return x;
}

bool Values::isSet(const std::string& name) const {
    auto it = m_userSet.find(name);
    return it != m_userSet.end() && it->second;
}

void Values::set(const std::string& name, const std::string& value, bool userSet) {
    m_values[name] = value;
    m_userSet[name] = userSet;
}

nlohmann::json Values::toJson() const {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& f : m_schema->fields) {
        switch (f.type) {
        case FieldType::Int: j[f.name] = getInt(f.name); break;
        case FieldType::Float: j[f.name] = getFloat(f.name); break;
        case FieldType::Bool: j[f.name] = getBool(f.name); break;
        default: j[f.name] = getString(f.name);
        }
    }
    return j;
}

std::vector<std::string> Values::toArgs() const {
    std::vector<std::string> out{m_schema->stage};
    for (const auto& f : m_schema->fields) {
        const std::string& v = getString(f.name);
        if (v == f.defaultValue)
            continue;
        if (f.type == FieldType::Bool) {
            if (getBool(f.name))
                out.push_back("--" + f.name);
            else {
                out.push_back("--" + f.name);
                out.push_back("0");
            }
            continue;
        }
        out.push_back("--" + f.name);
        out.push_back(v);
    }
    return out;
}

std::vector<Problem> validateFields(const Values& values) {
    std::vector<Problem> problems;
    for (const auto& f : values.schema().fields) {
        ValueCheck c = checkValue(f, values.getString(f.name));
        if (!c.ok())
            problems.push_back({f.name, std::move(c.message)});
    }
    return problems;
}

std::vector<std::string> validate(const Values& values) {
    std::vector<std::string> problems;
    for (auto& p : validateFields(values))
        problems.push_back(std::move(p.message));
    return problems;
}

Values parseArgs(const Schema& s, const std::vector<std::string>& args) {
    Values v = withDefaults(s);
    std::vector<std::string> problems;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.rfind("--", 0) != 0) {
            problems.push_back("unexpected argument \"" + a + "\" (flags look like --name value)");
            continue;
        }
        std::string name = a.substr(2), value;
        bool hasValue = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            hasValue = true;
        }
        std::replace(name.begin(), name.end(), '-', '_');
        const Field* f = s.find(name);
        if (!f) {
            problems.push_back("unknown flag --" + name + suggest(s, name));
            // Skip its value, if it has one, so it is not reported twice.
            if (!hasValue && i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0)
                ++i;
            continue;
        }
        if (!hasValue) {
            if (f->type == FieldType::Bool) {
                bool b;
                if (i + 1 < args.size() && parseBoolText(args[i + 1], b)) {
                    value = args[++i];
                } else {
                    value = "1";
                }
            } else if (i + 1 < args.size()) {
                value = args[++i];
            } else {
                problems.push_back("--" + name + " needs a value");
                continue;
            }
        }
        v.set(name, value, true);
    }
    for (auto& p : validate(v))
        problems.push_back(p);
    if (!problems.empty())
        throwProblems(s, problems);
    return v;
}

Values parseJson(const Schema& s, const nlohmann::json& object) {
    if (!object.is_object())
        throw InputError("config for `" + s.stage + "` must be a JSON object");
    Values v = withDefaults(s);
    std::vector<std::string> problems;
    for (auto it = object.begin(); it != object.end(); ++it) {
        const Field* f = s.find(it.key());
        if (!f) {
            problems.push_back("unknown key \"" + it.key() + "\"" + suggest(s, it.key()));
            continue;
        }
        const auto& j = it.value();
        std::string text;
        if (j.is_string())
            text = j.get<std::string>();
        else if (j.is_boolean())
            text = j.get<bool>() ? "1" : "0";
        else if (j.is_number_integer())
            text = std::to_string(j.get<long long>());
        else if (j.is_number())
            text = fmtNum(j.get<double>());
        else {
            problems.push_back("key \"" + it.key() + "\" has an unsupported JSON type");
            continue;
        }
        v.set(f->name, text, true);
    }
    for (auto& p : validate(v))
        problems.push_back(p);
    if (!problems.empty())
        throwProblems(s, problems);
    return v;
}

std::string helpText(const Schema& s) {
    std::ostringstream out;
    out << "Usage: micromind " << s.stage << " [--flag value ...]\n\n" << s.summary << "\n";
    std::vector<std::string> groups;
    for (const auto& f : s.fields)
        if (std::find(groups.begin(), groups.end(), f.group) == groups.end())
            groups.push_back(f.group);
    for (const auto& g : groups) {
        out << "\n" << g << ":\n";
        for (const auto& f : s.fields) {
            if (f.group != g)
                continue;
            std::string left = "  --" + f.name;
            if (f.type != FieldType::Bool)
                left += " <" + typeName(f.type) + ">";
            out << left;
            size_t pad = left.size() < 34 ? 34 - left.size() : 1;
            out << std::string(pad, ' ') << f.help;
            std::string extra;
            if (!f.defaultValue.empty())
                extra += "default " + f.defaultValue;
            if (f.min || f.max)
                extra += std::string(extra.empty() ? "" : ", ") + "range [" + (f.min ? fmtNum(*f.min) : "") + ", " +
                         (f.max ? fmtNum(*f.max) : "") + "]";
            if (!f.choices.empty()) {
                extra += std::string(extra.empty() ? "" : ", ") + "one of ";
                for (size_t i = 0; i < f.choices.size(); ++i)
                    extra += (i ? "|" : "") + f.choices[i];
            }
            if (f.required)
                extra += std::string(extra.empty() ? "" : ", ") + "required";
            if (!extra.empty())
                out << " (" << extra << ")";
            out << "\n";
        }
    }
    return out.str();
}

} // namespace mm::config
