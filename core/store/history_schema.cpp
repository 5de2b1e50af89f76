// The history database's lifecycle: opening it (WAL, busy timeout), the
// versioned schema with its forward migrations, and closing it; plus the
// HistoryError classification. The reads and writes are in history_runs.cpp,
// history_evals.cpp and history_queue.cpp.

#include "store/history.h"
#include "store/sqlite_db.h"

#include <cstdio>
#include <exception>
#include <string>

#include <sqlite3.h>

namespace mm::store {

using namespace sql;

namespace {

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
        std::fprintf(stderr, "micromind: warning: %zu metric values were not saved: %s\n", m_pending.size(), e.what());
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

} // namespace mm::store
