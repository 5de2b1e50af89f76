#pragma once
// Runs the real `micromind` binary as a child process for the end-to-end tests.

#include "common/fs.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include <sys/wait.h>

namespace mm::test {

struct CliResult {
    int code = -1;
    std::string out, err;
};

/// Single-quotes a string for /bin/sh.
inline std::string shellQuote(const std::string& s) {
    std::string q = "'";
    for (char c : s)
        q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

/// Runs micromind with `args`; stdout and stderr are captured separately through
/// files in `dir`; stdin is `stdinFile` (default /dev/null).
inline CliResult runCli(const std::vector<std::string>& args, const std::string& dir,
                        const std::string& stdinFile = "") {
    std::string cmd = shellQuote(MM_CLI_PATH);
    for (const auto& a : args)
        cmd += " " + shellQuote(a);
    cmd += " < " + shellQuote(stdinFile.empty() ? "/dev/null" : stdinFile);
    cmd += " > " + shellQuote(dir + "/stdout.txt") + " 2> " + shellQuote(dir + "/stderr.txt");
    CliResult r;
    const int st = std::system(cmd.c_str());
    r.code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    r.out = fs::readFile(dir + "/stdout.txt");
    r.err = fs::readFile(dir + "/stderr.txt");
    return r;
}

/// The JSON objects among the lines of `out` (lines starting with '{').
inline std::vector<nlohmann::json> jsonLines(const std::string& out) {
    std::vector<nlohmann::json> v;
    std::istringstream in(out);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty() && line[0] == '{')
            v.push_back(nlohmann::json::parse(line));
    return v;
}

} // namespace mm::test
