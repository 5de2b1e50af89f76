// The workbench's run queue with real `micromind` children: it lives in the
// workspace's history, so a workbench that closes while a stage runs finds the
// stage again and goes on after it; a stopped queue keeps its items, which the
// Runs tab's queue view reorders and removes, and "Run queue" resumes the
// stopped stage from its checkpoint. GRPO without reward variance shows its
// health warning in the Health tab.

#include "app_setup.h"
#include "queue_view.h"
#include "run_manager.h"
#include "runs_panel.h"
#include "ui_fixtures.h"

#include "store/history.h"

#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTreeWidget>
#include <QtTest>

#include <csignal>

using namespace mm::ui;
using State = RunController::State;

namespace {

/// Steps of the long first stage: long enough to be caught running (a few
/// seconds of the tiny model), short enough to finish once resumed.
constexpr int kLongSteps = 300;

QStringList common(const mm::test::UiWorkspace& ws, int steps) {
    return {QStringLiteral("--preset"),
            QStringLiteral("tiny"),
            QStringLiteral("--batch_size"),
            QStringLiteral("2"),
            QStringLiteral("--accumulation_steps"),
            QStringLiteral("1"),
            QStringLiteral("--max_seq_len"),
            QStringLiteral("64"),
            QStringLiteral("--epochs"),
            QStringLiteral("50"),
            QStringLiteral("--max_steps"),
            QString::number(steps),
            QStringLiteral("--log_interval"),
            QStringLiteral("1"),
            QStringLiteral("--threads"),
            QStringLiteral("1"),
            QStringLiteral("--device"),
            QStringLiteral("cpu"),
            QStringLiteral("--out_dir"),
            ws.dir};
}

RunManager::QueueItem pretrain(const mm::test::UiWorkspace& ws, int steps) {
    return {QStringLiteral("pretrain"),
            QStringList{QStringLiteral("--data_path"), ws.pretrainData} + common(ws, steps)};
}

RunManager::QueueItem fullSft(const mm::test::UiWorkspace& ws) {
    return {QStringLiteral("full_sft"), QStringList{QStringLiteral("--data_path"), ws.sftData} + common(ws, 3)};
}

/// GRPO from the pretrain checkpoint on sums the random model never gets
/// right: every group's rewards are equal (all 0), so the health monitor
/// warns after five logs.
RunManager::QueueItem grpo(const mm::test::UiWorkspace& ws) {
    const QString data = ws.tmp.path() + QStringLiteral("/grpo.jsonl");
    QFile f(data);
    if (!f.exists() && f.open(QIODevice::WriteOnly)) {
        for (int i = 0; i < 12; ++i)
            f.write(QStringLiteral(
                        "{\"conversations\":[{\"role\":\"user\",\"content\":\"%1 + 17 = ?\"}],\"answer\":\"%2\"}\n")
                        .arg(i * 31)
                        .arg(i * 31 + 17)
                        .toUtf8());
        f.close();
    }
    return {QStringLiteral("grpo"),
            QStringList{QStringLiteral("--data_path"), data, QStringLiteral("--from_weight"),
                        QStringLiteral("pretrain"), QStringLiteral("--num_generations"), QStringLiteral("2"),
                        QStringLiteral("--max_gen_len"), QStringLiteral("6"), QStringLiteral("--rewards"),
                        QStringLiteral("exact")} +
                common(ws, 7)};
}

QStringList statuses(const RunManager& m) {
    QStringList s;
    for (const auto& q : m.queueItems())
        s << QString::fromStdString(q.stage + ":" + q.status);
    return s;
}

} // namespace

