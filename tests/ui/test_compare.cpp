// The compare panel on the offscreen platform: five columns answer the seed's
// eval prompts from tiny random checkpoints on worker threads, stream the text
// in, store the answers in the workspace history, stop, regenerate, explain
// missing checkpoints and fold think parts.

#include "compare_fixtures.h"

#include "app_setup.h"
#include "compare_column.h"
#include "compare_panel.h"
#include "compare_render.h"

#include <QApplication>
#include <QPointer>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTextBrowser>
#include <QTest>
#include <QThread>

using namespace mm;
using namespace mm::uitest;
using mm::ui::ComparePanel;

class TestCompare : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void theCompareColumnsDefaultToTheSeedsFiveModels() {
        TinyWorkspace ws;
        ComparePanel panel;
        panel.setWorkspace(ws.dir);
        const QStringList want{"pretrain_32", "full_sft_32", "rlhf_32", "reason_32", "full_sft_32+lora_medical_32"};
        for (int i = 0; i < ComparePanel::kColumns; ++i) {
            QCOMPARE(panel.column(i)->mode(), i);
            QCOMPARE(panel.column(i)->model().label, want[i]);
        }
        QVERIFY(panel.column(4)->model().lora.endsWith(QStringLiteral("lora/lora_medical_32.pth")));
        QCOMPARE(panel.selectedPrompts().size(), 3);
        QCOMPARE(panel.selectedPrompts()[0].text, kEvalPrompts[0]);
    }

    void fillsFiveColumnsFromTinyCheckpoints() {
        TinyWorkspace ws;
        ComparePanel panel;
        panel.resize(1700, 900);
        panel.show();
        panel.setWorkspace(ws.dir);
        ui::CompareSampling s = panel.sampling();
        s.maxNewTokens = 40;
        s.seed = 7;
        panel.setSampling(s);
        QSignalSpy done(&panel, &ComparePanel::allFinished);
        int streamed = 0;
        for (int i = 0; i < ComparePanel::kColumns; ++i)
            connect(panel.column(i), &ui::CompareColumn::textUpdated, this, [&streamed] { ++streamed; });
        QCOMPARE(panel.answerPromptSet(), 5);
        QVERIFY(panel.isBusy());
        QVERIFY(done.wait(180000));
        QVERIFY(!panel.isBusy());
        QVERIFY2(streamed > 0, "no text was streamed into the columns");

        store::History h(ws.db());
        QCOMPARE(h.evaluatedModes(), (std::vector<int>{0, 1, 2, 3, 4}));
        for (int i = 0; i < ComparePanel::kColumns; ++i) {
            ui::CompareColumn* c = panel.column(i);
            // Generation ran on the column's own thread, never on the GUI thread.
            QVERIFY(c->lastRunThread() != nullptr);
            QVERIFY(c->lastRunThread() != QThread::currentThread());
            QCOMPARE(c->lastRunThread(), c->workerThread());
            QCOMPARE(c->answers().size(), 3);
            const auto stored = h.latestEvalAnswers(i);
            QCOMPARE(int(stored.size()), 3);
            for (int p = 0; p < 3; ++p) {
                const ui::AnswerView& a = c->answers()[p];
                QVERIFY2(a.done && a.error.isEmpty(), qPrintable(a.error));
                QCOMPARE(a.prompt, kEvalPrompts[p]);
                QCOMPARE(QString::fromStdString(stored[size_t(p)].text), a.text);
                QCOMPARE(QString::fromStdString(stored[size_t(p)].prompt), kEvalPrompts[p]);
                QCOMPARE(stored[size_t(p)].tokens, a.tokens);
                QVERIFY(a.tokens <= 40);
                if (a.tokens > 0)
                    QVERIFY(a.tokensPerSecond > 0);
            }
            QCOMPARE(QString::fromStdString(stored[0].lora).isEmpty(), i != 4);
            QVERIFY(
                c->findChild<QTextBrowser*>(QStringLiteral("answersView"))->toPlainText().contains(kEvalPrompts[1]));
        }
        // Every column's run is a completed eval run of the history.
        int evalRuns = 0;
        for (const auto& r : h.listRuns())
            if (r.stage == "eval") {
                ++evalRuns;
                QCOMPARE(QString::fromStdString(r.status), QStringLiteral("completed"));
            }
        QCOMPARE(evalRuns, 5);
        // The same seed reproduces the same answers; regenerate moves to the next seed.
        const QString first = panel.column(1)->answers()[0].text;
        QCOMPARE(panel.regenerate(), 5);
        QCOMPARE(panel.sampling().seed, quint64(8));
        QVERIFY(done.wait(180000));
        QCOMPARE(panel.column(1)->answers().size(), 3);
        Q_UNUSED(first);
        screenshot(panel, QStringLiteral("compare_panel.png"));
    }

    void stopEndsTheRunningAnswers() {
        TinyWorkspace ws;
        ComparePanel panel;
        panel.setWorkspace(ws.dir);
        ui::CompareSampling s = panel.sampling();
        s.maxNewTokens = 1500;
        s.repetitionPenalty = 1.3; // fewer early <|im_end|> from the random models
        panel.setSampling(s);
        QSignalSpy done(&panel, &ComparePanel::allFinished);
        QSignalSpy text(panel.column(1), &ui::CompareColumn::textUpdated);
        QCOMPARE(panel.answerPromptSet(), 5);
        QVERIFY(text.wait(60000));
        panel.stopAll();
        QVERIFY(done.wait(60000));
        store::History h(ws.db());
        int stopped = 0;
        for (const auto& r : h.listRuns())
            if (r.stage == "eval" && r.status == "stopped")
                ++stopped;
        QVERIFY2(stopped >= 1, "no eval run was recorded as stopped");
        bool anyCancelled = false;
        for (int i = 0; i < ComparePanel::kColumns; ++i)
            for (const auto& a : panel.column(i)->answers())
                anyCancelled = anyCancelled || a.cancelled || (!a.done && a.error.isEmpty());
        QVERIFY(anyCancelled);
    }

    void closingWhileAnsweringJoinsTheWorkerThreads() {
        TinyWorkspace ws;
        auto panel = std::make_unique<ComparePanel>();
        panel->setWorkspace(ws.dir);
        ui::CompareSampling s = panel->sampling();
        s.maxNewTokens = 1500;
        s.repetitionPenalty = 1.3;
        panel->setSampling(s);
        QSignalSpy text(panel->column(0), &ui::CompareColumn::textUpdated);
        QCOMPARE(panel->answerPromptSet(), 5);
        QVERIFY(text.wait(60000));
        QPointer<QThread> thread = panel->column(0)->workerThread();
        panel.reset(); // stops the answers, joins the threads; no crash, no hang
        QVERIFY(thread.isNull());
        // The interrupted runs are not left "running" in the history.
        for (const auto& r : store::History(ws.db()).listRuns())
            QVERIFY2(r.status != "running", r.status.c_str());
    }

    void aMissingCheckpointIsExplainedInItsColumn() {
        TinyWorkspace ws(false);
        ComparePanel panel;
        panel.setWorkspace(ws.dir);
        const QString why = panel.column(2)->statusText();
        QVERIFY2(why.contains(QStringLiteral("rlhf_")) && why.contains(QStringLiteral("micromind dpo")),
                 qPrintable(why));
        ui::CompareSampling s = panel.sampling();
        s.maxNewTokens = 4;
        panel.setSampling(s);
        QSignalSpy done(&panel, &ComparePanel::allFinished);
        QCOMPARE(panel.ask(QStringLiteral("你好，请介绍一下自己。")), 4);
        QVERIFY(done.wait(120000));
        QVERIFY(panel.column(2)->answers().isEmpty());
        QCOMPARE(panel.column(1)->answers().size(), 1);
        QCOMPARE(store::History(ws.db()).latestEvalAnswers(1).at(0).promptSet, std::string("free"));
        // A broken checkpoint is reported in the column, not a crash.
        QFile::resize(ws.dir + QStringLiteral("/reason_32.pth"), 100);
        panel.setWorkspace(ws.dir);
        QCOMPARE(panel.ask(QStringLiteral("x")), 4);
        QVERIFY(done.wait(120000));
        QVERIFY(panel.column(3)->answers().isEmpty() || !panel.column(3)->answers()[0].done);
        QVERIFY2(!panel.column(3)->statusText().isEmpty(), "no load error shown");
        QVERIFY(panel.column(1)->answers()[0].done);
        // lora+sft without an adapter names the command that trains one.
        QVERIFY(QFile::remove(ws.dir + QStringLiteral("/lora/lora_medical_32.pth")));
        panel.setWorkspace(ws.dir);
        QVERIFY2(panel.column(4)->statusText().contains(QStringLiteral("micromind lora")),
                 qPrintable(panel.column(4)->statusText()));
        QVERIFY(panel.column(4)->model().weights.isEmpty());
    }

    void thinkPartsAreFolded() {
        const auto split =
            ui::splitThink(QStringLiteral("<think>\n先比较身高。\n</think>\n<answer>\nA最高。\n</answer>"));
        QVERIFY(split.hasThink && split.thinkClosed);
        QCOMPARE(split.reasoning, QStringLiteral("先比较身高。"));
        QCOMPARE(split.answer, QStringLiteral("A最高。"));
        const auto streaming = ui::splitThink(QStringLiteral("<think>还在想"));
        QVERIFY(streaming.hasThink && !streaming.thinkClosed);
        QCOMPARE(streaming.reasoning, QStringLiteral("还在想"));
        QVERIFY(streaming.answer.isEmpty());
        QCOMPARE(ui::splitThink(QStringLiteral("plain")).answer, QStringLiteral("plain"));

        // The reasoning model's stored answer is shown with its think part folded; the link unfolds it.
        TinyWorkspace ws;
        storeAnswers(ws.db(), {3},
                     "<think>\n先比较：A比B高，B比C矮。\n</think>\n<answer>\n无法确定谁最高。\n</answer>");
        ComparePanel panel;
        panel.setWorkspace(ws.dir);
        auto* view = panel.column(3)->findChild<QTextBrowser*>(QStringLiteral("answersView"));
        QVERIFY(view->toPlainText().contains(QStringLiteral("无法确定谁最高。")));
        QVERIFY(!view->toPlainText().contains(QStringLiteral("先比较")));
        QVERIFY(!view->toPlainText().contains(QStringLiteral("<answer>")));
        Q_EMIT view->anchorClicked(QUrl(ui::thinkAnchor(0)));
        QVERIFY(view->toPlainText().contains(QStringLiteral("先比较：A比B高")));
        Q_EMIT view->anchorClicked(QUrl(ui::thinkAnchor(0)));
        QVERIFY(!view->toPlainText().contains(QStringLiteral("先比较")));
    }

    // Last: installs the Chinese translation for the rest of the process.
    void chineseScreenshotWithTheSeedsAnswers() {
        QCOMPARE(ui::installTranslations(*qApp, QStringLiteral("zh_CN")), QStringLiteral("zh_CN"));
        TinyWorkspace ws;
        storeSeedAnswersAndScores(ws.db(), ws.dir.toStdString());
        ComparePanel compare;
        compare.resize(1700, 900);
        compare.show();
        compare.setWorkspace(ws.dir);
        QCOMPARE(compare.findChild<QPushButton*>(QStringLiteral("runButton"))->text(), QStringLiteral("回答整组问题"));
        auto* view = compare.column(3)->findChild<QTextBrowser*>(QStringLiteral("answersView"));
        Q_EMIT view->anchorClicked(QUrl(ui::thinkAnchor(1))); // one think part open, the others folded
        QVERIFY(view->toPlainText().contains(QStringLiteral("展开思考过程")));
        QVERIFY(view->toPlainText().contains(QStringLiteral("收起思考过程")));
        screenshot(compare, QStringLiteral("compare_panel_zh.png"));
    }
};

QTEST_MAIN(TestCompare)
#include "test_compare.moc"
