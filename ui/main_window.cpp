#include "main_window.h"

#include "cli_path.h"
#include "compare_panel.h"
#include "demo_panel.h"
#include "history_model.h"
#include "history_panel.h"
#include "interop_dialog.h"
#include "lineage_view.h"
#include "run_manager.h"
#include "runs_panel.h"
#include "scores_panel.h"
#include "train_page.h"
#include "workspace.h"

#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace mm::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("MicroMind Workbench"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/micromind-workbench.svg")));
    m_workspace = new Workspace(this);
    m_runs = new RunManager(this);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("mainTabs"));
    m_train = new TrainPage(m_tabs);
    m_runsPanel = new RunsPanel(m_runs, m_tabs);
    m_history = new HistoryPanel(m_tabs);
    m_lineage = new LineageView(m_tabs);
    m_compare = new ComparePanel(m_tabs);
    m_scores = new ScoresPanel(m_tabs);
    m_demo = new DemoPanel(m_tabs);
    m_tabs->addTab(m_train, tr("&Train"));
    m_tabs->addTab(m_runsPanel, tr("&Runs"));
    m_tabs->addTab(m_history, tr("&History"));
    m_tabs->addTab(m_lineage, tr("&Lineage"));
    m_tabs->addTab(m_compare, tr("&Compare"));
    m_tabs->addTab(m_scores, tr("&Scores"));
    m_tabs->addTab(m_demo, tr("&Demo"));
    setCentralWidget(m_tabs);

    m_statusWorkspace = new QLabel(tr("No workspace open"), this);
    m_statusRuns = new QLabel(this);
    statusBar()->addWidget(m_statusWorkspace, 1);
    statusBar()->addPermanentWidget(m_statusRuns);

    connect(m_train, &TrainPage::launchRequested, this,
            [this](const QString& stage, const QStringList& flags, int processes) {
                RunController* r = m_runs->launch(stage, flags, processes);
                m_runsPanel->selectRun(r);
                showTab(RunsTab);
            });
    connect(m_train, &TrainPage::queueRequested, this, [this](const QList<RunManager::QueueItem>& items) {
        QString error;
        if (!m_runs->startQueue(items, &error))
            QMessageBox::warning(this, tr("Cannot queue the stages"), error);
        showTab(RunsTab);
    });
    connect(m_runs, &RunManager::runAdded, this, [this](RunController* r) {
        connect(r, &RunController::stateChanged, this, &MainWindow::updateStatus);
        connect(r, &RunController::started, m_history, &HistoryPanel::refresh);
        connect(r, &RunController::finished, m_history, &HistoryPanel::refresh);
        connect(r, &RunController::historyChanged, m_history, &HistoryPanel::refresh);
        updateStatus();
    });
    connect(m_history->model(), &RunsModel::reloaded, this, [this] {
        m_lineage->setRuns(m_workspace->dir(), m_history->model()->runs());
        // A run started from the command line in this workspace joins the Runs tab.
        for (const auto& r : m_history->model()->runs())
            if (r.status == "running") {
                m_runs->attachRunning();
                break;
            }
    });
    connect(m_lineage, &LineageView::runActivated, this, [this](qint64 id) {
        showTab(HistoryTab);
        m_history->selectRuns({id});
        m_history->openCharts();
    });

    buildMenus();
    QSettings s;
    restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(s.value(QStringLiteral("window/state")).toByteArray());
    if (!s.contains(QStringLiteral("window/geometry")))
        resize(1280, 820);
    updateStatus();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&Workspace"));
    file->addAction(tr("&Open workspace…"), QKeySequence::Open, this, [this] { chooseWorkspace(false); });
    file->addAction(tr("&New workspace…"), QKeySequence::New, this, [this] { chooseWorkspace(true); });
    file->addAction(tr("Open &demo workspace…"), this, &MainWindow::chooseDemo);
    m_recentMenu = file->addMenu(tr("&Recent workspaces"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    file->addSeparator();
    file->addAction(tr("&Import a model (minimind, transformers)…"), this, [this] { openInterop(true); });
    file->addAction(tr("E&xport a model (transformers, GGUF)…"), this, [this] { openInterop(false); });
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* run = menuBar()->addMenu(tr("&Run"));
    run->addAction(tr("&Launch current stage"), QKeySequence(Qt::CTRL | Qt::Key_R), m_train, &TrainPage::launchCurrent);
    run->addAction(tr("Train &all five models"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R), m_train,
                   &TrainPage::trainAll);
    run->addAction(tr("&Copy command"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), m_train,
                   &TrainPage::copyCommand);
    run->addAction(tr("&Estimate"), QKeySequence(Qt::CTRL | Qt::Key_E), m_train, &TrainPage::estimateCurrent);
    run->addSeparator();
    run->addAction(tr("&Pause run"), QKeySequence(Qt::CTRL | Qt::Key_P), m_runsPanel, &RunsPanel::pauseCurrent);
    run->addAction(tr("Res&ume run"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_P), m_runsPanel,
                   &RunsPanel::resumeCurrent);
    run->addAction(tr("&Stop run"), QKeySequence(Qt::CTRL | Qt::Key_Period), m_runsPanel, &RunsPanel::stopCurrent);
    run->addAction(tr("Cancel &queue"), this, [this] { m_runs->cancelQueue(); });

    QMenu* view = menuBar()->addMenu(tr("&View"));
    const QStringList names{tr("Train"),   tr("Runs"),   tr("History"), tr("Lineage"),
                            tr("Compare"), tr("Scores"), tr("Demo")};
    for (int i = 0; i < names.size(); ++i)
        view->addAction(names[i], QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)), this,
                        [this, i] { showTab(Tab(i)); });
    view->addSeparator();
    view->addAction(tr("Refresh &history"), QKeySequence::Refresh, m_history, &HistoryPanel::refresh);

    QMenu* settings = menuBar()->addMenu(tr("&Settings"));
    QMenu* lang = settings->addMenu(tr("&Language"));
    auto* langGroup = new QActionGroup(this);
    const QString curLang = QSettings().value(QStringLiteral("ui/language"), QStringLiteral("system")).toString();
    for (const auto& [code, name] : {std::pair{QStringLiteral("system"), tr("System default")},
                                     std::pair{QStringLiteral("en"), QStringLiteral("English")},
                                     std::pair{QStringLiteral("zh_CN"), QStringLiteral("简体中文")}}) {
        QAction* a = lang->addAction(name, this, [this, c = code] { setLanguage(c); });
        a->setCheckable(true);
        a->setChecked(code == curLang);
        langGroup->addAction(a);
    }
    QMenu* theme = settings->addMenu(tr("&Theme"));
    auto* themeGroup = new QActionGroup(this);
    const QString curTheme = QSettings().value(QStringLiteral("ui/theme"), QStringLiteral("system")).toString();
    for (const auto& [code, name] :
         {std::pair{QStringLiteral("system"), tr("Follow the system")}, std::pair{QStringLiteral("light"), tr("Light")},
          std::pair{QStringLiteral("dark"), tr("Dark")}}) {
        QAction* a = theme->addAction(name, this, [this, c = code] { setTheme(c); });
        a->setCheckable(true);
        a->setChecked(code == curTheme);
        themeGroup->addAction(a);
    }

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About MicroMind Workbench"), QKeySequence::HelpContents, this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::showTab(Tab t) { m_tabs->setCurrentIndex(int(t)); }

