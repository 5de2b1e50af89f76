// Experiment history on real SQLite files in a temporary directory: schema and
// migrations, round trips, cross-connection visibility, refusal of files we must
// not touch, stale-run detection with a real dead process.

#include "store/history.h"

#include "common/error.h"
#include "fixtures.h"

#include <cctype>
#include <cmath>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mm::store {
namespace {

using mm::test::TempDir;

std::string readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void writeBytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
}

/// True for "YYYY-MM-DDTHH:MM:SSZ".
bool isIsoUtc(const std::string& s) {
    const std::string shape = "dddd-dd-ddTdd:dd:ddZ";
    if (s.size() != shape.size())
        return false;
    for (size_t i = 0; i < s.size(); ++i)
        if (shape[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(s[i])) : s[i] != shape[i])
            return false;
    return true;
}

std::string thisHost() {
    char buf[256] = {};
    ::gethostname(buf, sizeof buf - 1);
    return buf;
}

/// A plain sqlite3 connection, for looking at the file the way another tool
/// would and for preparing databases History itself would never write.
class RawDb {
public:
    explicit RawDb(const std::string& path) {
        if (sqlite3_open(path.c_str(), &m_db) != SQLITE_OK)
            throw std::runtime_error("open " + path);
    }
    ~RawDb() { sqlite3_close(m_db); }
    void exec(const std::string& sql) {
        char* err = nullptr;
        if (sqlite3_exec(m_db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            std::string msg = err ? err : "?";
            sqlite3_free(err);
            throw std::runtime_error(sql + ": " + msg);
        }
    }
    /// First column of the first row as text ("" when no row).
    std::string scalar(const std::string& sql) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(m_db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
            throw std::runtime_error(sql + ": " + sqlite3_errmsg(m_db));
        std::string out;
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        return out;
    }

private:
    sqlite3* m_db = nullptr;
};

TEST(History, CreatesSchemaInWalMode) {
    TempDir dir;
    const std::string db = dir.file("micromind.db");
    {
        History h(db);
        EXPECT_EQ(h.schemaVersion(), History::kSchemaVersion);
        EXPECT_EQ(h.path(), db);
        EXPECT_TRUE(h.listRuns().empty());
    }
    RawDb raw(db);
    EXPECT_EQ(raw.scalar("PRAGMA journal_mode"), "wal");
    EXPECT_EQ(raw.scalar("PRAGMA user_version"), std::to_string(History::kSchemaVersion));
    for (const char* table : {"runs", "metrics", "checkpoints", "eval_answers", "scores", "probes"})
        EXPECT_EQ(
            raw.scalar(std::string("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='") + table + "'"),
            "1")
            << table;
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM sqlite_master WHERE type='index' AND name='metrics_run_name_step'"),
              "1");
}

