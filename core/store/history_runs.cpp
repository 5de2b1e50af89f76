// The history's runs, their metric series and the checkpoints they wrote:
// beginning, logging (batched), finishing and deleting runs, and reading them
// back.

#include "store/history.h"
#include "store/sqlite_db.h"

#include "common/crash_point.h"
#include "common/error.h"

#include <algorithm>
#include <exception>
#include <string>

#include <sqlite3.h>
#include <unistd.h>

namespace mm::store {

using namespace sql;

namespace {

// Queued metric rows above which logMetrics() writes them out by itself, so a
// caller that forgets to flush cannot grow memory without bound. A few thousand
// rows commit in a few milliseconds.
constexpr size_t kAutoFlushRows = 2000;

/// The message of a run markStaleRunsInterrupted() ends.
std::string staleRunMessage(int64_t pid, const std::string& host) {
    return "process " + std::to_string(pid) + " on " + host + " ended without finishing the run (killed or crashed)";
}

constexpr const char* kRunColumns =
    "id, stage, status, config_json, parent_checkpoint, out_checkpoint, host, pid, version, "
    "started_at, ended_at, final_loss, tokens, steps, message";

RunRecord readRun(const Stmt& st) {
    RunRecord r;
    r.id = st.int64(0);
    r.stage = st.text(1);
    r.status = st.text(2);
    r.configJson = st.text(3);
    r.parentCheckpoint = st.text(4);
    r.outCheckpoint = st.text(5);
    r.host = st.text(6);
    r.pid = st.int64(7);
    r.version = st.text(8);
    r.startedAt = st.text(9);
    r.endedAt = st.text(10);
    r.finalLoss = st.optReal(11);
    r.tokens = st.int64(12);
    r.steps = st.int64(13);
    r.message = st.text(14);
    return r;
}

} // namespace

int64_t History::beginRun(const std::string& stage, const std::string& configJson, const std::string& parentCheckpoint,
                          const std::string& outCheckpoint, const std::string& version) {
    Stmt st(m_db, m_path,
            "INSERT INTO runs (stage, status, config_json, parent_checkpoint, out_checkpoint, host, pid, version, "
            "started_at) VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?)");
    st.bindText(1, stage);
    st.bindText(2, configJson);
    st.bindText(3, parentCheckpoint);
    st.bindText(4, outCheckpoint);
    st.bindText(5, hostName());
    st.bindInt(6, static_cast<int64_t>(::getpid()));
    st.bindText(7, version);
    st.bindText(8, nowIso());
    st.step();
    return sqlite3_last_insert_rowid(m_db);
}

void History::logMetrics(int64_t runId, int64_t step, const std::vector<std::pair<std::string, double>>& values,
                         double wallTime) {
    for (const auto& [name, value] : values)
        m_pending.push_back({runId, step, name, value, wallTime});
    if (m_pending.size() >= kAutoFlushRows)
        flush();
}

void History::flush() {
    if (m_pending.empty())
        return;
    try {
        Transaction tx(m_db, m_path);
        Stmt st(m_db, m_path, "INSERT INTO metrics (run_id, step, name, value, wall_time) VALUES (?, ?, ?, ?, ?)");
        size_t done = 0;
        for (const auto& p : m_pending) {
            if (done++ == m_pending.size() / 2)
                crashPoint("history");
            st.bindInt(1, p.runId);
            st.bindInt(2, p.step);
            st.bindText(3, p.name);
            st.bindReal(4, p.value);
            st.bindReal(5, p.wallTime);
            st.step();
            st.reset();
        }
        tx.commit();
    } catch (const HistoryError& e) {
        // A lock held too long may clear up, so keep the rows for the next
        // flush. Anything else (a metric for an unknown run, disk full, a
        // damaged file) would fail again on every later flush and block
        // finishRun, so the batch is dropped and the error reported once.
        const int primary = e.code() & 0xff;
        if (primary != SQLITE_BUSY && primary != SQLITE_LOCKED) {
            const size_t n = m_pending.size();
            m_pending.clear();
            throw IoError(std::string(e.what()) + " (" + std::to_string(n) + " metric values were discarded)");
        }
        throw;
    }
    m_pending.clear();
}

void History::updateProgress(int64_t runId, int64_t steps, int64_t tokens, std::optional<double> lastLoss) {
    // A missing loss keeps the last one recorded rather than erasing it.
    Stmt st(m_db, m_path,
            "UPDATE runs SET steps = ?, tokens = ?, final_loss = COALESCE(?, final_loss) "
            "WHERE id = ? AND status = 'running'");
    st.bindInt(1, steps);
    st.bindInt(2, tokens);
    st.bindReal(3, lastLoss);
    st.bindInt(4, runId);
    st.step();
}

void History::addCheckpoint(int64_t runId, const std::string& path, const std::string& kind, int64_t step) {
    Stmt st(m_db, m_path, "INSERT INTO checkpoints (run_id, path, kind, step, created_at) VALUES (?, ?, ?, ?, ?)");
    st.bindInt(1, runId);
    st.bindText(2, path);
    st.bindText(3, kind);
    st.bindInt(4, step);
    st.bindText(5, nowIso());
    st.step();
}

void History::finishRun(int64_t runId, const std::string& status, const std::string& message) {
    if (status != "completed" && status != "failed" && status != "interrupted" && status != "stopped")
        throw InputError("finishRun: '" + status +
                         "' is not a final run status "
                         "(completed, failed, interrupted, stopped)");
    // The final status matters more than the last metrics: record it even when
    // the flush fails, then report the flush error.
    std::exception_ptr flushError;
    try {
        flush();
    } catch (...) {
        flushError = std::current_exception();
    }
    Stmt st(m_db, m_path, "UPDATE runs SET status = ?, ended_at = ?, message = ? WHERE id = ?");
    st.bindText(1, status);
    st.bindText(2, nowIso());
    st.bindText(3, message);
    st.bindInt(4, runId);
    st.step();
    if (sqlite3_changes(m_db) == 0)
        throw InputError("history database " + m_path + " has no run " + std::to_string(runId) + " to finish");
    if (flushError)
        std::rethrow_exception(flushError);
}

int History::markStaleRunsInterrupted() {
    const std::string host = hostName();
    const int64_t self = ::getpid();
    Transaction tx(m_db, m_path);
    std::vector<std::pair<int64_t, int64_t>> stale; // (run id, pid)
    {
        Stmt st(m_db, m_path, "SELECT id, pid FROM runs WHERE status = 'running' AND host = ? ORDER BY id");
        st.bindText(1, host);
        while (st.step()) {
            const int64_t pid = st.int64(1);
            // Runs of other hosts are left alone: their pids mean nothing here.
            if (pid != self && !pidAlive(pid))
                stale.emplace_back(st.int64(0), pid);
        }
    }
    int changed = 0;
    if (!stale.empty()) {
        const std::string now = nowIso();
        Stmt st(
            m_db, m_path,
            "UPDATE runs SET status = 'interrupted', ended_at = ?, message = ? WHERE id = ? AND status = 'running'");
        for (const auto& [id, pid] : stale) {
            st.bindText(1, now);
            st.bindText(2, staleRunMessage(pid, host));
            st.bindInt(3, id);
            st.step();
            changed += sqlite3_changes(m_db);
            st.reset();
        }
    }
    tx.commit();
    return changed;
}

int History::finishRunsOfProcess(int64_t pid, const std::string& startedSince, const std::string& status,
                                 const std::string& message) {
    if (status != "completed" && status != "failed" && status != "interrupted" && status != "stopped")
        throw InputError("finishRunsOfProcess: '" + status +
                         "' is not a final run status "
                         "(completed, failed, interrupted, stopped)");
    // markStaleRunsInterrupted (another reader, a new run) may have seen the
    // dead pid first: its generic verdict is replaced by the actual reason.
    const std::string host = hostName();
    Stmt st(m_db, m_path,
            "UPDATE runs SET status = ?, ended_at = ?, message = ? WHERE host = ? AND pid = ? AND started_at >= ? "
            "AND (status = 'running' OR (status = 'interrupted' AND message = ?))");
    st.bindText(1, status);
    st.bindText(2, nowIso());
    st.bindText(3, message);
    st.bindText(4, host);
    st.bindInt(5, pid);
    st.bindText(6, startedSince);
    st.bindText(7, staleRunMessage(pid, host));
    st.step();
    return sqlite3_changes(m_db);
}

std::vector<RunRecord> History::listRuns() const {
    const std::string sql = std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY id";
    Stmt st(m_db, m_path, sql.c_str());
    std::vector<RunRecord> out;
    while (st.step())
        out.push_back(readRun(st));
    return out;
}

std::optional<RunRecord> History::run(int64_t id) const {
    const std::string sql = std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?";
    Stmt st(m_db, m_path, sql.c_str());
    st.bindInt(1, id);
    if (!st.step())
        return std::nullopt;
    return readRun(st);
}

std::vector<MetricPoint> History::metrics(int64_t runId, const std::string& name) const {
    // rowid breaks ties so a step logged twice reads back in logging order.
    Stmt st(m_db, m_path,
            "SELECT step, value, wall_time FROM metrics WHERE run_id = ? AND name = ? ORDER BY step, rowid");
    st.bindInt(1, runId);
    st.bindText(2, name);
    std::vector<MetricPoint> out;
    while (st.step())
        out.push_back({st.int64(0), st.real(1), st.real(2)});
    return out;
}

std::vector<std::string> History::metricNames(int64_t runId) const {
    Stmt st(m_db, m_path, "SELECT DISTINCT name FROM metrics WHERE run_id = ? ORDER BY name");
    st.bindInt(1, runId);
    std::vector<std::string> out;
    while (st.step())
        out.push_back(st.text(0));
    return out;
}

std::vector<CheckpointRecord> History::checkpoints(int64_t runId) const {
    Stmt st(m_db, m_path,
            "SELECT id, run_id, path, kind, step, created_at FROM checkpoints WHERE run_id = ? ORDER BY id");
    st.bindInt(1, runId);
    std::vector<CheckpointRecord> out;
    while (st.step())
        out.push_back({st.int64(0), st.int64(1), st.text(2), st.text(3), st.int64(4), st.text(5)});
    return out;
}

std::vector<std::string> History::deleteRun(int64_t runId) {
    flush();
    Transaction tx(m_db, m_path);
    std::vector<std::string> files;
    {
        Stmt st(m_db, m_path, "SELECT status, out_checkpoint FROM runs WHERE id = ?");
        st.bindInt(1, runId);
        if (!st.step())
            throw InputError("history database " + m_path + " has no run " + std::to_string(runId) + " to delete");
        if (st.text(0) == "running")
            throw InputError("run " + std::to_string(runId) + " is still running; stop it before deleting it");
        if (!st.text(1).empty())
            files.push_back(st.text(1));
    }
    {
        Stmt st(m_db, m_path, "SELECT DISTINCT path FROM checkpoints WHERE run_id = ?");
        st.bindInt(1, runId);
        while (st.step())
            if (std::find(files.begin(), files.end(), st.text(0)) == files.end())
                files.push_back(st.text(0));
    }
    // Foreign keys are on: metrics, checkpoints and eval answers cascade.
    {
        Stmt st(m_db, m_path, "DELETE FROM runs WHERE id = ?");
        st.bindInt(1, runId);
        st.step();
    }
    std::vector<std::string> orphaned;
    {
        Stmt st(m_db, m_path,
                "SELECT (SELECT COUNT(*) FROM runs WHERE out_checkpoint = ?1) + "
                "(SELECT COUNT(*) FROM checkpoints WHERE path = ?1)");
        for (const auto& f : files) {
            st.bindText(1, f);
            if (st.step() && st.int64(0) == 0)
                orphaned.push_back(f);
            st.reset();
        }
    }
    tx.commit();
    return orphaned;
}

std::optional<int64_t> History::runForCheckpoint(const std::string& checkpointPath) const {
    // A run "wrote" a checkpoint when it is its declared output or one it
    // recorded along the way (periodic saves); failed runs are no lineage.
    Stmt st(m_db, m_path,
            "SELECT r.id FROM runs r WHERE r.status IN ('completed', 'stopped') AND "
            "(r.out_checkpoint = ?1 OR EXISTS (SELECT 1 FROM checkpoints c WHERE c.run_id = r.id AND c.path = ?1)) "
            "ORDER BY r.id DESC LIMIT 1");
    st.bindText(1, checkpointPath);
    if (!st.step())
        return std::nullopt;
    return st.int64(0);
}

} // namespace mm::store
