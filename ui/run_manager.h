#pragma once
// The runs of a workbench session: launched ones, runs re-attached from the
// history (started by an earlier session or the CLI), and the queue that chains
// stages (pretrain -> full_sft -> dpo -> distill_reason, lora), each stage
// reading its parent's checkpoint from the same workspace. QtCore only.

#include "run_controller.h"

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
    };

    explicit RunManager(QObject* parent = nullptr);

    void setWorkspace(const QString& dir);
    QString workspace() const { return m_workspace; }

    /// Creates and starts a run (`processes` > 1: data-parallel on this host).
    RunController* launch(const QString& stage, const QStringList& flags, int processes = 1);
    /// Re-attaches runs of this host whose history status is "running" and
    /// whose process is alive. Returns how many were attached.
    int attachRunning();
    QList<RunController*> runs() const { return m_runs; }
    QList<RunController*> activeRuns() const;
    /// Forgets a finished run (its history row stays).
    void remove(RunController* run);

    /// Starts the items one after another; a failed or stopped stage ends the
    /// queue, a paused one waits for its resume.
    void startQueue(const QList<QueueItem>& items);
    void cancelQueue();
    bool queueActive() const { return m_queuePos >= 0; }
    int queuePosition() const { return m_queuePos; }
    int queueSize() const { return int(m_queue.size()); }
    QStringList queueStages() const;

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
    void startQueueItem();
    void onQueueRunFinished(RunController::State state);

    QString m_workspace;
    QList<RunController*> m_runs;
    QList<QueueItem> m_queue;
    int m_queuePos = -1;
    QPointer<RunController> m_queueRun;
};

} // namespace mm::ui