TEST(History, RoundTripsARun) {
    TempDir dir;
    History h(dir.file("micromind.db"));
    const int64_t id = h.beginRun("pretrain", R"({"lr":0.0005})", "", "out/pretrain_512.pth", "0.1.0");
    EXPECT_GT(id, 0);

    {
        auto r = h.run(id);
        ASSERT_TRUE(r);
        EXPECT_EQ(r->status, "running");
        EXPECT_TRUE(r->endedAt.empty());
        EXPECT_FALSE(r->finalLoss);
    }

    for (int step = 1; step <= 10; ++step)
        h.logMetrics(id, step, {{"loss", 10.0 / step}, {"lr", 1e-4 * step}}, 0.5 * step);
    h.updateProgress(id, 10, 40960, 1.0);
    h.updateProgress(id, 10, 40960, std::nullopt); // keeps the last known loss
    h.addCheckpoint(id, "out/pretrain_512.pth", "weights", 10);
    h.finishRun(id, "completed", "done");

    auto r = h.run(id);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->id, id);
    EXPECT_EQ(r->stage, "pretrain");
    EXPECT_EQ(r->status, "completed");
    EXPECT_EQ(r->configJson, R"({"lr":0.0005})");
    EXPECT_EQ(r->parentCheckpoint, "");
    EXPECT_EQ(r->outCheckpoint, "out/pretrain_512.pth");
    EXPECT_EQ(r->host, thisHost());
    EXPECT_EQ(r->pid, static_cast<int64_t>(::getpid()));
    EXPECT_EQ(r->version, "0.1.0");
    EXPECT_TRUE(isIsoUtc(r->startedAt)) << r->startedAt;
    EXPECT_TRUE(isIsoUtc(r->endedAt)) << r->endedAt;
    EXPECT_LE(r->startedAt, r->endedAt);
    ASSERT_TRUE(r->finalLoss);
    EXPECT_DOUBLE_EQ(*r->finalLoss, 1.0);
    EXPECT_EQ(r->tokens, 40960);
    EXPECT_EQ(r->steps, 10);
    EXPECT_EQ(r->message, "done");

    EXPECT_EQ(h.metricNames(id), (std::vector<std::string>{"loss", "lr"}));
    auto loss = h.metrics(id, "loss");
    ASSERT_EQ(loss.size(), 10u);
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(loss[i].step, i + 1);
        EXPECT_DOUBLE_EQ(loss[i].value, 10.0 / (i + 1));
        EXPECT_DOUBLE_EQ(loss[i].wallTime, 0.5 * (i + 1));
    }
    EXPECT_TRUE(h.metrics(id, "nope").empty());
    EXPECT_TRUE(h.metrics(id + 1, "loss").empty());

    auto runs = h.listRuns();
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].id, id);
    EXPECT_FALSE(h.run(id + 100));
}

TEST(History, ListsRunsInIdOrder) {
    TempDir dir;
    History h(dir.file("micromind.db"));
    const int64_t a = h.beginRun("pretrain", "{}", "", "a.pth", "v");
    const int64_t b = h.beginRun("full_sft", "{}", "a.pth", "b.pth", "v");
    const int64_t c = h.beginRun("lora", "{}", "b.pth", "c.pth", "v");
    auto runs = h.listRuns();
    ASSERT_EQ(runs.size(), 3u);
    EXPECT_EQ(runs[0].id, a);
    EXPECT_EQ(runs[1].id, b);
    EXPECT_EQ(runs[2].id, c);
    EXPECT_EQ(runs[1].stage, "full_sft");
    EXPECT_EQ(runs[2].parentCheckpoint, "b.pth");
}

TEST(History, MetricsBecomeVisibleToOtherConnectionsOnFlush) {
    TempDir dir;
    const std::string db = dir.file("micromind.db");
    History writer(db);
    const int64_t id = writer.beginRun("pretrain", "{}", "", "out.pth", "v");
    for (int step = 0; step < 100; ++step)
        writer.logMetrics(id, step, {{"loss", 1.0}}, step);

    History reader(db);
    ASSERT_TRUE(reader.run(id)); // beginRun commits at once
    EXPECT_TRUE(reader.metrics(id, "loss").empty());
    writer.flush();
    EXPECT_EQ(reader.metrics(id, "loss").size(), 100u);
    writer.flush(); // nothing pending: no duplicates
    EXPECT_EQ(reader.metrics(id, "loss").size(), 100u);
}

TEST(History, FinishRunAndDestructorFlush) {
    TempDir dir;
    const std::string db = dir.file("micromind.db");
    int64_t finished = 0, abandoned = 0;
    {
        History h(db);
        finished = h.beginRun("pretrain", "{}", "", "a.pth", "v");
        abandoned = h.beginRun("pretrain", "{}", "", "b.pth", "v");
        h.logMetrics(finished, 1, {{"loss", 2.0}}, 1);
        h.finishRun(finished, "stopped", "stopped by user");
        History other(db);
        EXPECT_EQ(other.metrics(finished, "loss").size(), 1u);
        EXPECT_EQ(other.run(finished)->status, "stopped");

        h.logMetrics(abandoned, 1, {{"loss", 3.0}}, 1);
    }
    History h(db);
    ASSERT_EQ(h.metrics(abandoned, "loss").size(), 1u);
    EXPECT_DOUBLE_EQ(h.metrics(abandoned, "loss")[0].value, 3.0);
}

