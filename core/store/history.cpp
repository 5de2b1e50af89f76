#include "store/history.h"
#include "store/sqlite_db.h"

#include "common/crash_point.h"
#include "common/error.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>

#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

namespace mm::store {

using namespace sql;

namespace {

// Queued metric rows above which logMetrics() writes them out by itself, so a
// caller that forgets to flush cannot grow memory without bound. A few thousand
// rows commit in a few milliseconds.
constexpr size_t kAutoFlushRows = 2000;


// Forward migrations: entry i brings the schema from version i to i + 1. Later
// schema changes append an entry (and bump History::kSchemaVersion); existing
// entries never change, because databases in the field were built from them.
const char* const kMigrations[] = {
    // 0 -> 1: runs, their metric series and the checkpoints they wrote.
    // metrics.value and wall_time are nullable because SQLite stores NaN as NULL
    // and a diverging run logs NaN losses before it is stopped.
    R"sql(
CREATE TABLE runs (
    id                INTEGER PRIMARY KEY,
    stage             TEXT NOT NULL,
    status            TEXT NOT NULL,
    config_json       TEXT NOT NULL DEFAULT '',
    parent_checkpoint TEXT NOT NULL DEFAULT '',
    out_checkpoint    TEXT NOT NULL DEFAULT '',
    host              TEXT NOT NULL DEFAULT '',
    pid               INTEGER NOT NULL DEFAULT 0,
    version           TEXT NOT NULL DEFAULT '',
    started_at        TEXT NOT NULL,
    ended_at          TEXT,
    final_loss        REAL,
    tokens            INTEGER NOT NULL DEFAULT 0,
    steps             INTEGER NOT NULL DEFAULT 0,
    message           TEXT NOT NULL DEFAULT ''
);
CREATE TABLE metrics (
    run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step      INTEGER NOT NULL,
    name      TEXT NOT NULL,
    value     REAL,
    wall_time REAL
);
CREATE INDEX metrics_run_name_step ON metrics(run_id, name, step);
CREATE TABLE checkpoints (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    path       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    step       INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX checkpoints_run ON checkpoints(run_id);
CREATE INDEX checkpoints_path ON checkpoints(path);
)sql",
    // 1 -> 2: answers of `micromind eval` (grouped by an eval run in `runs`)
    // and judge/manual scores per model mode and dimension.
    R"sql(
CREATE TABLE eval_answers (
    id            INTEGER PRIMARY KEY,
    run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    model_mode    INTEGER NOT NULL,
    checkpoint    TEXT NOT NULL,
    lora          TEXT NOT NULL DEFAULT '',
    prompt_set    TEXT NOT NULL,
    prompt_index  INTEGER NOT NULL,
    prompt        TEXT NOT NULL,
    sampling_json TEXT NOT NULL DEFAULT '{}',
    seed          INTEGER NOT NULL,
    text          TEXT NOT NULL,
    tokens        INTEGER NOT NULL,
    tokens_per_s  REAL,
    created_at    TEXT NOT NULL
);
CREATE INDEX eval_answers_mode_run ON eval_answers(model_mode, run_id);
CREATE TABLE scores (
    id             INTEGER PRIMARY KEY,
    model_mode     INTEGER NOT NULL,
    dimension      TEXT NOT NULL,
    value          REAL NOT NULL,
    judge_model    TEXT NOT NULL DEFAULT '',
    prompt_version TEXT NOT NULL DEFAULT '',
    raw_reply      TEXT NOT NULL DEFAULT '',
    manual         INTEGER NOT NULL DEFAULT 0,
    answers_run_id INTEGER,
    created_at     TEXT NOT NULL
);
CREATE INDEX scores_mode ON scores(model_mode, dimension);
)sql",
    // 2 -> 3: live probes of training runs (the Generations timeline of a
    // run re-attached or opened from the history).
    R"sql(
CREATE TABLE probes (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step       INTEGER NOT NULL,
    prompt     TEXT NOT NULL,
    completion TEXT NOT NULL,
    tokens     INTEGER NOT NULL,
    stopped    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX probes_run_step ON probes(run_id, step);
)sql",
    // 3 -> 4: health warnings of training runs (loss or gradient spikes, GRPO
    // groups without reward variance) and the run queue (`micromind pipeline`,
    // the workbench's queue), which outlives the process that started it.
    R"sql(
CREATE TABLE run_warnings (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step       INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    message    TEXT NOT NULL,
    value      REAL,
    created_at TEXT NOT NULL
);
CREATE INDEX run_warnings_run ON run_warnings(run_id, step);
CREATE TABLE queue_items (
    id         INTEGER PRIMARY KEY,
    queue      TEXT NOT NULL,
    position   INTEGER NOT NULL,
    stage      TEXT NOT NULL,
    args_json  TEXT NOT NULL DEFAULT '[]',
    processes  INTEGER NOT NULL DEFAULT 1,
    status     TEXT NOT NULL DEFAULT 'queued',
    run_id     INTEGER,
    message    TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX queue_items_queue ON queue_items(queue, position);
)sql",
};
static_assert(sizeof kMigrations / sizeof *kMigrations == History::kSchemaVersion,
              "every schema version needs exactly one migration step");

/// The message of a run markStaleRunsInterrupted() ends.
std::string staleRunMessage(int64_t pid, const std::string& host) {
    return "process " + std::to_string(pid) + " on " + host + " ended without finishing the run (killed or crashed)";
}

int readUserVersion(sqlite3* db, const std::string& path) {
    Stmt st(db, path, "PRAGMA user_version");
    return st.step() ? static_cast<int>(st.int64(0)) : 0;
}

[[noreturn]] void throwTooNew(const std::string& path, int version) {
    throw HistoryTooNewError("history database " + path + " was written by a newer micromind (schema " +
                                 std::to_string(version) + ", this build knows up to " +
                                 std::to_string(History::kSchemaVersion) +
                                 "): upgrade micromind to use this workspace, or use another one (another output "
                                 "directory); the file was left untouched.",
                             path, version);
}

constexpr const char* kRunColumns =
    "id, stage, status, config_json, parent_checkpoint, out_checkpoint, host, pid, version, "
    "started_at, ended_at, final_loss, tokens, steps, message";

constexpr const char* kAnswerColumns =
    "id, run_id, model_mode, checkpoint, lora, prompt_set, prompt_index, prompt, sampling_json, seed, text, "
    "tokens, tokens_per_s, created_at";

EvalAnswerRecord readAnswer(const Stmt& st) {
    EvalAnswerRecord a;
    a.id = st.int64(0);
    a.runId = st.int64(1);
    a.modelMode = static_cast<int>(st.int64(2));
    a.checkpoint = st.text(3);
    a.lora = st.text(4);
    a.promptSet = st.text(5);
    a.promptIndex = st.int64(6);
    a.prompt = st.text(7);
    a.samplingJson = st.text(8);
    a.seed = st.int64(9);
    a.text = st.text(10);
    a.tokens = st.int64(11);
    a.tokensPerSecond = st.isNull(12) ? 0.0 : st.real(12);
    a.createdAt = st.text(13);
    return a;
}

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

HistoryError::HistoryError(const std::string& what, int sqliteCode, std::string path)
    : IoError(what), m_code(sqliteCode), m_path(std::move(path)) {
    switch (sqliteCode & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED: m_fault = Fault::Locked; break;
    case SQLITE_READONLY:
    case SQLITE_PERM: m_fault = Fault::ReadOnly; break;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT: m_fault = Fault::Damaged; break;
    case SQLITE_FULL: m_fault = Fault::DiskFull; break;
    case SQLITE_CANTOPEN: m_fault = Fault::CannotOpen; break;
    default: m_fault = Fault::Other; break;
    }
}

History::History(const std::string& dbPath) : m_path(dbPath) {
    // NOMUTEX: a History is used from one thread at a time, so SQLite's own
    // per-connection mutex would only cost time.
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    try {
        if (sqlite3_open_v2(m_path.c_str(), &m_db, flags, nullptr) != SQLITE_OK)
            fail(m_db, m_path, "opening");
        sqlite3_extended_result_codes(m_db, 1);
        sqlite3_busy_timeout(m_db, kBusyTimeoutMs);

        // Read the version before anything can write: a garbage file fails
        // here (NOTADB) and a newer database is refused, both byte-for-byte
        // untouched. Switching to WAL below would already rewrite the header.
        const int version = readUserVersion(m_db, m_path);
        if (version > kSchemaVersion)
            throwTooNew(m_path, version);

        // WAL lets the GUI and `micromind history` read while a run writes;
        // with WAL, synchronous=NORMAL loses at most the last commits on power
        // loss, never consistency, and keeps per-step commits cheap.
        execSql(m_db, m_path, "PRAGMA journal_mode=WAL");
        execSql(m_db, m_path, "PRAGMA synchronous=NORMAL");
        execSql(m_db, m_path, "PRAGMA foreign_keys=ON");
        migrate();
    } catch (...) {
        // The destructor does not run for a half-built object.
        sqlite3_close_v2(m_db);
        m_db = nullptr;
        throw;
    }
}

History::~History() {
    try {
        flush();
    } catch (const std::exception& e) {
        // A destructor cannot throw; say what was lost rather than drop it silently.
        std::fprintf(stderr, "micromind: warning: %zu metric values were not saved: %s\n", m_pending.size(),
                     e.what());
    } catch (...) {
    }
    sqlite3_close_v2(m_db);
}

void History::exec(const char* sql) { execSql(m_db, m_path, sql); }

void History::migrate() {
    // Cheap check first so an up-to-date database does not take the write lock
    // every time a reader opens it.
    if (readUserVersion(m_db, m_path) == kSchemaVersion)
        return;
    Transaction tx(m_db, m_path);
    // Re-read under the lock: another process may have migrated meanwhile.
    const int from = readUserVersion(m_db, m_path);
    if (from > kSchemaVersion)
        throwTooNew(m_path, from);
    for (int v = from; v < kSchemaVersion; ++v)
        exec(kMigrations[v]);
    // PRAGMA takes no bound parameters; the value is our own constant, not input.
    const std::string setVersion = "PRAGMA user_version = " + std::to_string(kSchemaVersion);
    exec(setVersion.c_str());
    tx.commit();
}

int History::schemaVersion() const { return readUserVersion(m_db, m_path); }

bool History::readOnly() const { return sqlite3_db_readonly(m_db, "main") == 1; }

int64_t History::beginRun(const std::string& stage, const std::string& configJson,
                          const std::string& parentCheckpoint, const std::string& outCheckpoint,
                          const std::string& version) {
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
        throw InputError("finishRun: '" + status + "' is not a final run status "
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
    std::vector<std::pair<int64_t, int64_t>> stale;  // (run id, pid)
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
        Stmt st(m_db, m_path,
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
        throw InputError("finishRunsOfProcess: '" + status + "' is not a final run status "
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

std::vector<int64_t> History::addEvalAnswers(const std::vector<EvalAnswerRecord>& answers) {
    std::vector<int64_t> ids;
    if (answers.empty())
        return ids;
    const std::string now = nowIso();
    Transaction tx(m_db, m_path);
    Stmt st(m_db, m_path,
            "INSERT INTO eval_answers (run_id, model_mode, checkpoint, lora, prompt_set, prompt_index, prompt, "
            "sampling_json, seed, text, tokens, tokens_per_s, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& a : answers) {
        st.bindInt(1, a.runId);
        st.bindInt(2, a.modelMode);
        st.bindText(3, a.checkpoint);
        st.bindText(4, a.lora);
        st.bindText(5, a.promptSet);
        st.bindInt(6, a.promptIndex);
        st.bindText(7, a.prompt);
        st.bindText(8, a.samplingJson.empty() ? std::string("{}") : a.samplingJson);
        st.bindInt(9, a.seed);
        st.bindText(10, a.text);
        st.bindInt(11, a.tokens);
        st.bindReal(12, a.tokensPerSecond);
        st.bindText(13, now);
        st.step();
        ids.push_back(sqlite3_last_insert_rowid(m_db));
        st.reset();
    }
    tx.commit();
    return ids;
}

void History::addProbes(const std::vector<ProbeRecord>& probes) {
    if (probes.empty())
        return;
    Transaction tx(m_db, m_path);
    Stmt st(m_db, m_path,
            "INSERT INTO probes (run_id, step, prompt, completion, tokens, stopped) VALUES (?, ?, ?, ?, ?, ?)");
    for (const auto& p : probes) {
        st.bindInt(1, p.runId);
        st.bindInt(2, p.step);
        st.bindText(3, p.prompt);
        st.bindText(4, p.completion);
        st.bindInt(5, p.tokens);
        st.bindInt(6, p.stopped ? 1 : 0);
        st.step();
        st.reset();
    }
    tx.commit();
}

std::vector<ProbeRecord> History::probes(int64_t runId, int64_t afterStep) const {
    Stmt st(m_db, m_path,
            "SELECT run_id, step, prompt, completion, tokens, stopped FROM probes WHERE run_id = ? AND step > ? "
            "ORDER BY step, id");
    st.bindInt(1, runId);
    st.bindInt(2, afterStep);
    std::vector<ProbeRecord> out;
    while (st.step()) {
        ProbeRecord p;
        p.runId = st.int64(0);
        p.step = st.int64(1);
        p.prompt = st.text(2);
        p.completion = st.text(3);
        p.tokens = st.int64(4);
        p.stopped = st.int64(5) != 0;
        out.push_back(std::move(p));
    }
    return out;
}

std::vector<EvalAnswerRecord> History::evalAnswers(int64_t runId) const {
    const std::string sql = std::string("SELECT ") + kAnswerColumns + " FROM eval_answers WHERE run_id = ? ORDER BY id";
    Stmt st(m_db, m_path, sql.c_str());
    st.bindInt(1, runId);
    std::vector<EvalAnswerRecord> out;
    while (st.step())
        out.push_back(readAnswer(st));
    return out;
}

std::vector<EvalAnswerRecord> History::latestEvalAnswers(int modelMode, const std::string& promptSet) const {
    // ?2 = '' matches every prompt set.
    const std::string sql = std::string("SELECT ") + kAnswerColumns +
                            " FROM eval_answers WHERE model_mode = ?1 AND (?2 = '' OR prompt_set = ?2) AND run_id = "
                            "(SELECT MAX(run_id) FROM eval_answers WHERE model_mode = ?1 AND (?2 = '' OR prompt_set = ?2)) "
                            "ORDER BY id";
    Stmt st(m_db, m_path, sql.c_str());
    st.bindInt(1, modelMode);
    st.bindText(2, promptSet);
    std::vector<EvalAnswerRecord> out;
    while (st.step())
        out.push_back(readAnswer(st));
    return out;
}

std::vector<int> History::evaluatedModes() const {
    Stmt st(m_db, m_path, "SELECT DISTINCT model_mode FROM eval_answers ORDER BY model_mode");
    std::vector<int> out;
    while (st.step())
        out.push_back(static_cast<int>(st.int64(0)));
    return out;
}

int64_t History::addScore(const ScoreRecord& s) {
    Stmt st(m_db, m_path,
            "INSERT INTO scores (model_mode, dimension, value, judge_model, prompt_version, raw_reply, manual, "
            "answers_run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st.bindInt(1, s.modelMode);
    st.bindText(2, s.dimension);
    st.bindReal(3, s.value);
    st.bindText(4, s.judgeModel);
    st.bindText(5, s.promptVersion);
    st.bindText(6, s.rawReply);
    st.bindInt(7, s.manual ? 1 : 0);
    if (s.answersRunId > 0)
        st.bindInt(8, s.answersRunId);
    else
        st.bindNull(8);
    st.bindText(9, nowIso());
    st.step();
    return sqlite3_last_insert_rowid(m_db);
}

std::vector<ScoreRecord> History::scores() const {
    Stmt st(m_db, m_path,
            "SELECT id, model_mode, dimension, value, judge_model, prompt_version, raw_reply, manual, answers_run_id, "
            "created_at FROM scores ORDER BY id");
    std::vector<ScoreRecord> out;
    while (st.step()) {
        ScoreRecord r;
        r.id = st.int64(0);
        r.modelMode = static_cast<int>(st.int64(1));
        r.dimension = st.text(2);
        r.value = st.real(3);
        r.judgeModel = st.text(4);
        r.promptVersion = st.text(5);
        r.rawReply = st.text(6);
        r.manual = st.int64(7) != 0;
        r.answersRunId = st.isNull(8) ? 0 : st.int64(8);
        r.createdAt = st.text(9);
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace mm::store