InteropDialog* MainWindow::openInterop(bool import) {
    auto* d =
        new InteropDialog(import ? InteropDialog::Kind::Import : InteropDialog::Kind::Export, m_workspace->dir(), this);
    d->setAttribute(Qt::WA_DeleteOnClose);
    if (import)
        connect(d, &InteropDialog::done, this, [this](bool ok) {
            if (!ok)
                return;
            // The imported model is a new history run and a new compare choice.
            m_history->refresh();
            m_compare->setWorkspace(m_workspace->dir());
        });
    d->show();
    return d;
}

bool MainWindow::openWorkspace(const QString& dir, bool quiet) {
    QString err;
    if (!m_workspace->open(dir, &err)) {
        if (!quiet)
            QMessageBox::warning(this, tr("Open workspace"), err);
        return false;
    }
    const QString ws = m_workspace->dir();
    m_runs->setWorkspace(ws);
    m_train->setWorkspace(ws);
    m_history->setWorkspace(ws);
    m_compare->setWorkspace(ws);
    m_scores->setWorkspace(ws);
    m_demo->setWorkspace(ws);
    const int attached = m_runs->attachRunning();
    if (attached > 0)
        statusBar()->showMessage(tr("Re-attached to %n running run(s)", nullptr, attached), 8000);
    setWindowTitle(tr("MicroMind Workbench — %1").arg(QDir::toNativeSeparators(ws)));
    updateStatus();
    return true;
}

