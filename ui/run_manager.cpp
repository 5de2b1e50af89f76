#include "run_manager.h"

#include "store/history.h"

#include <nlohmann/json.hpp>

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QTimer>

#include <csignal>
#include <optional>
#include <stdexcept>

namespace mm::ui {

RunManager::RunManager(QObject* parent) : QObject(parent) {}

void RunManager::setWorkspace(const QString& dir) {
    if (m_workspace == dir)
        return;
    cancelQueue();
    // Runs of the previous workspace keep going; they are found again when
    // that workspace is reopened.
    for (RunController* r : m_runs) {
        if (r->isActive())
            r->detach();
        Q_EMIT runRemoved(r);
        r->deleteLater();
    }
    m_runs.clear();
    m_workspace = dir;
}

void RunManager::adopt(RunController* run) {
    m_runs << run;
    Q_EMIT runAdded(run);
}

RunController* RunManager::launch(const QString& stage, const QStringList& flags, int processes, bool resume) {
    auto* run = new RunController(m_workspace, stage, flags, this);
    run->setProcesses(processes);
    adopt(run);
    run->start(resume);
    return run;
}

namespace {
/// The parent pid of a local process (Linux /proc), 0 when unknown.
qint64 parentPid(qint64 pid) {
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return 0;
    // "pid (comm) state ppid ...": comm may hold spaces or ')', so split after the last ')'.
    const QByteArray stat = f.readAll();
    const QList<QByteArray> rest = stat.mid(stat.lastIndexOf(')') + 1).trimmed().split(' ');
    return rest.size() > 1 ? rest[1].toLongLong() : 0;
}
} // namespace

int RunManager::attachRunning() {
    const QString db = QDir(m_workspace).filePath(QStringLiteral("micromind.db"));
    if (m_workspace.isEmpty() || !QFile::exists(db))
        return 0;
    int n = 0;
    try {
        store::History h(db.toStdString());
        h.markStaleRunsInterrupted();
        for (const auto& rec : h.listRuns()) {
            if (rec.status != "running" || rec.pid <= 0 || rec.pid == QCoreApplication::applicationPid())
                continue;
            bool known = false;
            for (RunController* r : m_runs)
                known = known || r->runIds().contains(rec.id) || (r->isActive() && r->pid() == rec.pid);
            if (known || ::kill(pid_t(rec.pid), 0) != 0)
                continue; // ours already, or another host's / a dead pid
            RunController* run = RunController::attach(m_workspace, rec.id, rec.pid, QString::fromStdString(rec.stage),
                                                       QString::fromStdString(rec.configJson), 0, this);
            // A stage of a run we launched (the demo chains stages as its children).
            const qint64 ppid = parentPid(rec.pid);
            for (RunController* r : m_runs)
                if (ppid > 0 && r->isActive() && !r->isAttached() && r->pid() == ppid)
                    run->setParentRun(r);
            adopt(run);
            ++n;
        }
    } catch (const std::exception&) {
        // An unreadable history is reported by the history view; nothing to attach.
    }
    reconcileQueue();
    return n;
}

QList<RunController*> RunManager::activeRuns() const {
    QList<RunController*> out;
    for (RunController* r : m_runs)
        if (r->isActive())
            out << r;
    return out;
}

void RunManager::remove(RunController* run) {
    if (!m_runs.contains(run) || run->isActive())
        return;
    m_runs.removeAll(run);
    Q_EMIT runRemoved(run);
    run->deleteLater();
}

QString RunManager::dbPath() const {
    return m_workspace.isEmpty() ? QString() : QDir(m_workspace).filePath(QStringLiteral("micromind.db"));
}

template <class F>
bool RunManager::withHistory(F&& f, QString* error) const {
    try {
        if (m_workspace.isEmpty())
            throw std::runtime_error("no workspace is open");
        QDir().mkpath(m_workspace);
        store::History h(dbPath().toStdString());
        f(h);
        return true;
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
}

std::vector<store::QueueItemRecord> RunManager::queueItems() const {
    std::vector<store::QueueItemRecord> items;
    if (m_workspace.isEmpty() || !QFile::exists(dbPath()))
        return items;
    withHistory([&](store::History& h) { items = h.queueItems(kQueueName); }, nullptr);
    return items;
}

bool RunManager::startQueue(const QList<QueueItem>& items, QString* error) {
    if (queueActive()) {
        if (error)
            *error = tr("the queue is running; stop its stage or wait for it before queueing others");
        return false;
    }
    const bool ok = withHistory(
        [&](store::History& h) {
            // The new items replace what was still waiting; a stage left
            // running elsewhere keeps its row (runQueue() refuses to overlap it).
            for (const auto& q : h.queueItems(kQueueName))
                if (q.status != "running")
                    h.removeQueueItem(q.id);
            for (const auto& it : items) {
                nlohmann::json args = nlohmann::json::array();
                for (const auto& f : it.flags)
                    args.push_back(f.toStdString());
                h.enqueue(kQueueName, it.stage.toStdString(), args.dump(), it.processes);
            }
        },
        error);
    if (!ok)
        return false;
    Q_EMIT queueChanged(tr("%n stage(s) queued", nullptr, int(items.size())));
    return runQueue(error);
}

bool RunManager::runQueue(QString* error) {
    if (queueActive())
        return true;
    if (!withHistory([](store::History& h) { h.requeueUnfinished(kQueueName, QCoreApplication::applicationPid()); },
                     error)) {
        Q_EMIT queueChanged(error ? *error : QString());
        return false;
    }
    startNextQueueItem();
    return true;
}

void RunManager::startNextQueueItem() {
    std::optional<store::QueueItemRecord> next;
    int total = 0, done = 0;
    QString error;
    const bool ok = withHistory(
        [&](store::History& h) {
            next = h.nextQueued(kQueueName);
            for (const auto& q : h.queueItems(kQueueName)) {
                ++total;
                done += q.status == "completed";
            }
            if (next)
                h.setQueueStatus(next->id, "running", 0,
                                 store::queueOwnerNote("workbench", QCoreApplication::applicationPid()));
        },
        &error);
    if (!ok) {
        endQueue(tr("queue ended: %1").arg(error));
        return;
    }
    if (!next) {
        endQueue(total > 0 ? tr("queue finished: every stage completed") : tr("the queue is empty"));
        return;
    }
    QStringList flags;
    for (const auto& a : store::queueItemArgs(*next))
        flags << QString::fromStdString(a);
    const QString stage = QString::fromStdString(next->stage);
    RunController* run = launch(stage, flags, next->processes, next->message == store::kQueueResumeNote);
    followQueueRun(run, next->id);
    Q_EMIT queueChanged(tr("stage %1 of %2: %3").arg(done + 1).arg(total).arg(stage));
}

void RunManager::followQueueRun(RunController* run, qint64 itemId) {
    m_queueItem = itemId;
    m_queueRun = run;
    connect(run, &RunController::finished, this, &RunManager::onQueueRunFinished);
    // The item names its run once the child has one.
    connect(run, &RunController::started, this, [this, run, itemId](qint64 runId) {
        if (run != m_queueRun || runId <= 0)
            return;
        withHistory(
            [&](store::History& h) {
                h.setQueueStatus(itemId, "running", runId,
                                 store::queueOwnerNote("workbench", QCoreApplication::applicationPid()));
            },
            nullptr);
        Q_EMIT queueChanged(QString());
    });
}

void RunManager::endQueue(const QString& message) {
    if (m_queueRun)
        m_queueRun->disconnect(this);
    m_queueRun = nullptr;
    m_queueItem = 0;
    Q_EMIT queueChanged(message);
}

void RunManager::cancelQueue() {
    if (!queueActive())
        return;
    endQueue(tr("queue cancelled"));
}

void RunManager::onQueueRunFinished(RunController::State state) {
    auto* run = qobject_cast<RunController*>(sender());
    if (!run || run != m_queueRun || !queueActive())
        return;
    if (state == RunController::State::Paused)
        return; // resumes later; the queue continues after it completes
    const qint64 item = m_queueItem;
    const bool completed = state == RunController::State::Completed;
    const QString status = completed                                ? QStringLiteral("completed")
                           : state == RunController::State::Stopped ? QStringLiteral("stopped")
                                                                    : QStringLiteral("failed");
    QString error;
    withHistory(
        [&](store::History& h) {
            h.setQueueStatus(item, status.toStdString(), run->runId(), run->message().toStdString());
        },
        &error);
    if (!completed) {
        endQueue(tr("queue ended: %1 %2 (%3)").arg(run->stage(), RunController::stateName(state), run->message()));
        return;
    }
    run->disconnect(this);
    m_queueRun = nullptr;
    startNextQueueItem();
}

void RunManager::reconcileQueue() {
    if (queueActive() || m_workspace.isEmpty() || !QFile::exists(dbPath()))
        return;
    const qint64 self = QCoreApplication::applicationPid();
    RunController* follow = nullptr;
    qint64 followItem = 0;
    withHistory(
        [&](store::History& h) {
            for (const auto& q : h.queueItems(kQueueName)) {
                if (q.status != "running")
                    continue;
                const QString owner = QString::fromStdString(q.message);
                if (owner.startsWith(QLatin1String("pipeline pid ")) &&
                    ::kill(pid_t(owner.mid(13).toLongLong()), 0) == 0)
                    continue; // `micromind pipeline` runs it; its stages are attached as runs
                RunController* alive = nullptr;
                for (RunController* r : m_runs)
                    if (q.runId > 0 && r->runIds().contains(q.runId) && r->isActive())
                        alive = r;
                if (alive && !follow) {
                    follow = alive;
                    followItem = q.id;
                    h.setQueueStatus(q.id, "running", q.runId, store::queueOwnerNote("workbench", self));
                } else if (!alive) {
                    // It ended while no workbench followed it: its run says how.
                    const auto rec = q.runId > 0 ? h.run(q.runId) : std::nullopt;
                    const std::string st = rec ? rec->status : std::string();
                    if (st == "completed" || st == "failed")
                        h.setQueueStatus(q.id, st, q.runId, rec->message);
                    else
                        h.setQueueStatus(q.id, "stopped", q.runId, "interrupted: the workbench closed while it ran");
                }
            }
        },
        nullptr);
    if (follow) {
        followQueueRun(follow, followItem);
        Q_EMIT queueChanged(tr("following %1, started before the workbench was closed").arg(follow->label()));
    } else {
        Q_EMIT queueChanged(QString());
    }
}

bool RunManager::moveQueueItem(qint64 id, int delta, QString* error) {
    bool moved = false;
    const bool ok = withHistory([&](store::History& h) { moved = h.moveQueueItem(id, delta); }, error);
    if (ok)
        Q_EMIT queueChanged(QString());
    return ok && moved;
}

bool RunManager::removeQueueItem(qint64 id, QString* error) {
    const bool ok = withHistory([&](store::History& h) { h.removeQueueItem(id); }, error);
    if (ok)
        Q_EMIT queueChanged(QString());
    return ok;
}

int RunManager::clearFinishedQueueItems() {
    int n = 0;
    withHistory([&](store::History& h) { n = h.clearFinishedQueueItems(kQueueName); }, nullptr);
    Q_EMIT queueChanged(QString());
    return n;
}

void RunManager::detachAll() {
    cancelQueue();
    for (RunController* r : m_runs)
        r->detach();
}

void RunManager::stopAllAndWait(int msecs) {
    cancelQueue();
    const auto active = activeRuns();
    for (RunController* r : active)
        r->stop();
    QDeadlineTimer deadline(msecs);
    QEventLoop loop;
    QTimer tick;
    tick.setInterval(50);
    QObject::connect(&tick, &QTimer::timeout, &loop, [&] {
        if (activeRuns().isEmpty() || deadline.hasExpired())
            loop.quit();
    });
    tick.start();
    if (!activeRuns().isEmpty())
        loop.exec();
}

} // namespace mm::ui
