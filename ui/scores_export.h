#pragma once
// Writing the workspace's score table (the seed's Markdown layout, CSV, HTML)
// and the side-by-side comparison of the stored answers (Markdown, HTML) —
// the same files as `micromind scores export`, each written atomically.

#include <QString>
#include <QStringList>

namespace mm::ui {

/// scores.md, scores.csv and scores.html from the workspace history
/// (only `judgeFilter`'s judge scores when not empty). False with `error` set
/// when the history cannot be read or a file not written.
bool exportScoreTable(const QString& workspace, const QString& dir, const QString& judgeFilter, QString* error,
                      QStringList* written = nullptr);

/// compare.md and compare.html: each evaluated mode's latest answers side by side.
bool exportComparison(const QString& workspace, const QString& dir, QString* error, QStringList* written = nullptr);

/// The seed's Markdown table of the workspace's current scores ("" + error on failure).
QString scoreTableMarkdown(const QString& workspace, const QString& judgeFilter, QString* error);

/// Writes `bytes` to `path` through a temporary file and a rename.
bool writeFileAtomically(const QString& path, const QByteArray& bytes, QString* error);

} // namespace mm::ui
