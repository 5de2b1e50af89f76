#include "train/distributed.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#if defined(USE_C10D_GLOO) && !defined(MM_NO_GLOO)
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#define MM_HAVE_GLOO 1
#endif
#if defined(MM_HAVE_CUDA) && defined(USE_C10D_NCCL)
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#define MM_HAVE_NCCL 1
#endif

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace mm::train {

namespace {

// LibTorch 2.x moved the collectives from ProcessGroup into Backend; both
// have the same allreduce/broadcast signatures.
#if TORCH_VERSION_MAJOR >= 2
using Backend = c10d::Backend;
#else
using Backend = c10d::ProcessGroup;
#endif

std::string envOr(const char* name, const std::string& fallback = "") {
    const char* v = std::getenv(name);
    return v && *v ? std::string(v) : fallback;
}

int envInt(const char* name, int fallback, int lo, int hi, bool required) {
    const std::string v = envOr(name);
    if (v.empty()) {
        if (required)
            throw InputError(std::string("environment variable ") + name +
                             " is not set but WORLD_SIZE > 1; launch with torchrun (or srun) or set RANK, WORLD_SIZE, "
                             "MASTER_ADDR and MASTER_PORT yourself");
        return fallback;
    }
    try {
        size_t used = 0;
        const long x = std::stol(v, &used);
        if (used == v.size() && x >= lo && x <= hi)
            return int(x);
    } catch (const std::exception&) {
    }
    throw InputError(std::string("environment variable ") + name + "=\"" + v + "\" is not an integer in " +
                     std::to_string(lo) + ".." + std::to_string(hi));
}

bool isLoopback(const std::string& addr) { return addr == "localhost" || addr == "::1" || addr.rfind("127.", 0) == 0; }

std::string firstLine(const std::string& s) {
    std::string l = s.substr(0, s.find('\n'));
    return l.size() > 300 ? l.substr(0, 300) + "..." : l;
}

bool mentionsTimeout(const std::string& s) {
    std::string l = s;
    std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return l.find("timed out") != std::string::npos || l.find("timeout") != std::string::npos;
}

std::string heartbeatKey(int rank) { return "heartbeat/" + std::to_string(rank); }

} // namespace

DistEnv DistEnv::fromEnvironment() {
    DistEnv e;
    e.worldSize = envInt("WORLD_SIZE", 1, 1, 1 << 20, false);
    if (e.worldSize <= 1)
        return e;
    e.rank = envInt("RANK", 0, 0, e.worldSize - 1, true);
    e.localRank = envInt("LOCAL_RANK", 0, 0, e.worldSize - 1, false);
    e.localWorldSize = envInt("LOCAL_WORLD_SIZE", 1, 1, e.worldSize, false);
    e.masterAddr = envOr("MASTER_ADDR");
    if (e.masterAddr.empty())
        throw InputError("environment variable MASTER_ADDR is not set but WORLD_SIZE > 1; set it to rank 0's host "
                         "name or address (torchrun and srun launch scripts do)");
    e.masterPort = envInt("MASTER_PORT", 0, 1, 65535, true);
    e.agentStore = envOr("TORCHELASTIC_USE_AGENT_STORE") == "True";
    e.restartCount = envOr("TORCHELASTIC_RESTART_COUNT", "0");
    return e;
}

struct Communicator::Impl {
    DistEnv env;
    torch::Device device{torch::kCPU};
    std::chrono::seconds timeout{300};
    std::string backend;
    c10::intrusive_ptr<c10d::TCPStore> tcp;
    c10::intrusive_ptr<c10d::Store> store; // our namespace inside the job's store
    c10::intrusive_ptr<Backend> pg;
    bool moveToDevice = false; // NCCL reduces device tensors only
    bool failed = false;

    // Heartbeat: a counter per rank in the store, bumped twice a second from
    // its own connection, so that after a failed collective the survivors can
    // tell which rank stopped (died or hangs) from which ones are alive.
    c10::intrusive_ptr<c10d::Store> hbStore;
    std::thread hbThread;
    std::mutex hbMutex;
    std::condition_variable hbCv;
    bool hbStop = false;

    c10::intrusive_ptr<c10d::Store> scoped(const c10::intrusive_ptr<c10d::TCPStore>& t) const {
        c10::intrusive_ptr<c10d::Store> base = t;
        if (env.agentStore)
            base = c10::make_intrusive<c10d::PrefixStore>("/worker/attempt_" + env.restartCount, base);
        return c10::make_intrusive<c10d::PrefixStore>("micromind", base);
    }

    void heartbeat() {
        const std::string key = heartbeatKey(env.rank);
        std::unique_lock<std::mutex> lock(hbMutex);
        while (!hbStop) {
            lock.unlock();
            try {
                hbStore->add(key, 1);
            } catch (const std::exception&) {
                return; // store gone: the diagnosis reports it
            }
            lock.lock();
            hbCv.wait_for(lock, std::chrono::milliseconds(500), [this] { return hbStop; });
        }
    }

    // Which ranks stopped answering: their heartbeat counters do not move
    // within two seconds.
    std::string diagnose() {
        const std::string storeAt = env.masterAddr + ":" + std::to_string(env.masterPort);
        try {
            tcp->setTimeout(std::chrono::seconds(5));
            std::vector<int64_t> before(size_t(env.worldSize)), after(size_t(env.worldSize));
            for (int r = 0; r < env.worldSize; ++r)
                before[size_t(r)] = store->add(heartbeatKey(r), 0);
            std::this_thread::sleep_for(std::chrono::seconds(2));
            for (int r = 0; r < env.worldSize; ++r)
                after[size_t(r)] = store->add(heartbeatKey(r), 0);
            std::string stalled;
            int n = 0;
            for (int r = 0; r < env.worldSize; ++r)
                if (r != env.rank && after[size_t(r)] == before[size_t(r)]) {
                    stalled += (n++ ? ", " : "") + std::to_string(r);
                }
            if (n == 0)
                return "Every other rank is still alive, so one of them failed or is stuck outside the collectives: "
                       "see the other ranks' logs for the first error.";
            return std::string(n == 1 ? "Rank " : "Ranks ") + stalled + (n == 1 ? " has" : " have") +
                   " stopped responding (exited, killed or hung): see " + (n == 1 ? "that rank's" : "their") + " log.";
        } catch (const std::exception&) {
            return "The rendezvous store at " + storeAt + " (hosted by " +
                   (env.agentStore ? std::string("torchrun's agent") : std::string("rank 0")) +
                   ") no longer answers, so " + (env.agentStore ? "the launcher" : "rank 0") +
                   " has exited, been killed or hangs: see rank 0's log.";
        }
    }
};

Communicator::Communicator(const DistEnv& env, const torch::Device& device, std::chrono::seconds timeout)
    : m(std::make_unique<Impl>()) {
    m->env = env;
    m->device = device;
    m->timeout = timeout;
    const std::string at = env.masterAddr + ":" + std::to_string(env.masterPort);
    const std::string me = "rank " + std::to_string(env.rank) + " of " + std::to_string(env.worldSize);
    try {
        c10d::TCPStoreOptions so;
        so.port = uint16_t(env.masterPort);
        so.isServer = env.rank == 0 && !env.agentStore;
        so.numWorkers = size_t(env.worldSize);
        so.waitWorkers = true;
        so.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
        m->tcp = c10::make_intrusive<c10d::TCPStore>(env.masterAddr, so);
        m->store = m->scoped(m->tcp);
        m->store->add(heartbeatKey(env.rank), 1); // "joined", read if the group cannot form
        c10d::TCPStoreOptions ho;
        ho.port = uint16_t(env.masterPort);
        ho.isServer = false;
        ho.waitWorkers = false;
        ho.timeout = std::chrono::seconds(10);
        m->hbStore = m->scoped(c10::make_intrusive<c10d::TCPStore>(env.masterAddr, ho));
    } catch (const std::exception& e) {
        throw DistributedError(
            me + ": the ranks did not meet at MASTER_ADDR:MASTER_PORT = " + at + " within " +
            std::to_string(timeout.count()) + " s (" + firstLine(e.what()) +
            "). Start all WORLD_SIZE ranks with the same MASTER_ADDR/MASTER_PORT, check that the port is free on " +
            "rank 0's host and reachable from the others, or raise --ddp_timeout.");
    }
    auto pgStore = c10::make_intrusive<c10d::PrefixStore>("pg", m->store);
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout);
    try {
#ifdef MM_HAVE_NCCL
        if (device.is_cuda()) {
            // Without blocking wait, Work::wait only orders CUDA streams and a
            // lost rank would hang the host thread instead of raising.
            ::setenv("TORCH_NCCL_BLOCKING_WAIT", "1", 0);
            ::setenv("NCCL_BLOCKING_WAIT", "1", 0);
            auto o = c10d::ProcessGroupNCCL::Options::create();
            o->timeout = ms;
            m->pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(pgStore, env.rank, env.worldSize, o);
            m->backend = "nccl";
            m->moveToDevice = true;
        }
#endif
        if (!m->pg) {
#ifdef MM_HAVE_GLOO
            auto o = c10d::ProcessGroupGloo::Options::create(ms);
            const std::string ifname = envOr("GLOO_SOCKET_IFNAME");
            if (!ifname.empty())
                o->devices.push_back(
                    c10d::ProcessGroupGloo::createDeviceForInterface(ifname.substr(0, ifname.find(','))));
            else if (isLoopback(env.masterAddr))
                o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
            else
                o->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
            o->threads = 2;
            m->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(pgStore, env.rank, env.worldSize, o);
            m->backend = "gloo";
#else
            throw DistributedError(me + ": this build has no Gloo process group (LibTorch without USE_C10D_GLOO, "
                                        "or the Gloo headers were missing at build time: install libgloo-dev and "
                                        "rebuild); multi-process CPU training needs it");
#endif
        }
    } catch (const DistributedError&) {
        throw;
    } catch (const std::exception& e) {
        std::string missing;
        try {
            for (int r = 0; r < env.worldSize; ++r)
                if (!m->store->check({heartbeatKey(r)}))
                    missing += (missing.empty() ? "" : ", ") + std::to_string(r);
        } catch (const std::exception&) {
        }
        throw DistributedError(
            me + ": could not connect the " + std::string(device.is_cuda() ? "NCCL" : "Gloo") +
            " process group within " + std::to_string(timeout.count()) + " s (" + firstLine(e.what()) + "). " +
            (missing.empty() ? std::string() : "Rank(s) " + missing + " never joined: start them or see their logs. ") +
            "On several hosts set GLOO_SOCKET_IFNAME to the interface the hosts share; raise "
            "--ddp_timeout if ranks start slowly.");
    }
    m->hbThread = std::thread([impl = m.get()] { impl->heartbeat(); });
}

