#include "eval/server.h"

#include "common/error.h"
#include "eval/chat_request.h"
#include "eval/text_stream.h"
#include "text/chat_template.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

#include <sys/socket.h>

namespace mm::eval {

namespace stdfs = std::filesystem;
using nlohmann::json;

std::vector<ServedModel> discoverModels(const std::string& outDir) {
    std::vector<ServedModel> out;
    // Chat models first, so a request without "model" gets a chat model.
    for (int mode : {1, 2, 5, 3, 0}) {
        const ModeInfo& info = modeInfo(mode);
        for (const auto& suffix : checkpointSuffixes(outDir, info.weightsPrefix)) {
            ResolvedModel r = resolveModel(outDir, mode, suffix, "");
            out.push_back({r.label(), r, info.chat});
        }
    }
    // Adapters: lora/<name>_<suffix>.pth over full_sft_<suffix>.pth.
    std::error_code ec;
    const stdfs::path loraDir = stdfs::path(outDir) / "lora";
    for (const auto& suffix : checkpointSuffixes(outDir, "full_sft"))
        for (const auto& e : stdfs::directory_iterator(loraDir, ec)) {
            const std::string name = e.path().filename().string();
            const std::string tail = "_" + suffix + ".pth";
            if (name.size() > tail.size() && name.compare(name.size() - tail.size(), tail.size(), tail) == 0) {
                ResolvedModel r = resolveModel(outDir, 4, suffix, name.substr(0, name.size() - tail.size()));
                out.push_back({r.label(), r, true});
            }
        }
    return out;
}

namespace {

struct Loaded {
    std::mutex mu; // guards lazy loading and serialises generation
    std::unique_ptr<Generator> gen;
};

HttpError badRequest(const std::string& msg, const std::string& code = "invalid_request") {
    return {400, msg, "invalid_request_error", code};
}

json errorBody(const std::string& message, const std::string& type, const std::string& code) {
    return {{"error", {{"message", message}, {"type", type}, {"code", code}}}};
}

void sendError(httplib::Response& res, const HttpError& e) {
    res.status = e.status;
    if (e.status == 429)
        res.set_header("Retry-After", "1");
    res.set_content(errorBody(e.what(), e.type, e.code).dump(), "application/json");
}

/// At most `limit` chat completions in flight. A request holds its slot in a
/// shared_ptr: in the handler's scope, and for a stream in the content
/// provider, which httplib destroys with the response whether it ran to the
/// end, stopped because the client went away, threw, or never ran at all.
class Admission {
public:
    explicit Admission(int limit) : m_limit(limit) {}
    /// A slot, or nullptr when all are taken.
    std::shared_ptr<void> tryAcquire() {
        int n = m_inFlight.load();
        do {
            if (n >= m_limit)
                return nullptr;
        } while (!m_inFlight.compare_exchange_weak(n, n + 1));
        // (Not null: an empty-looking shared_ptr would read as "no slot".)
        return std::shared_ptr<void>(this, [](void* a) { --static_cast<Admission*>(a)->m_inFlight; });
    }
    int inFlight() const { return m_inFlight.load(); }
    int limit() const { return m_limit; }

private:
    const int m_limit;
    std::atomic<int> m_inFlight{0};
};

int64_t now() { return int64_t(std::time(nullptr)); }

/// httplib::Server with a longer accept queue. httplib 0.11 (Debian's compiled
/// library) listens with a backlog of 5: a burst of more connections overflows
/// it, and clients see second-long SYN retries and resets instead of a prompt
/// answer (a 429 when busy).
class HttpServer : public httplib::Server {
public:
    /// listen() again on the bound socket, which updates its backlog (Linux, BSD).
    void widenBacklog() { ::listen(svr_sock_, SOMAXCONN); }
};

} // namespace

struct ModelServer::Impl {
    text::Tokenizer tok;
    std::vector<ServedModel> models;
    ServerOptions o;
    HttpServer svr;
    std::map<std::string, std::unique_ptr<Loaded>> loaded; // fixed at construction: read-only map
    std::atomic<bool> stopRequested{false};
    std::atomic<bool> stopping{false}; // run() is returning: generations in progress are cancelled
    std::atomic<int64_t> requests{0};
    std::atomic<int64_t> ids{0};
    std::vector<ChatModelRef> modelRefs;
    ChatRequestLimits limits;
    Admission admission;
    int port = -1;

