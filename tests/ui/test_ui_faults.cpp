// Faults around the workbench's runs and workspaces, with real child processes:
// the `micromind` child segfaults (SIGSEGV) or is SIGKILLed mid-run, a child
// prints garbage on stdout and stderr, the disk fills while the CLI saves
// (RLIMIT_FSIZE lowered for the child), and the workspace's micromind.db is
// locked by another process, read-only, from a newer schema or corrupt. The
// workbench must stay responsive, say what happened in the run's panel or a
// dialog, keep the history consistent and never modify a file it cannot use.
//
// The test binary doubles as its own helper process: `test_ui_faults
// --hold-lock DB` holds an exclusive SQLite lock on DB until it is killed.

#include "history_model.h"
#include "history_panel.h"
#include "main_window.h"
#include "run_manager.h"
#include "runs_panel.h"
#include "stage_form.h"
#include "train_page.h"
#include "ui_fixtures.h"
#include "workspace.h"

#include "store/history.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QScopeGuard>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTextBlock>
#include <QTimer>
#include <QtTest>

#include <csignal>
#include <cstdio>
#include <cstring>

#include <linux/capability.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

using namespace mm::ui;
using State = RunController::State;

namespace {

QStringList tinyPretrainFlags(const mm::test::UiWorkspace& ws, int maxSteps, const QString& outDir = {}) {
    return {QStringLiteral("--data_path"),
            ws.pretrainData,
            QStringLiteral("--out_dir"),
            outDir.isEmpty() ? ws.dir : outDir,
            QStringLiteral("--preset"),
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
            QString::number(maxSteps),
            QStringLiteral("--log_interval"),
            QStringLiteral("1"),
            QStringLiteral("--save_interval"),
            QStringLiteral("1000"),
            QStringLiteral("--threads"),
            QStringLiteral("1"),
            QStringLiteral("--device"),
            QStringLiteral("cpu")};
}

QByteArray fileBytes(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

/// `PRAGMA integrity_check` of a database, through a read-only connection.
QString integrityCheck(const QString& db) {
    sqlite3* c = nullptr;
    QString out;
    if (sqlite3_open_v2(db.toUtf8().constData(), &c, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        out = QString::fromUtf8(sqlite3_errmsg(c));
    } else {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(c, "PRAGMA integrity_check", -1, &st, nullptr) == SQLITE_OK)
            while (sqlite3_step(st) == SQLITE_ROW)
                out += QString::fromUtf8(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
        else
            out = QString::fromUtf8(sqlite3_errmsg(c));
        sqlite3_finalize(st);
    }
    sqlite3_close_v2(c);
    return out;
}

/// Runs one statement on a database (the test's own edits of micromind.db).
void execSql(const QString& db, const char* sql) {
    sqlite3* c = nullptr;
    QVERIFY(sqlite3_open_v2(db.toUtf8().constData(), &c, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(c, sql, nullptr, nullptr, &err);
    const QString msg = err ? QString::fromUtf8(err) : QString();
    sqlite3_free(err);
    sqlite3_close_v2(c);
    QVERIFY2(rc == SQLITE_OK, qPrintable(msg));
}

/// The `--hold-lock DB` helper: holds an exclusive lock on DB (a write lock,
/// as a long transaction of another program would), says "locked" on stdout,
/// then sleeps until it is killed.
int holdLock(const char* db) {
    sqlite3* c = nullptr;
    if (sqlite3_open_v2(db, &c, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK ||
        sqlite3_exec(c, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) != SQLITE_OK) {
        std::fprintf(stderr, "hold-lock: %s\n", sqlite3_errmsg(c));
        return 1;
    }
    std::printf("locked\n");
    std::fflush(stdout);
    for (int i = 0; i < 600; ++i)
        ::sleep(1);
    return 0;
}

/// Records the text of every message box that opens and closes it: the
/// workbench's dialogs are modal, the test must not block on them.
class DialogCatcher {
public:
    DialogCatcher() {
        m_timer.setInterval(20);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] {
            for (QWidget* w : QApplication::topLevelWidgets()) {
                auto* box = qobject_cast<QMessageBox*>(w);
                if (!box || !box->isVisible())
                    continue;
                texts << box->windowTitle() + QLatin1Char('\n') + box->text() + QLatin1Char('\n') +
                             box->informativeText();
                box->done(QMessageBox::Ok);
            }
        });
        m_timer.start();
    }
    QStringList texts;

private:
    QTimer m_timer;
};

/// The longest time the event loop did not run a 20 ms timer while watched.
class LoopWatch {
public:
    LoopWatch() {
        m_timer.setInterval(20);
        QObject::connect(&m_timer, &QTimer::timeout, &m_timer, [this] { m_worst = qMax(m_worst, m_clock.restart()); });
        m_clock.start();
        m_timer.start();
    }
    qint64 worstGapMs() const { return qMax(m_worst, m_clock.elapsed()); }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_worst = 0;
};

/// While alive, this thread of a root process works without the capabilities
/// that bypass file permissions, so chmod makes a file read-only for it as it
/// would for a normal user. Without root it does nothing (none to drop).
class AsUnprivileged {
public:
    AsUnprivileged() {
        if (::geteuid() != 0)
            return;
        m_header.version = _LINUX_CAPABILITY_VERSION_3;
        m_header.pid = 0;
        if (::syscall(SYS_capget, &m_header, m_saved) != 0)
            return;
        __user_cap_data_struct reduced[2];
        std::memcpy(reduced, m_saved, sizeof reduced);
        for (int cap : {CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER})
            reduced[cap / 32].effective &= ~(1u << (cap % 32));
        m_dropped = ::syscall(SYS_capset, &m_header, reduced) == 0;
    }
    ~AsUnprivileged() {
        if (m_dropped)
            ::syscall(SYS_capset, &m_header, m_saved);
    }

private:
    __user_cap_header_struct m_header{};
    __user_cap_data_struct m_saved[2]{};
    bool m_dropped = false;
};

/// A script standing in for `micromind`: a few valid events, then garbage on
/// stdout and stderr (binary noise, non-JSON, truncated JSON, events with wrong
/// types, a 5 MB line without a newline), one more valid event, then SIGSEGV.
QString writeGarbageCli(const QString& dir) {
    const QString path = dir + QStringLiteral("/garbage-cli.sh");
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return {};
    f.write(R"sh(#!/bin/sh
echo '{"event":"start","run_id":0,"total_steps":10,"stage":"pretrain"}'
echo '{"event":"log","step":1,"total_steps":10,"loss":5.5}'
echo '{"event":"log","step":2,"total_steps":10,"loss":5.0}'
head -c 65536 /dev/urandom
echo
echo 'not json at all'
echo '{"event":"log","step":3,"loss":'
echo '{"event":"log","step":"x","loss":"y","run_id":"z"}'
echo '{"event":"log","step":-5,"total_steps":"many"}'
echo '[1,2,3]'
echo '{"event":7}'
echo '{"event":"log","step":4,"loss":1e999}'
printf '\000\001\002\377\376 control bytes\n'
echo '{"event":"log","step":5,"total_steps":10,"loss":4.5}'
head -c 65536 /dev/urandom >&2
printf '\nplain line on stderr\n' >&2
head -c 3000000 /dev/zero | tr '\000' 'e' >&2
head -c 5000000 /dev/zero | tr '\000' 'x'
kill -SEGV $$
)sh");
    f.close();
    f.setPermissions(f.permissions() | QFileDevice::ExeOwner);
    return path;
}

/// A tmpfs of a few MiB mounted for one test (root only), lazily unmounted
/// when the test ends.
class TmpfsMount {
public:
    bool mount(const QString& dir, int mib) {
        QDir().mkpath(dir);
        const QByteArray opts = "size=" + QByteArray::number(mib) + "m";
        if (::mount("tmpfs", dir.toLocal8Bit().constData(), "tmpfs", 0, opts.constData()) != 0)
            return false;
        m_dir = dir;
        return true;
    }
    ~TmpfsMount() {
        if (!m_dir.isEmpty())
            ::umount2(m_dir.toLocal8Bit().constData(), MNT_DETACH);
    }

private:
    QString m_dir;
};

/// Fills the file system of `path` with a file there until `leave` bytes are free.
bool fillDisk(const QString& path, qint64 leave) {
    struct statvfs st {};
    if (::statvfs(QFileInfo(path).absolutePath().toLocal8Bit().constData(), &st) != 0)
        return false;
    const qint64 avail = qint64(st.f_bavail) * qint64(st.f_frsize);
    QFile f(path);
    if (avail <= leave || !f.open(QIODevice::WriteOnly))
        return false;
    const QByteArray block(1 << 20, '\0');
    for (qint64 left = avail - leave; left > 0; left -= block.size())
        if (f.write(block.constData(), qMin<qint64>(left, block.size())) <= 0)
            return false;
    return f.flush();
}

/// The workspace's files that are not logs or the database (checkpoints,
/// sidecars, resume state), with their bytes.
QMap<QString, QByteArray> checkpointFiles(const QString& dir) {
    QMap<QString, QByteArray> out;
    for (const QFileInfo& fi : QDir(dir).entryInfoList(QDir::Files)) {
        if (fi.fileName().startsWith(QLatin1String("micromind.db")) ||
            fi.fileName() == QLatin1String("tokenizer.model") || fi.fileName() == QLatin1String("filler"))
            continue;
        out.insert(fi.fileName(), fileBytes(fi.filePath()));
    }
    return out;
}

QString runInfoText(MainWindow& w) {
    auto* info = w.runsPanel()->findChild<QLabel*>(QStringLiteral("runInfo"));
    return info ? info->text() : QString();
}

/// A workspace whose history has one finished run, every connection closed.
void seedHistory(const mm::test::UiWorkspace& ws) {
    mm::store::History h((ws.dir + QStringLiteral("/micromind.db")).toStdString());
    const int64_t id = h.beginRun("pretrain", "{}", "", ws.dir.toStdString() + "/pretrain_128.pth", "test");
    for (int step = 1; step <= 400; ++step)
        h.logMetrics(id, step, {{"loss", 5.0 - step * 0.001}, {"lr", 1e-3}}, step * 0.1);
    h.finishRun(id, "completed");
}

} // namespace

class TestUiFaults : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true);
        // Crashing children must not leave core files in the workspace.
        const rlimit noCore{0, 0};
        ::setrlimit(RLIMIT_CORE, &noCore);
    }