TEST(History, ReopeningKeepsData) {
    TempDir dir;
    const std::string db = dir.file("micromind.db");
    int64_t id = 0;
    {
        History h(db);
        id = h.beginRun("pretrain", "{}", "", "out.pth", "v");
        h.logMetrics(id, 5, {{"loss", 4.5}}, 2.0);
        h.addCheckpoint(id, "out.pth", "weights", 5);
        h.finishRun(id, "completed");
    }
    for (int i = 0; i < 2; ++i) {
        History h(db);
        EXPECT_EQ(h.schemaVersion(), History::kSchemaVersion);
        ASSERT_EQ(h.listRuns().size(), 1u);
        EXPECT_EQ(h.run(id)->status, "completed");
        ASSERT_EQ(h.metrics(id, "loss").size(), 1u);
        EXPECT_EQ(h.metrics(id, "loss")[0].step, 5);
        EXPECT_EQ(h.checkpoints(id).size(), 1u);
    }
    // New runs continue the id sequence.
    History h(db);
    EXPECT_GT(h.beginRun("full_sft", "{}", "out.pth", "sft.pth", "v"), id);
}

TEST(History, RefusesNewerSchemaAndLeavesFileAlone) {
    TempDir dir;
    const std::string db = dir.file("micromind.db");
    {
        RawDb raw(db);
        raw.exec("CREATE TABLE future_runs(id INTEGER PRIMARY KEY, x TEXT); INSERT INTO future_runs(x) VALUES('keep');"
                 "PRAGMA user_version = " +
                 std::to_string(History::kSchemaVersion + 5));
    }
    const std::string before = readBytes(db);
    ASSERT_FALSE(before.empty());
    try {
        History h(db);
        FAIL() << "a newer schema must be refused";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("newer micromind"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(db), std::string::npos) << e.what();
    }
    EXPECT_EQ(readBytes(db), before);
}

TEST(History, GarbageFileIsIoErrorAndUntouched) {
    TempDir dir;
    const std::string db = dir.file("micromind.db");
    std::string garbage;
    for (int i = 0; i < 300; ++i)
        garbage += "this is not an sqlite database, it is someone's notes line " + std::to_string(i) + "\n";
    writeBytes(db, garbage);
    try {
        History h(db);
        FAIL() << "a garbage file must be refused";
    } catch (const IoError& e) {
        const std::string msg = e.what();
        EXPECT_NE(msg.find(db), std::string::npos) << msg;
        EXPECT_NE(msg.find("Move it aside"), std::string::npos) << msg;
    }
    EXPECT_EQ(readBytes(db), garbage);

    // A short garbage file too (smaller than an SQLite header).
    writeBytes(db, "junk");
    EXPECT_THROW(History h(db), IoError);
    EXPECT_EQ(readBytes(db), "junk");
}

TEST(History, UnopenablePathIsIoError) {
    TempDir dir;
    EXPECT_THROW(History h(dir.file("missing_dir/micromind.db")), IoError);
    EXPECT_THROW(History h(dir.path()), IoError); // a directory, not a file
}

