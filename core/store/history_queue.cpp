// The history's run warnings and run queue (schema version 4).

#include "store/history.h"
#include "store/sqlite_db.h"

#include <nlohmann/json.hpp>

#include <cstdlib>

namespace mm::store {

using namespace sql;

namespace {

constexpr const char* kQueueColumns =
    "id, queue, position, stage, args_json, processes, status, COALESCE(run_id, 0), message, created_at, updated_at";

QueueItemRecord readQueueItem(const Stmt& st) {
    QueueItemRecord q;
    q.id = st.int64(0);
    q.queue = st.text(1);
    q.position = st.int64(2);
    q.stage = st.text(3);
    q.argsJson = st.text(4);
    q.processes = int(st.int64(5));
    q.status = st.text(6);
    q.runId = st.int64(7);
    q.message = st.text(8);
    q.createdAt = st.text(9);
    q.updatedAt = st.text(10);
    return q;
}

[[noreturn]] void unknownItem(int64_t id) {
    throw InputError("queue item " + std::to_string(id) +
                     " is not in the history (it was removed, or another workspace's); list the queue with "
                     "`micromind pipeline --list`");
}

bool isTrainingStage(const std::string& s) {
    return s == "pretrain" || s == "full_sft" || s == "dpo" || s == "distill_reason" || s == "lora" || s == "grpo";
}

/// The pid of a queueOwnerNote() message, 0 when it is not one.
int64_t ownerPid(const std::string& message) {
    const auto at = message.rfind(" pid ");
    return at == std::string::npos ? 0 : std::atoll(message.c_str() + at + 5);
}

} // namespace

std::vector<std::string> queueItemArgs(const QueueItemRecord& item) {
    const auto j = nlohmann::json::parse(item.argsJson, nullptr, false);
    std::vector<std::string> out;
    if (j.is_array())
        for (const auto& a : j)
            if (a.is_string())
                out.push_back(a.get<std::string>());
    return out;
}

std::vector<std::string> queueItemCommand(const QueueItemRecord& item) {
    std::vector<std::string> cmd{item.stage};
    const auto args = queueItemArgs(item);
    cmd.insert(cmd.end(), args.begin(), args.end());
    if (item.processes > 1)
        cmd.insert(cmd.end(), {"--nproc_per_node", std::to_string(item.processes)});
    if (item.message == kQueueResumeNote)
        cmd.push_back("--resume");
    return cmd;
}

std::string queueOwnerNote(const std::string& owner, int64_t pid) { return owner + " pid " + std::to_string(pid); }

int History::requeueUnfinished(const std::string& queue, int64_t selfPid) {
    const auto items = queueItems(queue);
    for (const auto& q : items) {
        if (q.status != "running")
            continue;
        const int64_t pid = ownerPid(q.message);
        if (pid > 0 && pid != selfPid && pidAlive(pid))
            throw InputError("queue '" + queue + "' is being run by process " + std::to_string(pid) + " (" + q.message +
                             "); wait for it or stop it before running the queue again");
        if (q.runId > 0)
            if (const auto r = run(q.runId);
                r && r->status == "running" && r->pid > 0 && r->pid != selfPid && pidAlive(r->pid))
                throw InputError("queue '" + queue + "': stage " + q.stage + " (run " + std::to_string(q.runId) +
                                 ", pid " + std::to_string(r->pid) +
                                 ") is still running; wait for it or stop it before running the queue again");
    }
    int n = 0;
    for (const auto& q : items) {
        if (q.status != "stopped" && q.status != "failed" && q.status != "running")
            continue;
        // A stopped training stage continues from its resume checkpoint.
        if (q.status != "failed" && isTrainingStage(q.stage))
            setQueueStatus(q.id, "queued", 0, kQueueResumeNote);
        else
            setQueueStatus(q.id, "queued", 0, "requeued: " + q.status);
        ++n;
    }
    return n;
}

void History::addWarning(const WarningRecord& w) {
    Stmt st(m_db, m_path,
            "INSERT INTO run_warnings (run_id, step, kind, message, value, created_at) VALUES (?, ?, ?, ?, ?, ?)");
    st.bindInt(1, w.runId);
    st.bindInt(2, w.step);
    st.bindText(3, w.kind);
    st.bindText(4, w.message);
    st.bindReal(5, w.value);
    st.bindText(6, nowIso());
    st.step();
}

std::vector<WarningRecord> History::warnings(int64_t runId) const {
    Stmt st(m_db, m_path,
            "SELECT id, run_id, step, kind, message, value, created_at FROM run_warnings WHERE run_id = ? "
            "ORDER BY step, id");
    st.bindInt(1, runId);
    std::vector<WarningRecord> out;
    while (st.step()) {
        WarningRecord w;
        w.id = st.int64(0);
        w.runId = st.int64(1);
        w.step = st.int64(2);
        w.kind = st.text(3);
        w.message = st.text(4);
        w.value = st.optReal(5);
        w.createdAt = st.text(6);
        out.push_back(std::move(w));
    }
    return out;
}

int64_t History::enqueue(const std::string& queue, const std::string& stage, const std::string& argsJson,
                         int processes) {
    Transaction tx(m_db, m_path);
    int64_t pos = 0;
    {
        Stmt st(m_db, m_path, "SELECT COALESCE(MAX(position), -1) + 1 FROM queue_items WHERE queue = ?");
        st.bindText(1, queue);
        if (st.step())
            pos = st.int64(0);
    }
    Stmt st(m_db, m_path,
            "INSERT INTO queue_items (queue, position, stage, args_json, processes, status, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)");
    const std::string now = nowIso();
    st.bindText(1, queue);
    st.bindInt(2, pos);
    st.bindText(3, stage);
    st.bindText(4, argsJson);
    st.bindInt(5, processes < 1 ? 1 : processes);
    st.bindText(6, now);
    st.bindText(7, now);
    st.step();
    const int64_t id = sqlite3_last_insert_rowid(m_db);
    tx.commit();
    return id;
}

std::vector<QueueItemRecord> History::queueItems(const std::string& queue) const {
    const std::string sql = std::string("SELECT ") + kQueueColumns + " FROM queue_items" +
                            (queue.empty() ? "" : " WHERE queue = ?") + " ORDER BY queue, position, id";
    Stmt st(m_db, m_path, sql.c_str());
    if (!queue.empty())
        st.bindText(1, queue);
    std::vector<QueueItemRecord> out;
    while (st.step())
        out.push_back(readQueueItem(st));
    return out;
}

std::optional<QueueItemRecord> History::queueItem(int64_t id) const {
    const std::string sql = std::string("SELECT ") + kQueueColumns + " FROM queue_items WHERE id = ?";
    Stmt st(m_db, m_path, sql.c_str());
    st.bindInt(1, id);
    if (!st.step())
        return std::nullopt;
    return readQueueItem(st);
}

std::optional<QueueItemRecord> History::nextQueued(const std::string& queue) const {
    const std::string sql = std::string("SELECT ") + kQueueColumns +
                            " FROM queue_items WHERE queue = ? AND status = 'queued' ORDER BY position, id LIMIT 1";
    Stmt st(m_db, m_path, sql.c_str());
    st.bindText(1, queue);
    if (!st.step())
        return std::nullopt;
    return readQueueItem(st);
}

void History::setQueueStatus(int64_t id, const std::string& status, int64_t runId, const std::string& message) {
    Stmt st(m_db, m_path,
            "UPDATE queue_items SET status = ?, run_id = CASE WHEN ? > 0 THEN ? ELSE run_id END, message = ?, "
            "updated_at = ? WHERE id = ?");
    st.bindText(1, status);
    st.bindInt(2, runId);
    st.bindInt(3, runId);
    st.bindText(4, message);
    st.bindText(5, nowIso());
    st.bindInt(6, id);
    st.step();
    if (sqlite3_changes(m_db) == 0)
        unknownItem(id);
}

bool History::moveQueueItem(int64_t id, int delta) {
    Transaction tx(m_db, m_path);
    const auto item = queueItem(id);
    if (!item)
        unknownItem(id);
    if (item->status != "queued")
        throw InputError("queue item " + std::to_string(id) + " (" + item->stage + ") is " + item->status +
                         ": only items that have not started can be moved");
    std::vector<QueueItemRecord> queued;
    for (auto& q : queueItems(item->queue))
        if (q.status == "queued")
            queued.push_back(q);
    size_t at = 0;
    while (at < queued.size() && queued[at].id != id)
        ++at;
    const int64_t target = int64_t(at) + delta;
    if (delta == 0 || target < 0 || target >= int64_t(queued.size()))
        return false;
    // The queued items keep their positions as a set; only their order changes.
    std::vector<int64_t> positions;
    for (const auto& q : queued)
        positions.push_back(q.position);
    QueueItemRecord moved = queued[at];
    queued.erase(queued.begin() + int64_t(at));
    queued.insert(queued.begin() + target, moved);
    Stmt st(m_db, m_path, "UPDATE queue_items SET position = ?, updated_at = ? WHERE id = ?");
    const std::string now = nowIso();
    for (size_t i = 0; i < queued.size(); ++i) {
        st.bindInt(1, positions[i]);
        st.bindText(2, now);
        st.bindInt(3, queued[i].id);
        st.step();
        st.reset();
    }
    tx.commit();
    return true;
}

void History::removeQueueItem(int64_t id) {
    Transaction tx(m_db, m_path);
    const auto item = queueItem(id);
    if (!item)
        unknownItem(id);
    if (item->status == "running")
        throw InputError("queue item " + std::to_string(id) + " (" + item->stage +
                         ") is running: stop its run first, then remove it");
    Stmt st(m_db, m_path, "DELETE FROM queue_items WHERE id = ?");
    st.bindInt(1, id);
    st.step();
    tx.commit();
}

int History::clearFinishedQueueItems(const std::string& queue) {
    Stmt st(m_db, m_path, "DELETE FROM queue_items WHERE queue = ? AND status NOT IN ('queued', 'running')");
    st.bindText(1, queue);
    st.step();
    return sqlite3_changes(m_db);
}

} // namespace mm::store
