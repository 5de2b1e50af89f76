#pragma once
// SQLite plumbing of the history database (store/history.h): errors phrased
// for a person, prepared statements finalized on every path, IMMEDIATE
// transactions. Internal to core/store.

#include "store/history.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include <sqlite3.h>

namespace mm::store::sql {

/// How long a statement waits for another process's write lock before failing.
constexpr int kBusyTimeoutMs = 5000;

/// Turns the connection's last error into a HistoryError whose message names
/// the file and, for the failures a user can fix, says what to do.
[[noreturn]] void fail(sqlite3* db, const std::string& path, const std::string& what);
/// Runs SQL without parameters (pragmas, transaction control, migrations).
void execSql(sqlite3* db, const std::string& path, const char* sql);
/// Now as ISO 8601 UTC ("2026-12-04T20:03:16Z").
std::string nowIso();
std::string hostName();
/// False only when the process certainly no longer exists. EPERM means it
/// exists but belongs to another user, which still counts as alive.
bool pidAlive(int64_t pid);

/// A prepared statement that is finalized on every exit path. Values are always
/// bound, never pasted into the SQL text.
class Stmt {
public:
    Stmt(sqlite3* db, const std::string& path, const char* sql) : m_db(db), m_path(path), m_sql(sql) {
        if (sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr) != SQLITE_OK)
            fail(m_db, m_path, "preparing \"" + m_sql + "\"");
    }
    ~Stmt() { sqlite3_finalize(m_stmt); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    // Indices are 1-based, as in SQL.
    void bindInt(int i, int64_t v) { check(sqlite3_bind_int64(m_stmt, i, v)); }
    void bindReal(int i, double v) { check(sqlite3_bind_double(m_stmt, i, v)); }
    void bindText(int i, const std::string& v) {
        // Explicit length: strings with embedded NULs survive the round trip.
        check(sqlite3_bind_text64(m_stmt, i, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
    }
    void bindNull(int i) { check(sqlite3_bind_null(m_stmt, i)); }
    void bindReal(int i, const std::optional<double>& v) { v ? bindReal(i, *v) : bindNull(i); }

    /// True while a row is available; false when the statement is done.
    bool step() {
        int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc == SQLITE_DONE)
            return false;
        fail(m_db, m_path, "\"" + m_sql + "\"");
    }
    /// Makes the statement reusable with new bindings.
    void reset() {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }

    bool isNull(int col) const { return sqlite3_column_type(m_stmt, col) == SQLITE_NULL; }
    int64_t int64(int col) const { return sqlite3_column_int64(m_stmt, col); }
    /// NULL reads back as NaN (SQLite turns a bound NaN into NULL).
    double real(int col) const {
        return isNull(col) ? std::numeric_limits<double>::quiet_NaN() : sqlite3_column_double(m_stmt, col);
    }
    std::optional<double> optReal(int col) const {
        if (isNull(col))
            return std::nullopt;
        return sqlite3_column_double(m_stmt, col);
    }
    /// NULL reads back as an empty string.
    std::string text(int col) const {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(m_stmt, col));
        if (!p)
            return {};
        return std::string(p, static_cast<size_t>(sqlite3_column_bytes(m_stmt, col)));
    }

private:
    void check(int rc) {
        if (rc != SQLITE_OK)
            fail(m_db, m_path, "binding a parameter of \"" + m_sql + "\"");
    }
    sqlite3* m_db;
    const std::string& m_path;
    std::string m_sql;
    sqlite3_stmt* m_stmt = nullptr;
};

/// BEGIN IMMEDIATE ... COMMIT; rolls back when left without commit(). IMMEDIATE
/// takes the write lock up front, so a concurrent writer waits in the busy
/// handler instead of failing halfway through with SQLITE_BUSY.
class Transaction {
public:
    Transaction(sqlite3* db, const std::string& path) : m_db(db), m_path(path) {
        execSql(m_db, m_path, "BEGIN IMMEDIATE");
    }
    ~Transaction() {
        // Errors are ignored: SQLite may already have rolled back on its own.
        if (!m_done)
            sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit() {
        execSql(m_db, m_path, "COMMIT");
        m_done = true;
    }

private:
    sqlite3* m_db;
    const std::string& m_path;
    bool m_done = false;
};

} // namespace mm::store::sql
