// Writes a PNG of each main view to MM_SCREENSHOT_DIR/<language>/ for a person
// to review, in English, in Chinese (CJK text must render) and with the dark
// palette (MM_SCREENSHOT_DIR/en-dark): a workspace with
// real tiny runs (pretrain, then full_sft on it, then one more full_sft
// launched in the window) so that the tables, the lineage and the charts have
// content.

#include "app_setup.h"
#include "chart_panel.h"
#include "chart_view.h"
#include "history_model.h"
#include "history_panel.h"
#include "main_window.h"
#include "run_manager.h"
#include "runs_panel.h"
#include "stage_form.h"
#include "train_page.h"
#include "ui_fixtures.h"

#include <QApplication>
#include <QDir>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTranslator>
#include <QtTest>

using namespace mm::ui;

class TestUiScreenshots : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        m_ws = std::make_unique<mm::test::UiWorkspace>();
        // Two short real runs give the views something to show.
        RunManager mgr;
        mgr.setWorkspace(m_ws->dir);
        const QStringList common{QStringLiteral("--preset"),
                                 QStringLiteral("tiny"),
                                 QStringLiteral("--batch_size"),
                                 QStringLiteral("2"),
                                 QStringLiteral("--accumulation_steps"),
                                 QStringLiteral("1"),
                                 QStringLiteral("--max_seq_len"),
                                 QStringLiteral("64"),
                                 QStringLiteral("--max_steps"),
                                 QStringLiteral("120"),
                                 QStringLiteral("--epochs"),
                                 QStringLiteral("20"),
                                 QStringLiteral("--log_interval"),
                                 QStringLiteral("2"),
                                 QStringLiteral("--threads"),
                                 QStringLiteral("1"),
                                 QStringLiteral("--out_dir"),
                                 m_ws->dir};
        mgr.startQueue(
            {{QStringLiteral("pretrain"), QStringList{QStringLiteral("--data_path"), m_ws->pretrainData} + common},
             {QStringLiteral("full_sft"), QStringList{QStringLiteral("--data_path"), m_ws->sftData,
                                                      QStringLiteral("--learning_rate"), QStringLiteral("1e-3")} +
                                              common}});
        QTRY_VERIFY_WITH_TIMEOUT(!mgr.queueActive(), 100000);
        QCOMPARE(mgr.runs().last()->state(), RunController::State::Completed);
    }

    void screenshots_data() {
        QTest::addColumn<QString>("lang");
        QTest::addColumn<QString>("theme");
        QTest::newRow("en") << QStringLiteral("en") << QString();
        QTest::newRow("zh_CN") << QStringLiteral("zh_CN") << QString();
        // Last: the forced dark palette (charts follow it).
        QTest::newRow("en-dark") << QStringLiteral("en") << QStringLiteral("dark");
    }

    void screenshots() {
        QFETCH(QString, lang);
        QFETCH(QString, theme);
        if (!theme.isEmpty())
            applyTheme(*qApp, theme);
        // Translators of a previous pass go first.
        for (auto* t : qApp->findChildren<QTranslator*>()) {
            QApplication::removeTranslator(t);
            delete t;
        }
        QCOMPARE(installTranslations(*qApp, lang), lang);
        if (lang == QLatin1String("zh_CN"))
            QCOMPARE(QApplication::translate("mm::ui::MainWindow", "&History"), QStringLiteral("历史(&H)"));

        const QDir out(QStringLiteral(MM_SCREENSHOT_DIR "/") + lang +
                       (theme.isEmpty() ? QString() : QLatin1Char('-') + theme));
        QVERIFY(QDir().mkpath(out.path()));
        MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(w.openWorkspace(m_ws->dir, true));
        w.trainPage()->showStage(QStringLiteral("full_sft"));
        auto* form = w.trainPage()->currentForm();
        form->setValue(QStringLiteral("data_path"), m_ws->sftData);
        form->setValue(QStringLiteral("preset"), QStringLiteral("tiny"));
        form->setValue(QStringLiteral("hidden_size"), QStringLiteral("128"));
        form->setValue(QStringLiteral("num_hidden_layers"), QStringLiteral("4"));
        form->setValue(QStringLiteral("batch_size"), QStringLiteral("0")); // show a validation message
        form->validate();

        // Runs: a real run launched in this window, continuing the pretrain
        // checkpoint as a full_sft run.
        RunController* live = w.runManager()->launch(
            QStringLiteral("full_sft"),
            {QStringLiteral("--data_path"), m_ws->sftData, QStringLiteral("--preset"), QStringLiteral("tiny"),
             QStringLiteral("--batch_size"), QStringLiteral("2"), QStringLiteral("--max_seq_len"), QStringLiteral("64"),
             QStringLiteral("--max_steps"), QStringLiteral("80"), QStringLiteral("--log_interval"), QStringLiteral("2"),
             QStringLiteral("--learning_rate"), QStringLiteral("5e-4"), QStringLiteral("--threads"),
             QStringLiteral("1"), QStringLiteral("--out_dir"), m_ws->dir});
        QTRY_COMPARE_WITH_TIMEOUT(live->state(), RunController::State::Completed, 60000);

        // History: every run, with the first two overlaid in the charts.
        HistoryPanel* hist = w.historyPanel();
        hist->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(hist->model()->rowCount() >= 3, 10000);
        hist->selectRuns({1, 2});
        QSignalSpy loaded(hist->charts(), &ChartPanel::loaded);
        hist->openCharts();
        QVERIFY(loaded.wait(10000));
        // The legend tells the overlaid runs apart by the config fields that differ.
        const MetricChart* loss = hist->charts()->chart(QStringLiteral("loss"));
        QVERIFY(loss);
        QCOMPARE(loss->seriesLabel(QStringLiteral("run1")).section(QStringLiteral(" · "), 0, 1),
                 QStringLiteral("pretrain #1 · lr=0.0005"));
        QCOMPARE(loss->seriesLabel(QStringLiteral("run2")).section(QStringLiteral(" · "), 0, 1),
                 QStringLiteral("full_sft #2 · lr=0.001"));
        QVERIFY2(loss->seriesLabel(QStringLiteral("run2")).contains(QStringLiteral("data_path=sft.jsonl")),
                 qPrintable(loss->seriesLabel(QStringLiteral("run2"))));

        const QStringList names{QStringLiteral("train"),   QStringLiteral("runs"),    QStringLiteral("history"),
                                QStringLiteral("lineage"), QStringLiteral("compare"), QStringLiteral("scores")};
        for (int i = 0; i < names.size(); ++i) {
            w.showTab(MainWindow::Tab(i));
            // Let layouts settle and the batched chart redraws run.
            QTest::qWaitForWindowExposed(&w);
            for (auto* c : w.findChildren<MetricChart*>())
                if (c->isVisible())
                    QTRY_VERIFY(c->redrawCount() > 0);
            QCoreApplication::processEvents();
            const QString path = out.filePath(names[i] + QStringLiteral(".png"));
            QVERIFY2(w.grab().save(path), qPrintable(path));
            QVERIFY(QFileInfo(path).size() > 10000);
        }
    }

private:
    std::unique_ptr<mm::test::UiWorkspace> m_ws;
};

QTEST_MAIN(TestUiScreenshots)
#include "test_ui_screenshots.moc"
