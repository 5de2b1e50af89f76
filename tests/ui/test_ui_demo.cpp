// The first start's demo, launched from the GUI: the welcome box's "Create the
// demo workspace" button opens DIR/out as the workspace and runs `micromind demo
// --workspace DIR` as a child process (the stages as its children). The quick
// demo (MM_DEMO_ARGS: --quick on a small synthetic fortunes-zh corpus) must show
// up as running, finish, and leave the five models' checkpoints, their runs in
// the History tab and the compare columns able to pick them.

#include "compare_column.h"
#include "compare_panel.h"
#include "demo_panel.h"
#include "history_model.h"
#include "history_panel.h"
#include "main_window.h"
#include "run_manager.h"
#include "runs_panel.h"
#include "workspace.h"

#include "fixtures.h"
#include "store/history.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPushButton>
#include <QScopeGuard>
#include <QSet>
#include <QSignalSpy>
#include <QTableWidget>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <set>

using namespace mm::ui;
using State = RunController::State;

namespace {

/// Clicks the button labelled `text` of the first modal message box that shows up.
QTimer* clickWhenShown(const QString& text, bool* clicked) {
    auto* t = new QTimer;
    t->setInterval(20);
    QObject::connect(t, &QTimer::timeout, t, [t, text, clicked] {
        for (QWidget* w : QApplication::topLevelWidgets()) {
            auto* box = qobject_cast<QMessageBox*>(w);
            if (!box || !box->isVisible())
                continue;
            for (QAbstractButton* b : box->buttons())
                if (b->text() == text) {
                    *clicked = true;
                    t->stop();
                    b->click();
                    return;
                }
        }
    });
    t->start();
    return t;
}

} // namespace

