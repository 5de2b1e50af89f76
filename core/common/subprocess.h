#pragma once
// Child processes for the CLI: this binary again (the demo's stages) or
// another program (the benchmark's anchor script). Torch-free.

#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

namespace mm::proc {

/// The running executable (/proc/self/exe); if it was rebuilt or reinstalled
/// meanwhile, the file now at that path.
std::string selfExe();

struct Result {
    int exitCode = 0; ///< exit status, or 128 + signal
    std::string out;  ///< captured output (capture mode only)
};

/// Runs `program` with `args` (argv[1..]) and waits for it. With `capture`
/// its stdout (and, with `mergeStderr`, its stderr) is returned in `out`;
/// otherwise both pass through. SIGINT reaches the child through the
/// terminal's process group. Throws IoError when the process cannot start;
/// a program that cannot be executed exits 127 with a message on stderr.
Result run(const std::string& program, const std::vector<std::string>& args, bool capture, bool mergeStderr = false);

/// Starts `program` with `args` and the inherited environment plus `env`
/// (replacing variables of the same name), without waiting. With
/// `processGroup` > 0 the child joins that process group; with 0 it starts a
/// new one (its pid); with -1 it stays in the caller's. Throws IoError.
pid_t spawn(const std::string& program, const std::vector<std::string>& args,
            const std::vector<std::pair<std::string, std::string>>& env, pid_t processGroup = -1);

/// Exit status of a waitpid() status word: the code, or 128 + signal.
int exitCodeOf(int status);

/// `a`, quoted for a POSIX shell when it needs quoting.
std::string shellQuote(const std::string& a);
/// "micromind a b 'c d'": the command line of `args` as a user would type it.
std::string shellLine(const std::vector<std::string>& args, const std::string& program = "micromind");

} // namespace mm::proc
