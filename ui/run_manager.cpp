#include "run_manager.h"

#include "store/history.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QTimer>

#include <csignal>

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

RunController* RunManager::launch(const QString& stage, const QStringList& flags, int processes) {
    auto* run = new RunController(m_workspace, stage, flags, this);
    run->setProcesses(processes);
    adopt(run);
    run->start();
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
                continue;  // ours already, or another host's / a dead pid
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

QStringList RunManager::queueStages() const {
    QStringList s;
    for (const auto& i : m_queue)
        s << i.stage;
    return s;
}

void RunManager::startQueue(const QList<QueueItem>& items) {
    cancelQueue();
    m_queue = items;
    if (m_queue.isEmpty())
        return;
    m_queuePos = 0;
    startQueueItem();
}

void RunManager::cancelQueue() {
    if (m_queuePos < 0)
        return;
    m_queuePos = -1;
    m_queue.clear();
    if (m_queueRun)
        m_queueRun->disconnect(this);
    m_queueRun = nullptr;
    Q_EMIT queueChanged(tr("queue cancelled"));
}

void RunManager::startQueueItem() {
    const QueueItem item = m_queue.at(m_queuePos);
    RunController* run = launch(item.stage, item.flags);
    m_queueRun = run;
    connect(run, &RunController::finished, this, &RunManager::onQueueRunFinished);
    Q_EMIT queueChanged(tr("stage %1 of %2: %3").arg(m_queuePos + 1).arg(m_queue.size()).arg(item.stage));
}

void RunManager::onQueueRunFinished(RunController::State state) {
    auto* run = qobject_cast<RunController*>(sender());
    if (!run || run != m_queueRun || m_queuePos < 0)
        return;
    if (state == RunController::State::Paused)
        return;  // resumes later; the queue continues after it completes
    run->disconnect(this);
    if (state != RunController::State::Completed) {
        const QString why = tr("queue ended: %1 %2 (%3)").arg(run->stage(), RunController::stateName(state),
                                                              run->message());
        m_queuePos = -1;
        m_queue.clear();
        m_queueRun = nullptr;
        Q_EMIT queueChanged(why);
        return;
    }
    if (++m_queuePos >= m_queue.size()) {
        m_queuePos = -1;
        m_queue.clear();
        m_queueRun = nullptr;
        Q_EMIT queueChanged(tr("queue finished: every stage completed"));
        return;
    }
    startQueueItem();
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
