// The atomic file writer: temp name + fsync + rename, and the sweep of temp
// files that killed writers leave behind (scripts/kill_soak.py kills writers
// halfway through for real).

#include "common/fs.h"
#include "fixtures.h"

#include <gtest/gtest.h>

#include <ctime>
#include <fstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

using namespace mm;

namespace {

// A pid that is certainly not running: a child that has exited and been reaped.
pid_t deadPid() {
    pid_t p = ::fork();
    if (p == 0)
        _exit(0);
    int st = 0;
    ::waitpid(p, &st, 0);
    return p;
}

void makeOld(const std::string& path, long seconds) {
    utimbuf t{};
    t.actime = t.modtime = std::time(nullptr) - seconds;
    ASSERT_EQ(::utime(path.c_str(), &t), 0);
}

} // namespace

TEST(AtomicWrite, ReplacesTheFileAndLeavesNoTempBehind) {
    test::TempDir d;
    fs::writeFileAtomic(d.file("w.pth"), "old");
    fs::writeFileAtomic(d.file("w.pth"), std::string(100000, 'x'));
    EXPECT_EQ(fs::readFile(d.file("w.pth")), std::string(100000, 'x'));
    EXPECT_FALSE(fs::isFile(d.file("w.pth.tmp." + std::to_string(::getpid()))));
}

TEST(AtomicWrite, SweepsOldTempsOfDeadWritersOnly) {
    test::TempDir d;
    const std::string dead = d.file("w.pth.tmp." + std::to_string(deadPid()));
    const std::string deadFresh = d.file("w.pth.tmp." + std::to_string(deadPid()));
    const std::string alive = d.file("w.pth.tmp." + std::to_string(::getppid()));
    const std::string other = d.file("v.pth.tmp." + std::to_string(deadPid()));
    for (const auto& p : {dead, deadFresh, alive, other})
        std::ofstream(p) << "partial";
    makeOld(dead, 3600);
    makeOld(alive, 3600);
    makeOld(other, 3600);
    fs::writeFileAtomic(d.file("w.pth"), "new");
    EXPECT_FALSE(fs::isFile(dead)) << "a killed writer's old temp file is removed";
    EXPECT_TRUE(fs::isFile(deadFresh)) << "a recent one may belong to a writer on another host";
    EXPECT_TRUE(fs::isFile(alive)) << "a live writer's temp file is kept";
    EXPECT_TRUE(fs::isFile(other)) << "only temps of the file being written are touched";
    EXPECT_EQ(fs::readFile(d.file("w.pth")), "new");
}
