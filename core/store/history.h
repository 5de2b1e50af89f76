#pragma once
// The workspace's experiment history: one SQLite database per workspace
// (out_dir/micromind.db), WAL journal, versioned schema with forward migrations,
// bound parameters only, metric writes batched in transactions.
//
// Several processes may open the same database (a training run writes, the GUI
// and `micromind history` read); SQLite's locking plus a busy timeout handles it.

#include "common/error.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

struct sqlite3;

namespace mm::store {

/// A failure of the history database: what() names the file and says what to
/// do; fault() sorts it into the cases a front end phrases for a person.
class HistoryError : public IoError {
public:
    enum class Fault { Other, Locked, ReadOnly, Damaged, DiskFull, CannotOpen };
    HistoryError(const std::string& what, int sqliteCode, std::string path);
    int code() const { return m_code; } ///< SQLite's extended result code
    Fault fault() const { return m_fault; }
    const std::string& path() const { return m_path; }

private:
    int m_code;
    Fault m_fault;
    std::string m_path;
};

/// The database was written by a newer micromind: its schema version is above
/// History::kSchemaVersion. The file is left untouched.
class HistoryTooNewError : public InputError {
public:
    HistoryTooNewError(const std::string& what, std::string path, int version)
        : InputError(what), m_path(std::move(path)), m_version(version) {}
    const std::string& path() const { return m_path; }
    int version() const { return m_version; }

private:
    std::string m_path;
    int m_version;
};

/// A row of the runs table.
struct RunRecord {
    int64_t id = 0;
    std::string stage;      ///< pretrain, full_sft, ...
    std::string status;     ///< running, completed, failed, interrupted, stopped
    std::string configJson; ///< the full validated stage config
    std::string parentCheckpoint;
    std::string outCheckpoint;
    std::string host;
    int64_t pid = 0;
    std::string version;   ///< micromind version that ran it
    std::string startedAt; ///< ISO 8601 UTC
    std::string endedAt;   ///< empty while running
    std::optional<double> finalLoss;
    int64_t tokens = 0;  ///< training tokens processed
    int64_t steps = 0;   ///< optimizer steps done
    std::string message; ///< error or stop message, if any
};

/// One logged metric value.
struct MetricPoint {
    int64_t step = 0;
    double value = 0;
    double wallTime = 0; ///< seconds since the run started
};

/// A checkpoint file written by a run.
struct CheckpointRecord {
    int64_t id = 0;
    int64_t runId = 0;
    std::string path;
    std::string kind; ///< weights, resume, lora
    int64_t step = 0;
    std::string createdAt;
};

/// One generated answer of `micromind eval` (schema version 2).
struct EvalAnswerRecord {
    int64_t id = 0;
    int64_t runId = 0;       ///< the eval run (runs.stage = "eval") that produced it
    int modelMode = 0;       ///< 0 pretrain, 1 full_sft, 2 rlhf, 3 reason, 4 lora+sft, 5 grpo
    std::string checkpoint;  ///< weights file the answer came from
    std::string lora;        ///< LoRA adapter file ("" = none)
    std::string promptSet;   ///< name of the prompt set (pretrain, chat, eval, or a file stem)
    int64_t promptIndex = 0; ///< position of the prompt in its set
    std::string prompt;
    std::string samplingJson;   ///< temperature, top_p, ... as JSON
    int64_t seed = 0;           ///< sampling seed of this answer
    std::string text;           ///< the decoded answer
    int64_t tokens = 0;         ///< generated tokens
    double tokensPerSecond = 0; ///< decode speed (after prefill)
    std::string createdAt;      ///< ISO 8601 UTC, set by the database
};

/// One live-probe answer of a training run (schema version 3): what the
/// model said to a fixed prompt at a step (train/probe.h).
struct ProbeRecord {
    int64_t runId = 0;
    int64_t step = 0;
    std::string prompt;
    std::string completion;
    int64_t tokens = 0;   ///< generated tokens
    bool stopped = false; ///< ended at <|im_end|> rather than the token limit
};

/// One score of one model on one judging dimension (schema version 2).
struct ScoreRecord {
    int64_t id = 0;
    int modelMode = 0;
    std::string dimension;     ///< language, knowledge, efficiency
    double value = 0;          ///< 0-10
    std::string judgeModel;    ///< the judge's model name ("" for manual scores)
    std::string promptVersion; ///< version of the judging prompt (rubric)
    std::string rawReply;      ///< the judge's reply as received (or the manual note)
    bool manual = false;       ///< entered by a person; overrides judge scores
    int64_t answersRunId = 0;  ///< eval run whose answers were judged (0 = unknown)
    std::string createdAt;
};

/// A health warning of a training run (schema version 4): a loss or gradient
/// spike, GRPO groups without reward variance (train/health.h).
struct WarningRecord {
    int64_t id = 0;
    int64_t runId = 0;
    int64_t step = 0;
    std::string kind;    ///< loss_spike, grad_spike, zero_reward_variance
    std::string message; ///< one sentence for a person
    std::optional<double> value;
    std::string createdAt;
};

/// One stage of a run queue (schema version 4): what to run, and how it went.
/// A queue is named ("workbench", a pipeline file's name); its items run in
/// position order, each as `micromind <stage> <args...>`.
struct QueueItemRecord {
    int64_t id = 0;
    std::string queue;
    int64_t position = 0;
    std::string stage;
    std::string argsJson = "[]";   ///< JSON array of command-line arguments
    int processes = 1;             ///< data-parallel processes on this host
    std::string status = "queued"; ///< queued, running, completed, failed, stopped, cancelled
    int64_t runId = 0;             ///< the history run of the stage, once started (0 = none)
    std::string message;
    std::string createdAt, updatedAt;
};

/// The message of a requeued training stage that continues with --resume.
inline constexpr const char* kQueueResumeNote = "resume";
/// The command-line arguments of a queue item (its args_json array; empty
/// when it is not one).
std::vector<std::string> queueItemArgs(const QueueItemRecord& item);
/// `micromind <stage> <args>` of an item: --nproc_per_node for processes > 1,
/// --resume for a stage requeued to continue from its checkpoint.
std::vector<std::string> queueItemCommand(const QueueItemRecord& item);
/// The message of an item being run by process `pid` ("<owner> pid <pid>").
std::string queueOwnerNote(const std::string& owner, int64_t pid);

class History {
public:
    /// Current schema version written by this build.
    static constexpr int kSchemaVersion = 4;

