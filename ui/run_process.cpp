// RunController's child processes: starting the `micromind` CLI (and the
// other ranks of a multi-process run), pausing, resuming and stopping it by
// signal, detaching from it, and what its end means for the run's state.

#include "run_controller.h"

#include "cli_path.h"

#include "train/launcher.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>

#include <csignal>

#include <unistd.h>

namespace mm::ui {

namespace {

/// A TCP port free on 127.0.0.1 right now, for the rendezvous store.
int freeLoopbackPort() {
    try {
        return mm::train::freeLoopbackPort();
    } catch (const std::exception&) {
        return 29500;
    }
}

QProcessEnvironment rankEnvironment(int rank, int world, int port) {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("RANK"), QString::number(rank));
    env.insert(QStringLiteral("LOCAL_RANK"), QString::number(rank));
    env.insert(QStringLiteral("WORLD_SIZE"), QString::number(world));
    env.insert(QStringLiteral("LOCAL_WORLD_SIZE"), QString::number(world));
    env.insert(QStringLiteral("MASTER_ADDR"), QStringLiteral("127.0.0.1"));
    env.insert(QStringLiteral("MASTER_PORT"), QString::number(port));
    return env;
}

} // namespace

void RunController::start(bool resume) {
    if (isActive())
        return;
    launch(resume);
}

void RunController::resume() {
    if (m_state != State::Paused && m_state != State::Stopped)
        return;
    launch(true);
}

