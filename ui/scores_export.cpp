#include "scores_export.h"

#include "eval/scores.h"
#include "store/history.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

#include <memory>

namespace mm::ui {

namespace {

/// The workspace history, or nullptr with `error` set when it does not exist or cannot be opened.
std::unique_ptr<store::History> openHistory(const QString& workspace, QString* error) {
    const QString db = QDir(workspace).absoluteFilePath(QStringLiteral("micromind.db"));
    if (workspace.isEmpty() || !QFileInfo::exists(db)) {
        if (error)
            *error = QCoreApplication::translate(
                         "mm::ui::ScoresExport",
                         "No history at %1: answer the prompts in the Compare tab (or run `micromind eval`) first.")
                         .arg(QDir::toNativeSeparators(db));
        return nullptr;
    }
    try {
        return std::make_unique<store::History>(db.toStdString());
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return nullptr;
    }
}

bool writeAll(const QString& dir, const std::vector<std::pair<QString, std::string>>& files, QString* error,
              QStringList* written) {
    if (!QDir().mkpath(dir)) {
        if (error)
            *error = QCoreApplication::translate("mm::ui::ScoresExport", "Cannot create the folder %1.")
                         .arg(QDir::toNativeSeparators(dir));
        return false;
    }
    for (const auto& [name, text] : files) {
        const QString path = QDir(dir).absoluteFilePath(name);
        if (!writeFileAtomically(path, QByteArray::fromStdString(text), error))
            return false;
        if (written)
            written->push_back(path);
    }
    return true;
}

std::string modeLabel(int mode, const std::string& checkpoint) {
    static const char* names[] = {"pretrain", "full_sft", "rlhf", "reason", "lora", "grpo"};
    std::string name = mode >= 0 && mode <= 5 ? names[mode] : "mode " + std::to_string(mode);
    std::string stem = QFileInfo(QString::fromStdString(checkpoint)).completeBaseName().toStdString();
    return std::to_string(mode) + " " + name + (stem.empty() ? "" : " (" + stem + ")");
}

} // namespace

bool writeFileAtomically(const QString& path, const QByteArray& bytes, QString* error) {
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
        if (error)
            *error = QCoreApplication::translate("mm::ui::ScoresExport", "Cannot write %1: %2")
                         .arg(QDir::toNativeSeparators(path), f.errorString());
        return false;
    }
    return true;
}

QString scoreTableMarkdown(const QString& workspace, const QString& judgeFilter, QString* error) {
    auto h = openHistory(workspace, error);
    if (!h)
        return {};
    return QString::fromStdString(eval::scoresMarkdown(eval::buildScoreTable(h->scores(), judgeFilter.toStdString())));
}

bool exportScoreTable(const QString& workspace, const QString& dir, const QString& judgeFilter, QString* error,
                      QStringList* written) {
    auto h = openHistory(workspace, error);
    if (!h)
        return false;
    try {
        const eval::ScoreTable table = eval::buildScoreTable(h->scores(), judgeFilter.toStdString());
        const std::string subtitle = "workspace " + QDir(workspace).absolutePath().toStdString() +
                                     (judgeFilter.isEmpty() ? "" : ", judge " + judgeFilter.toStdString());
        return writeAll(dir,
                        {{QStringLiteral("scores.md"), eval::scoresMarkdown(table)},
                         {QStringLiteral("scores.csv"), eval::scoresCsv(table)},
                         {QStringLiteral("scores.html"), eval::scoresHtml(table, subtitle)}},
                        error, written);
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
}

bool exportComparison(const QString& workspace, const QString& dir, QString* error, QStringList* written) {
    auto h = openHistory(workspace, error);
    if (!h)
        return false;
    try {
        std::vector<eval::CompareColumn> cols;
        for (int mode : h->evaluatedModes()) {
            eval::CompareColumn c;
            c.mode = mode;
            c.answers = h->latestEvalAnswers(mode);
            c.label = modeLabel(mode, c.answers.empty() ? "" : c.answers.front().checkpoint);
            cols.push_back(std::move(c));
        }
        if (cols.empty()) {
            if (error)
                *error = QCoreApplication::translate(
                    "mm::ui::ScoresExport",
                    "The history holds no answers yet: answer the prompts in the Compare tab first.");
            return false;
        }
        const std::string subtitle = "workspace " + QDir(workspace).absolutePath().toStdString();
        return writeAll(dir,
                        {{QStringLiteral("compare.md"), eval::compareMarkdown(cols, subtitle)},
                         {QStringLiteral("compare.html"), eval::compareHtml(cols, subtitle)}},
                        error, written);
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
}

} // namespace mm::ui