    /// Opens or creates the database, enables WAL and a busy timeout, applies
    /// pending migrations in one transaction. Throws HistoryError, an IoError
    /// (unwritable, locked, corrupt: message says which file and what to do),
    /// or HistoryTooNewError, an InputError, when the database was written by a
    /// newer micromind (schema version too high).
    explicit History(const std::string& dbPath);
    ~History();
    History(const History&) = delete;
    History& operator=(const History&) = delete;

    int schemaVersion() const;
    /// True when SQLite could open the file for reading only (permissions):
    /// reads work, every write throws HistoryError with Fault::ReadOnly.
    bool readOnly() const;
    const std::string& path() const { return m_path; }

    /// Inserts a run with status "running", this host and pid; returns its id.
    int64_t beginRun(const std::string& stage, const std::string& configJson, const std::string& parentCheckpoint,
                     const std::string& outCheckpoint, const std::string& version);
    /// Queues metric values for (run, step); written at the next flush() or when
    /// the queue is large. Cheap: no I/O.
    void logMetrics(int64_t runId, int64_t step, const std::vector<std::pair<std::string, double>>& values,
                    double wallTime);
    /// Writes queued metrics in one transaction.
    void flush();
    /// Updates progress fields of a running run (steps, tokens, last loss).
    void updateProgress(int64_t runId, int64_t steps, int64_t tokens, std::optional<double> lastLoss);
    void addCheckpoint(int64_t runId, const std::string& path, const std::string& kind, int64_t step);
    /// Flushes, then sets the final status, end time, message.
    void finishRun(int64_t runId, const std::string& status, const std::string& message = {});

    /// Marks runs of this host whose status is "running" but whose pid is no
    /// longer alive as "interrupted". Returns how many were changed.
    int markStaleRunsInterrupted();
    /// Sets the final status and message of the runs of this host that process
    /// `pid` began at or after `startedSince` (ISO 8601 UTC, as startedAt) and
    /// did not finish: still "running", or marked "interrupted" by
    /// markStaleRunsInterrupted(). A front end whose child died (a crash, a
    /// signal) knows why. Runs the process finished itself are left alone.
    /// Returns how many changed.
    int finishRunsOfProcess(int64_t pid, const std::string& startedSince, const std::string& status,
                            const std::string& message);

