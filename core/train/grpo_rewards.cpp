#include "train/grpo_rewards.h"

#include "common/error.h"
#include "train/stage_losses.h"

#include <algorithm>
#include <set>

namespace mm::train {

namespace {

std::string trim(const std::string& s) {
    const char* ws = " \t\r\n";
    const size_t b = s.find_first_not_of(ws);
    if (b == std::string::npos)
        return {};
    return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

size_t count(const std::string& s, const std::string& what) {
    size_t n = 0;
    for (size_t p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size()))
        ++n;
    return n;
}

bool isAsciiAlnum(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Units for the repetition penalty (see the header).
std::vector<std::string> units(const std::string& s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            ++i;
        } else if (isAsciiAlnum(c)) {
            size_t j = i;
            while (j < s.size() && isAsciiAlnum(static_cast<unsigned char>(s[j])))
                ++j;
            out.push_back(s.substr(i, j - i));
            i = j;
        } else {
            // One UTF-8 character: the lead byte and its continuation bytes.
            size_t j = i + 1;
            while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80)
                ++j;
            out.push_back(s.substr(i, j - i));
            i = j;
        }
    }
    return out;
}

} // namespace

double formatReward(const std::string& text) {
    double r = 0;
    for (const char* tag : {"<think>", "</think>", "<answer>", "</answer>"})
        if (count(text, tag) == 1)
            r += 0.125;
    if (followsThinkFormat(text))
        r += 0.5;
    return r;
}

std::string extractAnswer(const std::string& text) {
    const size_t a = text.find("<answer>");
    if (a != std::string::npos) {
        const size_t b = text.find("</answer>", a + 8);
        if (b != std::string::npos)
            return trim(text.substr(a + 8, b - a - 8));
    }
    return trim(text);
}

double exactMatchReward(const std::string& text, const std::string& answer) {
    const std::string want = trim(answer);
    if (want.empty())
        return 0;
    return extractAnswer(text) == want ? 1.0 : 0.0;
}

double lengthPenalty(int64_t tokens, int64_t maxTokens, bool hitStop) {
    if (!hitStop)
        return -1.0;
    if (maxTokens <= 0)
        return 0;
    const double cache = std::max(1.0, double(maxTokens) / 4.0);
    const double free = double(maxTokens) - cache;
    if (double(tokens) <= free)
        return 0;
    return -std::min(1.0, (double(tokens) - free) / cache);
}

double repetitionPenalty(const std::string& text, int n) {
    const std::vector<std::string> u = units(text);
    if (n <= 0 || int64_t(u.size()) < n)
        return 0;
    std::set<std::string> distinct;
    const size_t grams = u.size() - size_t(n) + 1;
    for (size_t i = 0; i < grams; ++i) {
        std::string key;
        for (int k = 0; k < n; ++k) {
            key += u[i + size_t(k)];
            key += '\x1f'; // unit separator: "ab"+"c" and "a"+"bc" stay distinct
        }
        distinct.insert(std::move(key));
    }
    return -(1.0 - double(distinct.size()) / double(grams));
}

RewardFn RewardSet::builtin(const std::string& name) {
    if (name == "format")
        return [](const Completion& c) { return formatReward(c.text); };
    if (name == "exact")
        return [](const Completion& c) { return exactMatchReward(c.text, c.answer); };
    if (name == "length")
        return [](const Completion& c) { return lengthPenalty(c.tokens, c.maxTokens, c.hitStop); };
    if (name == "repetition")
        return [](const Completion& c) { return repetitionPenalty(c.text); };
    return {};
}

RewardSet RewardSet::parse(const std::string& list, const std::string& flag) {
    RewardSet s;
    size_t start = 0;
    while (start <= list.size()) {
        const size_t end = std::min(list.find(',', start), list.size());
        const std::string name = trim(list.substr(start, end - start));
        start = end + 1;
        if (name.empty())
            continue;
        RewardFn fn = builtin(name);
        if (!fn)
            throw InputError(flag + ": unknown reward \"" + name + "\"; choose from format, exact, length, repetition");
        if (std::find(s.m_names.begin(), s.m_names.end(), name) != s.m_names.end())
            throw InputError(flag + ": reward \"" + name + "\" is listed twice");
        s.add(name, std::move(fn));
    }
    if (s.empty())
        throw InputError(flag + " \"" + list + "\" names no reward; give e.g. format,exact,repetition");
    return s;
}

void RewardSet::add(std::string name, RewardFn fn) {
    m_names.push_back(std::move(name));
    m_fns.push_back(std::move(fn));
}

std::vector<double> RewardSet::components(const Completion& c) const {
    std::vector<double> v;
    v.reserve(m_fns.size());
    for (const auto& f : m_fns)
        v.push_back(f(c));
    return v;
}

double RewardSet::total(const Completion& c) const {
    double t = 0;
    for (double x : components(c))
        t += x;
    return t;
}

} // namespace mm::train
