#pragma once
// `micromind bench --anchor FILE`: minimind's own Python training step, timed
// right after micromind's on the same shapes and threads, so that every
// throughput ratio is a same-run ratio. Runs the anchor script of
// ../shared/anchors (minimind_cpu_bench.py) on minimind's model file; nothing
// of minimind is part of this project. Torch-free.

#include <cstdint>
#include <string>
#include <vector>

namespace mm::bench {

struct AnchorOptions {
    std::string python = "/usr/bin/python3";
    std::string script;    ///< minimind_cpu_bench.py (locateAnchorScript)
    std::string modelFile; ///< minimind's model/model_minimind.py
    int hidden = 512, layers = 8, seq = 512, batch = 8, steps = 3, threads = 2;
    bool moe = false;
};

struct AnchorResult {
    double tokensPerSec = 0;
    double stepSeconds = 0;
    int64_t parameters = 0;
    std::vector<std::string> command; ///< what was run (argv)
};

/// The anchor script: `explicitPath` if given (it must exist), else
/// shared/anchors/minimind_cpu_bench.py in the working directory, the
/// executable's directory or any folder above them. Throws InputError naming
/// where it looked.
std::string locateAnchorScript(const std::string& explicitPath);

/// Throws InputError for a missing model file or Python (before measuring).
void checkAnchor(const AnchorOptions& o);

/// Runs the script and parses its `step_s=` / `tokens_per_s=... params=...`
/// lines. Throws InputError for a missing model file or Python, Error (with
/// the end of the script's output) when it fails.
AnchorResult runAnchor(const AnchorOptions& o);

/// The two parts of a parsed output, for tests: "tokens_per_s=392.5 params=25829888".
bool parseAnchorOutput(const std::string& out, AnchorResult& r);

} // namespace mm::bench