    std::vector<RunRecord> listRuns() const;
    std::optional<RunRecord> run(int64_t id) const;
    std::vector<MetricPoint> metrics(int64_t runId, const std::string& name) const;
    /// Distinct metric names logged by a run.
    std::vector<std::string> metricNames(int64_t runId) const;
    std::vector<CheckpointRecord> checkpoints(int64_t runId) const;
    /// Deletes a run with its metrics, checkpoint rows and eval answers (one
    /// transaction). Returns the files the run wrote (its checkpoint rows and
    /// declared output) that no remaining run records, so the caller can remove
    /// them; a file a later run overwrote stays. Throws InputError for an
    /// unknown id and for a run whose status is still "running".
    std::vector<std::string> deleteRun(int64_t runId);
    /// The latest completed-or-stopped run that wrote `checkpointPath` (lineage).
    std::optional<int64_t> runForCheckpoint(const std::string& checkpointPath) const;

    /// Stores answers in one transaction; returns their ids.
    std::vector<int64_t> addEvalAnswers(const std::vector<EvalAnswerRecord>& answers);
    /// Answers of one eval run, in insertion order.
    std::vector<EvalAnswerRecord> evalAnswers(int64_t runId) const;
    /// The answers of the most recent eval run that covered `modelMode`
    /// (restricted to `promptSet` unless empty), in prompt order.
    std::vector<EvalAnswerRecord> latestEvalAnswers(int modelMode, const std::string& promptSet = {}) const;
    /// Model modes that have stored answers, ascending.
    std::vector<int> evaluatedModes() const;

    /// Stores one probe's answers (one transaction).
    void addProbes(const std::vector<ProbeRecord>& probes);
    /// A run's probe answers after `afterStep`, by step then prompt order.
    std::vector<ProbeRecord> probes(int64_t runId, int64_t afterStep = -1) const;

    void addWarning(const WarningRecord& w);
    /// A run's warnings by step.
    std::vector<WarningRecord> warnings(int64_t runId) const;

    /// Appends a queued item at the end of `queue`; returns its id.
    int64_t enqueue(const std::string& queue, const std::string& stage, const std::string& argsJson, int processes = 1);
    /// The items of `queue` (every queue when empty) by position.
    std::vector<QueueItemRecord> queueItems(const std::string& queue = {}) const;
    std::optional<QueueItemRecord> queueItem(int64_t id) const;
    /// The first item of `queue` still "queued", if any.
    std::optional<QueueItemRecord> nextQueued(const std::string& queue) const;
    /// Sets an item's status, run and message (InputError for an unknown id).
    void setQueueStatus(int64_t id, const std::string& status, int64_t runId = 0, const std::string& message = {});
    /// Moves a queued item `delta` places among its queue's queued items
    /// (negative = earlier); returns false when it cannot move further.
    /// InputError for an unknown id or an item that is no longer queued.
    bool moveQueueItem(int64_t id, int delta);
    /// Removes an item that is not running (InputError for a running one).
    void removeQueueItem(int64_t id);
    /// Deletes the finished items (completed, failed, stopped, cancelled) of
    /// `queue`; returns how many.
    int clearFinishedQueueItems(const std::string& queue);
    /// Puts back what an earlier run of `queue` left unfinished: a stopped
    /// training stage is queued again to continue with --resume, a failed
    /// stage (or a stopped tool) to be tried again, and an item left
    /// "running" by a process that is gone counts as stopped. InputError when
    /// a live process other than `selfPid` runs the queue, or a stage of it
    /// is still running. Returns how many items were requeued.
    int requeueUnfinished(const std::string& queue, int64_t selfPid);

    /// Stores a score; returns its id.
    int64_t addScore(const ScoreRecord& score);
    /// Every score, oldest first.
    std::vector<ScoreRecord> scores() const;

private:
    void exec(const char* sql);
    void migrate();
    sqlite3* m_db = nullptr;
    std::string m_path;
    struct Pending {
        int64_t runId, step;
        std::string name;
        double value, wallTime;
    };
    std::vector<Pending> m_pending;
};

} // namespace mm::store