TEST(History, MarksRunsOfDeadProcessesInterrupted) {
    TempDir dir;
    const std::string db = dir.file("micromind.db");

    // A real process starts a run and dies without finishing it, as a killed
    // trainer would. The parent holds no connection across fork(): SQLite
    // connections must not be shared with a child.
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        int code = 0;
        try {
            History h(db);
            h.beginRun("pretrain", "{}", "", "dead.pth", "v");
        } catch (...) {
            code = 1;
        }
        ::_exit(code); // no finishRun, no clean shutdown of the test process
    }
    int wstatus = 0;
    ASSERT_EQ(::waitpid(child, &wstatus, 0), child);
    ASSERT_TRUE(WIFEXITED(wstatus));
    ASSERT_EQ(WEXITSTATUS(wstatus), 0);

    History h(db);
    auto runs = h.listRuns();
    ASSERT_EQ(runs.size(), 1u);
    const int64_t dead = runs[0].id;
    EXPECT_EQ(runs[0].pid, static_cast<int64_t>(child));
    EXPECT_EQ(runs[0].status, "running");

    const int64_t live = h.beginRun("full_sft", "{}", "", "live.pth", "v");
    // A dead pid recorded by another host means nothing here and must stay.
    const int64_t remote = h.beginRun("pretrain", "{}", "", "remote.pth", "v");
    {
        RawDb raw(db);
        raw.exec("UPDATE runs SET host = 'some-other-host', pid = " + std::to_string(child) +
                 " WHERE id = " + std::to_string(remote));
    }

    EXPECT_EQ(h.markStaleRunsInterrupted(), 1);
    auto d = h.run(dead);
    EXPECT_EQ(d->status, "interrupted");
    EXPECT_FALSE(d->endedAt.empty());
    EXPECT_NE(d->message.find(std::to_string(child)), std::string::npos) << d->message;
    EXPECT_EQ(h.run(live)->status, "running");
    EXPECT_TRUE(h.run(live)->endedAt.empty());
    EXPECT_EQ(h.run(remote)->status, "running");

    // Idempotent: nothing left to mark.
    EXPECT_EQ(h.markStaleRunsInterrupted(), 0);
}

TEST(History, ManyMetricsFlushCorrectly) {
    TempDir dir;
    const std::string db = dir.file("micromind.db");
    History h(db);
    const int64_t id = h.beginRun("pretrain", "{}", "", "out.pth", "v");
    History reader(db);

    constexpr int kSteps = 10000; // two names: 20000 rows
    for (int step = 0; step < kSteps; ++step) {
        h.logMetrics(id, step, {{"loss", 0.001 * step}, {"lr", 1.0 / (step + 1)}}, 0.01 * step);
        if (step == 1500) {
            // The queue passed its limit and wrote itself out, without flush().
            EXPECT_GE(reader.metrics(id, "loss").size(), 1000u);
        }
    }
    h.flush();

    auto loss = reader.metrics(id, "loss");
    auto lr = reader.metrics(id, "lr");
    ASSERT_EQ(loss.size(), static_cast<size_t>(kSteps));
    ASSERT_EQ(lr.size(), static_cast<size_t>(kSteps));
    for (int step = 0; step < kSteps; ++step) {
        ASSERT_EQ(loss[step].step, step);
        ASSERT_DOUBLE_EQ(loss[step].value, 0.001 * step);
        ASSERT_DOUBLE_EQ(loss[step].wallTime, 0.01 * step);
        ASSERT_DOUBLE_EQ(lr[step].value, 1.0 / (step + 1));
    }
    RawDb raw(db);
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM metrics"), std::to_string(2 * kSteps));
}

TEST(History, NonFiniteMetricValues) {
    TempDir dir;
    History h(dir.file("micromind.db"));
    const int64_t id = h.beginRun("pretrain", "{}", "", "out.pth", "v");
    h.logMetrics(id, 1, {{"loss", std::nan("")}, {"grad_norm", INFINITY}}, 1.0);
    h.flush(); // a diverging run must still be able to log its last values
    auto loss = h.metrics(id, "loss");
    ASSERT_EQ(loss.size(), 1u);
    EXPECT_TRUE(std::isnan(loss[0].value));
    auto g = h.metrics(id, "grad_norm");
    ASSERT_EQ(g.size(), 1u);
    EXPECT_TRUE(std::isinf(g[0].value));
}

