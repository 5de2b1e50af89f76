#include "common/subprocess.h"

#include "common/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace mm::proc {

std::string selfExe() {
    std::error_code ec;
    std::string p = std::filesystem::read_symlink("/proc/self/exe", ec).string();
    if (ec)
        throw IoError("cannot find the micromind executable (/proc/self/exe): " + ec.message());
    const std::string deleted = " (deleted)";
    if (p.size() > deleted.size() && p.compare(p.size() - deleted.size(), deleted.size(), deleted) == 0)
        p.resize(p.size() - deleted.size());
    return p;
}

namespace {

// execv's argument vector: pointers into `storage`, null-terminated.
std::vector<char*> argVector(const std::string& program, const std::vector<std::string>& args,
                             std::vector<std::string>& storage) {
    storage.assign(1, program);
    storage.insert(storage.end(), args.begin(), args.end());
    std::vector<char*> v;
    for (auto& a : storage)
        v.push_back(a.data());
    v.push_back(nullptr);
    return v;
}

} // namespace

Result run(const std::string& program, const std::vector<std::string>& args, bool capture, bool mergeStderr) {
    std::vector<std::string> argv;
    std::vector<char*> cargv = argVector(program, args, argv);
    int fds[2] = {-1, -1};
    if (capture && ::pipe(fds) != 0)
        throw IoError(std::string("cannot create a pipe: ") + std::strerror(errno));
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = ::fork();
    if (pid < 0)
        throw IoError(std::string("cannot start a child process: ") + std::strerror(errno));
    if (pid == 0) {
        if (capture) {
            ::dup2(fds[1], 1);
            if (mergeStderr)
                ::dup2(fds[1], 2);
            ::close(fds[0]);
            ::close(fds[1]);
        }
        ::execv(program.c_str(), cargv.data());
        std::fprintf(stderr, "error: cannot run %s: %s\n", program.c_str(), std::strerror(errno));
        ::_exit(127);
    }
    Result r;
    if (capture) {
        ::close(fds[1]);
        char buf[4096];
        for (;;) {
            const ssize_t n = ::read(fds[0], buf, sizeof buf);
            if (n > 0)
                r.out.append(buf, size_t(n));
            else if (n == 0 || errno != EINTR)
                break;
        }
        ::close(fds[0]);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    r.exitCode = exitCodeOf(status);
    return r;
}

int exitCodeOf(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

pid_t spawn(const std::string& program, const std::vector<std::string>& args,
            const std::vector<std::pair<std::string, std::string>>& env, pid_t processGroup) {
    std::vector<std::string> argv;
    std::vector<char*> cargv = argVector(program, args, argv);
    std::vector<std::string> envs;
    for (char** e = environ; *e; ++e) {
        const std::string kv = *e;
        const std::string key = kv.substr(0, kv.find('='));
        bool replaced = false;
        for (const auto& [k, v] : env)
            replaced = replaced || k == key;
        if (!replaced)
            envs.push_back(kv);
    }
    for (const auto& [k, v] : env)
        envs.push_back(k + "=" + v);
    std::vector<char*> cenv;
    for (auto& e : envs)
        cenv.push_back(e.data());
    cenv.push_back(nullptr);
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = ::fork();
    if (pid < 0)
        throw IoError(std::string("cannot start a child process: ") + std::strerror(errno));
    if (pid == 0) {
        if (processGroup >= 0)
            ::setpgid(0, processGroup);
        ::execve(program.c_str(), cargv.data(), cenv.data());
        std::fprintf(stderr, "error: cannot run %s: %s\n", program.c_str(), std::strerror(errno));
        ::_exit(127);
    }
    if (processGroup >= 0)
        ::setpgid(pid, processGroup == 0 ? pid : processGroup); // also here: no race with the first kill()
    return pid;
}

std::string shellQuote(const std::string& a) {
    if (!a.empty() && a.find_first_of(" \t\"'\\$`;&|<>()*?[]{}") == std::string::npos)
        return a;
    std::string q = "'";
    for (char c : a)
        q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

std::string shellLine(const std::vector<std::string>& args, const std::string& program) {
    std::string cmd = program;
    for (const auto& a : args)
        cmd += " " + shellQuote(a);
    return cmd;
}

} // namespace mm::proc
