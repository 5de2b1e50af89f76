#include "store/sqlite_db.h"

#include <cerrno>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <vector>

#include <signal.h>
#include <unistd.h>

namespace mm::store::sql {

namespace {

/// The other processes of this host that have `path` open, as "sqlite3 (pid
/// 123), ..." (Linux /proc; empty where it cannot be read). Only for messages:
/// a locked database names who holds it.
std::string openersOf(const std::string& path) {
    namespace stdfs = std::filesystem;
    std::error_code ec;
    const stdfs::path target = stdfs::canonical(path, ec);
    if (ec)
        return {};
    const std::string self = std::to_string(::getpid());
    std::vector<std::string> found;
    for (stdfs::directory_iterator it("/proc", ec), end; !ec && it != end && found.size() < 5; it.increment(ec)) {
        const std::string pid = it->path().filename().string();
        if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos || pid == self)
            continue;
        std::error_code fdEc;
        for (stdfs::directory_iterator fd(it->path() / "fd", fdEc), fdEnd; !fdEc && fd != fdEnd; fd.increment(fdEc)) {
            std::error_code linkEc;
            if (stdfs::read_symlink(fd->path(), linkEc) != target || linkEc)
                continue;
            std::string comm;
            std::getline(std::ifstream(it->path() / "comm"), comm);
            found.push_back((comm.empty() ? std::string("process") : comm) + " (pid " + pid + ")");
            break;
        }
    }
    std::string out;
    for (const auto& f : found)
        out += (out.empty() ? "" : ", ") + f;
    return out;
}

} // namespace

[[noreturn]] void fail(sqlite3* db, const std::string& path, const std::string& what) {
    const int code = db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM;
    const std::string detail = db ? sqlite3_errmsg(db) : "out of memory";
    std::string msg;
    switch (code & 0xff) {
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        msg = "history database " + path + " is damaged or not an SQLite database (" + detail +
              "). Move it aside (for example: mv '" + path + "' '" + path +
              ".broken') and micromind will start a new history; the file was left untouched.";
        break;
    case SQLITE_CANTOPEN:
        msg = "cannot open history database " + path + " (" + detail +
              "); check that the directory exists and is writable.";
        break;
    case SQLITE_READONLY:
    case SQLITE_PERM:
        msg = "history database " + path + " is read-only (" + detail + ", " + what +
              "): micromind records runs in it and needs write access to the file and its folder. Make them "
              "writable (for example: chmod u+w '" +
              path +
              "'), or copy the workspace to a writable place; "
              "the file was left untouched.";
        break;
    case SQLITE_FULL: msg = "history database " + path + ": " + what + " failed: disk full (" + detail + ")."; break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: {
        const std::string holders = openersOf(path);
        msg = "history database " + path + ": " + what +
              " failed: another process kept the database locked for more than " +
              std::to_string(kBusyTimeoutMs / 1000) + " s (" + detail + "). " +
              (holders.empty()
                   ? std::string("Close the other program using it (another micromind, sqlite3, a backup tool)")
                   : "It is open in " + holders + ": let it finish or close it") +
              ", then try again.";
        break;
    }
    default: msg = "history database " + path + ": " + what + " failed: " + detail; break;
    }
    throw HistoryError(msg, code, path);
}

void execSql(sqlite3* db, const std::string& path, const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        sqlite3_free(err); // fail() reads the same text from the connection
        fail(db, path, std::string("statement \"") + sql + "\"");
    }
}

std::string nowIso() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string hostName() {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0)
        return "unknown";
    return buf;
}

bool pidAlive(int64_t pid) {
    if (pid <= 0)
        return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH;
}

} // namespace mm::store::sql
