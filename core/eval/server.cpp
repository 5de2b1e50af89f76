#include "eval/server.h"

#include "common/error.h"
#include "eval/text_stream.h"
#include "text/chat_template.h"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <thread>

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
    std::mutex mu;  // guards lazy loading and serialises generation
    std::unique_ptr<Generator> gen;
};

/// A parsed, validated chat-completions request.
struct ChatRequest {
    const ServedModel* model = nullptr;
    std::vector<text::Message> messages;
    SamplingOptions sampling;
    bool stream = false;
    bool includeUsage = false;
};

/// Thrown while validating a request: becomes a JSON error response.
struct HttpError {
    int status;
    std::string message, type, code;
};

HttpError badRequest(const std::string& msg, const std::string& code = "invalid_request") {
    return {400, msg, "invalid_request_error", code};
}

json errorBody(const std::string& message, const std::string& type, const std::string& code) {
    return {{"error", {{"message", message}, {"type", type}, {"code", code}}}};
}

void sendError(httplib::Response& res, const HttpError& e) {
    res.status = e.status;
    res.set_content(errorBody(e.message, e.type, e.code).dump(), "application/json");
}

std::string contentText(const json& c, size_t index) {
    if (c.is_string())
        return c.get<std::string>();
    if (c.is_array()) {
        // OpenAI's content parts: [{"type": "text", "text": "..."}].
        std::string s;
        for (const auto& part : c) {
            if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") ||
                !part["text"].is_string())
                throw badRequest("messages[" + std::to_string(index) + "].content: only text parts are supported");
            s += part["text"].get<std::string>();
        }
        return s;
    }
    throw badRequest("messages[" + std::to_string(index) + "].content must be a string");
}

double numberField(const json& body, const char* key, double lo, double hi, double def) {
    if (!body.contains(key) || body[key].is_null())
        return def;
    if (!body[key].is_number())
        throw badRequest(std::string(key) + " must be a number");
    const double v = body[key].get<double>();
    if (v < lo || v > hi)
        throw badRequest(std::string(key) + " must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    return v;
}

int64_t now() { return int64_t(std::time(nullptr)); }

} // namespace

struct ModelServer::Impl {
    text::Tokenizer tok;
    std::vector<ServedModel> models;
    ServerOptions o;
    httplib::Server svr;
    std::map<std::string, std::unique_ptr<Loaded>> loaded;  // fixed at construction: read-only map
    std::atomic<bool> stopRequested{false};
    std::atomic<int64_t> requests{0};
    std::atomic<int64_t> ids{0};
    int port = -1;

    Impl(text::Tokenizer t, std::vector<ServedModel> m, ServerOptions opts)
        : tok(std::move(t)), models(std::move(m)), o(std::move(opts)) {
        for (const auto& sm : models)
            loaded.emplace(sm.id, std::make_unique<Loaded>());
    }

    Generator& generatorFor(const ServedModel& sm, Loaded& l) {
        // Caller holds l.mu.
        if (!l.gen) {
            model::MiniMind net = loadResolvedModel(sm.files, tok.vocabSize(), o.device);
            l.gen = std::make_unique<Generator>(net);
        }
        return *l.gen;
    }

