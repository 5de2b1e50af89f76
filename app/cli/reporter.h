#pragma once
// Renders the core's event stream for a person (aligned progress lines) or for
// a program (--json: one JSON object per line on stdout, flushed).

#include "common/format.h"
#include "train/events.h"

#include <nlohmann/json.hpp>

#include <string>

namespace mm::cli {

class Reporter {
public:
    explicit Reporter(bool json) : m_json(json) {}
    /// A training event: its toJson line (--json) or a line for a person.
    void event(const train::Event& e);
    /// Free-form progress text (stderr in JSON mode so stdout stays parseable).
    void info(const std::string& text);
    bool json() const { return m_json; }
    /// A data-parallel rank other than 0: it prints nothing but its errors.
    bool silent() const;

private:
    bool m_json;
};

using mm::formatCount;
using mm::formatDuration;

} // namespace mm::cli
