#pragma once
// Data-parallel training on LibTorch's own distributed engine, c10d: Gloo on
// CPU, NCCL for CUDA devices (CUDA builds only). A job is described by the
// torchrun environment (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE,
// MASTER_ADDR, MASTER_PORT), so torchrun, Slurm's srun or anything else that
// sets those variables launches it; the ranks meet through a c10d TCPStore at
// MASTER_ADDR:MASTER_PORT (hosted by rank 0, or by torchrun's agent when it
// says so through TORCHELASTIC_USE_AGENT_STORE).
//
// The Trainer talks to the job only through `Communicator`: averaging a list
// of tensors (gradients, metrics) in buckets, broadcasting, a barrier. No
// module wrapper is involved, so parameter names (and saved files) stay as
// they are. Every collective is bounded by a timeout; a failure becomes a
// DistributedError that names this rank, the collective and, where it can be
// told, the rank that stopped answering.

#include "common/error.h"

#include <torch/torch.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace mm::train {

/// A collective failed or timed out, or the ranks could not meet.
class DistributedError : public Error {
public:
    using Error::Error;
};

/// This process's place in a data-parallel job, from the environment.
struct DistEnv {
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;
    int localWorldSize = 1;
    std::string masterAddr;
    int masterPort = 0;
    /// torchrun's static rendezvous hosts the TCPStore in its agent; every
    /// worker is then a client and keys live under "/worker/attempt_<n>".
    bool agentStore = false;
    std::string restartCount = "0";

    bool distributed() const { return worldSize > 1; }
    /// Reads the variables. WORLD_SIZE unset or 1 = a single process (the other
    /// variables are then ignored). Throws InputError naming the variable when
    /// one is missing or out of range.
    static DistEnv fromEnvironment();
};

/// Averages or sums tensors across the ranks of a job.
class Communicator {
public:
    enum class Op { Sum, Mean, Max };

    /// Joins the job: rendezvous through the TCPStore, then a Gloo process
    /// group (NCCL when `device` is CUDA and the build has it). `timeout`
    /// bounds the rendezvous and every later collective. Throws
    /// DistributedError when the ranks do not meet in time.
    Communicator(const DistEnv& env, const torch::Device& device, std::chrono::seconds timeout);
    /// Waits for nothing: call barrier() first for an orderly end. After a
    /// failed collective the process group is abandoned rather than destroyed
    /// (its destructor would wait for queued collectives, each up to the timeout).
    ~Communicator();
    Communicator(const Communicator&) = delete;
    Communicator& operator=(const Communicator&) = delete;

    int rank() const;
    int worldSize() const;
    /// "gloo" or "nccl".
    std::string backend() const;
    std::chrono::seconds timeout() const;

    /// Reduces `tensors` in place across all ranks. Tensors are packed into
    /// flat buckets of at most `bucketBytes` (same dtype and device), all
    /// buckets are launched before the first is waited for, and results are
    /// copied back. Every rank must pass tensors of the same shapes in the same
    /// order. `what` names the collective in errors ("gradient all-reduce at
    /// step 12").
    void allReduce(const std::vector<torch::Tensor>& tensors, Op op, const std::string& what);
    /// Copies rank `root`'s tensors into every other rank's, in place.
    void broadcast(const std::vector<torch::Tensor>& tensors, int root, const std::string& what);
    /// Returns when every rank has reached it.
    void barrier(const std::string& what);

    /// Default bucket size (as PyTorch's DistributedDataParallel: 25 MiB).
    static constexpr int64_t kBucketBytes = 25 << 20;
    int64_t bucketBytes = kBucketBytes;

private:
    struct Impl;
    std::unique_ptr<Impl> m;
    [[noreturn]] void fail(const std::string& what, const std::string& cause);
};

} // namespace mm::train