TEST(History, CheckpointsAndLineage) {
    TempDir dir;
    History h(dir.file("micromind.db"));

    const int64_t a = h.beginRun("pretrain", "{}", "", "out/pretrain_512.pth", "v");
    h.addCheckpoint(a, "out/pretrain_512_step100.pth", "resume", 100);
    h.addCheckpoint(a, "out/pretrain_512.pth", "weights", 200);
    h.finishRun(a, "completed");

    // A later run that failed while writing the same path is not its origin.
    const int64_t failed = h.beginRun("pretrain", "{}", "", "out/pretrain_512.pth", "v");
    h.finishRun(failed, "failed", "NaN loss");

    const int64_t sft = h.beginRun("full_sft", "{}", "out/pretrain_512.pth", "out/full_sft_512.pth", "v");
    h.addCheckpoint(sft, "out/full_sft_512_step50.pth", "weights", 50);
    h.finishRun(sft, "stopped");

    auto cps = h.checkpoints(a);
    ASSERT_EQ(cps.size(), 2u);
    EXPECT_EQ(cps[0].runId, a);
    EXPECT_EQ(cps[0].path, "out/pretrain_512_step100.pth");
    EXPECT_EQ(cps[0].kind, "resume");
    EXPECT_EQ(cps[0].step, 100);
    EXPECT_FALSE(cps[0].createdAt.empty());
    EXPECT_EQ(cps[1].kind, "weights");
    EXPECT_LT(cps[0].id, cps[1].id);
    EXPECT_TRUE(h.checkpoints(failed).empty());

    EXPECT_EQ(h.runForCheckpoint("out/pretrain_512.pth"), a);
    EXPECT_EQ(h.runForCheckpoint("out/pretrain_512_step100.pth"), a);
    EXPECT_EQ(h.runForCheckpoint("out/full_sft_512_step50.pth"), sft); // stopped counts
    EXPECT_EQ(h.runForCheckpoint("out/full_sft_512.pth"), sft);
    EXPECT_FALSE(h.runForCheckpoint("out/unknown.pth"));

    // A newer completed run that rewrote the file becomes its origin.
    const int64_t again = h.beginRun("pretrain", "{}", "", "out/pretrain_512.pth", "v");
    EXPECT_EQ(h.runForCheckpoint("out/pretrain_512.pth"), a); // still running
    h.finishRun(again, "completed");
    EXPECT_EQ(h.runForCheckpoint("out/pretrain_512.pth"), again);
}

TEST(History, HostileStringsRoundTripHarmlessly) {
    TempDir dir;
    const std::string db = dir.file("micromind.db");
    History h(db);
    const std::string evil = "'); DROP TABLE runs;--";
    const std::string quotes = R"(it's "quoted" \ back\slash; DELETE FROM metrics; 中文 🚀)";
    const std::string withNul("a\0b", 3);
    const int64_t id = h.beginRun(quotes, evil, withNul, evil + ".pth", "1'2");
    h.logMetrics(id, 1, {{evil, 1.5}, {quotes, 2.5}}, 0);
    h.addCheckpoint(id, evil, quotes, 3);
    h.finishRun(id, "failed", evil);

    auto r = h.run(id);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->stage, quotes);
    EXPECT_EQ(r->configJson, evil);
    EXPECT_EQ(r->parentCheckpoint, withNul);
    EXPECT_EQ(r->outCheckpoint, evil + ".pth");
    EXPECT_EQ(r->version, "1'2");
    EXPECT_EQ(r->message, evil);
    ASSERT_EQ(h.metrics(id, evil).size(), 1u);
    EXPECT_DOUBLE_EQ(h.metrics(id, evil)[0].value, 1.5);
    EXPECT_EQ(h.metrics(id, quotes).size(), 1u);
    ASSERT_EQ(h.checkpoints(id).size(), 1u);
    EXPECT_EQ(h.checkpoints(id)[0].path, evil);
    EXPECT_EQ(h.checkpoints(id)[0].kind, quotes);

    RawDb raw(db);
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM runs"), "1");
    EXPECT_EQ(raw.scalar("SELECT count(*) FROM metrics"), "2");
}

