#include "common/fs.h"

#include "common/crash_point.h"
#include "common/error.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mm::fs {

namespace stdfs = std::filesystem;

namespace {
std::string errnoText() { return std::strerror(errno); }

/// What a failed write's errno means for the user, after strerror's text.
std::string writeHint(int err) {
    if (err == ENOSPC || err == EDQUOT)
        return " (the disk is full: free some space, then run again or resume)";
    if (err == EFBIG)
        return " (write failed: the file exceeds the file size limit (ulimit -f) or the largest file the file "
               "system allows)";
    return " (write failed: is the disk full or failing?)";
}

uint64_t fnv1a(const char* data, size_t n, uint64_t h = 1469598103934665603ULL) {
    for (size_t i = 0; i < n; ++i) {
        h ^= static_cast<unsigned char>(data[i]);
        h *= 1099511628211ULL;
    }
    return h;
}

std::string hex64(uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}
} // namespace

void writeFileAtomic(const std::string& path, const std::string& bytes) {
    stdfs::path p(path);
    std::error_code ec;
    if (p.has_parent_path()) {
        stdfs::create_directories(p.parent_path(), ec);
        if (ec)
            throw IoError("cannot create directory " + p.parent_path().string() + ": " + ec.message());
    }
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        throw IoError("cannot write " + tmp + ": " + errnoText() + " (is the directory writable?)");
    size_t off = 0;
    bool halfway = false;
    while (off < bytes.size()) {
        if (!halfway && off >= bytes.size() / 2) {
            halfway = true;
            crashPoint("write_file");
        }
        const size_t chunk = halfway ? bytes.size() - off : bytes.size() / 2 - off;
        ssize_t w = ::write(fd, bytes.data() + off, chunk);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            const int err = errno;
            std::string why = std::strerror(err) + writeHint(err);
            ::close(fd);
            ::unlink(tmp.c_str());
            throw IoError("cannot write " + path + ": " + why + "; the previous file is unchanged");
        }
        off += static_cast<size_t>(w);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        const int err = errno;
        std::string why = std::strerror(err) + writeHint(err);
        ::unlink(tmp.c_str());
        throw IoError("cannot flush " + path + ": " + why + "; the previous file is unchanged");
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        std::string why = errnoText();
        ::unlink(tmp.c_str());
        throw IoError("cannot rename " + tmp + " to " + path + ": " + why);
    }
    removeStaleTemps(p.has_parent_path() ? p.parent_path().string() : ".", p.filename().string());
}

void removeStaleTemps(const std::string& dir, const std::string& name, long minAgeSeconds) {
    std::error_code ec;
    const std::string prefix = name + ".tmp.";
    const time_t now = std::time(nullptr);
    for (stdfs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string entry = it->path().filename().string();
        if (entry.rfind(prefix, 0) != 0)
            continue;
        const long pid = std::strtol(entry.c_str() + prefix.size(), nullptr, 10);
        // EPERM: the process exists but belongs to someone else.
        if (pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM))
            continue;
        struct stat st {};
        if (::stat(it->path().c_str(), &st) == 0 && now - st.st_mtime >= minAgeSeconds)
            ::unlink(it->path().c_str());
    }
}

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw IoError("cannot read " + path + ": " + errnoText());
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool isFile(const std::string& path) {
    std::error_code ec;
    return stdfs::is_regular_file(path, ec);
}

void ensureWritableDir(const std::string& dir) {
    std::error_code ec;
    stdfs::create_directories(dir, ec);
    if (ec)
        throw IoError("cannot create output directory " + dir + ": " + ec.message() +
                      " (choose another --out_dir or fix its permissions)");
    const std::string probe = (stdfs::path(dir) / (".write_probe." + std::to_string(::getpid()))).string();
    int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        throw IoError("output directory " + dir + " is not writable: " + errnoText() +
                      " (choose another --out_dir or fix its permissions)");
    ::close(fd);
    ::unlink(probe.c_str());
}

std::string hashHex(const std::string& bytes) { return hex64(fnv1a(bytes.data(), bytes.size())); }

std::string fileStamp(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        throw IoError("cannot stat " + path + ": " + errnoText());
    std::error_code ec;
    std::string abs = stdfs::absolute(path, ec).string();
    std::string key = abs + "|" + std::to_string(st.st_size) + "|" + std::to_string(st.st_mtim.tv_sec) + "." +
                      std::to_string(st.st_mtim.tv_nsec);
    return hashHex(key);
}

std::string fileContentHash(const std::string& path) { return hashHex(readFile(path)); }

} // namespace mm::fs