    // The real CLI, mid-run: SIGSEGV, then SIGKILL, then a run that completes.
    void crashedAndKilledRunsFailWithTheirSignal() {
        mm::test::UiWorkspace ws;
        const QString db = ws.dir + QStringLiteral("/micromind.db");
        QList<QPair<qint64, QString>> before; // (run id, status) as the first window saw them
        {
            MainWindow w;
            w.setCloseAction(MainWindow::CloseAction::StopRuns);
            w.resize(1280, 820);
            w.show();
            QVERIFY(w.openWorkspace(ws.dir, true));
            LoopWatch loop;

            struct Case {
                int sig;
                QString reason;
            };
            const QList<Case> cases{{SIGSEGV, QStringLiteral("crashed: segmentation fault (signal 11)")},
                                    {SIGKILL, QStringLiteral("killed (signal 9)")}};
            QList<RunController*> crashed;
            for (const Case& c : cases) {
                RunController* run = w.runManager()->launch(QStringLiteral("pretrain"), tinyPretrainFlags(ws, 100000));
                w.runsPanel()->selectRun(run);
                QTRY_VERIFY_WITH_TIMEOUT(run->lastStep() >= 2 && run->runId() > 0, 60000);
                QSignalSpy recorded(run, &RunController::historyChanged);
                QCOMPARE(::kill(pid_t(run->pid()), c.sig), 0);
                QTRY_COMPARE_WITH_TIMEOUT(run->state(), State::Failed, 20000);
                QCOMPARE(run->exitCode(), c.sig);
                QVERIFY2(run->message().startsWith(c.reason), qPrintable(run->message()));
                // The reason is in the run's panel.
                QVERIFY2(runInfoText(w).contains(c.reason), qPrintable(runInfoText(w)));
                // ... and in its history row, which is no longer "running".
                mm::store::History h(db.toStdString());
                QTRY_VERIFY_WITH_TIMEOUT(h.run(run->runId())->status != "running", 10000);
                const auto rec = h.run(run->runId());
                QCOMPARE(QString::fromStdString(rec->status), QStringLiteral("failed"));
                QTRY_VERIFY2_WITH_TIMEOUT(QString::fromStdString(h.run(run->runId())->message).startsWith(c.reason),
                                          h.run(run->runId())->message.c_str(), 10000);
                QVERIFY(!rec->endedAt.empty());
                // Announced once, after the worker thread's write (a queued signal).
                QTRY_COMPARE_WITH_TIMEOUT(recorded.count(), 1, 10000);
                crashed << run;
            }
            // A screenshot of the panel with the segfaulted run selected.
            w.showTab(MainWindow::RunsTab);
            w.runsPanel()->selectRun(crashed.first());
            QVERIFY(runInfoText(w).contains(QStringLiteral("segmentation fault")));
            QCoreApplication::processEvents();
            QVERIFY(QDir().mkpath(QStringLiteral(MM_SCREENSHOT_DIR)));
            const QString shot = QStringLiteral(MM_SCREENSHOT_DIR "/ui_faults_crashed_run.png");
            QVERIFY2(w.runsPanel()->grab().save(shot), qPrintable(shot));

            // The workbench goes on: another run starts and completes.
            RunController* next = w.runManager()->launch(QStringLiteral("pretrain"), tinyPretrainFlags(ws, 4));
            QTRY_COMPARE_WITH_TIMEOUT(next->state(), State::Completed, 60000);
            QVERIFY2(loop.worstGapMs() < 3000, qPrintable(QString::number(loop.worstGapMs())));

            QCOMPARE(integrityCheck(db), QStringLiteral("ok"));
            HistoryPanel* hist = w.historyPanel();
            hist->refresh();
            QTRY_COMPARE_WITH_TIMEOUT(hist->model()->rowCount(), 3, 10000);
            QTRY_COMPARE(QString::fromStdString(hist->model()->runById(crashed[0]->runId())->status),
                         QStringLiteral("failed"));
            QCOMPARE(QString::fromStdString(hist->model()->runById(next->runId())->status),
                     QStringLiteral("completed"));
            for (const auto& r : hist->model()->runs())
                before << qMakePair(qint64(r.id), QString::fromStdString(r.status));
        }
        // Reopening the workspace shows the same runs.
        MainWindow again;
        again.setCloseAction(MainWindow::CloseAction::StopRuns);
        QVERIFY(again.openWorkspace(ws.dir, true));
        QCOMPARE(again.runManager()->runs().size(), 0); // nothing to re-attach
        HistoryPanel* hist = again.historyPanel();
        hist->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(hist->model()->rowCount(), 3, 10000);
        QList<QPair<qint64, QString>> after;
        for (const auto& r : hist->model()->runs())
            after << qMakePair(qint64(r.id), QString::fromStdString(r.status));
        QCOMPARE(after, before);
        QCOMPARE(integrityCheck(db), QStringLiteral("ok"));
    }