TEST(History, RejectsBadFinishAndUnknownRuns) {
    TempDir dir;
    History h(dir.file("micromind.db"));
    const int64_t id = h.beginRun("pretrain", "{}", "", "out.pth", "v");
    EXPECT_THROW(h.finishRun(id, "running"), InputError);
    EXPECT_THROW(h.finishRun(id, "done"), InputError);
    EXPECT_EQ(h.run(id)->status, "running");
    EXPECT_THROW(h.finishRun(id + 7, "completed"), InputError);
    EXPECT_THROW(h.addCheckpoint(id + 7, "x.pth", "weights", 1), IoError); // foreign key

    // Metrics for a run that does not exist cannot be written; the batch is
    // reported once, then the queue is usable again.
    h.logMetrics(id + 7, 1, {{"loss", 1.0}}, 0);
    EXPECT_THROW(h.flush(), IoError);
    h.logMetrics(id, 1, {{"loss", 1.0}}, 0);
    EXPECT_NO_THROW(h.flush());
    EXPECT_EQ(h.metrics(id, "loss").size(), 1u);
    EXPECT_TRUE(h.metrics(id + 7, "loss").empty());
}

TEST(History, UpdateProgressOnlyTouchesRunningRuns) {
    TempDir dir;
    History h(dir.file("micromind.db"));
    const int64_t id = h.beginRun("pretrain", "{}", "", "out.pth", "v");
    h.updateProgress(id, 3, 300, 2.5);
    EXPECT_EQ(h.run(id)->steps, 3);
    EXPECT_EQ(h.run(id)->tokens, 300);
    EXPECT_DOUBLE_EQ(*h.run(id)->finalLoss, 2.5);
    h.finishRun(id, "completed");
    h.updateProgress(id, 99, 9900, 0.1); // late update after the end: ignored
    EXPECT_EQ(h.run(id)->steps, 3);
    EXPECT_DOUBLE_EQ(*h.run(id)->finalLoss, 2.5);
}

TEST(History, DeleteRunCascadesAndReturnsOnlyOrphanedFiles) {
    TempDir dir;
    History h(dir.file("micromind.db"));
    // Two runs wrote the same weights file (a re-run); only the first one wrote
    // its own resume archive.
    const int64_t first = h.beginRun("pretrain", "{}", "", "out/pretrain_128.pth", "v");
    h.logMetrics(first, 1, {{"loss", 3.0}}, 0.5);
    h.addCheckpoint(first, "out/pretrain_128.pth", "weights", 1);
    h.addCheckpoint(first, "out/checkpoints/pretrain_128_resume.pt", "resume", 1);
    h.finishRun(first, "completed");
    const int64_t second = h.beginRun("pretrain", "{}", "", "out/pretrain_128.pth", "v");
    h.addCheckpoint(second, "out/pretrain_128.pth", "weights", 2);
    const int64_t running = h.beginRun("full_sft", "{}", "out/pretrain_128.pth", "out/full_sft_128.pth", "v");

    EXPECT_THROW(h.deleteRun(running), InputError); // still running
    EXPECT_THROW(h.deleteRun(999), InputError);     // unknown

    h.finishRun(second, "completed");
    const auto files = h.deleteRun(first);
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0], "out/checkpoints/pretrain_128_resume.pt");
    EXPECT_FALSE(h.run(first).has_value());
    EXPECT_TRUE(h.metrics(first, "loss").empty());
    EXPECT_TRUE(h.checkpoints(first).empty());
    EXPECT_EQ(h.listRuns().size(), 2u);

    // The last run that wrote the weights file gives it up with its deletion.
    const auto files2 = h.deleteRun(second);
    ASSERT_EQ(files2.size(), 1u);
    EXPECT_EQ(files2[0], "out/pretrain_128.pth");
}

