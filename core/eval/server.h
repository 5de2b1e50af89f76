#pragma once
// `micromind serve`: an OpenAI-compatible HTTP API over a workspace's models
// (cpp-httplib). GET /v1/models, POST /v1/chat/completions (non-streaming and
// SSE streaming; the think part of reasoning models is sent as
// "reasoning_content"), GET /health (with in_flight and max_queue). Bound to
// 127.0.0.1 unless told otherwise; optional bearer API key; limits on body
// size and max_tokens; every error is a 4xx/5xx JSON body
// {"error": {"message", "type", "code"}}. Requests run on
// the server's thread pool; generation is serialised per model. At most
// max_queue chat completions are in flight (generating + waiting for their
// model); one more is answered at once with 429 and "Retry-After: 1". Reads
// and writes of a connection time out after ioTimeoutSeconds: a client that
// stops sending or reading loses its worker thread and its slot.

#include "eval/generator.h"
#include "eval/model_modes.h"
#include "text/tokenizer.h"

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace mm::eval {

/// A model the server offers.
struct ServedModel {
    std::string id; ///< "full_sft_512", "full_sft_512+lora_medical_512"
    ResolvedModel files;
    bool chat = true; ///< false: a pretrained model continues the last user message
};

/// Every checkpoint of every mode in `outDir` (all sizes, LoRA adapters over
/// the full_sft model of the same size), chat models first.
std::vector<ServedModel> discoverModels(const std::string& outDir);

struct ServerOptions {
    std::string host = "127.0.0.1";
    int port = 8998;      ///< 0 = any free port
    std::string apiKey;   ///< "" = no authentication
    int maxTokens = 1024; ///< largest max_tokens accepted
    size_t maxBodyBytes = 1 << 20;
    int maxQueue = 8;          ///< chat completions in flight at once (generating + waiting)
    int ioTimeoutSeconds = 10; ///< socket read/write timeout per operation
    SamplingOptions defaults;  ///< temperature, top_p, ... when a request gives none
    torch::Device device{torch::kCPU};
};

class ModelServer {
public:
    /// Loads nothing yet: models are loaded on their first request.
    ModelServer(text::Tokenizer tok, std::vector<ServedModel> models, ServerOptions opts);
    ~ModelServer();
    ModelServer(const ModelServer&) = delete;
    ModelServer& operator=(const ModelServer&) = delete;

    /// Binds the socket; returns the port (useful with port 0). Throws IoError
    /// when the address is taken or not available.
    int bind();
    /// Serves until stop() is called, `stopFlag` becomes true or `maxSeconds`
    /// (> 0) pass. Call after bind().
    void run(const std::atomic<bool>* stopFlag, double maxSeconds = 0);
    /// Asks run() to return (thread-safe).
    void stop();
    /// Requests answered so far (any status).
    int64_t requestCount() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m;
};

} // namespace mm::eval