void RunController::launch(bool resume) {
    m_resumeNext = resume;
    m_attached = false;
    m_pollTimer.stop();
    m_request = Request::None;
    m_sawDone = m_sawStopped = false;
    m_message.clear();
    m_stdoutBuf.clear();
    m_stderrBuf.clear();
    if (m_proc) {
        m_proc->disconnect(this);
        m_proc->deleteLater();
    }
    const QDir logs(QDir(m_workspace).filePath(QStringLiteral("logs")));
    logs.mkpath(QStringLiteral("."));
    const QString base = logs.filePath(QStringLiteral("%1-%2").arg(
        m_stage, QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz"))));
    m_outPath = base + QStringLiteral(".jsonl");
    m_errPath = base + QStringLiteral(".err");
    m_outFile.close();
    m_errFile.close();
    for (QProcess* w : std::as_const(m_workers)) {
        w->disconnect(this);
        w->deleteLater();
    }
    m_workers.clear();
    qDeleteAll(m_workerErr);
    m_workerErr.clear();
    const bool multi = m_processes > 1 && isTrainingStage(m_stage);
    const int port = multi ? freeLoopbackPort() : 0;
    m_proc = new QProcess(this);
    m_proc->setProgram(micromindPath());
    m_proc->setArguments(processArguments());
    m_proc->setWorkingDirectory(m_workspace);
    if (multi)
        m_proc->setProcessEnvironment(rankEnvironment(0, m_processes, port));
    m_proc->setStandardOutputFile(m_outPath, QIODevice::Truncate);
    m_proc->setStandardErrorFile(m_errPath, QIODevice::Truncate);
    connect(m_proc, &QProcess::finished, this, &RunController::onProcessFinished);
    connect(m_proc, &QProcess::errorOccurred, this, &RunController::onProcessError);
    setState(State::Running);
    m_launchedAt = QDateTime::currentDateTimeUtc();
    m_proc->start();
    m_pid = m_proc->processId();
    if (multi)
        startWorkers(base, port);
    Q_EMIT ranksChanged();
    m_outFile.setFileName(m_outPath);
    m_errFile.setFileName(m_errPath);
    m_tailTimer.start();
}

void RunController::startWorkers(const QString& logBase, int port) {
    for (int r = 1; r < m_processes; ++r) {
        auto* w = new QProcess(this);
        w->setProgram(micromindPath());
        w->setArguments(processArguments());
        w->setWorkingDirectory(m_workspace);
        w->setProcessEnvironment(rankEnvironment(r, m_processes, port));
        // Other ranks print nothing but errors; stdout is discarded.
        w->setStandardOutputFile(QProcess::nullDevice());
        const QString err = QStringLiteral("%1.rank%2.err").arg(logBase).arg(r);
        w->setStandardErrorFile(err, QIODevice::Truncate);
        connect(w, &QProcess::finished, this, [this] {
            readWorkerErrors();
            Q_EMIT ranksChanged();
        });
        w->start();
        m_workers << w;
        auto* f = new QFile(err);
        m_workerErr << f;
    }
}

void RunController::readWorkerErrors() {
    for (int i = 0; i < m_workerErr.size(); ++i) {
        QFile* f = m_workerErr[i];
        if (!f->isOpen() && QFile::exists(f->fileName()))
            f->open(QIODevice::ReadOnly | QIODevice::Unbuffered);
        if (!f->isOpen())
            continue;
        const QString text = QString::fromUtf8(f->readAll());
        if (text.isEmpty())
            continue;
        QString tagged;
        for (const QString& line : text.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            tagged += QStringLiteral("[rank %1] %2\n").arg(i + 1).arg(line);
        m_stderr += tagged;
        Q_EMIT outputAppended(tagged, true);
    }
}

QList<RunController::RankStatus> RunController::rankStatus() const {
    QList<RankStatus> out;
    auto add = [&out](int rank, const QProcess* p, qint64 pid) {
        RankStatus s;
        s.rank = rank;
        s.pid = p ? (p->processId() > 0 ? p->processId() : pid) : pid;
        s.running = p && p->state() != QProcess::NotRunning;
        if (p && !s.running) {
            s.exitCode = p->exitCode();
            s.crashed = p->exitStatus() == QProcess::CrashExit;
        }
        out << s;
    };
    add(0, m_proc, m_pid);
    for (int i = 0; i < m_workers.size(); ++i)
        add(i + 1, m_workers[i], 0);
    return out;
}

void RunController::detach() {
    m_tailTimer.stop();
    m_pollTimer.stop();
    if (m_proc && m_proc->state() != QProcess::NotRunning) {
        // ~QProcess kills its child, so the object is deliberately never
        // deleted: the run lives on and writes its log files; the next session
        // re-attaches to it through the history database.
        m_proc->disconnect(this);
        m_proc->setParent(nullptr);
        m_proc = nullptr;
    }
    for (QProcess* w : std::as_const(m_workers))
        if (w->state() != QProcess::NotRunning) {
            w->disconnect(this);
            w->setParent(nullptr);
        }
    m_workers.clear();
}

void RunController::signalPid(int sig) {
    if (m_proc && m_proc->state() != QProcess::NotRunning)
        ::kill(pid_t(m_proc->processId()), sig);
    else if (m_attached && m_pid > 0)
        ::kill(pid_t(m_pid), sig);
    // Every rank gets the request; they agree on the step to stop after.
    for (QProcess* w : std::as_const(m_workers))
        if (w->state() != QProcess::NotRunning)
            ::kill(pid_t(w->processId()), sig);
}

void RunController::pause() {
    if (m_state != State::Running)
        return;
    m_request = Request::Pause;
    setState(State::Pausing);
    signalPid(SIGINT);
}

void RunController::stop() {
    if (m_state == State::Paused || m_state == State::Idle) {
        m_message = tr("stopped by the user");
        setState(State::Stopped);
        Q_EMIT finished(m_state);
        return;
    }
    if (m_state == State::Stopping) {
        // Second request: the CLI's handler is one-shot, the default action ends it.
        signalPid(SIGKILL);
        return;
    }
    if (!isActive())
        return;
    m_request = Request::Stop;
    setState(State::Stopping);
    signalPid(SIGTERM);
}

QString RunController::lastErrorLine() const {
    // The run's message quotes it: a long line (garbage) is cut, the Output tab has it all.
    constexpr qsizetype kMaxQuoted = 500;
    auto quoted = [](const QString& line) {
        const QString t = line.trimmed();
        return t.size() > kMaxQuoted ? t.left(kMaxQuoted) + QStringLiteral("…") : t;
    };
    const QStringList lines = m_stderr.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (auto it = lines.crbegin(); it != lines.crend(); ++it)
        if (it->startsWith(QLatin1String("error")))
            return quoted(*it);
    return lines.isEmpty() ? QString() : quoted(lines.last());
}

void RunController::onProcessFinished(int exitCode, QProcess::ExitStatus status) {
    m_tailTimer.stop();
    readOutput(true);
    readWorkerErrors();
    // Rank 0 decides the outcome; a worker still alive after it ended (its
    // peer died) is stopped rather than left behind.
    for (QProcess* w : std::as_const(m_workers))
        if (w->state() != QProcess::NotRunning && !w->waitForFinished(10000))
            w->kill();
    Q_EMIT ranksChanged();
    flushPartialLines();
    m_exitCode = exitCode;
    State next;
    const QString lastLine = lastErrorLine();
    if (status == QProcess::CrashExit) {
        // QProcess reports the signal that ended the process as its exit code.
        const int sig = exitCode;
        QString why, whyEnglish;
        if (m_request == Request::Stop && sig == SIGKILL) {
            next = State::Stopped;
            why = tr("killed on request (signal %1)").arg(sig);
            whyEnglish = QStringLiteral("killed on request (signal %1)").arg(sig);
        } else {
            next = State::Failed;
            why = signalReason(sig);
            whyEnglish = signalReason(sig, false);
            if (sig == SIGKILL) {
                // SIGKILL without our asking is usually the kernel's out-of-memory killer.
                why += tr(": another program or the kernel's out-of-memory killer ended it");
                whyEnglish += QStringLiteral(": another program or the kernel's out-of-memory killer ended it");
            }
        }
        if (!lastLine.isEmpty()) {
            why += tr("; last output: %1").arg(lastLine);
            whyEnglish += QStringLiteral("; last output: %1").arg(lastLine);
        }
        m_message = why;
        recordEnd(next == State::Stopped ? QStringLiteral("interrupted") : QStringLiteral("failed"), whyEnglish);
    } else if (exitCode == 0) {
        next = State::Completed;
    } else if (exitCode == 130 || m_sawStopped) {
        next = m_request == Request::Stop ? State::Stopped : State::Paused;
        m_message = tr("saved at step %1; resume continues from there").arg(m_lastStep);
    } else {
        next = State::Failed;
        m_message = tr("exit status %1: %2").arg(exitCode).arg(lastLine);
        // The CLI finishes its run row before it exits with an error; one it
        // left "running" (it died on the way out) gets the reason here.
        recordEnd(QStringLiteral("failed"), QStringLiteral("exit status %1: %2").arg(exitCode).arg(lastLine));
    }
    m_request = Request::None;
    setState(next);
    Q_EMIT finished(next);
}

QString RunController::signalReason(int sig, bool translated) {
    // lupdate finds the texts through QT_TR_NOOP; the history keeps English.
    auto text = [translated](const char* s) {
        return translated ? QCoreApplication::translate("mm::ui::RunController", s) : QString::fromLatin1(s);
    };
    struct Named {
        int sig;
        const char* name;
        bool crash; ///< a fault of the process itself rather than a signal sent to it
    };
    static const Named names[] = {
        {SIGSEGV, QT_TR_NOOP("segmentation fault"), true},
        {SIGBUS, QT_TR_NOOP("bus error"), true},
        {SIGILL, QT_TR_NOOP("illegal instruction"), true},
        {SIGFPE, QT_TR_NOOP("arithmetic exception"), true},
        {SIGABRT, QT_TR_NOOP("aborted"), true},
        {SIGTRAP, QT_TR_NOOP("trace trap"), true},
        {SIGSYS, QT_TR_NOOP("bad system call"), true},
        {SIGTERM, QT_TR_NOOP("terminated"), false},
        {SIGINT, QT_TR_NOOP("interrupted"), false},
        {SIGHUP, QT_TR_NOOP("hang-up"), false},
        {SIGQUIT, QT_TR_NOOP("quit"), false},
        {SIGPIPE, QT_TR_NOOP("broken pipe"), false},
        {SIGXFSZ, QT_TR_NOOP("file size limit exceeded"), false},
        {SIGXCPU, QT_TR_NOOP("CPU time limit exceeded"), false},
    };
    if (sig == SIGKILL)
        return text(QT_TR_NOOP("killed (signal %1)")).arg(sig);
    for (const Named& n : names)
        if (n.sig == sig)
            return (n.crash ? text(QT_TR_NOOP("crashed: %1 (signal %2)")) : text(QT_TR_NOOP("killed: %1 (signal %2)")))
                .arg(text(n.name))
                .arg(sig);
    return text(QT_TR_NOOP("killed by signal %1")).arg(sig);
}

void RunController::onProcessError(QProcess::ProcessError error) {
    if (error != QProcess::FailedToStart)
        return; // crashes arrive through finished()
    m_tailTimer.stop();
    m_message = tr("could not start %1: %2").arg(m_proc->program(), m_proc->errorString());
    m_stderr += m_message + QLatin1Char('\n');
    Q_EMIT outputAppended(m_message + QLatin1Char('\n'), true);
    setState(State::Failed);
    Q_EMIT finished(State::Failed);
}

} // namespace mm::ui
