#include "bench/anchor.h"

#include "common/error.h"
#include "common/fs.h"
#include "common/subprocess.h"

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include <unistd.h>

namespace mm::bench {

namespace stdfs = std::filesystem;

namespace {
constexpr const char* kScript = "shared/anchors/minimind_cpu_bench.py";

void addAncestors(stdfs::path p, std::vector<stdfs::path>& out) {
    for (; !p.empty(); p = p.parent_path()) {
        out.push_back(p);
        if (p == p.root_path())
            break;
    }
}
} // namespace

std::string locateAnchorScript(const std::string& explicitPath) {
    if (!explicitPath.empty()) {
        if (!fs::isFile(explicitPath))
            throw InputError("--anchor_script " + explicitPath + ": no such file (it is " + kScript +
                             " beside the project)");
        return explicitPath;
    }
    std::vector<stdfs::path> roots;
    std::error_code ec;
    addAncestors(stdfs::current_path(ec), roots);
    try {
        addAncestors(stdfs::path(proc::selfExe()).parent_path(), roots);
    } catch (const Error&) {
    }
    for (const auto& r : roots) {
        const stdfs::path c = r / kScript;
        if (fs::isFile(c.string()))
            return c.lexically_normal().string();
    }
    throw InputError(std::string("--anchor: cannot find ") + kScript +
                     " in the working directory, beside the executable or in any folder above them; name it "
                     "with --anchor_script PATH");
}

bool parseAnchorOutput(const std::string& out, AnchorResult& r) {
    std::istringstream in(out);
    std::string line;
    bool found = false;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string w;
        while (words >> w) {
            const auto eq = w.find('=');
            if (eq == std::string::npos)
                continue;
            const std::string key = w.substr(0, eq), val = w.substr(eq + 1);
            char* end = nullptr;
            const double v = std::strtod(val.c_str(), &end);
            if (end == val.c_str() || *end != '\0')
                continue;
            if (key == "tokens_per_s" && v > 0) {
                r.tokensPerSec = v;
                found = true;
            } else if (key == "step_s") {
                r.stepSeconds = v;
            } else if (key == "params") {
                r.parameters = int64_t(v);
            }
        }
    }
    return found;
}

void checkAnchor(const AnchorOptions& o) {
    if (!fs::isFile(o.modelFile))
        throw InputError("--anchor " + o.modelFile +
                         ": no such file; it is minimind's model file, e.g. `git -C <minimind mirror> show "
                         "561979c:model/model_minimind.py > /tmp/mm_model.py`");
    if (::access(o.python.c_str(), X_OK) != 0)
        throw InputError("--python " + o.python +
                         ": not an executable (the anchor needs a Python with torch, e.g. "
                         "Debian's python3-torch for /usr/bin/python3)");
}

AnchorResult runAnchor(const AnchorOptions& o) {
    checkAnchor(o);
    AnchorResult r;
    r.command = {o.script,    o.modelFile,
                 "--hidden",  std::to_string(o.hidden),
                 "--layers",  std::to_string(o.layers),
                 "--seq",     std::to_string(o.seq),
                 "--batch",   std::to_string(o.batch),
                 "--steps",   std::to_string(o.steps),
                 "--threads", std::to_string(o.threads),
                 "--moe",     o.moe ? "1" : "0"};
    proc::Result pr = proc::run(o.python, r.command, true, true);
    r.command.insert(r.command.begin(), o.python);
    if (pr.exitCode != 0 || !parseAnchorOutput(pr.out, r)) {
        std::string tail = pr.out.size() > 1500 ? "..." + pr.out.substr(pr.out.size() - 1500) : pr.out;
        throw Error("the anchor script " + o.script + " " +
                    (pr.exitCode != 0 ? "failed (exit " + std::to_string(pr.exitCode) + ")"
                                      : std::string("printed no tokens_per_s= line")) +
                    ":\n" + tail);
    }
    return r;
}

} // namespace mm::bench
