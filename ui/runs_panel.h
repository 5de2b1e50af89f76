#pragma once
// The runs of this session (launched, queued or re-attached): their state and
// controls (pause, resume, stop), live charts with every run overlaid, the
// selected run's output (stderr shown in full when a run fails) and a timeline
// of the generations runs report (GRPO's sampled completion per log step, and
// every run's live probes: greedy answers to fixed prompts every N steps).

#include "run_controller.h"

#include <QHash>
#include <QWidget>

class QLabel;
class QListWidget;
class QListWidgetItem;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace mm::ui {

class ChartPanel;
class RunManager;

class RunsPanel : public QWidget {
    Q_OBJECT
public:
    explicit RunsPanel(RunManager* manager, QWidget* parent = nullptr);

    ChartPanel* charts() const { return m_charts; }
    /// Generations runs report, newest last: GRPO's "sample" of a log event and
    /// one row per prompt of a "probe" event (Reward empty).
    QTreeWidget* samples() const { return m_samples; }
    /// Columns of samples().
    enum SampleColumn { RunColumn, StepColumn, PromptColumn, GenerationColumn, RewardColumn };
    /// Health warnings of the runs (loss or gradient spikes, GRPO groups
    /// without reward variance), newest last: Run, Step, Warning columns.
    QTreeWidget* warnings() const { return m_warnings; }
    class QueueView* queue() const {
        return m_queueView;
    }
    QListWidget* list() const { return m_list; }
    RunController* currentRun() const;
    void selectRun(RunController* run);
    /// Series key of a run in the charts.
    static QString seriesKey(const RunController* run);

public Q_SLOTS:
    void pauseCurrent();
    void resumeCurrent();
    void stopCurrent();

private:
    void addRun(RunController* run);
    void removeRun(RunController* run);
    void updateItem(RunController* run);
    void updateControls();
    void showOutput();
    void addSample(RunController* run, const QJsonObject& event);
    void addProbe(RunController* run, const QJsonObject& event);
    void addWarning(RunController* run, const QJsonObject& event);
    QTreeWidgetItem* addTimelineRow(RunController* run, qint64 step, const QString& prompt, const QString& generation);
    /// Keeps the timeline bounded and its newest row visible.
    void trimTimeline();

    RunManager* m_manager;
    QListWidget* m_list = nullptr;
    QLabel* m_info = nullptr;
    QLabel* m_queue = nullptr;
    QPushButton *m_pause = nullptr, *m_resume = nullptr, *m_stop = nullptr, *m_remove = nullptr;
    ChartPanel* m_charts = nullptr;
    QPlainTextEdit* m_output = nullptr;
    QTreeWidget* m_samples = nullptr;
    QTreeWidget* m_warnings = nullptr;
    QTabWidget* m_bottom = nullptr;
    class QueueView* m_queueView = nullptr;
    QHash<RunController*, QListWidgetItem*> m_items;
};

} // namespace mm::ui