TEST(History, ProbesRoundTripByStepAndGoWithTheirRun) {
    TempDir dir;
    const std::string db = dir.file("micromind.db");
    int64_t run = 0;
    {
        History h(db);
        run = h.beginRun("pretrain", "{}", "", "out/pretrain_128.pth", "v");
        h.addProbes({{run, 100, "长沙市的美食有", "臭豆腐", 3, false}, {run, 100, "你好", "你好！", 2, true}});
        h.addProbes({{run, 200, "长沙市的美食有", "臭豆腐和糖油粑粑", 6, true}});
        h.addProbes({});
        const auto all = h.probes(run);
        ASSERT_EQ(all.size(), 3u);
        EXPECT_EQ(all[0].step, 100);
        EXPECT_EQ(all[0].prompt, "长沙市的美食有");
        EXPECT_EQ(all[1].completion, "你好！");
        EXPECT_TRUE(all[1].stopped);
        EXPECT_FALSE(all[0].stopped);
        EXPECT_EQ(all[2].tokens, 6);
        const auto later = h.probes(run, 100); // a re-attached workbench asks for newer steps only
        ASSERT_EQ(later.size(), 1u);
        EXPECT_EQ(later[0].step, 200);
        EXPECT_TRUE(h.probes(run + 1).empty());
    }
    {
        // A version-2 database (before probes) gains the table on open.
        RawDb raw(db);
        raw.exec("DROP TABLE probes; DROP TABLE run_warnings; DROP TABLE queue_items; PRAGMA user_version = 2");
    }
    History h(db);
    EXPECT_EQ(h.schemaVersion(), History::kSchemaVersion);
    EXPECT_TRUE(h.probes(run).empty());
    h.addProbes({{run, 5, "p", "c", 1, false}});
    h.finishRun(run, "completed");
    h.deleteRun(run);
    EXPECT_TRUE(h.probes(run).empty());
}

TEST(History, QueueKeepsOrderMovesRemovesAndSurvivesReopening) {
    TempDir dir;
    const std::string db = dir.file("micromind.db");
    int64_t a = 0, b = 0, c = 0;
    {
        History h(db);
        a = h.enqueue("p", "pretrain", R"(["--max_steps","3"])", 2);
        b = h.enqueue("p", "full_sft", "[]");
        c = h.enqueue("p", "dpo", "[]");
        h.enqueue("other", "lora", "[]");
        ASSERT_EQ(h.queueItems("p").size(), 3u);
        EXPECT_EQ(h.queueItems().size(), 4u);
        EXPECT_EQ(h.queueItems("p")[0].processes, 2);
        EXPECT_EQ(h.queueItems("p")[0].argsJson, R"(["--max_steps","3"])");
        // dpo moves before full_sft; moving the first one earlier is refused.
        EXPECT_TRUE(h.moveQueueItem(c, -1));
        EXPECT_FALSE(h.moveQueueItem(a, -1));
        EXPECT_FALSE(h.moveQueueItem(b, 1));
        const auto items = h.queueItems("p");
        EXPECT_EQ(items[0].id, a);
        EXPECT_EQ(items[1].id, c);
        EXPECT_EQ(items[2].id, b);
        h.setQueueStatus(a, "running", 7);
        EXPECT_THROW(h.moveQueueItem(a, 1), InputError);
        EXPECT_THROW(h.removeQueueItem(a), InputError);
        EXPECT_EQ(h.nextQueued("p")->id, c);
        h.setQueueStatus(a, "completed", 0, "done");
        EXPECT_EQ(h.queueItem(a)->runId, 7); // a 0 run id keeps the one set before
        EXPECT_EQ(h.queueItem(a)->message, "done");
        h.removeQueueItem(c);
        EXPECT_EQ(h.nextQueued("p")->id, b);
        EXPECT_THROW(h.removeQueueItem(c), InputError);
        EXPECT_THROW(h.setQueueStatus(c, "failed"), InputError);
    }
    History h(db);
    const auto items = h.queueItems("p");
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[0].status, "completed");
    EXPECT_EQ(items[1].stage, "full_sft");
    EXPECT_EQ(items[1].status, "queued");
    EXPECT_EQ(h.clearFinishedQueueItems("p"), 1);
    EXPECT_EQ(h.queueItems("p").size(), 1u);
    EXPECT_FALSE(h.nextQueued("nothing"));
}