    Impl(text::Tokenizer t, std::vector<ServedModel> m, ServerOptions opts)
        : tok(std::move(t)), models(std::move(m)), o(std::move(opts)), admission(std::max(1, o.maxQueue)) {
        for (const auto& sm : models) {
            loaded.emplace(sm.id, std::make_unique<Loaded>());
            modelRefs.push_back({sm.id, sm.chat});
        }
        const SamplingOptions& d = o.defaults;
        limits.maxTokens = o.maxTokens;
        limits.defaults = {d.maxNewTokens, d.temperature, d.topP, d.topK, d.repetitionPenalty, d.greedy, d.seed};
    }

    /// The validated request: the model and the full sampling options.
    struct Parsed {
        const ServedModel* model = nullptr;
        std::vector<text::Message> messages;
        SamplingOptions sampling;
        bool stream = false;
        bool includeUsage = false;
    };

    Generator& generatorFor(const ServedModel& sm, Loaded& l) {
        // Caller holds l.mu.
        if (!l.gen) {
            model::MiniMind net = loadResolvedModel(sm.files, tok.vocabSize(), o.device);
            l.gen = std::make_unique<Generator>(net);
        }
        return *l.gen;
    }

    Parsed parse(const httplib::Request& req) {
        ChatRequest c = parseChatRequest(req.body, modelRefs, limits);
        Parsed r;
        r.model = &models.at(c.model);
        r.messages = std::move(c.messages);
        r.sampling = o.defaults; // decode dtype and stop ids stay the server's
        r.sampling.maxNewTokens = c.sampling.maxNewTokens;
        r.sampling.temperature = c.sampling.temperature;
        r.sampling.topP = c.sampling.topP;
        r.sampling.topK = c.sampling.topK;
        r.sampling.repetitionPenalty = c.sampling.repetitionPenalty;
        r.sampling.greedy = c.sampling.greedy;
        r.sampling.seed = c.seedGiven ? c.sampling.seed : o.defaults.seed + uint64_t(ids.load());
        r.stream = c.stream;
        r.includeUsage = c.includeUsage;
        return r;
    }

    std::vector<int> promptFor(const Parsed& r, int64_t maxPositions) {
        std::vector<int> ids;
        if (r.model->chat)
            ids = tok.encode(tok.renderChat(r.messages, true));
        else
            ids = promptIds(tok, r.messages.back().content, true);
        if (int64_t(ids.size()) >= maxPositions)
            throw badRequest("the prompt is " + std::to_string(ids.size()) + " tokens; the model has " +
                                 std::to_string(maxPositions) + " positions",
                             "context_length_exceeded");
        return ids;
    }

    void chatCompletions(const httplib::Request& req, httplib::Response& res) {
        Parsed r = parse(req);
        // Admitted after validation: a bad request gets its 4xx whatever the load.
        std::shared_ptr<void> slot = admission.tryAcquire();
        if (!slot)
            throw HttpError{429,
                            "server busy: " + std::to_string(admission.limit()) +
                                " chat completions are in flight (generating or waiting), the most this server takes "
                                "(micromind serve --max_queue " +
                                std::to_string(admission.limit()) + "); retry after a second",
                            "requests", "rate_limit_exceeded"};
        const std::string id = "chatcmpl-" + std::to_string(++ids);
        Loaded& l = *loaded.at(r.model->id);
        if (!r.stream) {
            std::lock_guard<std::mutex> lock(l.mu);
            Generator& gen = generatorFor(*r.model, l);
            const std::vector<int> prompt = promptFor(r, gen.model()->config().maxPositions);
            GenerationResult g = gen.generate(prompt, r.sampling, [this](int) { return !stopping.load(); });
            if (g.cancelled)
                throw HttpError{503, "the server is shutting down", "server_error", "server_shutting_down"};
            const ReasoningParts parts = splitReasoning(tok.decode(g.tokens));
            json msg{{"role", "assistant"}, {"content", parts.answer}};
            if (parts.hasThink)
                msg["reasoning_content"] = parts.reasoning;
            const json out{
                {"id", id},
                {"object", "chat.completion"},
                {"created", now()},
                {"model", r.model->id},
                {"choices",
                 json::array({{{"index", 0}, {"message", msg}, {"finish_reason", g.hitStop ? "stop" : "length"}}})},
                {"usage",
                 {{"prompt_tokens", prompt.size()},
                  {"completion_tokens", g.tokens.size()},
                  {"total_tokens", prompt.size() + g.tokens.size()}}}};
            res.set_content(out.dump(), "application/json");
            return;
        }
        // Streaming: load and check the prompt now, so problems still get a
        // proper status code; generate inside the content provider.
        std::vector<int> prompt;
        {
            std::lock_guard<std::mutex> lock(l.mu);
            prompt = promptFor(r, generatorFor(*r.model, l).model()->config().maxPositions);
        }
        res.set_header("Cache-Control", "no-cache");
        // The provider owns the slot: given back when generation ends, or else
        // when httplib destroys the response, however the stream ended (the
        // client went away, an exception) or if it never started.
        res.set_chunked_content_provider(
            "text/event-stream", [this, r, prompt, id, &l, slot](size_t, httplib::DataSink& sink) mutable {
                try {
                    return streamCompletion(r, prompt, id, l, slot, sink);
                } catch (const std::exception& e) {
                    // The status line is out: the error goes as an event, then
                    // the stream stops (an exception must not reach httplib's worker).
                    const auto* he = dynamic_cast<const HttpError*>(&e);
                    const json err = he ? errorBody(he->what(), he->type, he->code)
                                        : errorBody(e.what(), "server_error", "internal_error");
                    const std::string s = "data: " + err.dump(-1, ' ', false, json::error_handler_t::replace) + "\n\n";
                    sink.write(s.data(), s.size());
                    return false;
                }
            });
    }

