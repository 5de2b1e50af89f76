#pragma once
// How a command run in the core talks to a person: text for stdout and stderr,
// lines from stdin and the stop flag. A front end (the CLI) fills it once; the
// core decides what the text says, the front end where it goes.

#include <atomic>
#include <functional>
#include <string>

namespace mm {

struct Console {
    std::function<void(const std::string&)> out; ///< stdout text, written as given
    std::function<void(const std::string&)> err; ///< stderr text, written as given
    std::function<bool(std::string&)> readLine;  ///< the next stdin line; false at its end
    bool inputIsTerminal = false;                ///< stdin is a terminal (prompts are shown)
    const std::atomic<bool>* stop = nullptr;     ///< set when the user asked to stop

    bool stopped() const { return stop && stop->load(); }
    void print(const std::string& s) const {
        if (out)
            out(s);
    }
    void printErr(const std::string& s) const {
        if (err)
            err(s);
    }
    /// A progress line: stderr with --json (stdout keeps the JSON lines), else stdout.
    void say(const std::string& line, bool json) const { json ? printErr(line + "\n") : print(line + "\n"); }
};

} // namespace mm
