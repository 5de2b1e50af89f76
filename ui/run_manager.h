#pragma once
// The runs of a workbench session: launched ones, runs re-attached from the
// history (started by an earlier session or the CLI), and the queue that chains
// stages (pretrain -> full_sft -> dpo -> distill_reason, lora), each stage
// reading its parent's checkpoint from the same workspace. The queue lives in
// the workspace's history (queue "workbench", the one `micromind pipeline
// --out_dir WS` drains headless): it survives closing the workbench, and a
// stage still running when it reopens is re-attached and the queue goes on
// after it. QtCore only.

#include "run_controller.h"

#include "store/history.h"

#include <QList>
#include <QObject>
#include <QPointer>

namespace mm::ui {

class RunManager : public QObject {
    Q_OBJECT
public:
    /// One queued stage: its command flags.
    struct QueueItem {
        QString stage;
        QStringList flags;
        int processes = 1;
    };
    /// The history's queue the workbench runs.
    static constexpr const char* kQueueName = "workbench";

    explicit RunManager(QObject* parent = nullptr);

    void setWorkspace(const QString& dir);
    QString workspace() const { return m_workspace; }

    /// Creates and starts a run (`processes` > 1: data-parallel on this host).
    /// `resume`: continue from the stage's resume checkpoint.
    RunController* launch(const QString& stage, const QStringList& flags, int processes = 1, bool resume = false);
    /// Re-attaches runs of this host whose history status is "running" and
    /// whose process is alive. Returns how many were attached.
    int attachRunning();
    QList<RunController*> runs() const { return m_runs; }
    QList<RunController*> activeRuns() const;
    /// Forgets a finished run (its history row stays).
    void remove(RunController* run);

    /// Replaces the stages still waiting in the queue with `items` and runs
    /// them one after another; a failed or stopped stage ends the queue (it
    /// stays in the list: runQueue() retries or resumes it), a paused one
    /// waits for its resume. False (and `error`) when the history cannot be
    /// written.
    bool startQueue(const QList<QueueItem>& items, QString* error = nullptr);
    /// Runs what the queue holds: stopped stages continue from their
    /// checkpoints, failed ones are tried again, then the waiting ones.
    bool runQueue(QString* error = nullptr);
    /// Stops following the queue (the running stage goes on as a run).
    void cancelQueue();
    bool queueActive() const { return m_queueItem > 0; }
    /// The queue's items by position (empty without a history).
    std::vector<store::QueueItemRecord> queueItems() const;
    /// Moves a waiting item `delta` places; false (and `error`) when it cannot.
    bool moveQueueItem(qint64 id, int delta, QString* error = nullptr);
    bool removeQueueItem(qint64 id, QString* error = nullptr);
    /// Drops the finished items from the list; how many.
    int clearFinishedQueueItems();

    /// Closing the workbench: leave active runs going (they are re-attached
    /// next time) or stop them (save and exit) and wait up to `msecs`.
    void detachAll();
    void stopAllAndWait(int msecs);

Q_SIGNALS:
    void runAdded(mm::ui::RunController* run);
    void runRemoved(mm::ui::RunController* run);
    /// Queue position or size changed; `message` says why it ended, if it did.
    void queueChanged(const QString& message);

private:
    void adopt(RunController* run);
    QString dbPath() const;
    /// Runs `f` on the workspace's history; false (and `error`) when it throws.
    template <class F>
    bool withHistory(F&& f, QString* error) const;
    void startNextQueueItem();
    void followQueueRun(RunController* run, qint64 itemId);
    void onQueueRunFinished(RunController::State state);
    /// After (re)opening a workspace: a stage the queue was running when the
    /// workbench closed is followed again if it still runs (re-attached),
    /// marked stopped if it is gone.
    void reconcileQueue();
    void endQueue(const QString& message);

    QString m_workspace;
    QList<RunController*> m_runs;
    qint64 m_queueItem = 0; ///< the queue item being run, 0 when the queue is idle
    QPointer<RunController> m_queueRun;
};

} // namespace mm::ui
