#pragma once
// Child processes for the CLI: this binary again (the demo's stages) or
// another program (the benchmark's anchor script). Torch-free.

#include <string>
#include <vector>

namespace mm::proc {

/// The running executable (/proc/self/exe); if it was rebuilt or reinstalled
/// meanwhile, the file now at that path.
std::string selfExe();

struct Result {
    int exitCode = 0;  ///< exit status, or 128 + signal
    std::string out;   ///< captured output (capture mode only)
};

/// Runs `program` with `args` (argv[1..]) and waits for it. With `capture`
/// its stdout (and, with `mergeStderr`, its stderr) is returned in `out`;
/// otherwise both pass through. SIGINT reaches the child through the
/// terminal's process group. Throws IoError when the process cannot start;
/// a program that cannot be executed exits 127 with a message on stderr.
Result run(const std::string& program, const std::vector<std::string>& args, bool capture, bool mergeStderr = false);

} // namespace mm::proc