Communicator::~Communicator() {
    if (!m)
        return;
    {
        std::lock_guard<std::mutex> lock(m->hbMutex);
        m->hbStop = true;
    }
    m->hbCv.notify_all();
    if (m->failed) {
        // Abandon the group: destroying it would wait for queued collectives.
        if (m->hbThread.joinable())
            m->hbThread.detach();
        (void)m.release();
        return;
    }
    if (m->hbThread.joinable())
        m->hbThread.join();
}

int Communicator::rank() const { return m->env.rank; }
int Communicator::worldSize() const { return m->env.worldSize; }
std::string Communicator::backend() const { return m->backend; }
std::chrono::seconds Communicator::timeout() const { return m->timeout; }

void Communicator::fail(const std::string& what, const std::string& cause) {
    m->failed = true;
    const bool timedOut = mentionsTimeout(cause);
    std::string msg =
        "rank " + std::to_string(m->env.rank) + ": " + what + " failed: " +
        (timedOut ? "no answer from the other ranks within --ddp_timeout " + std::to_string(m->timeout.count()) + " s"
                  : std::string("lost the connection to another rank")) +
        ". " + m->diagnose() + " (" + m->backend + ": " + firstLine(cause) + ")";
    throw DistributedError(msg);
}

void Communicator::allReduce(const std::vector<torch::Tensor>& tensors, Op op, const std::string& what) {
    if (m->env.worldSize <= 1 || tensors.empty())
        return;
    torch::NoGradGuard ng;
    struct Bucket {
        std::vector<size_t> members;
        int64_t bytes = 0;
        torch::Tensor flat;
        bool direct = false; // flat is the (only) member itself
        c10::intrusive_ptr<c10d::Work> work;
    };
    std::vector<Bucket> buckets;
    for (size_t i = 0; i < tensors.size(); ++i) {
        const torch::Tensor& t = tensors[i];
        if (!t.defined())
            throw Error("Communicator::allReduce: tensor " + std::to_string(i) + " of " + what + " is undefined");
        const int64_t bytes = t.numel() * int64_t(t.element_size());
        const bool fits = !buckets.empty() && buckets.back().bytes + bytes <= bucketBytes &&
                          tensors[buckets.back().members[0]].scalar_type() == t.scalar_type() &&
                          tensors[buckets.back().members[0]].device() == t.device();
        if (!fits)
            buckets.emplace_back();
        buckets.back().members.push_back(i);
        buckets.back().bytes += bytes;
    }
    c10d::AllreduceOptions opts;
    opts.reduceOp = op == Op::Max ? c10d::ReduceOp::MAX : c10d::ReduceOp::SUM;
    opts.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(m->timeout);
    for (auto& b : buckets) {
        const torch::Tensor& first = tensors[b.members[0]];
        if (b.members.size() == 1 && first.is_contiguous() && (!m->moveToDevice || first.is_cuda())) {
            b.flat = first;
            b.direct = true;
        } else {
            std::vector<torch::Tensor> parts;
            parts.reserve(b.members.size());
            for (size_t i : b.members)
                parts.push_back(tensors[i].reshape({-1}));
            b.flat = torch::cat(parts);
            if (m->moveToDevice && !b.flat.is_cuda())
                b.flat = b.flat.to(m->device);
        }
        std::vector<torch::Tensor> v{b.flat};
        try {
            b.work = m->pg->allreduce(v, opts);
        } catch (const std::exception& e) {
            fail(what, e.what());
        }
    }
    for (auto& b : buckets) {
        try {
            b.work->wait();
        } catch (const std::exception& e) {
            fail(what, e.what());
        }
        if (op == Op::Mean)
            b.flat.div_(double(m->env.worldSize));
        if (b.direct)
            continue;
        int64_t off = 0;
        for (size_t i : b.members) {
            const torch::Tensor& t = tensors[i];
            t.copy_(b.flat.narrow(0, off, t.numel()).view(t.sizes()));
            off += t.numel();
        }
    }
}

