// End-to-end: data-parallel training of the real `micromind` binary, several
// child processes that meet through c10d (Gloo on 127.0.0.1), launched the way
// torchrun does it (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT), and once
// through /usr/bin/torchrun itself when it is installed.

#include "common/fs.h"
#include "core/fixtures.h"
#include "e2e/cli_runner.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

using namespace mm;

namespace {

using Clock = std::chrono::steady_clock;
using Env = std::map<std::string, std::string>;

// A TCP port nobody listens on right now (the kernel's pick for port 0).
int freePort() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        if (s >= 0)
            ::close(s);
        return 0;
    }
    ::close(s);
    return ntohs(a.sin_port);
}

// A child process with stdout/stderr in files.
struct Child {
    pid_t pid = -1;
    std::string outPath, errPath;
    std::string out() const { return fs::readFile(outPath); }
    std::string err() const { return fs::readFile(errPath); }
};

// Starts `exe args...` with the inherited environment minus any launcher
// variables, plus `env`.
Child spawn(const std::string& exe, const std::vector<std::string>& args, const Env& env, const std::string& logStem) {
    std::vector<std::string> envStrings;
    for (char** e = environ; *e; ++e) {
        const std::string kv = *e;
        const std::string key = kv.substr(0, kv.find('='));
        static const char* launcher[] = {"RANK",        "WORLD_SIZE",  "LOCAL_RANK", "LOCAL_WORLD_SIZE",
                                         "MASTER_ADDR", "MASTER_PORT", "GROUP_RANK"};
        bool drop = key.rfind("TORCHELASTIC_", 0) == 0;
        for (const char* l : launcher)
            drop = drop || key == l;
        if (!drop)
            envStrings.push_back(kv);
    }
    for (const auto& [k, v] : env)
        envStrings.push_back(k + "=" + v);
    std::vector<char*> envp, argv{const_cast<char*>(exe.c_str())};
    for (auto& s : envStrings)
        envp.push_back(s.data());
    envp.push_back(nullptr);
    std::vector<std::string> argsCopy = args;
    for (auto& a : argsCopy)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    Child c;
    c.outPath = logStem + ".out";
    c.errPath = logStem + ".err";
    c.pid = ::fork();
    if (c.pid == 0) {
        ::setpgid(0, 0); // torchrun's workers die with the group on timeout below
        int in = ::open("/dev/null", O_RDONLY);
        int o = ::open(c.outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = ::open(c.errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(in, 0);
        ::dup2(o, 1);
        ::dup2(e, 2);
        ::execve(exe.c_str(), argv.data(), envp.data());
        _exit(127);
    }
    return c;
}

// Waits for the child; after `seconds` kills its process group and returns -1.
// Otherwise the exit status (128 + signal when killed by a signal).
int waitFor(const Child& c, double seconds, double* took = nullptr) {
    const auto t0 = Clock::now();
    int st = 0;
    while (true) {
        pid_t r = ::waitpid(c.pid, &st, WNOHANG);
        if (r == c.pid)
            break;
        if (std::chrono::duration<double>(Clock::now() - t0).count() > seconds) {
            ::kill(-c.pid, SIGKILL);
            ::waitpid(c.pid, &st, 0);
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (took)
        *took = std::chrono::duration<double>(Clock::now() - t0).count();
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

// The JSON events of a run's stdout; torchrun's --tee prefixes each line with
// "[default<rank>]:", which is skipped.
std::vector<nlohmann::json> events(const std::string& out) {
    std::vector<nlohmann::json> v;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        const size_t b = line.find('{');
        if (b != std::string::npos && (b == 0 || line.compare(0, 8, "[default") == 0))
            v.push_back(nlohmann::json::parse(line.substr(b)));
    }
    return v;
}

// step -> loss of the "log" events.
std::map<int64_t, double> losses(const std::string& out) {
    std::map<int64_t, double> m;
    for (const auto& e : events(out))
        if (e.value("event", "") == "log")
            m[e["step"].get<int64_t>()] = e["loss"].get<double>();
    return m;
}

nlohmann::json firstEvent(const std::string& out, const std::string& kind) {
    for (const auto& e : events(out))
        if (e.value("event", "") == kind)
            return e;
    return {};
}

// --- weights files: a .pth is a zip of stored (uncompressed) entries ---------

uint32_t le(const std::string& s, size_t at, int bytes) {
    uint32_t v = 0;
    for (int i = bytes - 1; i >= 0; --i)
        v = (v << 8) | static_cast<unsigned char>(s.at(at + size_t(i)));
    return v;
}

// Entry name -> bytes, from the central directory.
std::map<std::string, std::string> zipEntries(const std::string& raw) {
    std::map<std::string, std::string> m;
    const size_t eocd = raw.rfind(std::string("PK\x05\x06", 4));
    if (eocd == std::string::npos)
        return m;
    const uint32_t n = le(raw, eocd + 10, 2);
    size_t p = le(raw, eocd + 16, 4);
    for (uint32_t i = 0; i < n && le(raw, p, 4) == 0x02014b50; ++i) {
        const uint32_t method = le(raw, p + 10, 2), size = le(raw, p + 20, 4);
        const uint32_t nameLen = le(raw, p + 28, 2), extraLen = le(raw, p + 30, 2), commentLen = le(raw, p + 32, 2);
        const size_t local = le(raw, p + 42, 4);
        const std::string name = raw.substr(p + 46, nameLen);
        if (method == 0 && size != 0xFFFFFFFFu) {
            const size_t data = local + 30 + le(raw, local + 26, 2) + le(raw, local + 28, 2);
            m[name] = raw.substr(data, size);
        }
        p += 46 + nameLen + extraLen + commentLen;
    }
    return m;
}

float halfToFloat(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    float v;
    if (exp == 0)
        v = std::ldexp(float(mant), -24);
    else if (exp == 31)
        v = mant ? NAN : INFINITY;
    else
        v = std::ldexp(float(mant | 0x400), int(exp) - 25);
    return sign ? -v : v;
}

// Compares two weight files (float16 checkpoints; float32 with `float32`, as
// LoRA adapters are saved) tensor by tensor: the same entries, and the values
// within 1e-5 plus one rounding step of the file's type of each other, but for
// at most one in a thousand, which must still be within 1e-3. Runs that sum
// gradients in another order agree in float32 to ~1e-7 per step; AdamW
// normalises each gradient by its own magnitude, so where a gradient is a
// near-cancelling sum (rare tokens' rows of the tied embedding) that rounding
// noise moves the update by up to the learning rate. A wrong run (unsynced or
// misweighted gradients, other data) differs in most values.
// Returns "" when they match, else what differs.
std::string compareWeights(const std::string& pathA, const std::string& pathB, bool float32 = false) {
    const auto a = zipEntries(fs::readFile(pathA)), b = zipEntries(fs::readFile(pathB));
    if (a.empty() || a.size() != b.size())
        return "entry counts differ: " + std::to_string(a.size()) + " vs " + std::to_string(b.size());
    int64_t values = 0, off = 0, far = 0;
    double maxDiff = 0;
    std::string worst;
    for (const auto& [name, da] : a) {
        auto it = b.find(name);
        if (it == b.end() || it->second.size() != da.size())
            return "entry " + name + " missing or of another size in " + pathB;
        if (name.find("/data/") == std::string::npos) {
            if (da != it->second)
                return "entry " + name + " differs";
            continue;
        }
        const size_t width = float32 ? 4 : 2;
        auto value = [&](const std::string& bytes, size_t at) {
            if (!float32)
                return halfToFloat(uint16_t(le(bytes, at, 2)));
            const uint32_t u = le(bytes, at, 4);
            float f;
            std::memcpy(&f, &u, 4);
            return f;
        };
        for (size_t i = 0; i + width <= da.size(); i += width, ++values) {
            const float x = value(da, i), y = value(it->second, i);
            if (x != y)
                ++off;
            const double d = std::fabs(double(x) - double(y));
            if (!(d <= 1e-5 + std::ldexp(std::max(std::fabs(x), std::fabs(y)), float32 ? -23 : -10)))
                ++far;
            if (!(d <= maxDiff)) {
                maxDiff = d;
                worst = name + "[" + std::to_string(i / width) + "]: " + std::to_string(x) + " vs " + std::to_string(y);
            }
        }
    }
    if (far * 1000 > values || maxDiff > 1e-3)
        return std::to_string(far) + " of " + std::to_string(values) + " values differ by more than 1e-5 (" +
               std::to_string(off) + " differ at all); largest difference " + worst;
    return "";
}

// A workspace with the fixture tokenizer and pretrain corpus.
class Distributed : public ::testing::Test {
protected:
    void SetUp() override {
        data = test::writePretrainJsonl(dir.path(), 300);
        tokenizer = test::fixtureTokenizer();
    }
    std::vector<std::string> args(const std::string& out, int batch, int steps, int saveInterval = 100) const {
        return {"pretrain",
                "--data_path",
                data,
                "--out_dir",
                out,
                "--tokenizer",
                tokenizer,
                "--preset",
                "tiny",
                "--max_seq_len",
                "64",
                "--batch_size",
                std::to_string(batch),
                "--accumulation_steps",
                "2",
                "--max_steps",
                std::to_string(steps),
                "--log_interval",
                "1",
                "--save_interval",
                std::to_string(saveInterval),
                "--learning_rate",
                "2e-3",
                "--threads",
                "1",
                "--epochs",
                "50",
                "--json"};
    }
    static std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& more) {
        a.insert(a.end(), more.begin(), more.end());
        return a;
    }
    // One process; returns its stdout after checking it succeeded.
    std::string runOne(const std::vector<std::string>& a, const std::string& stem) const {
        Child c = spawn(MM_CLI_PATH, a, {}, dir.file(stem));
        const int code = waitFor(c, 300);
        EXPECT_EQ(code, 0) << stem << ": " << c.err();
        return c.out();
    }
    // `world` ranks of the same command, as torchrun would start them.
    std::vector<Child> startRanks(const std::vector<std::string>& a, int world, const std::string& stem,
                                  int port) const {
        std::vector<Child> ranks;
        for (int r = 0; r < world; ++r)
            ranks.push_back(spawn(MM_CLI_PATH, a,
                                  {{"RANK", std::to_string(r)},
                                   {"LOCAL_RANK", std::to_string(r)},
                                   {"WORLD_SIZE", std::to_string(world)},
                                   {"LOCAL_WORLD_SIZE", std::to_string(world)},
                                   {"MASTER_ADDR", "127.0.0.1"},
                                   {"MASTER_PORT", std::to_string(port)}},
                                  dir.file(stem + std::to_string(r))));
        return ranks;
    }
    // Blocks until the weights sidecar of `outDir` reports at least `step`.
    bool waitForCheckpoint(const std::string& outDir, int step, double seconds) const {
        const std::string side = outDir + "/pretrain_128.json";
        const auto t0 = Clock::now();
        while (std::chrono::duration<double>(Clock::now() - t0).count() < seconds) {
            if (fs::isFile(side)) {
                try {
                    if (nlohmann::json::parse(fs::readFile(side)).value("step", 0) >= step)
                        return true;
                } catch (...) {
                }
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }
    static void expectSameCurve(const std::map<int64_t, double>& ref, const std::map<int64_t, double>& got,
                                int64_t fromStep, const std::string& what) {
        ASSERT_FALSE(got.empty()) << what << ": no log events";
        for (const auto& [step, loss] : got) {
            if (step < fromStep)
                continue;
            auto it = ref.find(step);
            ASSERT_NE(it, ref.end()) << what << ": step " << step << " missing in the reference";
            EXPECT_NEAR(loss, it->second, 1e-5) << what << " at step " << step;
        }
    }
    test::TempDir dir;
    std::string data, tokenizer;
};

} // namespace

// 2 ranks with batch B each = 1 process with batch 2B: the same loss at every
// step and the same weights, in packed mode (equal target counts) and in pad
// mode, where ranks hold different numbers of loss targets and the loss must be
// normalised by the global count.
TEST_F(Distributed, TwoRanksMatchOneProcessWithDoubleBatch) {
    for (const std::string packing : {"pack", "pad"}) {
        SCOPED_TRACE(packing);
        const int steps = packing == "pack" ? 12 : 6;
        const std::string one = dir.file("one_" + packing), two = dir.file("two_" + packing);
        const auto ref = runOne(with(args(one, 8, steps), {"--packing", packing}), "one_" + packing);

        auto ranks = startRanks(with(args(two, 4, steps), {"--packing", packing}), 2, "two_" + packing, freePort());
        ASSERT_EQ(waitFor(ranks[1], 300), 0) << ranks[1].err();
        ASSERT_EQ(waitFor(ranks[0], 300), 0) << ranks[0].err();

        const auto refLoss = losses(ref), gotLoss = losses(ranks[0].out());
        ASSERT_EQ(gotLoss.size(), size_t(steps));
        expectSameCurve(refLoss, gotLoss, 1, "2 ranks x batch 4 vs 1 x batch 8");
        const auto start = firstEvent(ranks[0].out(), "start");
        EXPECT_EQ(start.value("world_size", 0), 2);
        EXPECT_EQ(start.value("backend", ""), "gloo");
        EXPECT_EQ(start.value("samples_per_step", 0), 16);
        EXPECT_EQ(compareWeights(one + "/pretrain_128.pth", two + "/pretrain_128.pth"), "");
        // Rank 1 prints nothing (no events, no progress text) and only rank 0
        // keeps the history: one run in it.
        EXPECT_EQ(ranks[1].out(), "");
        EXPECT_EQ(ranks[1].err(), "");
        test::CliResult h = test::runCli({"history", "--out_dir", two, "--json"}, dir.path());
        ASSERT_EQ(h.code, 0) << h.err;
        const auto runs = nlohmann::json::parse(h.out);
        ASSERT_EQ(runs.size(), 1u);
        EXPECT_EQ(runs[0]["status"], "completed");
    }
}

// A rank killed mid-run: the survivor stops within the timeout, names the lost
// rank, and the last checkpoint is whole (a one-process run resumes from it).
TEST_F(Distributed, KilledRankEndsTheJobWithAClearError) {
    const std::string out = dir.file("killed");
    auto ranks = startRanks(with(args(out, 4, 100000, 2), {"--ddp_timeout", "30"}), 2, "killed", freePort());
    ASSERT_TRUE(waitForCheckpoint(out, 4, 120)) << ranks[0].err() << ranks[1].err();
    ::kill(ranks[1].pid, SIGKILL);
    ASSERT_EQ(waitFor(ranks[1], 10), 128 + SIGKILL);
    double took = 0;
    const int code = waitFor(ranks[0], 30, &took);
    ASSERT_NE(code, -1) << "rank 0 still ran 30 s after rank 1 was killed";
    EXPECT_EQ(code, 1);
    const std::string err = ranks[0].err();
    EXPECT_NE(err.find("rank 0: "), std::string::npos) << err;
    EXPECT_NE(err.find(" of step "), std::string::npos) << err;
    EXPECT_NE(err.find("lost the connection to another rank"), std::string::npos) << err;
    EXPECT_NE(err.find("Rank 1 has stopped responding"), std::string::npos) << err;
    EXPECT_NE(err.find("continue with --resume"), std::string::npos) << err;
    EXPECT_LT(took, 15) << err;
    // The killed run shows as failed, and the checkpoint loads and trains on.
    test::CliResult h = test::runCli({"history", "--out_dir", out, "--json"}, dir.path());
    const auto runs = nlohmann::json::parse(h.out);
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0]["status"], "failed");
    const int saved = nlohmann::json::parse(fs::readFile(out + "/pretrain_128.json")).value("step", 0);
    const auto resumed = runOne(with(args(out, 8, saved + 2, 1), {"--resume"}), "killed_resume");
    EXPECT_EQ(firstEvent(resumed, "start").value("start_step", -1), saved);
    EXPECT_EQ(firstEvent(resumed, "done").value("steps", 0), saved + 2);
}

// A rank that hangs (SIGSTOP): the other fails after --ddp_timeout, naming it.
TEST_F(Distributed, HungRankTimesOutNamingTheRank) {
    const std::string out = dir.file("hung");
    auto ranks = startRanks(with(args(out, 4, 100000, 2), {"--ddp_timeout", "5"}), 2, "hung", freePort());
    ASSERT_TRUE(waitForCheckpoint(out, 2, 120)) << ranks[0].err() << ranks[1].err();
    ::kill(ranks[1].pid, SIGSTOP);
    double took = 0;
    const int code = waitFor(ranks[0], 40, &took);
    ::kill(ranks[1].pid, SIGKILL);
    waitFor(ranks[1], 10);
    ASSERT_NE(code, -1) << "rank 0 hung with its peer";
    EXPECT_EQ(code, 1);
    const std::string err = ranks[0].err();
    EXPECT_NE(err.find("within --ddp_timeout 5 s"), std::string::npos) << err;
    EXPECT_NE(err.find("Rank 1 has stopped responding"), std::string::npos) << err;
    EXPECT_GT(took, 4.5) << err;
    EXPECT_LT(took, 20) << err;
}

// Stop a 2-rank run (SIGTERM, as a launcher forwards Ctrl-C), resume it on one
// process: with batch 2B the curve and the weights continue exactly as the
// one-process run; with batch B the step count is rescaled to the new global
// batch and the data position carries over.
TEST_F(Distributed, TwoRankCheckpointResumesOnOneProcess) {
    const int steps = 16;
    const std::string ref = dir.file("ref"), two = dir.file("two");
    const auto refOut = runOne(args(ref, 8, steps, 2), "ref");

    auto ranks = startRanks(args(two, 4, steps, 2), 2, "two", freePort());
    ASSERT_TRUE(waitForCheckpoint(two, 4, 120)) << ranks[0].err() << ranks[1].err();
    ::kill(ranks[0].pid, SIGTERM);
    ::kill(ranks[1].pid, SIGTERM);
    EXPECT_EQ(waitFor(ranks[0], 60), 130) << ranks[0].err();
    EXPECT_EQ(waitFor(ranks[1], 60), 130) << ranks[1].err();
    const auto stopped = firstEvent(ranks[0].out(), "stopped");
    ASSERT_FALSE(stopped.is_null()) << "the run ended before it could be stopped: " << ranks[0].out();
    const int k = stopped["step"].get<int>();
    ASSERT_LT(k, steps);
    expectSameCurve(losses(refOut), losses(ranks[0].out()), 1, "2 ranks before the stop");

    std::filesystem::copy(two, dir.file("two_b4"), std::filesystem::copy_options::recursive);
    const auto resumed = runOne(with(args(two, 8, steps, 2), {"--resume"}), "resume_b8");
    EXPECT_EQ(firstEvent(resumed, "start").value("start_step", -1), k);
    expectSameCurve(losses(refOut), losses(resumed), k + 1, "resumed on 1 process x batch 8");
    EXPECT_EQ(losses(resumed).begin()->first, k + 1);
    EXPECT_EQ(compareWeights(ref + "/pretrain_128.pth", two + "/pretrain_128.pth"), "");

    const auto half = runOne(with(args(dir.file("two_b4"), 4, 2 * steps, 2), {"--resume"}), "resume_b4");
    const auto start = firstEvent(half, "start");
    EXPECT_EQ(start.value("start_step", -1), 2 * k);
    EXPECT_EQ(start["resume_rescaled"].value("from_step", -1), k);
    EXPECT_EQ(start["resume_rescaled"].value("from_world_size", -1), 2);
    // The next batch of 8 is the first half of the reference's step k+1 batch.
    const double first = losses(half).begin()->second;
    EXPECT_NEAR(first, losses(refOut).at(k + 1), 0.25);
}

// The standard launcher: torchrun starts both ranks and the curve matches.
TEST_F(Distributed, TorchrunLaunchesTwoRanks) {
    const std::string torchrun = "/usr/bin/torchrun";
    if (::access(torchrun.c_str(), X_OK) != 0)
        GTEST_SKIP() << torchrun << " not installed (Debian: apt install python3-torch)";
    const int steps = 6;
    const auto ref = runOne(args(dir.file("ref"), 8, steps), "ref");
    // --redirects 1 --tee 1: Debian 12's torchrun (torch 1.13 on Python 3.11)
    // fails on its own defaults ("0", parsed to None by Std.from_str).
    std::vector<std::string> a{"--nproc_per_node",
                               "2",
                               "--redirects",
                               "1",
                               "--tee",
                               "1",
                               "--log_dir",
                               dir.file("torchrun_logs"),
                               "--master_addr",
                               "127.0.0.1",
                               "--master_port",
                               std::to_string(freePort()),
                               "--no_python",
                               MM_CLI_PATH};
    for (const auto& s : args(dir.file("tr"), 4, steps))
        a.push_back(s);
    Child c = spawn(torchrun, a, {}, dir.file("torchrun"));
    ASSERT_EQ(waitFor(c, 300), 0) << c.err();
    const std::string out = c.out();
    expectSameCurve(losses(ref), losses(out), 1, "torchrun 2 x batch 4 vs 1 x batch 8");
    EXPECT_EQ(losses(out).size(), size_t(steps)) << "rank 1 must not print events";
    EXPECT_EQ(firstEvent(out, "start").value("world_size", 0), 2);
    EXPECT_EQ(compareWeights(dir.file("ref/pretrain_128.pth"), dir.file("tr/pretrain_128.pth")), "");
}

// The built-in launcher: `--nproc_per_node 2` starts both ranks itself (no
// torchrun, no environment), rank 0 reports, the curve and weights match; a
// SIGINT to the launcher reaches the ranks once, they save and the job exits
// 130, resumable.
TEST_F(Distributed, NprocPerNodeLaunchesTwoRanksItself) {
    const int steps = 6;
    const auto ref = runOne(args(dir.file("ref"), 8, steps), "ref");
    const auto out = runOne(with(args(dir.file("np"), 4, steps), {"--nproc_per_node", "2"}), "np");
    expectSameCurve(losses(ref), losses(out), 1, "--nproc_per_node 2 x batch 4 vs 1 x batch 8");
    EXPECT_EQ(losses(out).size(), size_t(steps)) << "rank 1 must not print events";
    EXPECT_EQ(firstEvent(out, "start").value("world_size", 0), 2);
    EXPECT_EQ(compareWeights(dir.file("ref/pretrain_128.pth"), dir.file("np/pretrain_128.pth")), "");

    // Stopped through the launcher: both ranks stop at the same step, save, 130.
    Child c =
        spawn(MM_CLI_PATH, with(args(dir.file("stop"), 4, 2000, 1), {"--nproc_per_node", "2"}), {}, dir.file("stop"));
    ASSERT_TRUE(waitForCheckpoint(dir.file("stop"), 2, 120)) << c.err();
    ::kill(c.pid, SIGINT);
    EXPECT_EQ(waitFor(c, 120), 130) << c.err();
    const auto stopped = firstEvent(c.out(), "stopped");
    ASSERT_FALSE(stopped.is_null()) << c.out() << c.err();
    EXPECT_LT(stopped.value("step", 2000), 2000);
    EXPECT_TRUE(fs::isFile(stopped.value("resume", std::string())));
}

// The post-training stages inherit data parallelism from the shared loop:
// full_sft (loss normalised by the global count of assistant tokens, which
// differs between ranks) and LoRA (only the adapter trained and saved, under
// the same names as a one-process run: no wrapper prefix).
TEST_F(Distributed, FullSftAndLoraMatchOneProcess) {
    const std::string sft = test::writeSftJsonl(dir.path(), 40);
    const auto pre = runOne(args(dir.file("p"), 8, 3), "p");
    ASSERT_FALSE(firstEvent(pre, "done").is_null());
    namespace stdfs = std::filesystem;
    auto seed = [&](const std::string& to, const std::string& from, const std::string& stem) {
        stdfs::create_directories(to);
        for (const char* ext : {".pth", ".json"})
            stdfs::copy_file(from + "/" + stem + ext, to + "/" + stem + ext);
    };
    auto stageArgs = [&](const std::string& cmd, const std::string& out, int batch, std::vector<std::string> more) {
        std::vector<std::string> a{cmd,
                                   "--data_path",
                                   sft,
                                   "--out_dir",
                                   out,
                                   "--tokenizer",
                                   tokenizer,
                                   "--preset",
                                   "tiny",
                                   "--max_seq_len",
                                   "64",
                                   "--batch_size",
                                   std::to_string(batch),
                                   "--accumulation_steps",
                                   "2",
                                   "--max_steps",
                                   "5",
                                   "--log_interval",
                                   "1",
                                   "--learning_rate",
                                   "2e-3",
                                   "--threads",
                                   "1",
                                   "--epochs",
                                   "20",
                                   "--json"};
        a.insert(a.end(), more.begin(), more.end());
        return a;
    };
    struct Case {
        std::string cmd, parentStem;
        std::vector<std::string> more;
    };
    const std::vector<Case> cases{{"full_sft", "pretrain_128", {}},
                                  {"lora", "full_sft_128", {"--lora_name", "lora_ddp", "--learning_rate", "1e-2"}}};
    std::string parentDir = dir.file("p");
    for (const auto& c : cases) {
        SCOPED_TRACE(c.cmd);
        const std::string one = dir.file(c.cmd + "_one"), two = dir.file(c.cmd + "_two");
        seed(one, parentDir, c.parentStem);
        seed(two, parentDir, c.parentStem);
        const auto ref = runOne(stageArgs(c.cmd, one, 8, c.more), c.cmd + "_one");
        auto ranks = startRanks(stageArgs(c.cmd, two, 4, c.more), 2, c.cmd + "_two", freePort());
        ASSERT_EQ(waitFor(ranks[1], 300), 0) << ranks[1].err();
        ASSERT_EQ(waitFor(ranks[0], 300), 0) << ranks[0].err();
        expectSameCurve(losses(ref), losses(ranks[0].out()), 1, c.cmd + ": 2 ranks x batch 4 vs 1 x batch 8");
        EXPECT_EQ(losses(ranks[0].out()).size(), 5u);
        const std::string w1 = firstEvent(ref, "done").value("weights", ""),
                          w2 = firstEvent(ranks[0].out(), "done").value("weights", "");
        ASSERT_FALSE(w1.empty());
        ASSERT_EQ(w2.substr(two.size()), w1.substr(one.size()));
        // compareWeights also requires the pickled key lists to be byte-equal.
        EXPECT_EQ(compareWeights(w1, w2, c.cmd == "lora"), "");
        parentDir = one; // LoRA trains on the one-process full_sft in both runs
    }
}
