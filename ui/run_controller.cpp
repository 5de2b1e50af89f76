#include "run_controller.h"

#include "cli_path.h"

#include "config/stages.h"
#include "store/history.h"
#include "train/launcher.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QRegularExpression>
#include <QJsonDocument>
#include <QMap>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <climits>
#include <csignal>
#include <map>

#include <unistd.h>

#include <nlohmann/json.hpp>

namespace mm::ui {

namespace {

constexpr qsizetype kMaxErrorChars = 1 << 20;

/// What one poll of an attached run read from the database.
struct PollResult {
    bool ok = false;
    QString status, message, weights;
    qint64 steps = 0;
    QList<QJsonObject> events;  ///< "log" events after the last seen step
    QList<QJsonObject> probes;  ///< "probe" events after the last seen probe step
    QList<QJsonObject> warnings;  ///< "warning" events after the last seen warning id
    qint64 lastWarningId = 0;
    QString error;
};

PollResult readRunSince(const QString& dbPath, qint64 runId, qint64 afterStep, qint64 afterProbeStep,
                        qint64 afterWarningId) {
    PollResult r;
    try {
        store::History h(dbPath.toStdString());
        // A process that died without finishing leaves "running" behind.
        h.markStaleRunsInterrupted();
        auto rec = h.run(runId);
        if (!rec) {
            r.error = QStringLiteral("run %1 is no longer in the history").arg(runId);
            return r;
        }
        r.status = QString::fromStdString(rec->status);
        r.message = QString::fromStdString(rec->message);
        r.weights = QString::fromStdString(rec->outCheckpoint);
        r.steps = rec->steps;
        std::map<qint64, QJsonObject> bySteps;
        for (const auto& name : h.metricNames(runId)) {
            const QString key = QString::fromStdString(name);
            for (const auto& p : h.metrics(runId, name)) {
                if (p.step <= afterStep)
                    continue;
                QJsonObject& e = bySteps[p.step];
                e.insert(key, p.value);
                e.insert(QStringLiteral("elapsed_s"), p.wallTime);
            }
        }
        for (auto& [step, e] : bySteps) {
            e.insert(QStringLiteral("event"), QStringLiteral("log"));
            e.insert(QStringLiteral("step"), step);
            e.insert(QStringLiteral("run_id"), runId);
            r.events.push_back(e);
        }
        // Probes as the child's "probe" events: one per step, its prompts in order.
        QJsonObject probe;
        QJsonArray samples;
        auto flushProbe = [&] {
            if (samples.isEmpty())
                return;
            probe.insert(QStringLiteral("samples"), samples);
            r.probes.push_back(probe);
            samples = QJsonArray();
        };
        for (const auto& p : h.probes(runId, afterProbeStep)) {
            if (!samples.isEmpty() && probe.value(QStringLiteral("step")).toInteger() != p.step)
                flushProbe();
            if (samples.isEmpty())
                probe = QJsonObject{{QStringLiteral("event"), QStringLiteral("probe")},
                                    {QStringLiteral("step"), qint64(p.step)},
                                    {QStringLiteral("run_id"), runId}};
            samples.append(QJsonObject{{QStringLiteral("prompt"), QString::fromStdString(p.prompt)},
                                       {QStringLiteral("completion"), QString::fromStdString(p.completion)},
                                       {QStringLiteral("tokens"), qint64(p.tokens)},
                                       {QStringLiteral("stopped"), p.stopped}});
        }
        flushProbe();
        r.lastWarningId = afterWarningId;
        for (const auto& w : h.warnings(runId)) {
            if (w.id <= afterWarningId)
                continue;
            QJsonObject e{{QStringLiteral("event"), QStringLiteral("warning")},
                          {QStringLiteral("step"), qint64(w.step)},
                          {QStringLiteral("kind"), QString::fromStdString(w.kind)},
                          {QStringLiteral("message"), QString::fromStdString(w.message)},
                          {QStringLiteral("run_id"), runId}};
            if (w.value)
                e.insert(QStringLiteral("value"), *w.value);
            r.warnings.push_back(e);
            r.lastWarningId = std::max<qint64>(r.lastWarningId, w.id);
        }
        r.ok = true;
    } catch (const std::exception& e) {
        r.error = QString::fromStdString(e.what());
    }
    return r;
}

/// An event whose fields the controller relies on have the right types; a
/// line that only looks like one (a child printing garbage) is shown as text.
bool wellFormedEvent(const QJsonObject& e) {
    const QJsonValue kind = e.value(QStringLiteral("event"));
    if (!kind.isString())
        return false;
    auto numberOrAbsent = [&e](const char* key) {
        const QJsonValue v = e.value(QLatin1String(key));
        return v.isUndefined() || v.isDouble();
    };
    if (!numberOrAbsent("run_id") || !numberOrAbsent("total_steps") || !numberOrAbsent("step"))
        return false;
    // Events that move the run forward say where.
    static const QStringList stepped{QStringLiteral("log"), QStringLiteral("probe"), QStringLiteral("eval"),
                                     QStringLiteral("checkpoint")};
    const QJsonValue step = e.value(QStringLiteral("step"));
    return !stepped.contains(kind.toString()) || (step.isDouble() && step.toDouble() >= 0);
}

/// Ends the runs process `pid` left "running" in the history; how many changed.
int finishRunsOfProcess(const QString& dbPath, qint64 pid, const QDateTime& launched, const QString& status,
                        const QString& message) {
    try {
        store::History h(dbPath.toStdString());
        // The history's timestamps: UTC, whole seconds (truncated, so the
        // child's own start is never earlier).
        const QString since = launched.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ssZ"));
        return h.finishRunsOfProcess(pid, since.toStdString(), status.toStdString(), message.toStdString());
    } catch (const std::exception& e) {
        // The run's panel has the reason; the history view reports a bad database.
        qWarning("could not record the end of process %lld in %s: %s", pid, qPrintable(dbPath), e.what());
        return 0;
    }
}

/// Flags of a recorded run's config (non-default values), for resuming it.
QStringList flagsFromConfig(const QString& stage, const QString& configJson) {
    try {
        auto j = nlohmann::json::parse(configJson.toStdString());
        j.erase("model");
        j.erase("json");
        j.erase("resume");
        const auto values = config::parseJson(config::schemaFor(stage.toStdString()), j);
        QStringList out;
        const auto args = values.toArgs();
        for (size_t i = 1; i < args.size(); ++i)  // args[0] is the stage
            out << QString::fromStdString(args[i]);
        return out;
    } catch (const std::exception&) {
        return {};
    }
}

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

RunController::RunController(const QString& workspace, const QString& stage, const QStringList& flags, QObject* parent)
    : QObject(parent), m_workspace(workspace), m_stage(stage), m_flags(flags) {
    m_pollTimer.setInterval(1000);
    connect(&m_pollTimer, &QTimer::timeout, this, &RunController::poll);
    m_tailTimer.setInterval(100);
    connect(&m_tailTimer, &QTimer::timeout, this, [this] { readOutput(); });
}

RunController* RunController::attach(const QString& workspace, qint64 runId, qint64 pid, const QString& stage,
                                     const QString& configJson, qint64 lastStep, QObject* parent) {
    auto* rc = new RunController(workspace, stage, flagsFromConfig(stage, configJson), parent);
    rc->m_attached = true;
    rc->m_pid = pid;
    rc->m_runIds << runId;
    rc->m_state = State::Running;
    rc->m_pollTimer.start();
    QTimer::singleShot(0, rc, &RunController::poll);
    Q_UNUSED(lastStep);
    return rc;
}

void RunController::setParentRun(RunController* parent) {
    m_parentRun = parent;
    Q_EMIT stateChanged(m_state);
}

bool RunController::isTrainingStage(const QString& stage) {
    static const QStringList s{QStringLiteral("pretrain"), QStringLiteral("full_sft"), QStringLiteral("dpo"),
                               QStringLiteral("lora"),     QStringLiteral("distill_reason"), QStringLiteral("grpo")};
    return s.contains(stage);
}

QStringList RunController::processArguments() const {
    QStringList a{m_stage};
    a << m_flags;
    // Only the training stages and a few tools speak JSON; the others print text.
    if (isTrainingStage(m_stage))
        a << QStringLiteral("--json");
    if (m_resumeNext)
        a << QStringLiteral("--resume");
    return a;
}

QString RunController::quoteCommand(const QString& program, const QStringList& args) {
    auto quote = [](const QString& s) {
        static const QString safe = QStringLiteral("@%+=:,./-_");
        bool plain = !s.isEmpty();
        for (QChar c : s)
            if (!(c.isLetterOrNumber() && c.unicode() < 128) && !safe.contains(c))
                plain = false;
        if (plain)
            return s;
        QString q = s;
        q.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
        return QLatin1Char('\'') + q + QLatin1Char('\'');
    };
    QStringList parts{quote(program)};
    for (const auto& a : args)
        parts << quote(a);
    return parts.join(QLatin1Char(' '));
}

QString RunController::commandLine() const {
    QStringList a{m_stage};
    a << m_flags;
    return quoteCommand(QStringLiteral("micromind"), a);
}

QString RunController::label() const {
    return runId() > 0 ? QStringLiteral("%1 #%2").arg(m_stage).arg(runId()) : m_stage;
}

bool RunController::isActive() const {
    return m_state == State::Running || m_state == State::Pausing || m_state == State::Stopping;
}

QString RunController::stateName(State s) {
    switch (s) {
    case State::Idle: return tr("waiting");
    case State::Running: return tr("running");
    case State::Pausing: return tr("pausing");
    case State::Paused: return tr("paused");
    case State::Stopping: return tr("stopping");
    case State::Stopped: return tr("stopped");
    case State::Completed: return tr("completed");
    case State::Failed: return tr("failed");
    }
    return {};
}

void RunController::setState(State s) {
    if (m_state == s)
        return;
    m_state = s;
    Q_EMIT stateChanged(s);
}

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
    const QString base = logs.filePath(
        QStringLiteral("%1-%2").arg(m_stage, QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss-zzz"))));
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

void RunController::LineBuffer::feed(const QByteArray& bytes, const std::function<void(const QByteArray&, qint64)>& f) {
    qsizetype from = 0;
    while (from < bytes.size()) {
        const qsizetype nl = bytes.indexOf('\n', from);
        const qsizetype end = nl < 0 ? bytes.size() : nl;
        const qsizetype room = qMax<qsizetype>(0, maxLine - head.size());
        const qsizetype take = qMin(room, end - from);
        head.append(bytes.constData() + from, take);
        skipped += end - from - take;
        if (nl < 0)
            return;
        f(head, skipped);
        clear();
        from = nl + 1;
    }
}

void RunController::LineBuffer::finish(const std::function<void(const QByteArray&, qint64)>& f) {
    if (!head.isEmpty() || skipped > 0)
        f(head, skipped);
    clear();
}

QString RunController::displayLine(const QByteArray& raw, qint64 cutBytes) {
    // Binary noise must not reach the text views as control characters.
    QString text = QString::fromUtf8(raw);
    if (text.size() > kMaxShownLine) {
        cutBytes += raw.size() - text.left(kMaxShownLine).toUtf8().size();
        text.truncate(kMaxShownLine);
    }
    text.remove(QLatin1Char('\r'));
    for (QChar& c : text)
        if (c.unicode() < 0x20 && c != QLatin1Char('\t'))
            c = QChar(QChar::ReplacementCharacter);
    if (cutBytes > 0)
        text += tr(" … [line cut: %n more byte(s)]", nullptr, int(qMin<qint64>(cutBytes, INT_MAX)));
    return text;
}

void RunController::readOutput(bool toEnd) {
    // Unbuffered: a buffered QFile could cache the end of a file that grows.
    if (!m_outFile.isOpen() && QFile::exists(m_outPath))
        m_outFile.open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    if (!m_errFile.isOpen() && QFile::exists(m_errPath))
        m_errFile.open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    // A bounded amount per tick keeps the event loop going when a child floods
    // its output; the rest is read at the next tick (or now, when it ended).
    constexpr qint64 kChunk = 1 << 20, kPerTick = 4 << 20;
    if (m_outFile.isOpen()) {
        QString text;
        qint64 got = 0;
        for (QByteArray bytes; (toEnd || got < kPerTick) && !(bytes = m_outFile.read(kChunk)).isEmpty();) {
            got += bytes.size();
            m_stdoutBuf.feed(bytes, [&](const QByteArray& line, qint64 cut) { handleLine(line, cut, &text); });
        }
        appendText(text);
    }
    if (m_errFile.isOpen()) {
        QString text;
        qint64 got = 0;
        for (QByteArray bytes; (toEnd || got < kPerTick) && !(bytes = m_errFile.read(kChunk)).isEmpty();) {
            got += bytes.size();
            m_stderrBuf.feed(bytes, [&](const QByteArray& line, qint64 cut) {
                text += displayLine(line, cut) + QLatin1Char('\n');
            });
        }
        appendError(text);
    }
    readWorkerErrors();
}

void RunController::flushPartialLines() {
    QString text;
    m_stdoutBuf.finish([&](const QByteArray& line, qint64 cut) { handleLine(line, cut, &text); });
    appendText(text);
    text.clear();
    m_stderrBuf.finish([&](const QByteArray& line, qint64 cut) { text += displayLine(line, cut) + QLatin1Char('\n'); });
    appendError(text);
}

void RunController::appendText(QString text) {
    if (text.isEmpty())
        return;
    if (text.size() > kMaxErrorChars)
        text = text.right(kMaxErrorChars);
    m_stdoutText += text;
    if (m_stdoutText.size() > kMaxErrorChars)
        m_stdoutText = m_stdoutText.right(kMaxErrorChars);
    Q_EMIT outputAppended(text, false);
}

void RunController::appendError(QString text) {
    if (text.isEmpty())
        return;
    if (text.size() > kMaxErrorChars)
        text = text.right(kMaxErrorChars);
    m_stderr += text;
    if (m_stderr.size() > kMaxErrorChars)
        m_stderr = m_stderr.right(kMaxErrorChars);
    Q_EMIT outputAppended(text, true);
}

void RunController::handleLine(const QByteArray& raw, qint64 cutBytes, QString* text) {
    const QByteArray line = raw.trimmed();
    // A cut line is no event; anything that does not parse as one is text.
    if (cutBytes == 0 && line.startsWith('{')) {
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
        if (err.error == QJsonParseError::NoError && doc.isObject() && wellFormedEvent(doc.object())) {
            handleEvent(doc.object());
            return;
        }
    }
    // "[3/14] full_sft  (1m02s elapsed)": the demo announcing its next step.
    static const QRegularExpression stepLine(QStringLiteral("^\\[(\\d+)/(\\d+)\\]\\s+([^:(]+)"));
    const QRegularExpressionMatch m = stepLine.match(QString::fromUtf8(line.left(256)));
    if (m.hasMatch()) {
        m_stageProgress = QStringLiteral("%1/%2 %3").arg(m.captured(1), m.captured(2), m.captured(3).trimmed());
        Q_EMIT stateChanged(m_state);  // views refresh their label
    }
    *text += displayLine(raw, cutBytes) + QLatin1Char('\n');
}

void RunController::handleEvent(const QJsonObject& e) {
    const QString kind = e.value(QStringLiteral("event")).toString();
    const qint64 id = e.value(QStringLiteral("run_id")).toInteger();
    if (id > 0 && !m_runIds.contains(id))
        m_runIds << id;
    if (kind == QLatin1String("start")) {
        m_totalSteps = e.value(QStringLiteral("total_steps")).toInteger();
        m_weights = e.value(QStringLiteral("weights")).toString();
        Q_EMIT started(id, e);
    } else if (kind == QLatin1String("log")) {
        m_lastStep = e.value(QStringLiteral("step")).toInteger();
        m_totalSteps = qMax(m_totalSteps, e.value(QStringLiteral("total_steps")).toInteger());
        Q_EMIT logged(e);
    } else if (kind == QLatin1String("eval")) {
        // Validation (--eval_data): its val_* values join the charts as curves
        // of their own; the run's progress stays with the "log" events.
        Q_EMIT logged(e);
    } else if (kind == QLatin1String("probe")) {
        Q_EMIT probed(e);
    } else if (kind == QLatin1String("warning")) {
        addWarning(e);
    } else if (kind == QLatin1String("checkpoint")) {
        Q_EMIT checkpointSaved(e.value(QStringLiteral("path")).toString(), e.value(QStringLiteral("step")).toInteger());
    } else if (kind == QLatin1String("done")) {
        m_sawDone = true;
    } else if (kind == QLatin1String("stopped")) {
        m_sawStopped = true;
        m_lastStep = e.value(QStringLiteral("step")).toInteger();
    }
}

void RunController::addWarning(const QJsonObject& e) {
    // A long run cannot flood the panel: the monitor warns once per excursion.
    constexpr int kMaxWarnings = 1000;
    if (m_warnings.size() >= kMaxWarnings)
        m_warnings.removeFirst();
    m_warnings << e;
    Q_EMIT warned(e);
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
        bool crash;  ///< a fault of the process itself rather than a signal sent to it
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

void RunController::recordEnd(const QString& status, const QString& message) {
    const QString db = QDir(m_workspace).filePath(QStringLiteral("micromind.db"));
    if (m_pid <= 0 || !QFile::exists(db))
        return;
    // Off the GUI thread: another process may hold the database's write lock.
    auto* watcher = new QFutureWatcher<int>(this);
    connect(watcher, &QFutureWatcher<int>::finished, this, [this, watcher] {
        watcher->deleteLater();
        if (watcher->result() > 0)
            Q_EMIT historyChanged();
    });
    watcher->setFuture(QtConcurrent::run(finishRunsOfProcess, db, m_pid, m_launchedAt, status, message));
}

void RunController::onProcessError(QProcess::ProcessError error) {
    if (error != QProcess::FailedToStart)
        return;  // crashes arrive through finished()
    m_tailTimer.stop();
    m_message = tr("could not start %1: %2").arg(m_proc->program(), m_proc->errorString());
    m_stderr += m_message + QLatin1Char('\n');
    Q_EMIT outputAppended(m_message + QLatin1Char('\n'), true);
    setState(State::Failed);
    Q_EMIT finished(State::Failed);
}

void RunController::poll() {
    if (!m_attached || m_polling || runId() <= 0)
        return;
    m_polling = true;
    const QString db = QDir(m_workspace).filePath(QStringLiteral("micromind.db"));
    auto* watcher = new QFutureWatcher<PollResult>(this);
    connect(watcher, &QFutureWatcher<PollResult>::finished, this, [this, watcher] {
        watcher->deleteLater();
        m_polling = false;
        const PollResult r = watcher->result();
        if (!m_attached)
            return;  // resumed as a child process meanwhile
        if (!r.ok) {
            m_message = r.error;
            return;
        }
        m_weights = r.weights;
        for (const auto& e : r.events) {
            m_lastStep = e.value(QStringLiteral("step")).toInteger();
            Q_EMIT logged(e);
        }
        for (const auto& e : r.probes) {
            m_lastProbeStep = e.value(QStringLiteral("step")).toInteger();
            Q_EMIT probed(e);
        }
        m_lastWarningId = r.lastWarningId;
        for (const auto& e : r.warnings)
            addWarning(e);
        if (r.status == QLatin1String("running"))
            return;
        m_pollTimer.stop();
        m_message = r.message;
        State next = r.status == QLatin1String("completed") ? State::Completed
                     : r.status == QLatin1String("stopped") ? (m_request == Request::Stop ? State::Stopped : State::Paused)
                                                             : State::Failed;
        m_request = Request::None;
        setState(next);
        Q_EMIT finished(next);
    });
    watcher->setFuture(QtConcurrent::run(readRunSince, db, runId(), m_lastStep, m_lastProbeStep,
                                         m_lastWarningId));
}

} // namespace mm::ui
