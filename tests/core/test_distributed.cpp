// The c10d communicator on its own: two ranks as two threads of this process,
// meeting through a TCPStore on 127.0.0.1 (Gloo). The end-to-end tests run
// whole training jobs; these check the bucketing that a tiny model (one
// bucket) never reaches, and the failure report.

#include "train/distributed.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <thread>

using namespace mm;
using namespace mm::train;

namespace {

int freePort() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = 0;
    if (s >= 0 && ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    if (s >= 0)
        ::close(s);
    return port;
}

DistEnv env(int rank, int port) {
    DistEnv e;
    e.rank = rank;
    e.worldSize = 2;
    e.localRank = rank;
    e.localWorldSize = 2;
    e.masterAddr = "127.0.0.1";
    e.masterPort = port;
    return e;
}

// Rank r's tensors: mixed dtypes, a non-contiguous view, one tensor larger
// than a bucket, values that differ per rank.
std::vector<torch::Tensor> tensorsOf(int r) {
    const double k = r + 1;
    return {torch::arange(15, torch::kFloat32).reshape({3, 5}) * k, torch::full({7}, 10.0 * k, torch::kFloat64),
            (torch::arange(24, torch::kFloat32).reshape({4, 6}) * k).t(),
            torch::linspace(-1, 1, 40, torch::kFloat32) * k, torch::full({2}, r == 0 ? 3.f : -5.f)};
}

// Runs body(rank) on two threads; rethrows nothing, returns each rank's error.
std::vector<std::string> onTwoRanks(const std::function<void(int)>& body) {
    std::vector<std::string> err(2);
    std::vector<std::thread> t;
    for (int r = 0; r < 2; ++r)
        t.emplace_back([&, r] {
            try {
                body(r);
            } catch (const std::exception& e) {
                err[size_t(r)] = e.what();
            }
        });
    for (auto& th : t)
        th.join();
    return err;
}

} // namespace

TEST(Communicator, BucketedAllReduceAndBroadcastAcrossTwoRanks) {
    const int port = freePort();
    std::vector<std::vector<torch::Tensor>> mean(2), sum(2), max(2), bcast(2);
    auto err = onTwoRanks([&](int r) {
        Communicator c(env(r, port), torch::kCPU, std::chrono::seconds(30));
        EXPECT_EQ(c.rank(), r);
        EXPECT_EQ(c.backend(), "gloo");
        c.bucketBytes = 64; // 16 floats: several buckets, one tensor alone in its own
        mean[size_t(r)] = tensorsOf(r);
        c.allReduce(mean[size_t(r)], Communicator::Op::Mean, "mean");
        sum[size_t(r)] = tensorsOf(r);
        c.allReduce(sum[size_t(r)], Communicator::Op::Sum, "sum");
        max[size_t(r)] = tensorsOf(r);
        c.allReduce(max[size_t(r)], Communicator::Op::Max, "max");
        bcast[size_t(r)] = tensorsOf(r);
        c.broadcast(bcast[size_t(r)], 1, "broadcast");
        c.barrier("end");
    });
    ASSERT_EQ(err[0], "");
    ASSERT_EQ(err[1], "");
    const auto a = tensorsOf(0), b = tensorsOf(1);
    for (int r = 0; r < 2; ++r)
        for (size_t i = 0; i < a.size(); ++i) {
            SCOPED_TRACE("rank " + std::to_string(r) + " tensor " + std::to_string(i));
            const auto& m = mean[size_t(r)][i];
            EXPECT_EQ(m.scalar_type(), a[i].scalar_type());
            EXPECT_EQ(m.sizes(), a[i].sizes());
            EXPECT_TRUE(torch::allclose(m, (a[i] + b[i]) / 2));
            EXPECT_TRUE(torch::allclose(sum[size_t(r)][i], a[i] + b[i]));
            EXPECT_TRUE(torch::equal(max[size_t(r)][i], torch::max(a[i], b[i])));
            EXPECT_TRUE(torch::equal(bcast[size_t(r)][i], b[i]));
        }
}

TEST(Communicator, LostRankIsNamedByTheSurvivor) {
    const int port = freePort();
    std::string survivorError;
    auto err = onTwoRanks([&](int r) {
        Communicator c(env(r, port), torch::kCPU, std::chrono::seconds(20));
        torch::Tensor t = torch::ones({4});
        c.allReduce({t}, Communicator::Op::Sum, "warm-up");
        if (r == 1)
            return; // rank 1 leaves: its connections close
        c.allReduce({t}, Communicator::Op::Sum, "test all-reduce");
    });
    EXPECT_EQ(err[1], "");
    EXPECT_NE(err[0].find("rank 0: test all-reduce failed"), std::string::npos) << err[0];
    EXPECT_NE(err[0].find("Rank 1 has stopped responding"), std::string::npos) << err[0];
}

TEST(Communicator, RanksThatNeverMeetFailWithinTheTimeout) {
    const auto t0 = std::chrono::steady_clock::now();
    try {
        Communicator c(env(0, freePort()), torch::kCPU, std::chrono::seconds(5));
        FAIL() << "a group of 2 formed with one rank";
    } catch (const DistributedError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find("rank 0 of 2"), std::string::npos) << msg;
        EXPECT_NE(msg.find("--ddp_timeout"), std::string::npos) << msg;
    }
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 30);
}
