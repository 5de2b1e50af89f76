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
                *error = tr("the folder %1 is not writable: %2").arg(dir, probe.errorString());
            return false;
        }
    }
    try {
        store::History h(QDir(dir).filePath(QStringLiteral("micromind.db")).toStdString());
        h.markStaleRunsInterrupted();
    } catch (const std::exception& e) {
        if (error)
            *error = tr("could not open the history of %1: %2").arg(dir, QString::fromStdString(e.what()));
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