    // A child that prints garbage and dies: decoded where valid, shown cut
    // otherwise, the event loop keeps running, the next run works.
    void garbageOutputIsShownAndDoesNotStopTheWorkbench() {
        mm::test::UiWorkspace ws;
        const QString cli = writeGarbageCli(ws.tmp.path());
        QVERIFY(!cli.isEmpty());
        MainWindow w;
        w.setCloseAction(MainWindow::CloseAction::StopRuns);
        w.show();
        QVERIFY(w.openWorkspace(ws.dir, true));
        LoopWatch loop;
        qputenv("MICROMIND_CLI", cli.toLocal8Bit());
        RunController* run = w.runManager()->launch(QStringLiteral("pretrain"), tinyPretrainFlags(ws, 10));
        qunsetenv("MICROMIND_CLI");
        w.runsPanel()->selectRun(run);
        QSignalSpy logged(run, &RunController::logged);
        QTRY_COMPARE_WITH_TIMEOUT(run->state(), State::Failed, 30000);
        QVERIFY2(loop.worstGapMs() < 3000, qPrintable(QString::number(loop.worstGapMs())));
        QVERIFY2(run->message().startsWith(QStringLiteral("crashed: segmentation fault (signal 11)")),
                 qPrintable(run->message()));
        QVERIFY(runInfoText(w).contains(QStringLiteral("segmentation fault (signal 11)")));
        QVERIFY2(run->message().size() < 1000, qPrintable(QString::number(run->message().size())));

        // The valid events were decoded, the malformed ones ignored.
        QList<qint64> steps;
        for (const auto& args : logged)
            steps << args.at(0).value<QJsonObject>().value(QStringLiteral("step")).toInteger();
        QVERIFY2(steps.size() >= 3 && steps.first() == 1 && steps.last() == 5,
                 qPrintable(QString::number(steps.size())));
        for (qint64 s : steps)
            QVERIFY2(s >= 1 && s <= 5, qPrintable(QString::number(s)));
        QCOMPARE(run->lastStep(), 5);
        QCOMPARE(run->totalSteps(), 10);

        // The rest is text, cut and without control characters.
        const QString out = run->textOutput();
        QVERIFY(out.contains(QStringLiteral("not json at all")));
        QVERIFY(out.contains(QStringLiteral("{\"event\":\"log\",\"step\":3,\"loss\":")));
        QVERIFY(out.contains(QStringLiteral("control bytes")));
        QVERIFY(out.contains(QStringLiteral("line cut")));
        QVERIFY2(out.size() < (1 << 20), qPrintable(QString::number(out.size())));
        QVERIFY(!out.contains(QChar(0)) && !out.contains(QChar(1)));
        const QString err = run->errorOutput();
        QVERIFY(err.contains(QStringLiteral("plain line on stderr")));
        QVERIFY(err.contains(QStringLiteral("line cut")));
        QVERIFY2(err.size() < (1 << 20), qPrintable(QString::number(err.size())));
        // The output view holds no giant line either.
        auto* view = w.runsPanel()->findChild<QPlainTextEdit*>(QStringLiteral("runOutput"));
        QVERIFY(view);
        QVERIFY(view->toPlainText().contains(QStringLiteral("plain line on stderr")));
        int longest = 0;
        for (QTextBlock b = view->document()->begin(); b.isValid(); b = b.next())
            longest = qMax(longest, b.length());
        QVERIFY2(longest < 20000, qPrintable(QString::number(longest)));

        // The workbench goes on with the real CLI.
        RunController* next = w.runManager()->launch(QStringLiteral("pretrain"), tinyPretrainFlags(ws, 4));
        QTRY_COMPARE_WITH_TIMEOUT(next->state(), State::Completed, 60000);
        QCOMPARE(integrityCheck(ws.dir + QStringLiteral("/micromind.db")), QStringLiteral("ok"));
    }

