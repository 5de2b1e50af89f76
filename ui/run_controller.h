#pragma once
// One training run as a child process of the `micromind` CLI: starts it with an
// argument list (no shell), parses its --json event lines, pauses (SIGINT: the
// CLI saves and exits 130), resumes (same command + --resume) and stops it.
// The child writes stdout/stderr to files under <workspace>/logs that the
// controller tails: a pipe would break (SIGPIPE) if the workbench closed while
// the user chose to leave the run going.
// A run of an earlier session can be re-attached from the history database: its
// metrics are then polled from SQLite and pause/stop signal its pid.
//
// QtCore only: no widget types, so it is usable (and testable) without a GUI.

#include <QDateTime>
#include <QFile>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTimer>

#include "train/events.h"

#include <functional>

namespace mm::ui {

class RunController : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Running, Pausing, Paused, Stopping, Stopped, Completed, Failed };
    Q_ENUM(State)

    /// A run to launch: `stage` and its flags (without --json/--resume, which
    /// the controller adds), in the workspace folder `workspace`.
    RunController(const QString& workspace, const QString& stage, const QStringList& flags, QObject* parent = nullptr);

    /// A run found in the history with status "running" and a live pid (started
    /// by an earlier workbench session or the CLI): polls its metrics from the
    /// database. `configJson` rebuilds its command for resume.
    static RunController* attach(const QString& workspace, qint64 runId, qint64 pid, const QString& stage,
                                 const QString& configJson, qint64 lastStep, QObject* parent = nullptr);

    QString workspace() const { return m_workspace; }
    QString stage() const { return m_stage; }
    /// Flags after the stage name (no --json, no --resume).
    QStringList flags() const { return m_flags; }
    /// The full argument list of the current (or next) process.
    QStringList processArguments() const;
    /// "micromind <stage> <flags>", quoted for a POSIX shell.
    QString commandLine() const;
    QString label() const;

    /// Data-parallel processes on this host (1 = a plain run). With N > 1 the
    /// controller starts N copies of the command with the launcher variables
    /// (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1,
    /// MASTER_PORT) set, as torchrun would; rank 0 reports the events.
    void setProcesses(int n) { m_processes = qMax(1, n); }
    int processes() const { return m_processes; }
    /// One process of a multi-process run.
    struct RankStatus {
        int rank = 0;
        qint64 pid = 0;
        bool running = false;
        int exitCode = 0;
        bool crashed = false;
    };
    /// Every rank's process (rank 0 first); one entry for a plain run.
    QList<RankStatus> rankStatus() const;

    State state() const { return m_state; }
    /// Running, pausing or stopping: a process is (or may be) alive.
    bool isActive() const;
    bool isAttached() const { return m_attached; }
    /// The latest history run id (each resume adds a row), 0 until known.
    qint64 runId() const { return m_runIds.isEmpty() ? 0 : m_runIds.last(); }
    QList<qint64> runIds() const { return m_runIds; }
    /// The run's health warnings so far ("warning" events), oldest first.
    QList<QJsonObject> warnings() const { return m_warnings; }
    qint64 pid() const { return m_pid; }
    /// The run whose process started this one (a stage of `micromind demo`,
    /// found through the parent pid when re-attached), or null. Such a run is
    /// driven by its parent: pausing or stopping it alone would break the chain.
    RunController* parentRun() const { return m_parentRun; }
    void setParentRun(RunController* parent);
    /// Progress a text-only run prints as "[N/M] title" lines (the demo's
    /// stages): "N/M title", or "" when none was seen.
    QString stageProgress() const { return m_stageProgress; }
    qint64 lastStep() const { return m_lastStep; }
    qint64 totalSteps() const { return m_totalSteps; }
    QString weightsPath() const { return m_weights; }
    /// Everything the process wrote on stderr (capped at the last 1 MB).
    QString errorOutput() const { return m_stderr; }
    /// The files the current process writes its stdout / stderr to.
    QString stdoutPath() const { return m_outPath; }
    QString stderrPath() const { return m_errPath; }
    /// Non-JSON stdout lines (progress text of commands without --json).
    QString textOutput() const { return m_stdoutText; }
    /// Why the run failed or stopped, for a person; empty when it completed.
    QString message() const { return m_message; }
    int exitCode() const { return m_exitCode; }

    static QString stateName(State s);
    /// Why a process ended by signal `sig`, for a person: "crashed: segmentation
    /// fault (signal 11)", "killed (signal 9)". Untranslated when `translated`
    /// is false (the history database keeps English, as the CLI writes it).
    static QString signalReason(int sig, bool translated = true);
    /// Commands that print the training event stream with --json.
    static bool isTrainingStage(const QString& stage);
    /// Shell-quoted command line of a program and arguments (display only).
    static QString quoteCommand(const QString& program, const QStringList& args);

public Q_SLOTS:
    /// `resume`: continue from the stage's resume checkpoint (--resume).
    void start(bool resume = false);
    /// Save and stop, resumable (SIGINT).
    void pause();
    /// Continue a paused run: the same command plus --resume.
    void resume();
    /// Save and stop for good (SIGTERM); a second stop kills the process.
    void stop();
    /// Lets the process outlive this controller (closing the workbench with
    /// "leave running"): the run is re-attached from the history next time.
    void detach();

