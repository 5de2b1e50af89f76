// The import / export dialogs on the offscreen platform, with the real
// `micromind export` and `micromind import` as child processes: a workspace's
// full_sft model goes out as a transformers folder (parity check in the log),
// comes back in as imported/theirs, and a compare column runs it with its own
// tokenizer; a bad source fails with the CLI's message and writes nothing.

#include "compare_fixtures.h"

#include "compare_column.h"
#include "compare_panel.h"
#include "compare_worker.h"
#include "interop_dialog.h"
#include "main_window.h"

#include <QApplication>
#include <QDir>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace mm;
using namespace mm::uitest;
using mm::ui::InteropDialog;

class TestInteropDialog : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void exportsThenImportsAndTheCompareColumnRunsTheImportedModel() {
        TinyWorkspace ws;
        const QString hf = ws.tmp.path() + QStringLiteral("/out-hf");
        {
            InteropDialog d(InteropDialog::Kind::Export, ws.dir);
            d.setModelMode(1);
            d.setFormat(QStringLiteral("hf"));
            d.setDtype(QStringLiteral("float32"));
            d.setPath(hf);
            QVERIFY(d.arguments().contains(QStringLiteral("--format")));
            QSignalSpy done(&d, &InteropDialog::done);
            d.show();
            QTest::mouseClick(d.findChild<QPushButton*>(QStringLiteral("run")), Qt::LeftButton);
            QVERIFY(d.running());
            QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 120000);
            QVERIFY2(done[0][0].toBool(), qPrintable(d.log()));
            QVERIFY2(d.log().contains(QStringLiteral("3/3 prompts identical")), qPrintable(d.log()));
            QVERIFY(QFile::exists(hf + QStringLiteral("/model.safetensors")));
        }
        ui::MainWindow w;
        w.openWorkspace(ws.dir);
        InteropDialog* d = w.openInterop(true);
        d->setPath(hf);
        d->setName(QStringLiteral("theirs"));
        QSignalSpy done(d, &InteropDialog::done);
        QTest::mouseClick(d->findChild<QPushButton*>(QStringLiteral("run")), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 120000);
        QVERIFY2(done[0][0].toBool(), qPrintable(d->log()));
        QVERIFY(QFile::exists(ws.dir + QStringLiteral("/imported/theirs/full_sft_32.pth")));
        QDir().mkpath(QStringLiteral(MM_SCREENSHOT_DIR));
        d->resize(760, 460);
        QVERIFY(d->grab().save(QStringLiteral(MM_SCREENSHOT_DIR "/interop_import.png")));

        // The compare panel offers it for mode 1 and answers with it.
        QString error;
        const auto choices = ui::modelChoices(ws.dir, 1, &error);
        QStringList labels;
        for (const auto& c : choices)
            labels << c.label;
        QVERIFY2(labels.contains(QStringLiteral("theirs/full_sft_32")), qPrintable(labels.join(QLatin1Char(','))));
        ui::ComparePanel* panel = w.comparePanel();
        QVERIFY(panel->column(1)->selectModel(QStringLiteral("theirs/full_sft_32")));
        ui::CompareSampling s = panel->sampling();
        s.maxNewTokens = 8;
        panel->setSampling(s);
        QSignalSpy all(panel, &ui::ComparePanel::allFinished);
        QVERIFY(panel->answerPromptSet() > 0);
        QTRY_COMPARE_WITH_TIMEOUT(all.count(), 1, 120000);
        store::History h(ws.db());
        bool imported = false;
        for (const auto& r : h.listRuns())
            imported = imported || (r.stage == "import" && r.status == "completed");
        QVERIFY(imported);
    }

    void aBadSourceFailsWithTheCommandsMessage() {
        TinyWorkspace ws;
        InteropDialog d(InteropDialog::Kind::Import, ws.dir);
        d.setPath(ws.tmp.path() + QStringLiteral("/no-such.pth"));
        d.setName(QStringLiteral("x"));
        QSignalSpy done(&d, &InteropDialog::done);
        d.start();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
        QVERIFY(!done[0][0].toBool());
        QVERIFY2(d.log().contains(QStringLiteral("no-such.pth")), qPrintable(d.log()));
        QVERIFY(!QFile::exists(ws.dir + QStringLiteral("/imported/x")));
    }
};

QTEST_MAIN(TestInteropDialog)
#include "test_interop_dialog.moc"
