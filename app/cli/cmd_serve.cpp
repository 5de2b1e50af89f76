// serve: the OpenAI-compatible HTTP API over the workspace's models.

#include "commands.h"
#include "eval_setup.h"

#include "eval/server.h"

#include <cstdio>

namespace mm::cli {

int cmdServe(const Args& args) {
    const config::Values cfg = parseCommand("serve", args);
    const eval::ServerOptions o = eval::serverOptionsFromFlags(cfg);
    text::Tokenizer tok = eval::loadWorkspaceTokenizer(cfg);
    const std::vector<eval::ServedModel> models = eval::servedModelsFromFlags(cfg);
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
