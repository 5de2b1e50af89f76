#pragma once
// The runs table of a workspace's history as a Qt model: one row per run,
// Qt::UserRole holds raw values (numeric sort), a proxy filters by text and
// status. Reads happen on a worker thread (QtConcurrent).

#include "store/history.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <map>
#include <string>
#include <vector>

namespace mm::ui {

/// A run's config JSON as flat text values, one level of nesting joined as
/// "outer.inner"; strings as they are, other values as JSON. With
/// `fileNamesOnly`, path-like fields (…path, tokenizer, eval_data) keep only
/// their file name. Not JSON or not an object: empty. Shared by the history's
/// config-diff table and the charts' legends so both name fields alike.
std::map<std::string, std::string> flattenConfig(const std::string& json, bool fileNamesOnly = false);

class RunsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Id, Stage, Status, Parent, KeyConfig, FinalLoss, Tokens, Steps, Duration, Started, ColumnCount };
    /// Raw value role (numbers for numeric columns).
    static constexpr int RawRole = Qt::UserRole;
    /// The run id of a row (any column).
    static constexpr int RunIdRole = Qt::UserRole + 1;

    explicit RunsModel(QObject* parent = nullptr);

    /// Reads the runs of `dbPath` on a worker thread; emits reloaded().
    void reload(const QString& dbPath);
    /// Replaces the rows (used by reload; public for tests).
    void setRuns(std::vector<store::RunRecord> runs);
    const store::RunRecord* runAt(int row) const;
    const store::RunRecord* runById(qint64 id) const;
    const std::vector<store::RunRecord>& runs() const { return m_runs; }
    /// "h512 L8 · bs32×8 · lr 5e-4 · seq 512" from a run's config JSON.
    static QString keyConfig(const store::RunRecord& r);
    static QString displayStatus(const QString& status);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation o, int role) const override;

Q_SIGNALS:
    void reloaded();
    void loadFailed(const QString& message);

private:
    std::vector<store::RunRecord> m_runs;
    bool m_loading = false;
    QString m_pendingReload; ///< a reload asked for while one was running
};

/// Text filter over stage, status, parent and config plus a status filter.
class RunsFilterModel : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit RunsFilterModel(QObject* parent = nullptr);
    void setText(const QString& text);
    /// "" = every status.
    void setStatus(const QString& status);

protected:
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override;

private:
    QString m_text, m_status;
};

} // namespace mm::ui