    void diskFullWhileSavingKeepsTheCheckpoints_data() {
        QTest::addColumn<bool>("tmpfs");
        QTest::addColumn<QString>("reason");
        // The child runs with RLIMIT_FSIZE below a checkpoint's size (SIGXFSZ
        // ignored, so its writes fail with EFBIG): works for any user.
        QTest::newRow("file size limit") << false << QStringLiteral("file size limit");
        // A small tmpfs filled up to half a checkpoint (ENOSPC): root only.
        QTest::newRow("full tmpfs") << true << QStringLiteral("No space left on device (the disk is full");
    }

    // The disk fills while the CLI saves: the run fails saying which file and
    // why, the checkpoints already there stay byte for byte, the GUI goes on.
    void diskFullWhileSavingKeepsTheCheckpoints() {
        QFETCH(bool, tmpfs);
        QFETCH(QString, reason);
        mm::test::UiWorkspace ws;
        QString dir = ws.dir;
        TmpfsMount mount;
        if (tmpfs) {
            dir = ws.tmp.path() + QStringLiteral("/small-disk");
            if (!mount.mount(dir, 64))
                QSKIP("cannot mount a tmpfs here (needs root)");
            QVERIFY(QFile::copy(ws.dir + QStringLiteral("/tokenizer.model"), dir + QStringLiteral("/tokenizer.model")));
        }
        const QString db = dir + QStringLiteral("/micromind.db");
        MainWindow w;
        w.setCloseAction(MainWindow::CloseAction::StopRuns);
        w.show();
        QVERIFY(w.openWorkspace(dir, true));
        RunController* first = w.runManager()->launch(QStringLiteral("pretrain"), tinyPretrainFlags(ws, 4, dir));
        QTRY_COMPARE_WITH_TIMEOUT(first->state(), State::Completed, 60000);
        const QString weights = dir + QStringLiteral("/pretrain_128.pth");
        const QMap<QString, QByteArray> saved = checkpointFiles(dir);
        QVERIFY(saved.contains(QStringLiteral("pretrain_128.pth")));
        const qint64 weightsSize = saved.value(QStringLiteral("pretrain_128.pth")).size();
        QVERIFY2(weightsSize > (1 << 20), qPrintable(QString::number(weightsSize)));

        // Room: far above the logs and the history's writes, below the weights.
        RunController* full = nullptr;
        const QString filler = dir + QStringLiteral("/filler");
        if (tmpfs) {
            QVERIFY(fillDisk(filler, weightsSize / 2));
            full = w.runManager()->launch(QStringLiteral("pretrain"), tinyPretrainFlags(ws, 4, dir));
        } else {
            rlimit old{};
            QCOMPARE(::getrlimit(RLIMIT_FSIZE, &old), 0);
            const rlimit low{rlim_t(weightsSize / 2), old.rlim_max};
            const auto oldXfsz = std::signal(SIGXFSZ, SIG_IGN);
            QCOMPARE(::setrlimit(RLIMIT_FSIZE, &low), 0);
            full = w.runManager()->launch(QStringLiteral("pretrain"), tinyPretrainFlags(ws, 4, dir));
            ::setrlimit(RLIMIT_FSIZE, &old); // the child keeps the low limit
            std::signal(SIGXFSZ, oldXfsz);
        }
        w.runsPanel()->selectRun(full);
        QTRY_COMPARE_WITH_TIMEOUT(full->state(), State::Failed, 60000);
        QCOMPARE(full->exitCode(), 3); // the CLI's I/O error
        // The message names the file and says why, in the panel too.
        const QString msg = full->message();
        qInfo("message: %s", qPrintable(msg));
        QVERIFY2(msg.contains(QStringLiteral("cannot write ") + dir) && msg.contains(reason) &&
                     msg.contains(QStringLiteral("the previous file is unchanged")),
                 qPrintable(msg));
        QVERIFY2(runInfoText(w).contains(reason), qPrintable(runInfoText(w)));
        // The checkpoints of the first run are intact, no temp file is left.
        QFile::remove(filler);
        QCOMPARE(checkpointFiles(dir), saved);
        QVERIFY(QFileInfo(weights).size() == weightsSize);
        // The history says failed, with the same reason.
        {
            mm::store::History h(db.toStdString());
            const auto rec = h.run(full->runId());
            QVERIFY(rec);
            QCOMPARE(QString::fromStdString(rec->status), QStringLiteral("failed"));
            QVERIFY2(QString::fromStdString(rec->message).contains(QStringLiteral("cannot write ")),
                     rec->message.c_str());
        }
        QCOMPARE(integrityCheck(db), QStringLiteral("ok"));

        // With room again the same run works.
        RunController* again = w.runManager()->launch(QStringLiteral("pretrain"), tinyPretrainFlags(ws, 4, dir));
        QTRY_COMPARE_WITH_TIMEOUT(again->state(), State::Completed, 60000);
    }

