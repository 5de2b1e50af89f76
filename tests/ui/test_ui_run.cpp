// A real tiny run launched from the workbench: the `micromind` CLI as a child
// process streams points into the live chart and lands in the history; pause
// (SIGINT, the CLI saves and exits 130) and resume continue the same run; a
// failing run shows its stderr and leaves the GUI alive; a run started from the
// command line is re-attached through the history.

#include "chart_panel.h"
#include "estimator.h"
#include "history_model.h"
#include "history_panel.h"
#include "lineage_view.h"
#include "main_window.h"
#include "run_manager.h"
#include "runs_panel.h"
#include "stage_form.h"
#include "train_page.h"
#include "ui_fixtures.h"

#include <QJsonArray>
#include <QProcess>
#include <QTreeWidget>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QtTest>

#include <csignal>

using namespace mm::ui;
using State = RunController::State;

namespace {

void fillTinyPretrain(StageForm* f, const mm::test::UiWorkspace& ws, int maxSteps) {
    f->setValue(QStringLiteral("data_path"), ws.pretrainData);
    f->setValue(QStringLiteral("preset"), QStringLiteral("tiny"));
    f->setValue(QStringLiteral("batch_size"), QStringLiteral("2"));
    f->setValue(QStringLiteral("accumulation_steps"), QStringLiteral("1"));
    f->setValue(QStringLiteral("max_seq_len"), QStringLiteral("64"));
    f->setValue(QStringLiteral("epochs"), QStringLiteral("50"));
    f->setValue(QStringLiteral("max_steps"), QString::number(maxSteps));
    f->setValue(QStringLiteral("log_interval"), QStringLiteral("2"));
    f->setValue(QStringLiteral("save_interval"), QStringLiteral("50"));
    f->setValue(QStringLiteral("threads"), QStringLiteral("1"));
    f->setValue(QStringLiteral("device"), QStringLiteral("cpu"));
}

} // namespace

class TestUiRun : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void launchPauseResumeFromTheGui() {
        mm::test::UiWorkspace ws;
        MainWindow w;
        w.setCloseAction(MainWindow::CloseAction::StopRuns);
        w.show();
        QVERIFY(w.openWorkspace(ws.dir, true));
        TrainPage* page = w.trainPage();
        page->showStage(QStringLiteral("pretrain"));
        fillTinyPretrain(page->currentForm(), ws, 200);
        QSignalSpy added(w.runManager(), &RunManager::runAdded);
        page->launchCurrent();
        QCOMPARE(added.count(), 1);
        auto* run = added.at(0).at(0).value<RunController*>();
        QVERIFY(run);
        QSignalSpy started(run, &RunController::started);
        QCOMPARE(w.tabs()->currentIndex(), int(MainWindow::RunsTab));

        // Points stream into the live loss chart.
        ChartPanel* charts = w.runsPanel()->charts();
        const QString key = RunsPanel::seriesKey(run);
        QTRY_VERIFY_WITH_TIMEOUT(charts->chart(QStringLiteral("loss")) &&
                                     charts->chart(QStringLiteral("loss"))->sampleCount(key) >= 3,
                                 60000);
        QVERIFY(charts->chart(QStringLiteral("grad_norm")));
        QVERIFY(charts->chart(QStringLiteral("tokens_per_sec")));
        QCOMPARE(started.count(), 1);
        const qint64 firstId = run->runId();
        QVERIFY(firstId > 0);

