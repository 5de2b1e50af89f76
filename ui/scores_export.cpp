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

bool writeAll(const QString& dir, const std::vector<eval::ReportFile>& files, QString* error, QStringList* written) {
    if (!QDir().mkpath(dir)) {
        if (error)
            *error = QCoreApplication::translate("mm::ui::ScoresExport", "Cannot create the folder %1.")
                         .arg(QDir::toNativeSeparators(dir));
        return false;
    }
    for (const auto& f : files) {
        const QString path = QDir(dir).absoluteFilePath(QString::fromStdString(f.name));
        if (!writeFileAtomically(path, QByteArray::fromStdString(f.text), error))
            return false;
        if (written)
            written->push_back(path);
    }
    return true;
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
        const std::string subtitle =
            eval::reportSubtitle(QDir(workspace).absolutePath().toStdString(), judgeFilter.toStdString());
        return writeAll(dir, eval::scoreTableFiles(table, subtitle), error, written);
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
        const std::vector<eval::CompareColumn> cols = eval::comparisonColumns(*h);
        if (cols.empty()) {
            if (error)
                *error = QCoreApplication::translate(
                    "mm::ui::ScoresExport",
                    "The history holds no answers yet: answer the prompts in the Compare tab first.");
            return false;
        }
        const std::string subtitle = eval::reportSubtitle(QDir(workspace).absolutePath().toStdString());
        return writeAll(dir, eval::comparisonFiles(cols, subtitle), error, written);
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
}

} // namespace mm::ui