    // A run whose loss turns NaN stops with exit 4, and the panel and the
    // history say at which step and where the last good checkpoint is; the
    // checkpoint of the earlier run in the workspace is left as it was.
    void divergedRunSaysWhyAndKeepsTheCheckpoint() {
        mm::test::UiWorkspace ws;
        MainWindow w;
        w.setCloseAction(MainWindow::CloseAction::StopRuns);
        w.show();
        QVERIFY(w.openWorkspace(ws.dir, true));
        RunController* good = w.runManager()->launch(QStringLiteral("pretrain"), tinyPretrainFlags(ws, 3));
        QTRY_COMPARE_WITH_TIMEOUT(good->state(), State::Completed, 60000);
        const QMap<QString, QByteArray> saved = checkpointFiles(ws.dir);
        QVERIFY(saved.contains(QStringLiteral("pretrain_128.pth")));

        // Learning rate 1 without gradient clipping: NaN within a few steps.
        QStringList flags = tinyPretrainFlags(ws, 40);
        flags << QStringLiteral("--learning_rate") << QStringLiteral("1") << QStringLiteral("--grad_clip")
              << QStringLiteral("0") << QStringLiteral("--probe_interval") << QStringLiteral("0");
        RunController* bad = w.runManager()->launch(QStringLiteral("pretrain"), flags);
        w.runsPanel()->selectRun(bad);
        QTRY_COMPARE_WITH_TIMEOUT(bad->state(), State::Failed, 60000);
        QCOMPARE(bad->exitCode(), 4);
        const QString msg = bad->message();
        qInfo("message: %s", qPrintable(msg));
        QVERIFY2(msg.contains(QStringLiteral("training diverged at step ")) && msg.contains(QStringLiteral("nan")) &&
                     msg.contains(QStringLiteral("Lower --learning_rate")),
                 qPrintable(msg));
        QVERIFY2(runInfoText(w).contains(QStringLiteral("training diverged")), qPrintable(runInfoText(w)));
        QCOMPARE(checkpointFiles(ws.dir), saved);
        mm::store::History h((ws.dir + QStringLiteral("/micromind.db")).toStdString());
        const auto rec = h.run(bad->runId());
        QVERIFY(rec);
        QCOMPARE(QString::fromStdString(rec->status), QStringLiteral("failed"));
        QVERIFY2(QString::fromStdString(rec->message).contains(QStringLiteral("diverged")), rec->message.c_str());
    }

