#include "workspace.h"

#include "store/history.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryFile>

namespace mm::ui {

namespace {
constexpr int kMaxRecent = 8;
const char* kRecentKey = "workspace/recent";
} // namespace

Workspace::Workspace(QObject* parent) : QObject(parent) {}

QString Workspace::databasePath() const { return QDir(m_dir).filePath(QStringLiteral("micromind.db")); }

bool Workspace::open(const QString& path, QString* error) {
    const QString dir = QFileInfo(path).absoluteFilePath();
    if (!QDir().mkpath(dir)) {
        if (error)
            *error = tr("could not create the folder %1").arg(dir);
        return false;
    }
    {
        QTemporaryFile probe(QDir(dir).filePath(QStringLiteral(".write-test-XXXXXX")));
        if (!probe.open()) {
            if (error)
                *error = tr("The workspace folder %1 is not writable (%2). MicroMind keeps the run history "
                            "(micromind.db), checkpoints and logs there: make the folder writable, or open another "
                            "one.")
                             .arg(dir, probe.errorString());
            return false;
        }
    }
    const QString db = QDir(dir).filePath(QStringLiteral("micromind.db"));
    // A history that cannot be used is never repaired or replaced here: the
    // message says what is wrong with the file and what the user can do.
    QString why;
    const QString readOnly = tr("%1 is read-only. MicroMind records every run in it and needs write access to the "
                                "file and to the folder %2: make them writable, or copy the workspace to a writable "
                                "place. The file was left untouched.")
                                 .arg(db, dir);
    try {
        store::History h(db.toStdString());
        // SQLite opens a write-protected file for reading without a word;
        // every run would fail to record itself later.
        if (h.readOnly())
            why = readOnly;
        else
            h.markStaleRunsInterrupted();
    } catch (const store::HistoryTooNewError& e) {
        why = tr("%1 was written by a newer MicroMind (history schema %2; this build knows up to %3). Upgrade "
                 "MicroMind to open this workspace, or open another one. The file was left untouched.")
                  .arg(db)
                  .arg(e.version())
                  .arg(store::History::kSchemaVersion);
        why += QStringLiteral("\n\n") + tr("Details: %1").arg(QString::fromStdString(e.what()));
    } catch (const store::HistoryError& e) {
        using Fault = store::HistoryError::Fault;
        switch (e.fault()) {
        case Fault::Locked:
            why = tr("%1 is locked: another process kept it busy for more than a few seconds. Let that process "
                     "finish or close it (see the details), then open the workspace again. Nothing was changed.")
                      .arg(db);
            break;
        case Fault::ReadOnly: why = readOnly; break;
        case Fault::Damaged:
            why = tr("%1 is damaged or is not a MicroMind history. Move it aside (for example, rename it to "
                     "micromind.db.broken) and open the workspace again to start a new history. The file was "
                     "left untouched.")
                      .arg(db);
            break;
        case Fault::DiskFull:
            why = tr("The disk that holds %1 is full. Free some space, then open the workspace again.").arg(db);
            break;
        case Fault::CannotOpen:
        case Fault::Other: break;
        }
        if (!why.isEmpty())
            why += QStringLiteral("\n\n") + tr("Details: %1").arg(QString::fromStdString(e.what()));
        else
            why = tr("could not open the history of %1: %2").arg(dir, QString::fromStdString(e.what()));
    } catch (const std::exception& e) {
        why = tr("could not open the history of %1: %2").arg(dir, QString::fromStdString(e.what()));
    }
    if (!why.isEmpty()) {
        if (error)
            *error = why;
        return false;
    }
    m_dir = dir;
    QSettings s;
    QStringList r = s.value(QLatin1String(kRecentKey)).toStringList();
    r.removeAll(dir);
    r.prepend(dir);
    while (r.size() > kMaxRecent)
        r.removeLast();
    s.setValue(QLatin1String(kRecentKey), r);
    Q_EMIT opened(dir);
    return true;
}

QStringList Workspace::recent() {
    QStringList out;
    for (const auto& d : QSettings().value(QLatin1String(kRecentKey)).toStringList())
        if (QFileInfo(d).isDir())
            out << d;
    return out;
}

void Workspace::forgetRecent(const QString& dir) {
    QSettings s;
    QStringList r = s.value(QLatin1String(kRecentKey)).toStringList();
    r.removeAll(dir);
    s.setValue(QLatin1String(kRecentKey), r);
}

QString Workspace::defaultDemoDir() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
        .filePath(QStringLiteral("MicroMind/demo"));
}

} // namespace mm::ui
