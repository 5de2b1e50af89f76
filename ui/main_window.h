#pragma once
// The workbench's main window: workspace, stage forms, runs, charts, history,
// lineage, compare panel and scores.

#include <QMainWindow>

class QLabel;
class QMenu;
class QTabWidget;

namespace mm::ui {

class ComparePanel;
class HistoryPanel;
class InteropDialog;
class LineageView;
class RunManager;
class RunsPanel;
class ScoresPanel;
class DemoPanel;
class TrainPage;
class Workspace;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Opens (or creates) a workspace and points every view at it; re-attaches
    /// runs of this host that are still going. Shows a message on failure
    /// unless `quiet`.
    bool openWorkspace(const QString& dir, bool quiet = false);
    /// First start without a workspace: offers the demo workspace, an existing
    /// folder or a new one.
    void offerFirstStart();
    /// Creates `dir` as a workspace and launches `micromind demo --workspace dir`.
    void startDemo(const QString& dir);
    /// Opens the import (true) or export dialog for the current workspace;
    /// returns it (non-modal, deleted on close) for tests.
    InteropDialog* openInterop(bool import);

    Workspace* workspace() const { return m_workspace; }
    RunManager* runManager() const { return m_runs; }
    TrainPage* trainPage() const { return m_train; }
    RunsPanel* runsPanel() const { return m_runsPanel; }
    HistoryPanel* historyPanel() const { return m_history; }
    LineageView* lineageView() const { return m_lineage; }
    ComparePanel* comparePanel() const { return m_compare; }
    QTabWidget* tabs() const { return m_tabs; }

    enum Tab { TrainTab, RunsTab, HistoryTab, LineageTab, CompareTab, ScoresTab, DemoTab };
    void showTab(Tab t);

    /// What closing does with runs still going (for tests: skip the question).
    enum class CloseAction { Ask, LeaveRunning, StopRuns };
    void setCloseAction(CloseAction a) { m_closeAction = a; }

protected:
    void closeEvent(QCloseEvent* e) override;

private:
    void buildMenus();
    void rebuildRecentMenu();
    void chooseWorkspace(bool create);
    void chooseDemo();
    void showAbout();
    void setLanguage(const QString& lang);
    void setTheme(const QString& theme);
    void updateStatus();

    Workspace* m_workspace = nullptr;
    RunManager* m_runs = nullptr;
    QTabWidget* m_tabs = nullptr;
    TrainPage* m_train = nullptr;
    RunsPanel* m_runsPanel = nullptr;
    HistoryPanel* m_history = nullptr;
    LineageView* m_lineage = nullptr;
    ComparePanel* m_compare = nullptr;
    ScoresPanel* m_scores = nullptr;
    DemoPanel* m_demo = nullptr;
    QMenu* m_recentMenu = nullptr;
    QLabel* m_statusWorkspace = nullptr;
    QLabel* m_statusRuns = nullptr;
    CloseAction m_closeAction = CloseAction::Ask;
};

} // namespace mm::ui
