// `micromind serve` under load, end to end: the real binary on loopback with a
// tiny model, many clients at once. Bursts beyond --max_queue get 200 or 429
// (with the JSON error and Retry-After), nothing else and nothing hangs;
// clients that vanish mid-stream give their slots back; oversize bodies, bad
// JSON and clients that stall halfway through a request are answered or cut
// off without holding up anyone else; the server exits 0 on SIGTERM.

#include "common/fs.h"
#include "core/fixtures.h"
#include "e2e/cli_runner.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <future>
#include <memory>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace mm;
using nlohmann::json;
namespace stdfs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// `micromind serve` as a child process on a free loopback port with extra
/// flags; stops itself after `maxSeconds`. terminate() sends SIGTERM and
/// returns the wait status; the destructor kills it (by pid) if still running.
class ServeProcess {
public:
    ServeProcess(const std::string& outDir, const std::string& logPath, int maxSeconds,
                 const std::vector<std::string>& extra)
        : m_log(logPath) {
        std::vector<std::string> args{MM_CLI_PATH, "serve", "--out_dir",     outDir,
                                      "--port",    "0",     "--max_seconds", std::to_string(maxSeconds),
                                      "--threads", "1"};
        args.insert(args.end(), extra.begin(), extra.end());
        m_pid = ::fork();
        if (m_pid == 0) {
            const int fd = ::open(logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            std::vector<char*> argv;
            for (auto& a : args)
                argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(MM_CLI_PATH, argv.data());
            ::_exit(127);
        }
        const std::regex re(R"(http://127\.0\.0\.1:([0-9]+)/v1)");
        for (int i = 0; i < 600 && m_port == 0 && alive(); ++i) {
            std::smatch m;
            const std::string log = fs::isFile(logPath) ? fs::readFile(logPath) : "";
            if (std::regex_search(log, m, re))
                m_port = std::stoi(m[1].str());
            else
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }
    ~ServeProcess() {
        if (m_pid <= 0)
            return;
        ::kill(m_pid, SIGKILL);
        int st = 0;
        ::waitpid(m_pid, &st, 0);
    }
    int port() const { return m_port; }
    std::string log() const { return fs::isFile(m_log) ? fs::readFile(m_log) : ""; }
    bool alive() {
        int st = 0;
        if (m_pid <= 0)
            return false;
        if (::waitpid(m_pid, &st, WNOHANG) == m_pid) {
            m_status = st;
            m_pid = -1;
            return false;
        }
        return true;
    }
    /// SIGTERM, then up to `seconds` for the exit; the wait status, or -1.
    int terminate(double seconds) {
        if (!alive())
            return m_status;
        ::kill(m_pid, SIGTERM);
        const auto t0 = Clock::now();
        while (secondsSince(t0) < seconds) {
            if (!alive())
                return m_status;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return -1;
    }

private:
    std::string m_log;
    pid_t m_pid = -1;
    int m_port = 0;
    int m_status = -1;
};

/// A blocking loopback socket whose receives give up after `timeoutSeconds`.
int connectLoopback(int port, int timeoutSeconds) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    timeval tv{timeoutSeconds, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool sendAll(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
        const ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
        if (n <= 0)
            return false;
        off += size_t(n);
    }
    return true;
}

std::string rawPost(const std::string& body) {
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "Content-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

json chatBody(int maxTokens, bool stream, int seed) {
    return {{"model", "full_sft_32"},
            {"messages", json::array({{{"role", "user"}, {"content", "长沙市的美食有哪些"}}})},
            {"max_tokens", maxTokens},
            {"stream", stream},
            {"seed", seed}};
}

std::unique_ptr<httplib::Client> client(int port) {
    auto cli = std::make_unique<httplib::Client>("127.0.0.1", port);
    cli->set_connection_timeout(std::chrono::seconds(5));
    cli->set_read_timeout(std::chrono::seconds(30));
    cli->set_write_timeout(std::chrono::seconds(10));
    return cli;
}

struct Outcome {
    int status = -1; ///< -1: no response (the httplib error is in `error`)
    std::string body, retryAfter;
    httplib::Error error = httplib::Error::Success;
    bool stream = false;
    double seconds = 0; ///< from the release of the gate to the whole answer
};

/// `bodies.size()` clients post at the same moment (each on its own thread
/// and connection, released together); every call has its timeouts.
std::vector<Outcome> burst(int port, const std::vector<json>& bodies) {
    std::vector<Outcome> out(bodies.size());
    std::promise<void> go;
    std::shared_future<void> start = go.get_future().share();
    std::vector<std::thread> threads;
    for (size_t i = 0; i < bodies.size(); ++i)
        threads.emplace_back([&, i] {
            auto cli = client(port);
            const std::string body = bodies[i].dump();
            out[i].stream = bodies[i].value("stream", false);
            start.wait();
            const auto t0 = Clock::now();
            auto r = cli->Post("/v1/chat/completions", body, "application/json");
            out[i].seconds = secondsSince(t0);
            if (!r) {
                out[i].error = r.error();
                return;
            }
            out[i].status = r->status;
            out[i].body = r->body;
            out[i].retryAfter = r->get_header_value("Retry-After");
        });
    std::this_thread::sleep_for(std::chrono::milliseconds(100)); // every thread waiting at the gate
    go.set_value();
    for (auto& t : threads)
        t.join();
    return out;
}

/// in_flight from GET /health (-1 when it does not answer).
int inFlight(int port) {
    auto r = client(port)->Get("/health");
    if (!r || r->status != 200)
        return -1;
    const json h = json::parse(r->body, nullptr, false);
    return h.is_object() && h.contains("in_flight") ? h["in_flight"].get<int>() : -1;
}

/// Waits up to `seconds` for /health to report no request in flight.
bool drained(int port, double seconds) {
    const auto t0 = Clock::now();
    while (secondsSince(t0) < seconds) {
        if (inFlight(port) == 0)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

void expectComplete(const Outcome& o) {
    if (o.stream) {
        EXPECT_EQ(o.body.rfind("data: ", 0), 0u) << o.body.substr(0, 200);
        EXPECT_NE(o.body.find("data: [DONE]\n\n"), std::string::npos) << o.body.substr(0, 200);
    } else {
        const json j = json::parse(o.body, nullptr, false);
        ASSERT_TRUE(j.is_object()) << o.body;
        EXPECT_EQ(j["object"], "chat.completion");
        EXPECT_EQ(j["choices"][0]["message"]["role"], "assistant");
    }
}

void expectJsonError(const std::string& body, const std::string& code, const std::string& part) {
    const json j = json::parse(body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << body;
    ASSERT_TRUE(j.contains("error")) << body;
    EXPECT_EQ(j["error"]["code"], code) << body;
    EXPECT_TRUE(j["error"]["type"].is_string()) << body;
    ASSERT_TRUE(j["error"]["message"].is_string()) << body;
    EXPECT_NE(j["error"]["message"].get<std::string>().find(part), std::string::npos) << body;
}

// One workspace for the suite: the fixture tokenizer and a one-step tiny model
// saved as full_sft (what the weights know does not matter here).
class ServeLoad : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        s_dir = new test::TempDir;
        s_ws = s_dir->file("out");
        stdfs::create_directories(s_ws);
        stdfs::copy_file(test::fixtureTokenizer(), s_ws + "/tokenizer.model");
        const std::string data = test::writePretrainJsonl(s_dir->path(), 40);
        test::CliResult r = test::runCli({"pretrain", "--data_path",
                                          data,       "--out_dir",
                                          s_ws,       "--hidden_size",
                                          "32",       "--num_hidden_layers",
                                          "2",        "--num_attention_heads",
                                          "4",        "--num_key_value_heads",
                                          "2",        "--max_seq_len",
                                          "32",       "--batch_size",
                                          "2",        "--accumulation_steps",
                                          "1",        "--max_steps",
                                          "1",        "--threads",
                                          "1",        "--log_interval",
                                          "1",        "--save_interval",
                                          "1"},
                                         s_dir->path());
        s_trained = r.code == 0 && fs::isFile(s_ws + "/pretrain_32.pth");
        if (!s_trained) {
            std::fprintf(stderr, "pretrain failed: %s%s\n", r.out.c_str(), r.err.c_str());
            return;
        }
        for (const char* ext : {".pth", ".json"})
            stdfs::copy_file(s_ws + "/pretrain_32" + ext, s_ws + "/full_sft_32" + ext);
        stdfs::remove(s_ws + "/pretrain_32.pth"); // one model: every request queues for the same one
    }
    static void TearDownTestSuite() {
        delete s_dir;
        s_dir = nullptr;
    }
    void SetUp() override { ASSERT_TRUE(s_trained); }

    std::unique_ptr<ServeProcess> serve(const std::vector<std::string>& extra) {
        auto p =
            std::make_unique<ServeProcess>(s_ws, s_dir->file(std::string("serve_") + testName() + ".log"), 120, extra);
        return p;
    }
    static const char* testName() { return ::testing::UnitTest::GetInstance()->current_test_info()->name(); }

    /// Still serving, then SIGTERM ends it with exit code 0.
    void expectCleanExit(ServeProcess& p) {
        EXPECT_TRUE(p.alive()) << p.log();
        const int st = p.terminate(20);
        ASSERT_NE(st, -1) << "no exit within 20 s of SIGTERM\n" << p.log();
        EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << "wait status " << st << "\n" << p.log();
        EXPECT_NE(p.log().find("stopped after"), std::string::npos) << p.log();
    }

    static test::TempDir* s_dir;
    static std::string s_ws;
    static bool s_trained;
};

test::TempDir* ServeLoad::s_dir = nullptr;
std::string ServeLoad::s_ws;
bool ServeLoad::s_trained = false;

} // namespace

TEST_F(ServeLoad, BurstsBeyondMaxQueueGet200Or429WithRetryAfter) {
    constexpr int kQueue = 2;
    auto p = serve({"--max_queue", std::to_string(kQueue)});
    ASSERT_GT(p->port(), 0) << p->log();
    const int port = p->port();
    ASSERT_EQ(burst(port, {chatBody(4, false, 1)})[0].status, 200); // loads the model

    // Twelve at once, half of them streams, on one model whose generation is
    // serialised: two are admitted at first, the rest arrive while those run.
    const auto t0 = Clock::now();
    std::vector<json> bodies;
    for (int i = 0; i < 12; ++i)
        bodies.push_back(chatBody(300, i % 2 == 1, 100 + i));
    const std::vector<Outcome> out = burst(port, bodies);
    const double secs = secondsSince(t0);
    int ok = 0, busy = 0;
    double slowestRefusal = 0, slowestAnswer = 0;
    for (const auto& o : out) {
        ASSERT_NE(o.status, -1) << "no response: " << httplib::to_string(o.error);
        if (o.status == 200) {
            ++ok;
            slowestAnswer = std::max(slowestAnswer, o.seconds);
            expectComplete(o);
        } else {
            ASSERT_EQ(o.status, 429) << o.body;
            ++busy;
            slowestRefusal = std::max(slowestRefusal, o.seconds);
            EXPECT_EQ(o.retryAfter, "1");
            expectJsonError(o.body, "rate_limit_exceeded", "--max_queue " + std::to_string(kQueue));
        }
    }
    EXPECT_GE(ok, kQueue); // the first kQueue to arrive always find a free slot
    EXPECT_GE(busy, 1) << "12 requests at once with --max_queue 2: none was refused";
    // A 429 is an answer, not a wait in a queue: it comes back at once.
    EXPECT_LT(slowestRefusal, 3.0);
    std::printf("[ load ] 12 at once, --max_queue %d: %d x 200 (slowest %.2f s), %d x 429 (slowest %.3f s); %.2f s\n",
                kQueue, ok, slowestAnswer, busy, slowestRefusal, secs);

    EXPECT_TRUE(drained(port, 30)) << "in_flight never returned to 0";
    const auto health = client(port)->Get("/health");
    ASSERT_TRUE(health);
    EXPECT_EQ(json::parse(health->body)["max_queue"], kQueue);

    // A second server on the same port fails at once (it must not bind too and
    // take a share of the connections).
    test::CliResult second = test::runCli(
        {"serve", "--out_dir", s_ws, "--port", std::to_string(port), "--max_seconds", "5", "--threads", "1"},
        s_dir->path());
    EXPECT_EQ(second.code, 3) << second.out << second.err;
    EXPECT_NE(second.err.find("address in use"), std::string::npos) << second.err;
    expectCleanExit(*p);
}

TEST_F(ServeLoad, ClientsThatDisconnectMidStreamGiveTheirSlotsBack) {
    constexpr int kQueue = 3;
    auto p = serve({"--max_queue", std::to_string(kQueue)});
    ASSERT_GT(p->port(), 0) << p->log();
    const int port = p->port();

    // Three rounds of kQueue streams (long ones) whose clients read the first
    // chunk and hang up: had any slot leaked, a later round would get 429s.
    for (int round = 0; round < 3; ++round) {
        std::vector<int> fds;
        for (int i = 0; i < kQueue; ++i) {
            const int fd = connectLoopback(port, 20);
            ASSERT_GE(fd, 0);
            ASSERT_TRUE(sendAll(fd, rawPost(chatBody(1000, true, round * 10 + i).dump())));
            fds.push_back(fd);
        }
        for (int fd : fds) {
            std::string got;
            char buf[4096];
            while (got.find("data: ") == std::string::npos) {
                const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
                ASSERT_GT(n, 0) << "round " << round << ": the stream ended before its first chunk: " << got;
                got.append(buf, size_t(n));
            }
            EXPECT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << got.substr(0, 200);
            ::close(fd);
        }
        ASSERT_TRUE(drained(port, 30)) << "round " << round << ": slots still taken after the clients left";
    }
    // All slots free again: exactly kQueue at once are all admitted.
    std::vector<json> bodies;
    for (int i = 0; i < kQueue; ++i)
        bodies.push_back(chatBody(16, i == 0, 200 + i));
    for (const auto& o : burst(port, bodies)) {
        ASSERT_EQ(o.status, 200) << httplib::to_string(o.error) << " " << o.body;
        expectComplete(o);
    }
    EXPECT_EQ(inFlight(port), 0);
    expectCleanExit(*p);
}

TEST_F(ServeLoad, OversizeBadJsonAndStalledClientsHoldUpNobody) {
    auto p = serve({"--max_queue", "2", "--max_body_bytes", "4096"});
    ASSERT_GT(p->port(), 0) << p->log();
    const int port = p->port();

    // Two clients stall: one inside its headers, one halfway through its body.
    const auto t0 = Clock::now();
    const int inHeaders = connectLoopback(port, 30);
    const int inBody = connectLoopback(port, 30);
    ASSERT_GE(inHeaders, 0);
    ASSERT_GE(inBody, 0);
    ASSERT_TRUE(sendAll(inHeaders, "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-"));
    const std::string full = rawPost(chatBody(8, false, 1).dump());
    ASSERT_TRUE(sendAll(inBody, full.substr(0, full.size() - 20)));

    // Meanwhile everyone else is served, well within the server's 10 s read timeout.
    const std::vector<Outcome> ok = burst(port, {chatBody(8, false, 2), chatBody(8, true, 3)});
    for (const auto& o : ok) {
        ASSERT_EQ(o.status, 200) << httplib::to_string(o.error) << " " << o.body;
        expectComplete(o);
    }
    EXPECT_LT(secondsSince(t0), 8.0) << "the stalled clients held up the others";
    EXPECT_EQ(inFlight(port), 0) << "a client still sending its request holds no slot";

    auto cli = client(port);
    const json big{{"messages", json::array({{{"role", "user"}, {"content", std::string(10000, 'x')}}})}};
    auto r = cli->Post("/v1/chat/completions", big.dump(), "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 413);
    expectJsonError(r->body, "413", "larger than 4096 bytes");
    r = cli->Post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}",
                  "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    expectJsonError(r->body, "invalid_json", "JSON object");
    r = cli->Post("/v1/chat/completions", "{\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": 7}]}]}",
                  "application/json");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    expectJsonError(r->body, "invalid_request", "only text parts");

    // The server's read timeout (10 s) ends the stalled requests: a 400 JSON
    // error, then the connection closes (after the 5 s keep-alive wait).
    struct Stalled {
        std::string got;
        double answered = 0, closedAt = 0;
        bool closed = false;
    };
    auto drain = [&](int fd) {
        Stalled st;
        char buf[4096];
        ssize_t n;
        while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
            if (st.got.empty())
                st.answered = secondsSince(t0);
            st.got.append(buf, size_t(n));
        }
        st.closed = n == 0 || errno == ECONNRESET;
        st.closedAt = secondsSince(t0);
        ::close(fd);
        return st;
    };
    auto a = std::async(std::launch::async, drain, inHeaders);
    auto b = std::async(std::launch::async, drain, inBody);
    for (const Stalled& st : {a.get(), b.get()}) {
        EXPECT_TRUE(st.closed) << "still open after " << st.closedAt << " s";
        EXPECT_EQ(st.got.rfind("HTTP/1.1 400", 0), 0u) << st.got;
        const size_t end = st.got.find("\r\n\r\n");
        ASSERT_NE(end, std::string::npos) << st.got;
        expectJsonError(st.got.substr(end + 4), "400", "incomplete HTTP request");
        EXPECT_GE(st.answered, 9.0);
        EXPECT_LT(st.answered, 14.0);
        EXPECT_LT(st.closedAt, 25.0);
    }
    std::printf("[ load ] stalled clients: 400 after the 10 s read timeout, closed after %.1f s\n", secondsSince(t0));
    EXPECT_EQ(burst(port, {chatBody(4, false, 4)})[0].status, 200);
    expectCleanExit(*p);
}