    /// Streams one completion as server-sent events; false when the client
    /// went away (generation is cancelled at the next token). Lets go of the
    /// model and of `slot` before the closing events, so that a client that
    /// has read [DONE] finds its slot free.
    bool streamCompletion(const Parsed& r, const std::vector<int>& prompt, const std::string& id, Loaded& l,
                          std::shared_ptr<void>& slot, httplib::DataSink& sink) {
        const int64_t created = now();
        auto chunk = [&](const json& delta, const json& finish) {
            const json c{{"id", id},
                         {"object", "chat.completion.chunk"},
                         {"created", created},
                         {"model", r.model->id},
                         {"choices", json::array({{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}})}};
            const std::string s = "data: " + c.dump() + "\n\n";
            return sink.write(s.data(), s.size());
        };
        if (!chunk({{"role", "assistant"}, {"content", ""}}, nullptr))
            return false;
        std::unique_lock<std::mutex> lock(l.mu);
        StreamDecoder dec(tok);
        bool inThink = false, open = true;
        auto emit = [&](const std::string& text) {
            if (text.empty() || !open)
                return open;
            open = chunk({{inThink ? "reasoning_content" : "content", text}}, nullptr);
            return open;
        };
        // Tags that are single tokens split reasoning from content; a
        // tokenizer without them (minimind's) streams them as text (-1).
        const int thinkOpen = tok.specialId(text::special::kThinkOpen);
        const int thinkClose = tok.specialId(text::special::kThinkClose);
        const int answerOpen = tok.specialId(text::special::kAnswerOpen);
        const int answerClose = tok.specialId(text::special::kAnswerClose);
        GenerationResult g = l.gen->generate(prompt, r.sampling, [&](int tid) {
            if (stopping)
                return false;
            if (tid >= 0 && (tid == thinkOpen || tid == thinkClose)) {
                emit(dec.flush());
                inThink = tid == thinkOpen;
                return open;
            }
            if (tid >= 0 && (tid == answerOpen || tid == answerClose))
                return emit(dec.flush());
            return emit(dec.push(tid));
        });
        lock.unlock();
        slot.reset();
        emit(dec.flush());
        if (!open)
            return false; // the client went away: generation was cancelled
        if (g.cancelled)
            throw HttpError{503, "the server is shutting down", "server_error", "server_shutting_down"};
        chunk(json::object(), g.hitStop ? "stop" : "length");
        if (r.includeUsage) {
            const json u{{"id", id},
                         {"object", "chat.completion.chunk"},
                         {"created", created},
                         {"model", r.model->id},
                         {"choices", json::array()},
                         {"usage",
                          {{"prompt_tokens", prompt.size()},
                           {"completion_tokens", g.tokens.size()},
                           {"total_tokens", prompt.size() + g.tokens.size()}}}};
            const std::string s = "data: " + u.dump() + "\n\n";
            sink.write(s.data(), s.size());
        }
        const std::string done = "data: [DONE]\n\n";
        sink.write(done.data(), done.size());
        sink.done();
        return true;
    }