void MainWindow::rebuildRecentMenu() {
    m_recentMenu->clear();
    const QStringList recent = Workspace::recent();
    for (const auto& d : recent)
        m_recentMenu->addAction(QDir::toNativeSeparators(d), this, [this, d] { openWorkspace(d); });
    if (recent.isEmpty())
        m_recentMenu->addAction(tr("(none)"))->setEnabled(false);
}

void MainWindow::chooseWorkspace(bool create) {
    const QString dir = QFileDialog::getExistingDirectory(
        this, create ? tr("Create or choose an empty folder for the new workspace") : tr("Open workspace folder"),
        m_workspace->dir());
    if (!dir.isEmpty())
        openWorkspace(dir);
}

void MainWindow::chooseDemo() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Folder for the demo workspace"),
                                                          QFileInfo(Workspace::defaultDemoDir()).absolutePath());
    if (!dir.isEmpty())
        startDemo(dir);
}

void MainWindow::startDemo(const QString& dir) {
    // `micromind demo --workspace DIR` keeps its data pack in DIR/data and the
    // checkpoints and history in DIR/out, which is the workbench's workspace.
    const QString root = QFileInfo(dir).absoluteFilePath();
    if (!openWorkspace(QDir(root).filePath(QStringLiteral("out"))))
        return;
    QStringList args{QStringLiteral("--workspace"), root};
    // More `micromind demo` flags from the environment, e.g. MM_DEMO_ARGS="--scale 0.5",
    // split as QProcess::splitCommand does (double quotes group); the GUI test
    // runs `--quick` on a small corpus this way.
    args << QProcess::splitCommand(qEnvironmentVariable("MM_DEMO_ARGS"));
    RunController* r = m_runs->launch(QStringLiteral("demo"), args);
    const QString ws = m_workspace->dir();
    // The demo prints text, not the event stream: its stages are its own child
    // processes, which record their runs and metrics in the history. Reloading
    // the history while it runs lets the Runs tab attach the stage in progress
    // (see the RunsModel::reloaded handler), so its curves join the charts.
    auto* poll = new QTimer(r);
    poll->setInterval(1500);
    connect(poll, &QTimer::timeout, this, [this, ws] {
        if (m_workspace->dir() == ws)
            m_history->refresh();
    });
    poll->start();
    // The compare columns list checkpoints when the workspace opens: rescan
    // once the demo has written the five models.
    connect(r, &RunController::finished, this, [this, ws, poll] {
        poll->stop();
        if (m_workspace->dir() != ws)
            return;
        m_compare->setWorkspace(ws);
        m_history->refresh();
        m_demo->reload();
        if (m_demo->hasReport())
            showTab(DemoTab);
    });
    m_runsPanel->selectRun(r);
    showTab(RunsTab);
}