    ChatRequest parse(const httplib::Request& req) {
        const json body = json::parse(req.body, nullptr, false);
        if (body.is_discarded() || !body.is_object())
            throw badRequest("the request body must be a JSON object", "invalid_json");
        ChatRequest r;
        std::string id;
        if (body.contains("model") && !body["model"].is_null()) {
            if (!body["model"].is_string())
                throw badRequest("model must be a string");
            id = body["model"].get<std::string>();
        }
        if (models.empty())
            throw HttpError{404, "this workspace has no models to serve", "invalid_request_error", "model_not_found"};
        if (id.empty() || id == "micromind")
            r.model = &models.front();
        for (const auto& m : models)
            if (m.id == id)
                r.model = &m;
        if (!r.model) {
            std::string have;
            for (const auto& m : models)
                have += (have.empty() ? "" : ", ") + m.id;
            throw HttpError{404, "model \"" + id + "\" not found; available: " + have, "invalid_request_error",
                            "model_not_found"};
        }
        if (!body.contains("messages") || !body["messages"].is_array() || body["messages"].empty())
            throw badRequest("messages must be a non-empty array of {role, content}");
        size_t i = 0;
        for (const auto& m : body["messages"]) {
            if (!m.is_object() || !m.contains("role") || !m["role"].is_string() || !m.contains("content"))
                throw badRequest("messages[" + std::to_string(i) + "] needs a string role and a content");
            std::string role = m["role"].get<std::string>();
            if (role == "developer")
                role = "system";
            if (role != "system" && role != "user" && role != "assistant")
                throw badRequest("messages[" + std::to_string(i) + "].role \"" + role +
                                 "\" is not supported (system, user, assistant)");
            r.messages.push_back({role, contentText(m["content"], i)});
            ++i;
        }
        if (r.messages.back().role != "user")
            throw badRequest("the last message must come from the user");
        if (body.contains("n") && !(body["n"].is_number_integer() && body["n"].get<int64_t>() == 1))
            throw badRequest("only n = 1 is supported");
        r.sampling = o.defaults;
        r.sampling.maxNewTokens = std::min(o.defaults.maxNewTokens, o.maxTokens);
        for (const char* key : {"max_tokens", "max_completion_tokens"}) {
            if (!body.contains(key) || body[key].is_null())
                continue;
            if (!body[key].is_number_integer() || body[key].get<int64_t>() < 1)
                throw badRequest(std::string(key) + " must be a positive integer");
            const int64_t v = body[key].get<int64_t>();
            if (v > o.maxTokens)
                throw badRequest(std::string(key) + " " + std::to_string(v) + " exceeds this server's limit of " +
                                 std::to_string(o.maxTokens) + " (micromind serve --max_tokens)");
            r.sampling.maxNewTokens = int(v);
        }
        r.sampling.temperature = numberField(body, "temperature", 0, 2, o.defaults.temperature);
        r.sampling.topP = numberField(body, "top_p", 0, 1, o.defaults.topP);
        r.sampling.topK = int(numberField(body, "top_k", 0, 1e6, o.defaults.topK));
        r.sampling.repetitionPenalty =
            numberField(body, "repetition_penalty", 0.01, 10, o.defaults.repetitionPenalty);
        r.sampling.greedy = r.sampling.temperature <= 0;
        if (body.contains("seed") && !body["seed"].is_null()) {
            if (!body["seed"].is_number_integer())
                throw badRequest("seed must be an integer");
            r.sampling.seed = body["seed"].get<uint64_t>();
        } else {
            r.sampling.seed = o.defaults.seed + uint64_t(ids.load());
        }
        if (body.contains("stream") && !body["stream"].is_null()) {
            if (!body["stream"].is_boolean())
                throw badRequest("stream must be true or false");
            r.stream = body["stream"].get<bool>();
        }
        if (body.contains("stream_options") && body["stream_options"].is_object())
            r.includeUsage = body["stream_options"].value("include_usage", false);
        return r;
    }

    std::vector<int> promptFor(const ChatRequest& r, int64_t maxPositions) {
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
        ChatRequest r = parse(req);
        const std::string id = "chatcmpl-" + std::to_string(++ids);
        Loaded& l = *loaded.at(r.model->id);
        if (!r.stream) {
            std::lock_guard<std::mutex> lock(l.mu);
            Generator& gen = generatorFor(*r.model, l);
            const std::vector<int> prompt = promptFor(r, gen.model()->config().maxPositions);
            GenerationResult g = gen.generate(prompt, r.sampling);
            const ReasoningParts parts = splitReasoning(tok.decode(g.tokens));
            json msg{{"role", "assistant"}, {"content", parts.answer}};
            if (parts.hasThink)
                msg["reasoning_content"] = parts.reasoning;
            const json out{
                {"id", id},
                {"object", "chat.completion"},
                {"created", now()},
                {"model", r.model->id},
                {"choices", json::array({{{"index", 0}, {"message", msg}, {"finish_reason", g.hitStop ? "stop" : "length"}}})},
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
        res.set_chunked_content_provider(
            "text/event-stream", [this, r, prompt, id, &l](size_t, httplib::DataSink& sink) {
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
                std::lock_guard<std::mutex> lock(l.mu);
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
                    if (tid >= 0 && (tid == thinkOpen || tid == thinkClose)) {
                        emit(dec.flush());
                        inThink = tid == thinkOpen;
                        return open;
                    }
                    if (tid >= 0 && (tid == answerOpen || tid == answerClose))
                        return emit(dec.flush());
                    return emit(dec.push(tid));
                });
                emit(dec.flush());
                if (!open)
                    return false;  // the client went away: generation was cancelled
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
            });
    }

    void routes() {
        svr.set_payload_max_length(o.maxBodyBytes);
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
        svr.Get("/health", [](const httplib::Request&, httplib::Response& res) {
            res.set_content(R"({"status":"ok"})", "application/json");
        });
        svr.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
            json data = json::array();
            for (const auto& m : models)
                data.push_back({{"id", m.id}, {"object", "model"}, {"created", 0}, {"owned_by", "micromind"},
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
        svr.set_error_handler(httplib::Server::HandlerWithResponse([this](const httplib::Request& req, httplib::Response& res) {
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
    m->svr.stop();
    listener.join();
}

void ModelServer::stop() {
    m->stopRequested = true;
}

int64_t ModelServer::requestCount() const { return m->requests.load(); }

} // namespace mm::eval
