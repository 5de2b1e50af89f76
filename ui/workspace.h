#pragma once
// A workspace is one folder: checkpoints, the SQLite history (micromind.db),
// logs of runs, presets. This class opens or creates one and remembers the
// recent ones (QSettings). QtCore only.

#include <QObject>
#include <QStringList>

namespace mm::ui {

class Workspace : public QObject {
    Q_OBJECT
public:
    explicit Workspace(QObject* parent = nullptr);

    /// Opens `dir`, creating it when missing: checks it is writable, opens (and
    /// migrates) the history database, marks runs of dead processes
    /// interrupted. On failure returns false with a message for a person.
    bool open(const QString& dir, QString* error);
    bool isOpen() const { return !m_dir.isEmpty(); }
    QString dir() const { return m_dir; }
    QString databasePath() const;
    /// Workspaces opened before, most recent first (existing folders only).
    static QStringList recent();
    static void forgetRecent(const QString& dir);
    /// Where the demo workspace is created by default.
    static QString defaultDemoDir();

Q_SIGNALS:
    void opened(const QString& dir);

private:
    QString m_dir;
};

} // namespace mm::ui