void MainWindow::offerFirstStart() {
    const QStringList recent = Workspace::recent();
    if (!recent.isEmpty()) {
        openWorkspace(recent.first(), true);
        return;
    }
    QMessageBox box(this);
    box.setWindowTitle(tr("Welcome to MicroMind Workbench"));
    box.setText(tr("A workspace is a folder that holds checkpoints, the run history and presets."));
    box.setInformativeText(tr("The demo workspace builds a small corpus from Debian's fortunes-zh and trains all "
                              "five models (pretrain, full_sft, rlhf, reason, lora) on this machine."));
    QPushButton* demo = box.addButton(tr("Create the demo workspace"), QMessageBox::AcceptRole);
    QPushButton* open = box.addButton(tr("Open a folder…"), QMessageBox::ActionRole);
    box.addButton(tr("Later"), QMessageBox::RejectRole);
    box.exec();
    if (box.clickedButton() == demo)
        startDemo(Workspace::defaultDemoDir());
    else if (box.clickedButton() == open)
        chooseWorkspace(false);
}

void MainWindow::showAbout() {
    // LibTorch and the device are the CLI's: ask it (no torch headers in the UI).
    auto* p = new QProcess(this);
    connect(p, &QProcess::finished, this, [this, p] {
        p->deleteLater();
        const QString cli = QString::fromUtf8(p->readAllStandardOutput()).trimmed();
        QMessageBox::about(
            this, tr("About MicroMind Workbench"),
            tr("<h3>MicroMind Workbench %1</h3>"
               "<p>Train a tiny chat LLM from scratch and compare what each stage did.</p>"
               "<p>Qt %2 (built with %3)<br>Training core: %4</p>"
               "<p>Command line: <code>%5</code></p>")
                .arg(QStringLiteral(MM_VERSION), QString::fromLatin1(qVersion()), QStringLiteral(QT_VERSION_STR),
                     cli.isEmpty() ? tr("micromind not found") : cli.toHtmlEscaped(), micromindPath().toHtmlEscaped()));
    });
    p->start(micromindPath(), {QStringLiteral("--version")});
}

void MainWindow::setLanguage(const QString& lang) {
    QSettings().setValue(QStringLiteral("ui/language"), lang);
    QMessageBox::information(this, tr("Language"), tr("The language changes when the workbench restarts."));
}

void MainWindow::setTheme(const QString& theme) {
    QSettings().setValue(QStringLiteral("ui/theme"), theme);
    QMessageBox::information(this, tr("Theme"), tr("The theme changes when the workbench restarts."));
}

void MainWindow::updateStatus() {
    m_statusWorkspace->setText(m_workspace->isOpen()
                                   ? tr("Workspace: %1").arg(QDir::toNativeSeparators(m_workspace->dir()))
                                   : tr("No workspace open"));
    const int n = int(m_runs->activeRuns().size());
    m_statusRuns->setText(n > 0 ? tr("%n run(s) going", nullptr, n) : QString());
}

void MainWindow::closeEvent(QCloseEvent* e) {
    const auto active = m_runs->activeRuns();
    CloseAction action = m_closeAction;
    if (!active.isEmpty() && action == CloseAction::Ask) {
        QMessageBox box(this);
        box.setIcon(QMessageBox::Question);
        box.setWindowTitle(tr("Runs are going"));
        box.setText(tr("%n run(s) are still training.", nullptr, int(active.size())));
        box.setInformativeText(tr("Leave them running (the workbench re-attaches to them when you reopen this "
                                  "workspace), or save and stop them now?"));
        QPushButton* leave = box.addButton(tr("Leave running"), QMessageBox::AcceptRole);
        QPushButton* stop = box.addButton(tr("Save and stop"), QMessageBox::DestructiveRole);
        box.addButton(QMessageBox::Cancel);
        box.exec();
        if (box.clickedButton() == leave)
            action = CloseAction::LeaveRunning;
        else if (box.clickedButton() == stop)
            action = CloseAction::StopRuns;
        else {
            e->ignore();
            return;
        }
    }
    if (!active.isEmpty()) {
        if (action == CloseAction::StopRuns)
            m_runs->stopAllAndWait(30000);
        else
            m_runs->detachAll();
    }
    QSettings s;
    s.setValue(QStringLiteral("window/geometry"), saveGeometry());
    s.setValue(QStringLiteral("window/state"), saveState());
    e->accept();
}

} // namespace mm::ui