    void routes() {
        svr.set_payload_max_length(o.maxBodyBytes);
        // Every admitted completion holds a worker thread (those waiting for
        // their model block on its mutex), so the pool has max_queue threads
        // and as many again, at least 16, to answer the rest: a 429, /health,
        // clients still sending their request. Too few, and a request past the
        // limit would wait unseen in httplib's unbounded task queue instead.
        const size_t threads = size_t(admission.limit()) + size_t(std::max(16, admission.limit()));
        svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
        svr.set_read_timeout(o.ioTimeoutSeconds, 0);
        svr.set_write_timeout(o.ioTimeoutSeconds, 0);
        // httplib's default adds SO_REUSEPORT: a second server on the same
        // port would then bind too and share the connections with the first,
        // instead of failing with "address in use".
        svr.set_socket_options([](socket_t sock) {
            int yes = 1;
            ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        });
        svr.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
            ++requests;
            if (o.apiKey.empty() || req.path.rfind("/v1/", 0) != 0)
                return httplib::Server::HandlerResponse::Unhandled;
            if (req.get_header_value("Authorization") != "Bearer " + o.apiKey) {
                sendError(res, {401, "missing or wrong API key: send \"Authorization: Bearer <key>\"",
                                "invalid_request_error", "invalid_api_key"});
                return httplib::Server::HandlerResponse::Handled;
            }
            return httplib::Server::HandlerResponse::Unhandled;
        });
        svr.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
            const json h{{"status", "ok"}, {"in_flight", admission.inFlight()}, {"max_queue", admission.limit()}};
            res.set_content(h.dump(), "application/json");
        });
        svr.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
            json data = json::array();
            for (const auto& m : models)
                data.push_back({{"id", m.id},
                                {"object", "model"},
                                {"created", 0},
                                {"owned_by", "micromind"},
                                {"model_mode", m.files.mode}});
            res.set_content(json{{"object", "list"}, {"data", data}}.dump(), "application/json");
        });
        svr.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
            try {
                chatCompletions(req, res);
            } catch (const HttpError& e) {
                sendError(res, e);
            } catch (const InputError& e) {
                sendError(res, {500, std::string("the model could not be loaded: ") + e.what(), "server_error",
                                "model_load_failed"});
            } catch (const std::exception& e) {
                sendError(res, {500, e.what(), "server_error", "internal_error"});
            }
        });
        svr.set_error_handler(
            httplib::Server::HandlerWithResponse([this](const httplib::Request& req, httplib::Response& res) {
                if (!res.body.empty())
                    return httplib::Server::HandlerResponse::Unhandled;
                std::string msg = "HTTP " + std::to_string(res.status);
                if (res.status == 404)
                    msg = "no endpoint " + req.method + " " + req.path +
                          "; this server offers GET /v1/models and POST /v1/chat/completions";
                else if (res.status == 413)
                    msg = "request body larger than " + std::to_string(o.maxBodyBytes) + " bytes";
                else if (res.status == 405)
                    msg = "method " + req.method + " not allowed on " + req.path;
                else if (res.status == 400) // httplib could not read a whole request
                    msg = "malformed or incomplete HTTP request (a read gives up after " +
                          std::to_string(o.ioTimeoutSeconds) + " s without data)";
                sendError(res, {res.status, msg, "invalid_request_error", std::to_string(res.status)});
                return httplib::Server::HandlerResponse::Handled;
            }));
    }
};

ModelServer::ModelServer(text::Tokenizer tok, std::vector<ServedModel> models, ServerOptions opts)
    : m(std::make_unique<Impl>(std::move(tok), std::move(models), std::move(opts))) {
    m->routes();
}

ModelServer::~ModelServer() { stop(); }

int ModelServer::bind() {
    const int p = m->o.port == 0 ? m->svr.bind_to_any_port(m->o.host)
                                 : (m->svr.bind_to_port(m->o.host, m->o.port) ? m->o.port : -1);
    if (p < 0)
        throw IoError("cannot listen on " + m->o.host + ":" + std::to_string(m->o.port) +
                      " (address in use or not available); choose another --port, or --port 0 for any free one");
    m->svr.widenBacklog();
    m->port = p;
    return p;
}

void ModelServer::run(const std::atomic<bool>* stopFlag, double maxSeconds) {
    std::thread listener([this] { m->svr.listen_after_bind(); });
    const auto start = std::chrono::steady_clock::now();
    while (!m->stopRequested && !(stopFlag && *stopFlag)) {
        if (maxSeconds > 0 &&
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >= maxSeconds)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    m->stopping = true;
    m->svr.stop();
    listener.join();
}

void ModelServer::stop() { m->stopRequested = true; }

int64_t ModelServer::requestCount() const { return m->requests.load(); }

} // namespace mm::eval
