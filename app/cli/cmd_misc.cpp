// bench and history.

#include "commands.h"
#include "reporter.h"
#include "stage_cli.h"

#include "commands/bench_run.h"
#include "common/error.h"
#include "common/fs.h"
#include "store/history.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

namespace mm::cli {

namespace stdfs = std::filesystem;

int cmdBench(const Args& args) { return bench::runBenchCommand(parseStageArgs("bench", args), args, terminal()); }

int cmdHistory(const Args& args) {
    std::string outDir = "out";
    bool json = false;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--out_dir" && i + 1 < args.size())
            outDir = args[++i];
        else if (args[i] == "--json")
            json = true;
        else if (args[i] == "--help" || args[i] == "-h") {
            std::printf("Usage: micromind history [--out_dir out] [--json]\n\nList the runs recorded in "
                        "<out_dir>/micromind.db.\n");
            return 0;
        } else
            throw InputError("micromind history: unknown argument \"" + args[i] + "\" (flags: --out_dir DIR, --json)");
    }
    const std::string db = (stdfs::path(outDir) / "micromind.db").string();
    if (!fs::isFile(db))
        throw InputError("no history at " + db + "; runs started with --out_dir " + outDir + " create it");
    store::History h(db);
    h.markStaleRunsInterrupted();
    auto runs = h.listRuns();
    if (json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& r : runs)
            arr.push_back({{"id", r.id},
                           {"stage", r.stage},
                           {"status", r.status},
                           {"steps", r.steps},
                           {"tokens", r.tokens},
                           {"final_loss", r.finalLoss ? nlohmann::json(*r.finalLoss) : nlohmann::json()},
                           {"started_at", r.startedAt},
                           {"ended_at", r.endedAt},
                           {"parent", r.parentCheckpoint},
                           {"checkpoint", r.outCheckpoint},
                           {"message", r.message}});
        std::cout << arr.dump(2) << std::endl;
        return 0;
    }
    std::printf("%4s  %-15s %-11s %8s %9s %9s  %-20s  %s\n", "id", "stage", "status", "steps", "tokens", "loss",
                "started (UTC)", "checkpoint");
    for (const auto& r : runs)
        std::printf("%4lld  %-15s %-11s %8lld %9s %9s  %-20s  %s\n", (long long)r.id, r.stage.c_str(), r.status.c_str(),
                    (long long)r.steps, formatCount(double(r.tokens)).c_str(),
                    r.finalLoss ? std::to_string(*r.finalLoss).substr(0, 7).c_str() : "-", r.startedAt.c_str(),
                    r.outCheckpoint.c_str());
    return 0;
}

} // namespace mm::cli