    // Another process holds micromind.db's write lock: the workbench waits
    // (the busy timeout), then names the file and the process.
    void lockedDatabaseIsReported() {
        mm::test::UiWorkspace ws;
        seedHistory(ws);
        const QString db = ws.dir + QStringLiteral("/micromind.db");
        const QByteArray bytes = fileBytes(db);
        QProcess holder;
        holder.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--hold-lock"), db});
        QVERIFY(holder.waitForReadyRead(10000));
        QCOMPARE(holder.readLine().trimmed(), QByteArray("locked"));

        MainWindow w;
        w.show();
        DialogCatcher dialogs;
        QElapsedTimer t;
        t.start();
        QVERIFY(!w.openWorkspace(ws.dir));
        QVERIFY2(t.elapsed() >= 4000, qPrintable(QString::number(t.elapsed()))); // it retried first
        QCOMPARE(dialogs.texts.size(), 1);
        const QString text = dialogs.texts.first();
        qInfo("dialog: %s", qPrintable(text)); // for a person reading the log
        QVERIFY2(text.contains(db) && text.contains(QStringLiteral("is locked")) &&
                     text.contains(QStringLiteral("pid %1").arg(holder.processId())) &&
                     text.contains(QStringLiteral("then open the workspace again")),
                 qPrintable(text));
        QVERIFY(!w.workspace()->isOpen());
        QCOMPARE(fileBytes(db), bytes);

        holder.kill();
        QVERIFY(holder.waitForFinished(10000));
        QVERIFY(w.openWorkspace(ws.dir, true));
        w.historyPanel()->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(w.historyPanel()->model()->rowCount(), 1, 10000);
    }