class TestUiDemo : public QObject {
    Q_OBJECT
public:
    QString home;

private Q_SLOTS:
    void firstStartRunsTheQuickDemo() {
        QElapsedTimer clock;
        clock.start();
        // The demo corpus: a synthetic fortunes-zh (as tests/e2e/test_demo_cli), so the
        // test needs no package; the quick demo trains each stage for a few steps.
        QTemporaryDir src;
        mm::test::writeFortunesFixture(src.path().toStdString(), 32);
        qputenv("MM_DEMO_ARGS",
                QStringLiteral("--quick --source \"%1\" --vocab_size 400 --threads 1").arg(src.path()).toLocal8Bit());

        // No recent workspace: the first start asks, the test takes the demo.
        QVERIFY(Workspace::recent().isEmpty());
        const QString demoDir = Workspace::defaultDemoDir();
        QVERIFY2(demoDir.startsWith(home), qPrintable(demoDir)); // in the test's own HOME
        MainWindow w;
        w.setCloseAction(MainWindow::CloseAction::StopRuns);
        const auto stopRuns = qScopeGuard([&w] { w.close(); }); // a failed check leaves no demo running
        w.show();
        QSignalSpy added(w.runManager(), &RunManager::runAdded);
        bool clicked = false;
        QScopedPointer<QTimer> clicker(clickWhenShown(QStringLiteral("Create the demo workspace"), &clicked));
        w.offerFirstStart();
        QVERIFY(clicked);

        // The workspace is DIR/out and the demo is one running run in the Runs tab.
        const QString out = QDir(demoDir).filePath(QStringLiteral("out"));
        QCOMPARE(w.workspace()->dir(), QFileInfo(out).absoluteFilePath());
        QCOMPARE(added.count(), 1);
        auto* run = added.at(0).at(0).value<RunController*>();
        QVERIFY(run);
        QCOMPARE(run->stage(), QStringLiteral("demo"));
        QVERIFY2(run->commandLine().contains(QStringLiteral("--quick")), qPrintable(run->commandLine()));
        QCOMPARE(w.tabs()->currentIndex(), int(MainWindow::RunsTab));
        QCOMPARE(w.runsPanel()->currentRun(), run);
        QCOMPARE(run->state(), State::Running);
        QListWidget* list = w.runsPanel()->list();
        QVERIFY(list->count() >= 1);
        QVERIFY2(list->item(0)->text().contains(RunController::stateName(State::Running)),
                 qPrintable(list->item(0)->text()));

        // While it runs, its stages appear in the history as running runs (the
        // demo starts them as its own children); the window is grabbed then.
        std::set<std::string> seenRunning;
        QSet<QString> attached;
        QSet<QString> progress; // the demo's "[N/M] title" steps as its label showed them
        bool stageDrivenByDemo = false, stageControlsOff = true;
        bool grabbed = false;
        QTimer poll;
        poll.setInterval(100);
        const std::string db = QDir(out).filePath(QStringLiteral("micromind.db")).toStdString();
        connect(&poll, &QTimer::timeout, this, [&] {
            // Read the history directly: refreshing the History tab would change what the window shows.
            std::vector<mm::store::RunRecord> runs;
            try {
                if (QFileInfo::exists(QString::fromStdString(db)))
                    runs = mm::store::History(db).listRuns();
            } catch (const std::exception&) {
                return; // being created by the demo's first stage
            }
            for (const auto& r : runs)
                if (r.status == "running")
                    seenRunning.insert(r.stage);
            if (!run->stageProgress().isEmpty())
                progress.insert(run->stageProgress());
            // The Runs tab attaches the stage in progress (the demo's own output is text).
            for (RunController* c : w.runManager()->runs())
                if (c != run && c->isAttached()) {
                    attached.insert(c->stage());
                    // Found as the demo's child: labelled so, and paused or stopped only through the demo.
                    if (c->parentRun() == run) {
                        stageDrivenByDemo = true;
                        if (c->isActive() && w.runsPanel()->currentRun() == c)
                            stageControlsOff =
                                stageControlsOff &&
                                !w.runsPanel()->findChild<QPushButton*>(QStringLiteral("pauseButton"))->isEnabled() &&
                                !w.runsPanel()->findChild<QPushButton*>(QStringLiteral("stopButton"))->isEnabled();
                    }
                    if (c->isActive() && !grabbed) {
                        grabbed = true;
                        QDir().mkpath(QStringLiteral(MM_SCREENSHOT_DIR));
                        w.grab().save(QStringLiteral(MM_SCREENSHOT_DIR "/demo-running.png"));
                    }
                }
        });
        poll.start();
        QTRY_VERIFY_WITH_TIMEOUT(!run->isActive(), 540000);
        poll.stop();
        QVERIFY2(run->state() == State::Completed,
                 qPrintable(RunController::stateName(run->state()) + QLatin1Char(' ') + run->message() +
                            QLatin1Char('\n') + run->errorOutput() + run->textOutput().right(4000)));
        qInfo("quick demo from the GUI: %.1f s; stages seen running: %d, attached in the Runs tab: %s",
              clock.elapsed() / 1000.0, int(seenRunning.size()),
              qPrintable(QStringList(attached.values()).join(QLatin1Char(' '))));
        QVERIFY2(!seenRunning.empty(), "no stage of the demo was seen running in the history");
        QVERIFY2(!attached.isEmpty(), "the Runs tab attached no stage of the demo while it ran");
        QVERIFY2(stageDrivenByDemo, "no attached stage was recognised as the demo's child");
        QVERIFY(stageControlsOff);
        QVERIFY2(progress.size() >= 3, qPrintable(QStringList(progress.values()).join(QStringLiteral(", "))));
        bool sawSft = false;
        for (const QString& p : progress)
            sawSft = sawSft || p.contains(QStringLiteral("full_sft"));
        QVERIFY2(sawSft, qPrintable(QStringList(progress.values()).join(QStringLiteral(", "))));

        // The Demo tab comes up with what each stage did (reports/demo.json):
        // six models and the chance row, one sentence per stage.
        QCOMPARE(w.tabs()->currentIndex(), int(MainWindow::DemoTab));
        auto* demo = w.findChild<DemoPanel*>();
        QVERIFY(demo && demo->hasReport());
        QCOMPARE(demo->reportPath(), QDir::cleanPath(QDir(demoDir).filePath(QStringLiteral("reports/demo.json"))));
        auto* table = demo->findChild<QTableWidget*>(QStringLiteral("demoTable"));
        QVERIFY(table);
        QCOMPARE(table->rowCount(), 7);
        QCOMPARE(table->item(1, 1)->text(), QStringLiteral("full_sft"));
        QCOMPARE(table->item(6, 1)->text(), DemoPanel::tr("chance"));
        for (int r = 0; r < 6; ++r)
            for (int c = 2; c < table->columnCount(); ++c)
                QVERIFY2(table->item(r, c)->text() != QLatin1String("n/a"),
                         qPrintable(QStringLiteral("row %1 col %2").arg(r).arg(c)));
        const QString findings = demo->findChild<QLabel*>(QStringLiteral("demoFindings"))->text();
        for (const char* s : {"full_sft (model 1) answers", "DPO (model 2) moved", "The Song ci LoRA", "GRPO (model 5"})
            QVERIFY2(findings.contains(QLatin1String(s)), qPrintable(findings));
        QDir().mkpath(QStringLiteral(MM_SCREENSHOT_DIR));
        w.grab().save(QStringLiteral(MM_SCREENSHOT_DIR "/demo-summary.png"));

        // The five models (and grpo) are in DIR/out ...
        for (const char* f : {"tokenizer.model", "pretrain_128.pth", "full_sft_128.pth", "rlhf_128.pth",
                              "reason_128.pth", "lora/lora_songci_128.pth", "grpo_128.pth"})
            QVERIFY2(QFileInfo(QDir(out).filePath(QString::fromLatin1(f))).isFile(), f);
        // ... their runs completed in the History tab ...
        w.showTab(MainWindow::HistoryTab);
        QTRY_VERIFY([&] {
            std::set<std::string> done;
            for (const auto& r : w.historyPanel()->model()->runs())
                if (r.status == "completed")
                    done.insert(r.stage);
            for (const char* s : {"pretrain", "full_sft", "dpo", "distill_reason", "lora", "grpo"})
                if (!done.count(s))
                    return false;
            return true;
        }());
        // ... and the compare columns (by default the seed's modes 0-4) pick them
        // without reopening the workspace.
        ComparePanel* compare = w.comparePanel();
        const char* expected[] = {"pretrain_128", "full_sft_128", "rlhf_128", "reason_128",
                                  "full_sft_128+lora_songci_128"};
        for (int i = 0; i < 5; ++i) {
            CompareColumn* c = compare->column(i);
            QVERIFY(c);
            QCOMPARE(c->mode(), i);
            QVERIFY2(
                c->model().label == QLatin1String(expected[i]),
                qPrintable(QStringLiteral("column %1: \"%2\" (%3)").arg(i).arg(c->model().label, c->statusText())));
            QVERIFY(QFileInfo(c->model().weights).isFile());
        }
        QVERIFY(!compare->column(4)->model().lora.isEmpty());
        compare->column(4)->setMode(5);
        QCOMPARE(compare->column(4)->model().label, QStringLiteral("grpo_128"));
        qInfo("whole test: %.1f s", clock.elapsed() / 1000.0);
    }
};

int main(int argc, char** argv) {
    // The demo goes to Documents/MicroMind/demo and the recent workspaces to the
    // settings: both in a HOME of the test's own (test mode: no user-dirs.dirs).
    QTemporaryDir home;
    qputenv("HOME", home.path().toLocal8Bit());
    qunsetenv("XDG_CONFIG_HOME");
    QStandardPaths::setTestModeEnabled(true);
    QApplication app(argc, argv);
    TestUiDemo t;
    t.home = home.path();
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&t, argc, argv);
}

#include "test_ui_demo.moc"
