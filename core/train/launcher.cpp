#include "train/launcher.h"

#include "common/error.h"
#include "common/subprocess.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mm::train {

namespace {

std::atomic<pid_t> g_group{0};
std::atomic<int> g_signal{0};

void forward(int sig) {
    g_signal = sig;
    const pid_t g = g_group.load();
    if (g > 0)
        ::kill(-g, sig);
}

} // namespace

bool shouldLaunchLocalRanks(int nproc) {
    if (nproc <= 1)
        return false;
    for (const char* v : {"RANK", "WORLD_SIZE", "SLURM_PROCID"})
        if (std::getenv(v))
            return false;
    return true;
}

int freeLoopbackPort() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        throw IoError(std::string("cannot open a socket to find a free port: ") + std::strerror(errno));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd);
        throw IoError("cannot find a free port on 127.0.0.1: " + why);
    }
    ::close(fd);
    return ntohs(a.sin_port);
}

int runLocalRanks(int nproc, const std::string& exe, const std::vector<std::string>& commandAndArgs) {
    const std::string port = std::to_string(freeLoopbackPort());
    std::vector<pid_t> pids;
    pid_t group = 0;
    struct sigaction sa {
    }, oldInt{}, oldTerm{};
    sa.sa_handler = forward;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGINT, &sa, &oldInt);
    ::sigaction(SIGTERM, &sa, &oldTerm);
    for (int r = 0; r < nproc; ++r) {
        const std::string rank = std::to_string(r);
        const pid_t pid = proc::spawn(exe, commandAndArgs,
                                      {{"RANK", rank},
                                       {"LOCAL_RANK", rank},
                                       {"WORLD_SIZE", std::to_string(nproc)},
                                       {"LOCAL_WORLD_SIZE", std::to_string(nproc)},
                                       {"GROUP_RANK", "0"},
                                       {"MASTER_ADDR", "127.0.0.1"},
                                       {"MASTER_PORT", port}},
                                      group);
        if (group == 0) {
            group = pid;
            g_group = group;
        }
        pids.push_back(pid);
    }
    if (g_signal.load())
        ::kill(-group, g_signal.load()); // a signal that came while starting
    std::vector<int> codes(size_t(nproc), -1);
    int running = nproc;
    auto firstFailure = std::chrono::steady_clock::time_point::max();
    bool terminated = false;
    while (running > 0) {
        int status = 0;
        const pid_t pid = ::waitpid(-group, &status, WNOHANG);
        if (pid > 0) {
            for (int r = 0; r < nproc; ++r)
                if (pids[size_t(r)] == pid) {
                    codes[size_t(r)] = proc::exitCodeOf(status);
                    --running;
                    if (codes[size_t(r)] != 0 && firstFailure == std::chrono::steady_clock::time_point::max())
                        firstFailure = std::chrono::steady_clock::now();
                }
            continue;
        }
        if (pid < 0 && errno != EINTR)
            break;
        // A failed rank: the others notice within their collective timeout
        // and exit with a message; past 30 s they are ended.
        if (!terminated && std::chrono::steady_clock::now() - firstFailure > std::chrono::seconds(30)) {
            ::kill(-group, SIGTERM);
            terminated = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    g_group = 0;
    ::sigaction(SIGINT, &oldInt, nullptr);
    ::sigaction(SIGTERM, &oldTerm, nullptr);
    if (codes[0] != 0)
        return codes[0];
    for (int c : codes)
        if (c != 0)
            return c;
    return 0;
}

} // namespace mm::train