    void readOnlyDatabaseIsReported_data() {
        QTest::addColumn<bool>("readOnlyFolder");
        QTest::addColumn<QString>("expect");
        QTest::newRow("file 0444") << false << QStringLiteral("is read-only");
        QTest::newRow("folder 0555") << true << QStringLiteral("is not writable");
    }

    void readOnlyDatabaseIsReported() {
        QFETCH(bool, readOnlyFolder);
        QFETCH(QString, expect);
        mm::test::UiWorkspace ws;
        seedHistory(ws);
        const QString db = ws.dir + QStringLiteral("/micromind.db");
        const QByteArray bytes = fileBytes(db);
        const QString target = readOnlyFolder ? ws.dir : db;
        const auto writable = QFile::permissions(target);
        const auto restore = qScopeGuard([&] { QFile::setPermissions(target, writable); }); // also on failure
        QVERIFY(QFile::setPermissions(
            target, QFileDevice::ReadOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther |
                        (readOnlyFolder ? QFileDevice::ExeOwner | QFileDevice::ExeGroup | QFileDevice::ExeOther
                                        : QFileDevice::Permissions())));
        MainWindow w;
        w.show();
        DialogCatcher dialogs;
        {
            AsUnprivileged user;
            QFile probe(readOnlyFolder ? ws.dir + QStringLiteral("/probe") : db);
            if (probe.open(QIODevice::ReadWrite)) {
                probe.close();
                if (readOnlyFolder)
                    probe.remove();
                QSKIP("this process writes read-only files (root that cannot drop its capabilities)");
            }
            QVERIFY(!w.openWorkspace(ws.dir));
        }
        QFile::setPermissions(target, writable);
        QCOMPARE(dialogs.texts.size(), 1);
        const QString text = dialogs.texts.first();
        qInfo("dialog: %s", qPrintable(text)); // for a person reading the log
        QVERIFY2(text.contains(readOnlyFolder ? ws.dir : db) && text.contains(expect) &&
                     text.contains(QStringLiteral("writable")),
                 qPrintable(text));
        QVERIFY(!w.workspace()->isOpen());
        QCOMPARE(fileBytes(db), bytes);
        // Writable again, it opens.
        QVERIFY(w.openWorkspace(ws.dir, true));
    }