        // Pause: the CLI saves and exits 130.
        run->pause();
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), State::Paused, 60000);
        QCOMPARE(run->exitCode(), 130);
        const qint64 pausedAt = run->lastStep();
        QVERIFY2(pausedAt > 0 && pausedAt < 200, qPrintable(QString::number(pausedAt)));

        // Resume: same command + --resume, continues from the saved step.
        run->resume();
        QVERIFY(run->processArguments().contains(QStringLiteral("--resume")));
        QTRY_COMPARE_WITH_TIMEOUT(started.count(), 2, 60000);
        const QJsonObject info = started.at(1).at(1).value<QJsonObject>();
        QCOMPARE(info.value(QStringLiteral("start_step")).toInteger(), pausedAt);
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), State::Completed, 90000);
        QCOMPARE(run->lastStep(), 200);
        QCOMPARE(run->runIds().size(), 2);
        // One series in the chart, continued past the pause.
        QTRY_VERIFY(charts->chart(QStringLiteral("loss"))->sampleCount(key) > 3);
        QVERIFY(QFileInfo::exists(ws.dir + QStringLiteral("/pretrain_128.pth")));

        // The history shows both segments; the lineage has the checkpoint.
        HistoryPanel* hist = w.historyPanel();
        hist->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(hist->model()->rowCount(), 2, 10000);
        QTRY_COMPARE(QString::fromStdString(hist->model()->runById(firstId)->status), QStringLiteral("stopped"));
        // A reload that began before the run ended can land after refresh()
        // with 'running'; the queued re-read brings 'completed'.
        QTRY_COMPARE_WITH_TIMEOUT(QString::fromStdString(hist->model()->runById(run->runId())->status),
                                  QStringLiteral("completed"), 10000);
        QTRY_COMPARE(w.lineageView()->topLevelItemCount(), 1);
        QVERIFY(w.lineageView()
                    ->topLevelItem(0)
                    ->text(LineageView::Checkpoint)
                    .startsWith(QStringLiteral("pretrain_128.pth")));

        // A past run's charts open from the history.
        hist->selectRuns({run->runId()});
        QCOMPARE(hist->selectedRunIds(), QList<qint64>{run->runId()});
        QSignalSpy loaded(hist->charts(), &ChartPanel::loaded);
        hist->openCharts();
        QVERIFY(loaded.wait(10000));
        QVERIFY(hist->charts()->chart(QStringLiteral("loss")));
        QVERIFY(hist->charts()->chart(QStringLiteral("loss"))->sampleCount(QStringLiteral("run%1").arg(run->runId())) >
                0);

        // Deleting the first segment keeps the weights the second one wrote.
        QCOMPARE(hist->deleteRuns({firstId}), QString());
        QTRY_COMPARE(hist->model()->rowCount(), 1);
        QVERIFY(QFileInfo::exists(ws.dir + QStringLiteral("/pretrain_128.pth")));
    }

    // Live probes: a run launched from the form reports the model's greedy
    // answers every --probe_interval steps and after the last; the Generations
    // timeline gets one row per prompt, newest last, without a reward.
    void validationCurveFromEvalData() {
        // --eval_data set in the form: the run's val_loss is a chart of its own,
        // live and again when the run is opened from the history.
        mm::test::UiWorkspace ws;
        MainWindow w;
        w.setCloseAction(MainWindow::CloseAction::StopRuns);
        w.show();
        QVERIFY(w.openWorkspace(ws.dir, true));
        TrainPage* page = w.trainPage();
        page->showStage(QStringLiteral("pretrain"));
        StageForm* f = page->currentForm();
        fillTinyPretrain(f, ws, 6);
        f->setValue(QStringLiteral("eval_data"), ws.pretrainData);
        f->setValue(QStringLiteral("eval_interval"), QStringLiteral("2"));
        f->setValue(QStringLiteral("eval_max_samples"), QStringLiteral("8"));
        QSignalSpy added(w.runManager(), &RunManager::runAdded);
        page->launchCurrent();
        QCOMPARE(added.count(), 1);
        auto* run = added.at(0).at(0).value<RunController*>();
        QVERIFY(run->processArguments().contains(QStringLiteral("--eval_data")));
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), State::Completed, 90000);
        ChartPanel* charts = w.runsPanel()->charts();
        const QString key = RunsPanel::seriesKey(run);
        QVERIFY(charts->chart(QStringLiteral("val_loss")));
        QCOMPARE(charts->chart(QStringLiteral("val_loss"))->sampleCount(key), 3); // steps 2, 4, 6
        QVERIFY(charts->chart(QStringLiteral("val_bpb")));
        QVERIFY(!charts->chart(QStringLiteral("eval_s")));
        QCOMPARE(charts->chart(QStringLiteral("loss"))->sampleCount(key), 4); // log steps 1, 2, 4, 6: unchanged
        QCOMPARE(run->lastStep(), 6);

        HistoryPanel* hist = w.historyPanel();
        hist->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(hist->model()->rowCount(), 1, 10000);
        hist->selectRuns({run->runId()});
        QSignalSpy loaded(hist->charts(), &ChartPanel::loaded);
        hist->openCharts();
        QVERIFY(loaded.wait(10000));
        QVERIFY(hist->charts()->chart(QStringLiteral("val_loss")));
        QCOMPARE(
            hist->charts()->chart(QStringLiteral("val_loss"))->sampleCount(QStringLiteral("run%1").arg(run->runId())),
            3);
        QDir().mkpath(QStringLiteral(MM_SCREENSHOT_DIR));
        w.showTab(MainWindow::RunsTab);
        w.grab().save(QStringLiteral(MM_SCREENSHOT_DIR "/validation-curve.png"));
    }

    void probesFillTheGenerationsTimeline() {
        mm::test::UiWorkspace ws;
        MainWindow w;
        w.setCloseAction(MainWindow::CloseAction::StopRuns);
        w.show();
        QVERIFY(w.openWorkspace(ws.dir, true));
        TrainPage* page = w.trainPage();
        page->showStage(QStringLiteral("pretrain"));
        fillTinyPretrain(page->currentForm(), ws, 6);
        page->currentForm()->setValue(QStringLiteral("probe_interval"), QStringLiteral("4"));
        page->currentForm()->setValue(QStringLiteral("probe_max_tokens"), QStringLiteral("8"));
        QSignalSpy added(w.runManager(), &RunManager::runAdded);
        page->launchCurrent();
        QCOMPARE(added.count(), 1);
        auto* run = added.at(0).at(0).value<RunController*>();
        QVERIFY(run);
        QVERIFY(run->processArguments().contains(QStringLiteral("--probe_interval")));
        QSignalSpy probed(run, &RunController::probed);
        QTreeWidget* timeline = w.runsPanel()->samples();
        // Probes at step 4 and at the last step (6), three prompts each.
        QTRY_COMPARE_WITH_TIMEOUT(timeline->topLevelItemCount(), 6, 60000);
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), State::Completed, 60000);
        QCOMPARE(probed.count(), 2);
        QCOMPARE(timeline->topLevelItemCount(), 6);
        const QStringList prompts{QStringLiteral("马克思主义基本原理"), QStringLiteral("人类大脑的主要功能"),
                                  QStringLiteral("万有引力原理是")};
        for (int i = 0; i < 6; ++i) {
            const QTreeWidgetItem* it = timeline->topLevelItem(i);
            QCOMPARE(it->text(RunsPanel::RunColumn), run->label());
            QCOMPARE(it->text(RunsPanel::StepColumn), i < 3 ? QStringLiteral("4") : QStringLiteral("6"));
            QCOMPARE(it->text(RunsPanel::PromptColumn), prompts[i % 3]);
            QVERIFY(it->text(RunsPanel::RewardColumn).isEmpty());
            const QJsonObject s = probed.at(i / 3)
                                      .at(0)
                                      .value<QJsonObject>()
                                      .value(QStringLiteral("samples"))
                                      .toArray()
                                      .at(i % 3)
                                      .toObject();
            QCOMPARE(it->toolTip(RunsPanel::GenerationColumn), s.value(QStringLiteral("completion")).toString());
        }
    }

    void estimateCountsTokensAndMeasuresSpeed() {
        mm::test::UiWorkspace ws;
        EstimateInput in;
        in.workspace = ws.dir;
        in.stage = QStringLiteral("pretrain");
        in.dataPath = ws.pretrainData;
        in.device = QStringLiteral("cpu");
        in.hidden = 128;
        in.layers = 4;
        in.heads = 8;
        in.kvHeads = 2;
        in.batch = 2;
        in.seqLen = 64;
        in.epochs = 3;
        in.threads = 1;
        Estimator est;
        QSignalSpy done(&est, &Estimator::finished);
        est.measure(in);
        QVERIFY(done.wait(60000));
        const Estimate e = done.at(0).at(0).value<Estimate>();
        QVERIFY2(e.error.isEmpty(), qPrintable(e.error));
        QVERIFY(e.parameters > 100000);
        QVERIFY(e.dataTokens > 1000);
        QCOMPARE(e.trainTokens, 3 * e.dataTokens);
        QCOMPARE(e.flops, 6.0 * double(e.parameters) * double(e.trainTokens));
        QVERIFY(e.tokensPerSec > 0);
        QVERIFY(e.etaSeconds > 0);
        QVERIFY(e.memoryBytes > 16.0 * double(e.parameters));
    }

    void closingLeavesRunsGoingAndReopeningReattaches() {
        mm::test::UiWorkspace ws;
        qint64 pid = 0, runId = 0;
        {
            MainWindow w;
            w.setCloseAction(MainWindow::CloseAction::LeaveRunning);
            w.show();
            QVERIFY(w.openWorkspace(ws.dir, true));
            w.trainPage()->showStage(QStringLiteral("pretrain"));
            fillTinyPretrain(w.trainPage()->currentForm(), ws, 100000);
            w.trainPage()->launchCurrent();
            RunController* run = w.runManager()->runs().first();
            QTRY_VERIFY_WITH_TIMEOUT(run->lastStep() >= 2, 60000);
            pid = run->pid();
            runId = run->runId();
            QVERIFY(w.close());
        }
        // The window is gone; the run is not.
        QVERIFY(pid > 0);
        QCOMPARE(::kill(pid_t(pid), 0), 0);

        MainWindow again;
        again.setCloseAction(MainWindow::CloseAction::StopRuns);
        QVERIFY(again.openWorkspace(ws.dir, true));
        QCOMPARE(again.runManager()->runs().size(), 1);
        RunController* run = again.runManager()->runs().first();
        QVERIFY(run->isAttached());
        QCOMPARE(run->runId(), runId);
        QSignalSpy logged(run, &RunController::logged);
        QVERIFY(logged.wait(20000));
        // Closing this time stops it: the CLI saves and the history says so.
        QVERIFY(again.close());
        QTRY_VERIFY_WITH_TIMEOUT(::kill(pid_t(pid), 0) != 0, 30000);
        mm::store::History h((ws.dir + QStringLiteral("/micromind.db")).toStdString());
        QCOMPARE(QString::fromStdString(h.run(runId)->status), QStringLiteral("stopped"));
    }

    void failingRunShowsStderrAndGuiSurvives() {
        mm::test::UiWorkspace ws;
        RunManager mgr;
        mgr.setWorkspace(ws.dir);
        RunController* run = mgr.launch(QStringLiteral("pretrain"),
                                        {QStringLiteral("--data_path"), ws.dir + QStringLiteral("/nope.jsonl"),
                                         QStringLiteral("--out_dir"), ws.dir});
        QSignalSpy finished(run, &RunController::finished);
        QVERIFY(finished.wait(30000));
        QCOMPARE(run->state(), State::Failed);
        QCOMPARE(run->exitCode(), 2);
        QVERIFY2(run->errorOutput().contains(QStringLiteral("nope.jsonl")), qPrintable(run->errorOutput()));
        QVERIFY(run->message().startsWith(QStringLiteral("exit status 2: error:")));
    }

    void twoProcessRunReportsEachRankAndCompletes() {
        mm::test::UiWorkspace ws;
        RunManager mgr;
        mgr.setWorkspace(ws.dir);
        RunController* run = mgr.launch(
            QStringLiteral("pretrain"),
            {QStringLiteral("--data_path"), ws.pretrainData, QStringLiteral("--out_dir"), ws.dir,
             QStringLiteral("--preset"), QStringLiteral("tiny"), QStringLiteral("--max_seq_len"), QStringLiteral("64"),
             QStringLiteral("--batch_size"), QStringLiteral("2"), QStringLiteral("--accumulation_steps"),
             QStringLiteral("1"), QStringLiteral("--max_steps"), QStringLiteral("4"), QStringLiteral("--log_interval"),
             QStringLiteral("1"), QStringLiteral("--ddp_timeout"), QStringLiteral("60")},
            2);
        QSignalSpy logged(run, &RunController::logged);
        const auto ranks = run->rankStatus();
        QCOMPARE(ranks.size(), 2);
        QVERIFY(ranks[0].running && ranks[1].running);
        QVERIFY(ranks[0].pid != ranks[1].pid);
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), State::Completed, 120000);
        QVERIFY2(run->errorOutput().isEmpty() || !run->errorOutput().contains(QStringLiteral("error")),
                 qPrintable(run->errorOutput()));
        // Rank 0 alone reports: one log event per step.
        QCOMPARE(logged.count(), 4);
        QTRY_VERIFY_WITH_TIMEOUT(!run->rankStatus()[1].running, 30000);
        for (const auto& r : run->rankStatus())
            QCOMPARE(r.exitCode, 0);
        QVERIFY(QFile::exists(ws.dir + QStringLiteral("/pretrain_128.pth")));
    }

    void queueChainsStagesAndStopsOnFailure() {
        mm::test::UiWorkspace ws;
        RunManager mgr;
        mgr.setWorkspace(ws.dir);
        QSignalSpy changed(&mgr, &RunManager::queueChanged);
        const QStringList common{QStringLiteral("--preset"),      QStringLiteral("tiny"),
                                 QStringLiteral("--batch_size"),  QStringLiteral("2"),
                                 QStringLiteral("--max_seq_len"), QStringLiteral("64"),
                                 QStringLiteral("--max_steps"),   QStringLiteral("4"),
                                 QStringLiteral("--threads"),     QStringLiteral("1"),
                                 QStringLiteral("--out_dir"),     ws.dir};
        // pretrain -> full_sft (reads pretrain_128.pth) -> dpo with a missing file.
        mgr.startQueue(
            {{QStringLiteral("pretrain"), QStringList{QStringLiteral("--data_path"), ws.pretrainData} + common},
             {QStringLiteral("full_sft"), QStringList{QStringLiteral("--data_path"), ws.sftData} + common},
             {QStringLiteral("dpo"),
              QStringList{QStringLiteral("--data_path"), ws.dir + QStringLiteral("/none.jsonl")} + common}});
        QVERIFY(mgr.queueActive());
        QTRY_VERIFY_WITH_TIMEOUT(!mgr.queueActive(), 90000);
        QCOMPARE(mgr.runs().size(), 3);
        QCOMPARE(mgr.runs()[0]->state(), State::Completed);
        QCOMPARE(mgr.runs()[1]->state(), State::Completed);
        QCOMPARE(mgr.runs()[2]->state(), State::Failed);
        QVERIFY(changed.last().at(0).toString().startsWith(QStringLiteral("queue ended: dpo")));
        QVERIFY(QFileInfo::exists(ws.dir + QStringLiteral("/full_sft_128.pth")));
    }

    void reattachesARunStartedFromTheCli() {
        mm::test::UiWorkspace ws;
        // A run started outside the workbench (as after closing it with
        // "leave running"): stdout goes to a file, the history has its pid.
        QProcess cli;
        cli.setProgram(QStringLiteral(MM_CLI_BUILD_PATH));
        cli.setArguments({QStringLiteral("pretrain"),
                          QStringLiteral("--data_path"),
                          ws.pretrainData,
                          QStringLiteral("--out_dir"),
                          ws.dir,
                          QStringLiteral("--preset"),
                          QStringLiteral("tiny"),
                          QStringLiteral("--batch_size"),
                          QStringLiteral("2"),
                          QStringLiteral("--accumulation_steps"),
                          QStringLiteral("1"),
                          QStringLiteral("--max_seq_len"),
                          QStringLiteral("64"),
                          QStringLiteral("--epochs"),
                          QStringLiteral("100"),
                          QStringLiteral("--max_steps"),
                          QStringLiteral("100000"),
                          QStringLiteral("--log_interval"),
                          QStringLiteral("2"),
                          QStringLiteral("--probe_interval"),
                          QStringLiteral("3"),
                          QStringLiteral("--probe_max_tokens"),
                          QStringLiteral("4"),
                          QStringLiteral("--threads"),
                          QStringLiteral("1"),
                          QStringLiteral("--device"),
                          QStringLiteral("cpu")});
        cli.setStandardOutputFile(QProcess::nullDevice());
        cli.start();
        QVERIFY(cli.waitForStarted());
        // Wait until the run is in the history.
        RunsModel model;
        QTRY_VERIFY_WITH_TIMEOUT((model.reload(ws.dir + QStringLiteral("/micromind.db")), model.rowCount() == 1),
                                 30000);

        RunManager mgr;
        mgr.setWorkspace(ws.dir);
        QCOMPARE(mgr.attachRunning(), 1);
        RunController* run = mgr.runs().first();
        QVERIFY(run->isAttached());
        QCOMPARE(run->pid(), cli.processId());
        QSignalSpy logged(run, &RunController::logged);
        QSignalSpy probed(run, &RunController::probed);
        QVERIFY(logged.wait(20000));
        QVERIFY(logged.last().at(0).value<QJsonObject>().contains(QStringLiteral("loss")));
        // Its probes come from the history too (the stdout went to /dev/null),
        // one event per probe step with the prompts in order, never twice.
        QTRY_VERIFY_WITH_TIMEOUT(probed.count() >= 2, 30000);
        QList<qint64> steps;
        for (const auto& args : probed) {
            const QJsonObject e = args.at(0).value<QJsonObject>();
            QCOMPARE(e.value(QStringLiteral("event")).toString(), QStringLiteral("probe"));
            steps << e.value(QStringLiteral("step")).toInteger();
            QCOMPARE(steps.last() % 3, 0);
            const QJsonArray samples = e.value(QStringLiteral("samples")).toArray();
            QCOMPARE(samples.size(), 3);
            QVERIFY(!samples.at(0).toObject().value(QStringLiteral("prompt")).toString().isEmpty());
        }
        for (int i = 1; i < steps.size(); ++i)
            QVERIFY(steps[i] > steps[i - 1]);
        // Pause signals the pid; the CLI saves and the history says "stopped".
        run->pause();
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), State::Paused, 60000);
        QTRY_COMPARE_WITH_TIMEOUT(cli.state(), QProcess::NotRunning, 30000);
        QCOMPARE(cli.exitCode(), 130);
        // Its command was rebuilt from the recorded config, so it can resume.
        QVERIFY(run->flags().contains(QStringLiteral("--data_path")));
        QVERIFY(run->flags().contains(QStringLiteral("tiny")) || run->flags().contains(QStringLiteral("128")));
    }
};

QTEST_MAIN(TestUiRun)
#include "test_ui_run.moc"