TEST(History, RequeueUnfinishedResumesStoppedStagesRetriesFailedOnesAndRefusesALiveOwner) {
    TempDir dir;
    History h(dir.file("micromind.db"));
    const int64_t done = h.enqueue("q", "pretrain", R"(["--max_steps","3"])");
    const int64_t stopped = h.enqueue("q", "full_sft", "[]", 2);
    const int64_t failed = h.enqueue("q", "dpo", "[]");
    const int64_t orphan = h.enqueue("q", "eval", "[]");
    h.setQueueStatus(done, "completed");
    h.setQueueStatus(stopped, "stopped");
    h.setQueueStatus(failed, "failed", 0, "exit code 2");
    // Left running by a process that is gone (pid 1 is alive: use a dead one).
    pid_t dead = fork();
    if (dead == 0)
        _exit(0);
    ASSERT_GT(dead, 0);
    waitpid(dead, nullptr, 0);
    h.setQueueStatus(orphan, "running", 0, queueOwnerNote("workbench", dead));
    EXPECT_EQ(h.requeueUnfinished("q", ::getpid()), 3);
    EXPECT_EQ(h.queueItem(done)->status, "completed");
    EXPECT_EQ(h.queueItem(stopped)->status, "queued");
    EXPECT_EQ(h.queueItem(stopped)->message, kQueueResumeNote);
    EXPECT_EQ(h.queueItem(failed)->message, "requeued: failed");
    EXPECT_EQ(h.queueItem(orphan)->message, "requeued: running"); // a tool has no checkpoint to resume
    const auto cmd = queueItemCommand(*h.queueItem(stopped));
    EXPECT_EQ(cmd, (std::vector<std::string>{"full_sft", "--nproc_per_node", "2", "--resume"}));
    EXPECT_EQ(queueItemCommand(*h.queueItem(done)), (std::vector<std::string>{"pretrain", "--max_steps", "3"}));
    // A live owner (this test's parent process) keeps the queue to itself.
    h.setQueueStatus(failed, "running", 0, queueOwnerNote("pipeline", ::getppid()));
    try {
        h.requeueUnfinished("q", ::getpid());
        FAIL() << "a queue run by a live process was requeued";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("pid " + std::to_string(::getppid())), std::string::npos) << e.what();
    }
    EXPECT_EQ(h.queueItem(failed)->status, "running");
    // Its own process may requeue it.
    EXPECT_EQ(h.requeueUnfinished("q", ::getppid()), 1);
}

TEST(History, WarningsAreStoredDeletedWithTheirRunAndMigratedFromVersion3) {
    TempDir dir;
    const std::string db = dir.file("micromind.db");
    {
        History h(db);
        h.beginRun("pretrain", "{}", "", "", "test");
    }
    {
        // A version-3 database (before warnings and the queue) gains both on open.
        RawDb raw(db);
        raw.exec("DROP TABLE run_warnings; DROP TABLE queue_items; PRAGMA user_version = 3");
    }
    History h(db);
    EXPECT_EQ(h.schemaVersion(), History::kSchemaVersion);
    const int64_t run = h.listRuns().at(0).id;
    h.addWarning({0, run, 40, "loss_spike", "step 40: loss 9 is 6.0x its running average", 9.0, {}});
    h.addWarning({0, run, 20, "grad_spike", "step 20: gradient norm", std::nullopt, {}});
    const auto w = h.warnings(run);
    ASSERT_EQ(w.size(), 2u);
    EXPECT_EQ(w[0].step, 20);
    EXPECT_FALSE(w[0].value.has_value());
    EXPECT_EQ(w[1].kind, "loss_spike");
    EXPECT_DOUBLE_EQ(*w[1].value, 9.0);
    EXPECT_FALSE(w[1].createdAt.empty());
    h.enqueue("q", "pretrain", "[]");
    h.finishRun(run, "completed");
    h.deleteRun(run);
    EXPECT_TRUE(h.warnings(run).empty());
}

} // namespace
} // namespace mm::store
