#pragma once
// The demo's report: the six models' measurements, the chance baselines they
// are read against, a table and one plain sentence per stage. Written by
// `micromind demo` (reports/demo.json, reports/demo.md) and read back by the
// workbench's Demo tab, so both show the same figures and words.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace mm::eval {

struct DemoBaselines {
    double trainExactChance = 0;    ///< most frequent answer's share among the trained-question sample
    double heldoutExactChance = 0;  ///< the same on the held-out questions
    double heldoutAuthorChance = 0; ///< the same on the held-out author questions (the most frequent poet)
    std::string trainChanceAnswer, heldoutChanceAnswer, heldoutAuthorChanceAnswer;
    double preferenceChance = 0.5; ///< a coin flip per pair
};

struct DemoReport {
    /// Model mode ("0".."5") -> {"name", "train_exact", "exact", "author_exact", "loss",
    /// "songci_loss", "preference", "think", "reward"}, each the `--json` result of its
    /// measuring command; modes 1 and 2 also {"preference_kinds": {kind: result}}.
    nlohmann::json models = nlohmann::json::object();
    DemoBaselines baselines;
    double seconds = 0; ///< the demo's wall time
};

struct DemoRow {
    std::string mode; ///< "0".."5", or "" for the chance row
    std::string name;
    std::vector<std::string> cells; ///< one per demoColumns() entry after mode and name
};

/// Column titles after "mode" and "model" (English; the workbench translates its own).
const std::vector<std::string>& demoColumns();
/// One row per measured model, then the chance row.
std::vector<DemoRow> demoRows(const DemoReport& r);
/// One sentence per stage that could be measured, comparing it with its parent.
std::vector<std::string> demoFindings(const DemoReport& r);
/// reports/demo.md: the definitions, the table and the sentences.
std::string demoMarkdown(const DemoReport& r);

nlohmann::json toJson(const DemoReport& r);
/// Reads reports/demo.json; throws InputError naming `path` when it is not a demo report.
DemoReport demoReportFromJson(const nlohmann::json& j, const std::string& path);

} // namespace mm::eval
