#include "common/subprocess.h"

#include "common/error.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <sys/wait.h>
#include <unistd.h>

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

Result run(const std::string& program, const std::vector<std::string>& args, bool capture, bool mergeStderr) {
    std::vector<std::string> argv{program};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> cargv;
    for (auto& a : argv)
        cargv.push_back(a.data());
    cargv.push_back(nullptr);
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
    r.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r;
}

} // namespace mm::proc
