// train_tokenizer, pretrain, data: the commands that read training data
// (data/data_commands.h).

#include "commands.h"
#include "reporter.h"
#include "stage_cli.h"

#include "commands/data_commands.h"

#include <chrono>
#include <cstdio>

namespace mm::cli {

// Progress line for tokenizing a data file into the cache (terminal only,
// rank 0 only).
std::function<void(int64_t, int64_t)> cacheProgress(const Reporter& rep, const std::string& path) {
    if (rep.json() || rep.silent())
        return {};
    return [path, last = std::chrono::steady_clock::time_point()](int64_t done, int64_t total) mutable {
        auto now = std::chrono::steady_clock::now();
        if (now - last < std::chrono::milliseconds(500) && done < total)
            return;
        last = now;
        std::fprintf(stderr, "\rtokenizing %s: %5.1f%%", path.c_str(),
                     total > 0 ? 100.0 * double(done) / double(total) : 0.0);
        if (done >= total)
            std::fprintf(stderr, "\n");
        std::fflush(stderr);
    };
}

int cmdTrainTokenizer(const Args& args) {
    return data::runTrainTokenizerCommand(parseStageArgs("train_tokenizer", args), terminal());
}

int cmdPretrain(const Args& args) { return runTraining("pretrain", args); }

int cmdData(const Args& args) {
    const config::Values cfg = parseStageArgs("data", args);
    const Reporter rep(cfg.getBool("json"));
    return data::runDataCommand(cfg, terminal(), cacheProgress(rep, cfg.getString("data_path")));
}

} // namespace mm::cli