void Communicator::broadcast(const std::vector<torch::Tensor>& tensors, int root, const std::string& what) {
    if (m->env.worldSize <= 1 || tensors.empty())
        return;
    torch::NoGradGuard ng;
    c10d::BroadcastOptions opts;
    opts.rootRank = root;
    opts.rootTensor = 0;
    opts.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(m->timeout);
    // One flat buffer per dtype and device run, at most bucketBytes each.
    size_t i = 0;
    while (i < tensors.size()) {
        std::vector<size_t> members{i};
        int64_t bytes = tensors[i].numel() * int64_t(tensors[i].element_size());
        size_t j = i + 1;
        while (j < tensors.size() && tensors[j].scalar_type() == tensors[i].scalar_type() &&
               tensors[j].device() == tensors[i].device() &&
               bytes + tensors[j].numel() * int64_t(tensors[j].element_size()) <= bucketBytes) {
            bytes += tensors[j].numel() * int64_t(tensors[j].element_size());
            members.push_back(j++);
        }
        std::vector<torch::Tensor> parts;
        for (size_t k : members)
            parts.push_back(tensors[k].detach().reshape({-1}));
        torch::Tensor flat = torch::cat(parts);
        if (m->moveToDevice && !flat.is_cuda())
            flat = flat.to(m->device);
        std::vector<torch::Tensor> v{flat};
        try {
            m->pg->broadcast(v, opts)->wait();
        } catch (const std::exception& e) {
            fail(what, e.what());
        }
        int64_t off = 0;
        for (size_t k : members) {
            const torch::Tensor& t = tensors[k];
            t.detach().copy_(flat.narrow(0, off, t.numel()).view(t.sizes()));
            off += t.numel();
        }
        i = j;
    }
}

void Communicator::barrier(const std::string& what) {
    // A one-element all-reduce: the same code path (and failure report) on
    // every backend, unlike ProcessGroup::barrier's device guessing on NCCL.
    torch::Tensor t = torch::zeros({1}, torch::kFloat32);
    allReduce({t}, Op::Sum, what);
}

} // namespace mm::train
