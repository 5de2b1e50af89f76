#include "commands/pipeline_run.h"

#include "common/error.h"
#include "common/format.h"
#include "common/fs.h"
#include "common/subprocess.h"
#include "store/history.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <thread>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mm::config {

namespace stdfs = std::filesystem;

namespace {

constexpr const char* kWorkbenchQueue = "workbench";

bool isTrainingStage(const std::string& s) {
    return s == "pretrain" || s == "full_sft" || s == "dpo" || s == "distill_reason" || s == "lora" || s == "grpo";
}

std::vector<std::string> commandOf(const store::QueueItemRecord& item, bool json) {
    auto cmd = store::queueItemCommand(item);
    if (json && isTrainingStage(item.stage))
        cmd.push_back("--json");
    return cmd;
}

void printQueue(const Console& con, const store::History& h, const std::string& queue) {
    const auto items = h.queueItems(queue);
    if (items.empty()) {
        con.print(strf("%s: no queued stages in %s\n",
                       queue.empty() ? "every queue" : ("queue '" + queue + "'").c_str(), h.path().c_str()));
        return;
    }
    con.print(strf("%-5s %-12s %-4s %-15s %-10s %-6s %s\n", "id", "queue", "pos", "stage", "status", "run", "message"));
    for (const auto& q : items)
        con.print(strf("%-5lld %-12s %-4lld %-15s %-10s %-6s %s\n", (long long)q.id, q.queue.c_str(),
                       (long long)q.position, q.stage.c_str(), q.status.c_str(),
                       q.runId > 0 ? std::to_string(q.runId).c_str() : "-", q.message.c_str()));
}

/// Runs one queued stage as a child in its own process group; a stop request
/// (Ctrl+C, SIGTERM) is forwarded to it once, so it saves and exits 130.
int runStageChild(const std::vector<std::string>& cmd, const Console& con) {
    const pid_t pid = proc::spawn(proc::selfExe(), cmd, {}, 0);
    bool forwarded = false;
    for (;;) {
        int status = 0;
        const pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return proc::exitCodeOf(status);
        if (r < 0 && errno != EINTR)
            throw IoError("waiting for `" + proc::shellLine(cmd) + "` failed: " + std::strerror(errno));
        if (con.stopped() && !forwarded) {
            ::kill(pid, SIGTERM);
            forwarded = true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

/// The newest run of `stage` begun after run `afterId` (the child's run).
int64_t runOfChild(const store::History& h, const std::string& stage, int64_t afterId) {
    int64_t id = 0;
    for (const auto& r : h.listRuns())
        if (r.id > afterId && r.stage == stage)
            id = r.id;
    return id;
}

int64_t lastRunId(const store::History& h) {
    const auto runs = h.listRuns();
    return runs.empty() ? 0 : runs.back().id;
}

/// Brings the queue in line with the file: a fresh queue, or the same stages
/// still pending from an earlier run of it.
void syncQueue(store::History& h, const PipelineSpec& spec, bool fresh) {
    auto items = h.queueItems(spec.name);
    bool same = items.size() == spec.stages.size();
    for (size_t i = 0; same && i < items.size(); ++i) {
        const auto args = store::queueItemArgs(items[i]);
        same = items[i].stage == spec.stages[i].stage && args == spec.stages[i].args &&
               items[i].processes == spec.stages[i].processes;
    }
    bool unfinished = false;
    for (const auto& q : items)
        unfinished = unfinished || q.status != "completed";
    if (!fresh && unfinished && !same)
        throw InputError("queue '" + spec.name + "' in " + h.path() +
                         " holds unfinished stages of a different pipeline (the file changed since it ran). Pass "
                         "--fresh to replace them with the file's stages, or --queue NAME for a queue of its own; "
                         "`micromind pipeline --list --out_dir " +
                         spec.outDir + "` shows them");
    if (!fresh && same)
        return; // continue where it was (or report that every stage completed)
    for (const auto& q : items) {
        if (q.status == "running")
            throw InputError("queue '" + spec.name + "': stage " + q.stage + " (item " + std::to_string(q.id) +
                             ") is still marked running; stop that pipeline first (Ctrl+C in its terminal)");
        h.removeQueueItem(q.id);
    }
    for (const auto& s : spec.stages)
        h.enqueue(spec.name, s.stage, nlohmann::json(s.args).dump(), s.processes);
}

} // namespace

PipelineRunOptions PipelineRunOptions::from(const Values& v) {
    PipelineRunOptions o;
    o.config = v.getString("config");
    o.outDir = v.getString("out_dir");
    o.queue = v.getString("queue");
    o.list = v.getBool("list");
    o.dryRun = v.getBool("dry_run");
    o.fresh = v.getBool("fresh");
    o.json = v.getBool("json");
    return o;
}

int runPipeline(const PipelineRunOptions& o, const Console& con) {
    std::optional<PipelineSpec> spec;
    if (!o.config.empty())
        spec = loadPipeline(o.config);
    std::string outDir = o.outDir;
    if (outDir.empty())
        outDir = spec ? spec->outDir : std::string("out");
    std::string queue = o.queue;
    if (queue.empty())
        queue = spec ? spec->name : (o.list ? std::string() : std::string(kWorkbenchQueue));
    if (spec) {
        spec->name = queue;
        spec->outDir = stdfs::absolute(outDir).lexically_normal().string();
    }

    if (o.dryRun) {
        if (!spec)
            throw InputError("--dry_run checks a pipeline file: pass --config pipeline.json");
        con.print(strf("pipeline '%s': %zu stages, workspace %s (nothing is run)\n", spec->name.c_str(),
                       spec->stages.size(), spec->outDir.c_str()));
        for (size_t i = 0; i < spec->stages.size(); ++i) {
            store::QueueItemRecord q;
            q.stage = spec->stages[i].stage;
            q.argsJson = nlohmann::json(spec->stages[i].args).dump();
            q.processes = spec->stages[i].processes;
            con.print(
                strf("[%zu/%zu] $ %s\n", i + 1, spec->stages.size(), proc::shellLine(commandOf(q, false)).c_str()));
        }
        return 0;
    }

    const std::string db = (stdfs::path(outDir) / "micromind.db").string();
    if (o.list) {
        if (!fs::isFile(db))
            throw InputError("no history at " + db + ": pass the workspace with --out_dir");
        store::History h(db);
        printQueue(con, h, queue);
        return 0;
    }
    stdfs::create_directories(outDir);
    store::History h(db);
    h.markStaleRunsInterrupted();
    if (spec)
        syncQueue(h, *spec, o.fresh);
    h.requeueUnfinished(queue, ::getpid());

    const auto all = h.queueItems(queue);
    int total = 0, done = 0;
    for (const auto& q : all) {
        ++total;
        done += q.status == "completed";
    }
    if (total == done) {
        con.print(strf("queue '%s' in %s: %s\n", queue.c_str(), db.c_str(),
                       total == 0 ? "nothing queued (give a pipeline file with --config)"
                                  : "every stage already completed (pass --fresh to run them again)"));
        return 0;
    }
    const auto t0 = std::chrono::steady_clock::now();
    const bool json = o.json;
    con.print(strf("pipeline '%s': %d stages (%d done before), workspace %s\n", queue.c_str(), total, done,
                   stdfs::path(outDir).lexically_normal().c_str()));
    int index = done;
    while (auto item = h.nextQueued(queue)) {
        ++index;
        const auto cmd = commandOf(*item, json);
        const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        con.print(strf("\n[%d/%d] %s  (%s elapsed)\n$ %s\n", index, total, item->stage.c_str(),
                       formatDuration(elapsed).c_str(), proc::shellLine(cmd).c_str()));
        const int64_t before = lastRunId(h);
        h.setQueueStatus(item->id, "running", 0, store::queueOwnerNote("pipeline", ::getpid()));
        const auto s0 = std::chrono::steady_clock::now();
        int code = 0;
        try {
            code = runStageChild(cmd, con);
        } catch (const std::exception& e) {
            h.setQueueStatus(item->id, "failed", 0, e.what());
            throw;
        }
        const int64_t run = runOfChild(h, item->stage, before);
        const std::string took =
            formatDuration(std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count());
        if (code == 0) {
            h.setQueueStatus(item->id, "completed", run, "took " + took);
            if (!con.stopped())
                continue;
            // The stage finished before it saw the stop (train_tokenizer does not stop halfway).
            con.print(strf("\npipeline stopped after %s (stage %d of %d). Run the same command again to continue "
                           "with the next stage.\n",
                           item->stage.c_str(), index, total));
            return 130;
        }
        if (code == 130 || con.stopped()) {
            h.setQueueStatus(item->id, "stopped", run, "stopped after " + took);
            con.print(strf("\npipeline stopped at %s (stage %d of %d). Run the same command again to continue: %s "
                           "resumes from its checkpoint.\n",
                           item->stage.c_str(), index, total, item->stage.c_str()));
            return 130;
        }
        h.setQueueStatus(item->id, "failed", run, "exit code " + std::to_string(code));
        throw Error("pipeline '" + queue + "': " + item->stage + " failed (exit code " + std::to_string(code) +
                    ", its message is above). The stages before it are kept: fix the cause and run the same "
                    "command again to retry from " +
                    item->stage);
    }
    con.print(
        strf("\npipeline '%s': every stage completed in %s\n", queue.c_str(),
             formatDuration(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()).c_str()));
    printQueue(con, h, queue);
    return 0;
}

} // namespace mm::config
