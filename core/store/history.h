#pragma once
// The workspace's experiment history: one SQLite database per workspace
// (out_dir/micromind.db), WAL journal, versioned schema with forward migrations,
// bound parameters only, metric writes batched in transactions.
//
// Several processes may open the same database (a training run writes, the GUI
// and `micromind history` read); SQLite's locking plus a busy timeout handles it.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

struct sqlite3;

namespace mm::store {

/// A row of the runs table.
struct RunRecord {
    int64_t id = 0;
    std::string stage;       ///< pretrain, full_sft, ...
    std::string status;      ///< running, completed, failed, interrupted, stopped
    std::string configJson;  ///< the full validated stage config
    std::string parentCheckpoint;
    std::string outCheckpoint;
    std::string host;
    int64_t pid = 0;
    std::string version;     ///< micromind version that ran it
    std::string startedAt;   ///< ISO 8601 UTC
    std::string endedAt;     ///< empty while running
    std::optional<double> finalLoss;
    int64_t tokens = 0;      ///< training tokens processed
    int64_t steps = 0;       ///< optimizer steps done
    std::string message;     ///< error or stop message, if any
};

/// One logged metric value.
struct MetricPoint {
    int64_t step = 0;
    double value = 0;
    double wallTime = 0;  ///< seconds since the run started
};

/// A checkpoint file written by a run.
struct CheckpointRecord {
    int64_t id = 0;
    int64_t runId = 0;
    std::string path;
    std::string kind;  ///< weights, resume, lora
    int64_t step = 0;
    std::string createdAt;
};

class History {
public:
    /// Current schema version written by this build.
    static constexpr int kSchemaVersion = 1;

    /// Opens or creates the database, enables WAL and a busy timeout, applies
    /// pending migrations in one transaction. Throws IoError (unwritable,
    /// corrupt: message says which file and what to do) or InputError when the
    /// database was written by a newer micromind (schema version too high).
    explicit History(const std::string& dbPath);
    ~History();
    History(const History&) = delete;
    History& operator=(const History&) = delete;

    int schemaVersion() const;
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

    std::vector<RunRecord> listRuns() const;
    std::optional<RunRecord> run(int64_t id) const;
    std::vector<MetricPoint> metrics(int64_t runId, const std::string& name) const;
    /// Distinct metric names logged by a run.
    std::vector<std::string> metricNames(int64_t runId) const;
    std::vector<CheckpointRecord> checkpoints(int64_t runId) const;
    /// The latest completed-or-stopped run that wrote `checkpointPath` (lineage).
    std::optional<int64_t> runForCheckpoint(const std::string& checkpointPath) const;

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