Q_SIGNALS:
    void stateChanged(mm::ui::RunController::State state);
    /// The CLI's "start" event (run id, parameters, total steps, ...).
    void started(qint64 runId, const QJsonObject& info);
    /// A "log" event: step, loss, lr, grad_norm, tokens_per_sec, tokens,
    /// elapsed_s and the stage's own metrics.
    void logged(const QJsonObject& event);
    /// A "probe" event: step, tokens and "samples", the model's greedy answers
    /// to the run's fixed probe prompts ({prompt, completion, tokens}).
    void probed(const QJsonObject& event);
    /// A "warning" event of the run's health monitor: step, kind (loss_spike,
    /// grad_spike, zero_reward_variance), message and value.
    void warned(const QJsonObject& event);
    void checkpointSaved(const QString& path, qint64 step);
    /// New output text (stderr when isError).
    void outputAppended(const QString& text, bool isError);
    /// A rank's process started or ended (multi-process runs).
    void ranksChanged();
    /// A process ended (or an attached run left "running"); `state` is Paused,
    /// Stopped, Completed or Failed.
    void finished(mm::ui::RunController::State state);
    /// The controller wrote the end of a run to the history database (a child
    /// that crashed or failed without finishing its run row).
    void historyChanged();

private:
    enum class Request { None, Pause, Stop };
    void setState(State s);

    // The child processes (run_process.cpp).
    void launch(bool resume);
    void startWorkers(const QString& logBase, int port);
    void readWorkerErrors();
    void signalPid(int sig);
    /// The stderr line a failed run's message quotes: the last "error" line,
    /// else the last line (cut when long).
    QString lastErrorLine() const;
    void onProcessFinished(int exitCode, QProcess::ExitStatus status);
    void onProcessError(QProcess::ProcessError error);

    // Their output and events (run_events.cpp).
    /// Reads what the child wrote since the last call: a bounded amount per
    /// call unless `toEnd` (the process ended).
    void readOutput(bool toEnd = false);
    /// The child ended: its last line may lack a newline.
    void flushPartialLines();
    void addWarning(const QJsonObject& e);
    void appendText(QString text);
    void appendError(QString text);
    /// One stdout line (`cutBytes` beyond the buffer's limit were dropped): an
    /// event, or text appended to `text`.
    void handleLine(const QByteArray& line, qint64 cutBytes, QString* text);
    /// A line of output as the views show it: control characters replaced,
    /// cut at kMaxShownLine characters with a note of what was left out.
    static QString displayLine(const QByteArray& raw, qint64 cutBytes);
    static constexpr qsizetype kMaxShownLine = 16 << 10;
    /// A training event, from stdout or (attached runs) the history:
    /// the controller's state and signals.
    void handleEvent(const train::Event& e);

    // The history database (run_history.cpp).
    /// Finishes the history rows the child left "running" (async).
    void recordEnd(const QString& status, const QString& message);
    /// An attached run: reads what it logged since the last poll (async).
    void poll();

    QString m_workspace, m_stage;
    QStringList m_flags;
    State m_state = State::Idle;
    Request m_request = Request::None;
    QProcess* m_proc = nullptr;
    bool m_attached = false;
    bool m_polling = false;
    bool m_resumeNext = false;
    QTimer m_pollTimer, m_tailTimer;
    QFile m_outFile, m_errFile;
    QString m_outPath, m_errPath;
    /// Partial lines of stdout and stderr; a line longer than the buffer's
    /// limit is cut (its head is kept) rather than held in memory whole.
    struct LineBuffer {
        qsizetype maxLine = 0;
        QByteArray head;
        qint64 skipped = 0; ///< bytes of the current line beyond maxLine
        void clear() {
            head.clear();
            skipped = 0;
        }
        /// Appends bytes; calls f(line, skipped) for each line they complete.
        void feed(const QByteArray& bytes, const std::function<void(const QByteArray&, qint64)>& f);
        /// Delivers the last line when it has no newline.
        void finish(const std::function<void(const QByteArray&, qint64)>& f);
    };
    LineBuffer m_stdoutBuf{1 << 20, {}, 0}, m_stderrBuf{16 << 10, {}, 0};
    QString m_stderr, m_stdoutText, m_message, m_weights;
    QList<qint64> m_runIds;
    qint64 m_pid = 0, m_lastStep = 0, m_totalSteps = 0;
    QDateTime m_launchedAt; ///< when the current process was started
    /// Attached runs: what was read from the history so far.
    train::HistoryCursor m_historyCursor{0, -1, 0};
    QList<QJsonObject> m_warnings;
    QPointer<RunController> m_parentRun;
    QString m_stageProgress;
    int m_exitCode = 0;
    int m_processes = 1;
    /// Ranks 1..N-1 of a multi-process run (rank 0 is m_proc).
    QList<QProcess*> m_workers;
    QList<QFile*> m_workerErr;
    bool m_sawDone = false, m_sawStopped = false;
};

} // namespace mm::ui
