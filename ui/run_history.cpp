// RunController's side of the history database: re-attaching to a run of an
// earlier session (its metrics, probes and warnings polled from SQLite, its
// command rebuilt from the recorded config) and recording the end of a child
// that died without finishing its run rows.

#include "run_controller.h"

#include "config/stages.h"
#include "store/history.h"

#include <QDateTime>
#include <QDir>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include <nlohmann/json.hpp>

namespace mm::ui {

namespace {

/// What one poll of an attached run read from the database.
struct PollResult {
    bool ok = false;
    QString status, message, weights;
    qint64 steps = 0;
    /// Its metrics, probes and warnings after the cursor, as the child's
    /// stdout would have had them.
    std::vector<train::Event> events;
    train::HistoryCursor cursor; ///< past what was read
    QString error;
};

PollResult readRunSince(const QString& dbPath, qint64 runId, train::HistoryCursor cursor) {
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
        r.events = train::historyEvents(h, runId, &cursor);
        r.cursor = cursor;
        r.ok = true;
    } catch (const std::exception& e) {
        r.error = QString::fromStdString(e.what());
    }
    return r;
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
        for (size_t i = 1; i < args.size(); ++i) // args[0] is the stage
            out << QString::fromStdString(args[i]);
        return out;
    } catch (const std::exception&) {
        return {};
    }
}

} // namespace

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
            return; // resumed as a child process meanwhile
        if (!r.ok) {
            m_message = r.error;
            return;
        }
        m_weights = r.weights;
        m_historyCursor = r.cursor;
        // The same decoding as a child's stdout lines.
        for (const auto& e : r.events) {
            if (const auto* eval = std::get_if<train::EvalEvent>(&e))
                m_lastStep = eval->step;
            handleEvent(e);
        }
        if (r.status == QLatin1String("running"))
            return;
        m_pollTimer.stop();
        m_message = r.message;
        State next = r.status == QLatin1String("completed") ? State::Completed
                     : r.status == QLatin1String("stopped")
                         ? (m_request == Request::Stop ? State::Stopped : State::Paused)
                         : State::Failed;
        m_request = Request::None;
        setState(next);
        Q_EMIT finished(next);
    });
    watcher->setFuture(QtConcurrent::run(readRunSince, db, runId(), m_historyCursor));
}

} // namespace mm::ui