    void newerSchemaIsRefusedUntouched() {
        mm::test::UiWorkspace ws;
        seedHistory(ws);
        const QString db = ws.dir + QStringLiteral("/micromind.db");
        const int newer = mm::store::History::kSchemaVersion + 4;
        execSql(db, QStringLiteral("PRAGMA user_version = %1").arg(newer).toUtf8().constData());
        const QByteArray bytes = fileBytes(db);
        MainWindow w;
        w.show();
        DialogCatcher dialogs;
        QVERIFY(!w.openWorkspace(ws.dir));
        QCOMPARE(dialogs.texts.size(), 1);
        const QString text = dialogs.texts.first();
        qInfo("dialog: %s", qPrintable(text)); // for a person reading the log
        QVERIFY2(text.contains(db) && text.contains(QStringLiteral("newer MicroMind")) &&
                     text.contains(QStringLiteral("schema %1; this build knows up to %2")
                                       .arg(newer)
                                       .arg(mm::store::History::kSchemaVersion)) &&
                     text.contains(QStringLiteral("Upgrade")),
                 qPrintable(text));
        QVERIFY(!w.workspace()->isOpen());
        QCOMPARE(fileBytes(db), bytes);
        QCOMPARE(integrityCheck(db), QStringLiteral("ok"));
    }

    void corruptDatabaseIsRefusedUntouched_data() {
        QTest::addColumn<bool>("truncate");
        QTest::newRow("random bytes") << false;
        QTest::newRow("truncated") << true;
    }

    void corruptDatabaseIsRefusedUntouched() {
        QFETCH(bool, truncate);
        mm::test::UiWorkspace ws;
        const QString db = ws.dir + QStringLiteral("/micromind.db");
        if (truncate) {
            seedHistory(ws);
            QFile f(db);
            QVERIFY(f.size() > 8 * 4096);
            QVERIFY(f.resize(f.size() / 2));
        } else {
            QByteArray noise(64 * 1024, Qt::Uninitialized);
            QRandomGenerator gen(42);
            gen.fillRange(reinterpret_cast<quint32*>(noise.data()), noise.size() / 4);
            QFile f(db);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(noise);
        }
        const QByteArray bytes = fileBytes(db);
        MainWindow w;
        w.show();
        DialogCatcher dialogs;
        QVERIFY(!w.openWorkspace(ws.dir));
        QCOMPARE(dialogs.texts.size(), 1);
        const QString text = dialogs.texts.first();
        qInfo("dialog: %s", qPrintable(text)); // for a person reading the log
        QVERIFY2(text.contains(db) && text.contains(QStringLiteral("is damaged")) &&
                     text.contains(QStringLiteral("Move it aside")),
                 qPrintable(text));
        QVERIFY(!w.workspace()->isOpen());
        QCOMPARE(fileBytes(db), bytes);
        // Moved aside as the message says, the workspace opens with a new history.
        QVERIFY(QFile::rename(db, db + QStringLiteral(".broken")));
        QFile::remove(db + QStringLiteral("-wal"));
        QFile::remove(db + QStringLiteral("-shm"));
        QVERIFY(w.openWorkspace(ws.dir, true));
        QCOMPARE(fileBytes(db + QStringLiteral(".broken")), bytes);
    }
};

int main(int argc, char** argv) {
    if (argc == 3 && std::strcmp(argv[1], "--hold-lock") == 0)
        return holdLock(argv[2]);
    QApplication app(argc, argv);
    app.setAttribute(Qt::AA_Use96Dpi, true);
    TestUiFaults t;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&t, argc, argv);
}

#include "test_ui_faults.moc"
