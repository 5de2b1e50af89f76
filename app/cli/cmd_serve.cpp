// serve: the OpenAI-compatible HTTP API over the workspace's models.

#include "commands.h"
#include "eval_setup.h"

#include "common/error.h"
#include "eval/server.h"
#include "train/run_setup.h"

#include <cstdio>
#include <algorithm>
#include <cstdlib>

namespace mm::cli {

int cmdServe(const Args& args) {
    const config::Values cfg = parseCommand("serve", args);
    train::applyThreads(cfg.getInt("threads"));
    eval::ServerOptions o;
    o.device = train::resolveDevice(cfg.getString("device"));
    o.host = cfg.getString("host");
    o.port = int(cfg.getInt("port"));
    o.maxTokens = int(cfg.getInt("max_tokens"));
    o.maxBodyBytes = size_t(cfg.getInt("max_body_bytes"));
    o.maxQueue = int(cfg.getInt("max_queue"));
    o.defaults.topK = 0;
    o.defaults.maxNewTokens = std::min(512, o.maxTokens);
    o.defaults.decodeDtype = inferDtypeFromFlags(cfg);
    const std::string keyEnv = cfg.getString("api_key_env");
    if (!keyEnv.empty()) {
        const char* k = std::getenv(keyEnv.c_str());
        if (!k || !*k)
            throw InputError("--api_key_env " + keyEnv +
                             ": the variable is unset or empty; export it or drop the flag");
        o.apiKey = k;
    }
    text::Tokenizer tok = loadWorkspaceTokenizer(cfg);
    const std::string outDir = cfg.getString("out_dir");
    std::vector<eval::ServedModel> models = eval::discoverModels(outDir);
    const std::string suffix = suffixFromFlags(cfg);
    if (!suffix.empty())
        models.erase(std::remove_if(models.begin(), models.end(),
                                    [&](const eval::ServedModel& m) { return m.files.suffix != suffix; }),
                     models.end());
    if (models.empty())
        throw InputError("no checkpoints to serve in " + outDir + (suffix.empty() ? "" : " with suffix " + suffix) +
                         " (pretrain_*.pth, full_sft_*.pth, ...); train one or point --out_dir at a workspace");
    eval::ModelServer server(std::move(tok), models, o);
    const int port = server.bind();
    std::string ids;
    for (const auto& m : models)
        ids += (ids.empty() ? "" : ", ") + m.id;
    std::printf("serving %zu model(s) at http://%s:%d/v1 (%s)%s\nmodels: %s\nCtrl-C stops.\n", models.size(),
                o.host.c_str(), port, o.device.str().c_str(), o.apiKey.empty() ? "" : ", API key required",
                ids.c_str());
    std::fflush(stdout);
    server.run(&g_stopRequested, cfg.getFloat("max_seconds"));
    std::printf("stopped after %lld request(s)\n", (long long)server.requestCount());
    return 0;
}

} // namespace mm::cli