class TestUiQueue : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        // English plurals ("1 warning") as the workbench shows them.
        QCOMPARE(installTranslations(*qApp, QStringLiteral("en")), QStringLiteral("en"));
    }

    void queueSurvivesClosingTheWorkbench() {
        mm::test::UiWorkspace ws;
        qint64 pid = 0;
        {
            RunManager first;
            first.setWorkspace(ws.dir);
            QVERIFY(first.startQueue({pretrain(ws, kLongSteps), fullSft(ws)}));
            QVERIFY(first.queueActive());
            RunController* run = first.runs().first();
            QTRY_VERIFY_WITH_TIMEOUT(run->lastStep() >= 1, 60000);
            pid = run->pid();
            QCOMPARE(statuses(first),
                     QStringList({QStringLiteral("pretrain:running"), QStringLiteral("full_sft:queued")}));
            first.detachAll(); // the workbench closes and leaves its runs going
        }
        QCOMPARE(::kill(pid_t(pid), 0), 0);

        RunManager again;
        again.setWorkspace(ws.dir);
        QSignalSpy changed(&again, &RunManager::queueChanged);
        QCOMPARE(again.attachRunning(), 1);
        QVERIFY2(again.queueActive(), "the reopened workbench does not follow the queue's running stage");
        QTRY_VERIFY_WITH_TIMEOUT(!again.queueActive(), 120000);
        QCOMPARE(changed.last().at(0).toString(), QStringLiteral("queue finished: every stage completed"));
        QCOMPARE(again.runs().size(), 2); // the re-attached pretrain and the full_sft it started
        QVERIFY(again.runs()[0]->isAttached());
        QCOMPARE(again.runs()[1]->stage(), QStringLiteral("full_sft"));
        QCOMPARE(again.runs()[1]->state(), State::Completed);
        QCOMPARE(statuses(again),
                 QStringList({QStringLiteral("pretrain:completed"), QStringLiteral("full_sft:completed")}));
        for (const auto& q : again.queueItems())
            QVERIFY(q.runId > 0);
        QVERIFY(QFileInfo::exists(ws.dir + QStringLiteral("/full_sft_128.pth")));
    }

    void queueViewReordersRemovesAndResumesAStoppedStage() {
        mm::test::UiWorkspace ws;
        RunManager::QueueItem broken{
            QStringLiteral("dpo"),
            QStringList{QStringLiteral("--data_path"), ws.dir + QStringLiteral("/none.jsonl")} + common(ws, 2)};
        qint64 stoppedAt = 0;
        {
            RunManager first;
            first.setWorkspace(ws.dir);
            QVERIFY(first.startQueue({pretrain(ws, kLongSteps), fullSft(ws), grpo(ws), broken}));
            RunController* run = first.runs().first();
            QTRY_VERIFY_WITH_TIMEOUT(run->lastStep() >= 2, 60000);
            run->stop();
            QTRY_VERIFY_WITH_TIMEOUT(!first.queueActive(), 60000);
            QCOMPARE(run->state(), State::Stopped);
            stoppedAt = run->lastStep();
        }
        // Reopened: the queue is still there, the stopped stage first.
        RunManager mgr;
        mgr.setWorkspace(ws.dir);
        mgr.attachRunning();
        RunsPanel panel(&mgr);
        QueueView* view = panel.queue();
        QTreeWidget* tree = view->tree();
        QCOMPARE(tree->topLevelItemCount(), 4);
        QCOMPARE(statuses(mgr), QStringList({QStringLiteral("pretrain:stopped"), QStringLiteral("full_sft:queued"),
                                             QStringLiteral("grpo:queued"), QStringLiteral("dpo:queued")}));
        auto button = [view](const char* name) { return view->findChild<QPushButton*>(QLatin1String(name)); };
        // The stopped stage cannot move; the broken dpo is removed, grpo goes first.
        tree->setCurrentItem(tree->topLevelItem(0));
        QVERIFY(!button("queueUpButton")->isEnabled());
        QVERIFY(!button("queueDownButton")->isEnabled());
        tree->setCurrentItem(tree->topLevelItem(3));
        QVERIFY(button("queueRemoveButton")->isEnabled());
        button("queueRemoveButton")->click();
        QCOMPARE(tree->topLevelItemCount(), 3);
        tree->setCurrentItem(tree->topLevelItem(2));
        QCOMPARE(tree->currentItem()->text(QueueView::StageColumn), QStringLiteral("grpo"));
        QVERIFY(button("queueUpButton")->isEnabled());
        QVERIFY(!button("queueDownButton")->isEnabled());
        button("queueUpButton")->click();
        QCOMPARE(statuses(mgr), QStringList({QStringLiteral("pretrain:stopped"), QStringLiteral("grpo:queued"),
                                             QStringLiteral("full_sft:queued")}));
        QCOMPARE(tree->currentItem()->text(QueueView::StageColumn), QStringLiteral("grpo")); // selection follows

        // Run queue: pretrain continues from its checkpoint, then grpo, then full_sft.
        QVERIFY(button("queueRunButton")->isEnabled());
        button("queueRunButton")->click();
        QVERIFY(mgr.queueActive());
        QVERIFY(!button("queueRunButton")->isEnabled());
        RunController* resumed = mgr.runs().first();
        QSignalSpy started(resumed, &RunController::started);
        QVERIFY(started.wait(60000));
        QVERIFY2(started.first().at(1).toJsonObject().value(QStringLiteral("start_step")).toInteger() >= stoppedAt,
                 "the stopped stage was started over instead of resumed");
        QTRY_VERIFY_WITH_TIMEOUT(!mgr.queueActive(), 180000);
        QCOMPARE(statuses(mgr), QStringList({QStringLiteral("pretrain:completed"), QStringLiteral("grpo:completed"),
                                             QStringLiteral("full_sft:completed")}));
        QCOMPARE(mgr.runs().size(), 3);
        QCOMPARE(mgr.runs()[1]->stage(), QStringLiteral("grpo"));

        // GRPO's groups all scored 0: the Health tab says so, and so does its list entry.
        RunController* g = mgr.runs()[1];
        QVERIFY(!g->warnings().isEmpty());
        QCOMPARE(g->warnings().first().value(QStringLiteral("kind")).toString(),
                 QStringLiteral("zero_reward_variance"));
        QTreeWidget* health = panel.warnings();
        // (the tiny pretrain may log a gradient-norm spike of its own: only GRPO's rows are checked)
        int grpoRows = 0;
        for (int i = 0; i < health->topLevelItemCount(); ++i) {
            if (health->topLevelItem(i)->text(0) != g->label())
                continue;
            ++grpoRows;
            QVERIFY(health->topLevelItem(i)->text(2).contains(QStringLiteral("equal rewards")));
        }
        QCOMPARE(grpoRows, int(g->warnings().size()));
        bool listed = false;
        for (int i = 0; i < panel.list()->count(); ++i) {
            const QString text = panel.list()->item(i)->text();
            listed = listed || (text.contains(g->label()) && text.contains(QStringLiteral("%1 warning").arg(grpoRows)));
        }
        QVERIFY2(listed, "the GRPO run's list entry does not count its warnings");
        mm::store::History h((ws.dir + QStringLiteral("/micromind.db")).toStdString());
        QCOMPARE(h.warnings(g->runId()).size(), size_t(g->warnings().size()));

        // For a person to look at: the Runs view with the queue and GRPO's Health tab.
        panel.resize(1400, 860);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        for (int i = 0; i < panel.list()->count(); ++i)
            if (panel.list()->item(i)->text().contains(g->label()))
                panel.list()->setCurrentRow(i);
        for (auto* tabs : panel.findChildren<QTabWidget*>())
            if (tabs->indexOf(health) >= 0)
                tabs->setCurrentWidget(health);
        QTest::qWait(200);
        QVERIFY(QDir().mkpath(QStringLiteral(MM_SCREENSHOT_DIR "/en")));
        QVERIFY(panel.grab().save(QStringLiteral(MM_SCREENSHOT_DIR "/en/runs-queue-health.png")));

        // Finished items can be cleared; the runs stay in the history.
        QVERIFY(button("queueClearButton")->isEnabled());
        button("queueClearButton")->click();
        QCOMPARE(tree->topLevelItemCount(), 0);
        QCOMPARE(h.listRuns().size(), size_t(4)); // stopped pretrain, its resume, grpo, full_sft
    }
};

QTEST_MAIN(TestUiQueue)
#include "test_ui_queue.moc"
