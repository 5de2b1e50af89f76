#pragma once
// The workspace's past runs: a sortable, filterable table from SQLite (runs
// started from the CLI appear too: it is polled), their charts overlaid,
// a "differences only" comparison of their configs, and deletion with files.

#include <QWidget>

class QComboBox;
class QLineEdit;
class QTableView;
class QTableWidget;
class QTimer;
class QPushButton;

namespace mm::ui {

class ChartPanel;
class RunsModel;
class RunsFilterModel;

class HistoryPanel : public QWidget {
    Q_OBJECT
public:
    explicit HistoryPanel(QWidget* parent = nullptr);
    void setWorkspace(const QString& dir);
    void refresh();

    RunsModel* model() const { return m_model; }
    QTableView* view() const { return m_view; }
    ChartPanel* charts() const { return m_charts; }
    /// History run ids of the selected rows.
    QList<qint64> selectedRunIds() const;
    void selectRuns(const QList<qint64>& ids);
    /// Overlays the selected runs' curves in the panel's charts.
    void openCharts();
    /// Shows the selected runs' configs side by side.
    void compareConfigs();
    /// Asks, then deletes the selected runs and the files only they wrote.
    void deleteSelected();
    /// Deletes without asking (tests); returns an error message or "".
    QString deleteRuns(const QList<qint64>& ids);

private:
    void updateButtons();

    QString m_workspace;
    RunsModel* m_model = nullptr;
    RunsFilterModel* m_proxy = nullptr;
    QTableView* m_view = nullptr;
    QLineEdit* m_filter = nullptr;
    QComboBox* m_status = nullptr;
    QPushButton *m_open = nullptr, *m_compare = nullptr, *m_delete = nullptr;
    ChartPanel* m_charts = nullptr;
    QTimer* m_poll = nullptr;
};

/// Configs of several runs as a table: one row per key, one column per run;
/// "differences only" hides keys on which all agree.
class ConfigDiffWidget : public QWidget {
    Q_OBJECT
public:
    explicit ConfigDiffWidget(QWidget* parent = nullptr);
    /// (label, config JSON) per run.
    void setConfigs(const QList<QPair<QString, QString>>& configs);
    void setDifferencesOnly(bool on);
    /// Keys currently shown.
    QStringList shownKeys() const;

private:
    void rebuild();
    QList<QPair<QString, QString>> m_configs;
    bool m_diffOnly = true;
    QTableWidget* m_table = nullptr;
    QStringList m_shown;
};

} // namespace mm::ui
