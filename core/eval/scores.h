#pragma once
// Score tables and answer comparisons, exported as the seed writes them.
//
// The seed's table (Markdown, reproduced byte for byte in header and row
// layout):
//   | 模型编号 | 语言理解与生成 (0-10) | 知识与推理能力 (0-10) | 效率与资源 (0-10) | 总分 (0-30) |
//   |----------|----------------------|----------------------|-----------------|-------------|
//   | 0        |                      |                      |                 |             |
// with rows for model modes 0-4 (5 = grpo added when it has scores).

#include "store/history.h"

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace mm::eval {

/// A judging dimension: key used in the database and in judge replies, and
/// the seed's column title.
struct Dimension {
    std::string key;   ///< language, knowledge, efficiency
    std::string title; ///< 语言理解与生成, 知识与推理能力, 效率与资源
};

/// The seed's three dimensions in column order.
const std::vector<Dimension>& scoreDimensions();

/// One row of the table.
struct ScoreRow {
    int mode = 0;
    std::array<std::optional<double>, 3> values; ///< per dimension, in scoreDimensions() order
    std::array<bool, 3> manual{};                ///< value came from `scores set`
    std::string judgeModel;                      ///< judge of the non-manual values ("" if none)
    /// Sum of the three values when all are present.
    std::optional<double> total() const;
};

/// The table: rows 0-4 always, 5 when it has a score.
struct ScoreTable {
    std::vector<ScoreRow> rows;
};

/// Per mode and dimension: the latest manual score, else the latest judge
/// score (only `judgeFilter`'s when not empty).
ScoreTable buildScoreTable(const std::vector<store::ScoreRecord>& scores, const std::string& judgeFilter = {});

/// "7", "6.5", "6.33" (at most two decimals, no trailing zeros).
std::string formatScore(double v);

/// The seed's Markdown table, exactly its header, separator and cell padding.
std::string scoresMarkdown(const ScoreTable& t);
/// CSV with the same columns plus judge and manual markers (RFC 4180 quoting).
std::string scoresCsv(const ScoreTable& t);
/// A self-contained HTML page with the table (no external resources).
std::string scoresHtml(const ScoreTable& t, const std::string& subtitle);

/// One model's answers for the comparison document.
struct CompareColumn {
    int mode = 0;
    std::string label; ///< e.g. "1 full_sft (full_sft_512)"
    std::vector<store::EvalAnswerRecord> answers;
};

/// All models' answers per prompt (prompts in first-seen order; a model
/// without an answer to a prompt shows "—"), Markdown and self-contained HTML
/// with the models side by side.
std::string compareMarkdown(const std::vector<CompareColumn>& cols, const std::string& subtitle);
std::string compareHtml(const std::vector<CompareColumn>& cols, const std::string& subtitle);

/// "1 full_sft (full_sft_512)": the mode's number, its name (eval::modes(),
/// "mode N" for an unknown one) and the checkpoint's file stem when given.
std::string modeLabel(int mode, const std::string& checkpoint);

/// The comparison's columns: each evaluated mode of the history (in
/// History::evaluatedModes order) with its latest answers, labelled by
/// modeLabel with the checkpoint that gave them.
std::vector<CompareColumn> comparisonColumns(const store::History& history);

/// The subtitle of the exported pages: "workspace <dir>" and ", judge <name>"
/// when the table shows one judge's scores only.
std::string reportSubtitle(const std::string& workspaceDir, const std::string& judgeFilter = {});

/// One exported file: its name in the export folder and its text.
struct ReportFile {
    std::string name;
    std::string text;
};
/// scores.md, scores.csv and scores.html of a table.
std::vector<ReportFile> scoreTableFiles(const ScoreTable& t, const std::string& subtitle);
/// compare.md and compare.html of the columns.
std::vector<ReportFile> comparisonFiles(const std::vector<CompareColumn>& cols, const std::string& subtitle);

/// Escapes &, <, >, " for HTML text and attributes.
std::string htmlEscape(const std::string& s);

} // namespace mm::eval
