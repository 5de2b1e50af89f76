// The history's evaluation records: the answers of `micromind eval`, the
// live probes of training runs, and the judge's and manual scores.

#include "store/history.h"
#include "store/sqlite_db.h"

#include <string>

#include <sqlite3.h>

namespace mm::store {

using namespace sql;

namespace {

constexpr const char* kAnswerColumns =
    "id, run_id, model_mode, checkpoint, lora, prompt_set, prompt_index, prompt, sampling_json, seed, text, "
    "tokens, tokens_per_s, created_at";

EvalAnswerRecord readAnswer(const Stmt& st) {
    EvalAnswerRecord a;
    a.id = st.int64(0);
    a.runId = st.int64(1);
    a.modelMode = static_cast<int>(st.int64(2));
    a.checkpoint = st.text(3);
    a.lora = st.text(4);
    a.promptSet = st.text(5);
    a.promptIndex = st.int64(6);
    a.prompt = st.text(7);
    a.samplingJson = st.text(8);
    a.seed = st.int64(9);
    a.text = st.text(10);
    a.tokens = st.int64(11);
    a.tokensPerSecond = st.isNull(12) ? 0.0 : st.real(12);
    a.createdAt = st.text(13);
    return a;
}

} // namespace

std::vector<int64_t> History::addEvalAnswers(const std::vector<EvalAnswerRecord>& answers) {
    std::vector<int64_t> ids;
    if (answers.empty())
        return ids;
    const std::string now = nowIso();
    Transaction tx(m_db, m_path);
    Stmt st(
        m_db, m_path,
        "INSERT INTO eval_answers (run_id, model_mode, checkpoint, lora, prompt_set, prompt_index, prompt, "
        "sampling_json, seed, text, tokens, tokens_per_s, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& a : answers) {
        st.bindInt(1, a.runId);
        st.bindInt(2, a.modelMode);
        st.bindText(3, a.checkpoint);
        st.bindText(4, a.lora);
        st.bindText(5, a.promptSet);
        st.bindInt(6, a.promptIndex);
        st.bindText(7, a.prompt);
        st.bindText(8, a.samplingJson.empty() ? std::string("{}") : a.samplingJson);
        st.bindInt(9, a.seed);
        st.bindText(10, a.text);
        st.bindInt(11, a.tokens);
        st.bindReal(12, a.tokensPerSecond);
        st.bindText(13, now);
        st.step();
        ids.push_back(sqlite3_last_insert_rowid(m_db));
        st.reset();
    }
    tx.commit();
    return ids;
}

void History::addProbes(const std::vector<ProbeRecord>& probes) {
    if (probes.empty())
        return;
    Transaction tx(m_db, m_path);
    Stmt st(m_db, m_path,
            "INSERT INTO probes (run_id, step, prompt, completion, tokens, stopped) VALUES (?, ?, ?, ?, ?, ?)");
    for (const auto& p : probes) {
        st.bindInt(1, p.runId);
        st.bindInt(2, p.step);
        st.bindText(3, p.prompt);
        st.bindText(4, p.completion);
        st.bindInt(5, p.tokens);
        st.bindInt(6, p.stopped ? 1 : 0);
        st.step();
        st.reset();
    }
    tx.commit();
}

std::vector<ProbeRecord> History::probes(int64_t runId, int64_t afterStep) const {
    Stmt st(m_db, m_path,
            "SELECT run_id, step, prompt, completion, tokens, stopped FROM probes WHERE run_id = ? AND step > ? "
            "ORDER BY step, id");
    st.bindInt(1, runId);
    st.bindInt(2, afterStep);
    std::vector<ProbeRecord> out;
    while (st.step()) {
        ProbeRecord p;
        p.runId = st.int64(0);
        p.step = st.int64(1);
        p.prompt = st.text(2);
        p.completion = st.text(3);
        p.tokens = st.int64(4);
        p.stopped = st.int64(5) != 0;
        out.push_back(std::move(p));
    }
    return out;
}

std::vector<EvalAnswerRecord> History::evalAnswers(int64_t runId) const {
    const std::string sql = std::string("SELECT ") + kAnswerColumns + " FROM eval_answers WHERE run_id = ? ORDER BY id";
    Stmt st(m_db, m_path, sql.c_str());
    st.bindInt(1, runId);
    std::vector<EvalAnswerRecord> out;
    while (st.step())
        out.push_back(readAnswer(st));
    return out;
}

std::vector<EvalAnswerRecord> History::latestEvalAnswers(int modelMode, const std::string& promptSet) const {
    // ?2 = '' matches every prompt set.
    const std::string sql =
        std::string("SELECT ") + kAnswerColumns +
        " FROM eval_answers WHERE model_mode = ?1 AND (?2 = '' OR prompt_set = ?2) AND run_id = "
        "(SELECT MAX(run_id) FROM eval_answers WHERE model_mode = ?1 AND (?2 = '' OR prompt_set = ?2)) "
        "ORDER BY id";
    Stmt st(m_db, m_path, sql.c_str());
    st.bindInt(1, modelMode);
    st.bindText(2, promptSet);
    std::vector<EvalAnswerRecord> out;
    while (st.step())
        out.push_back(readAnswer(st));
    return out;
}

std::vector<int> History::evaluatedModes() const {
    Stmt st(m_db, m_path, "SELECT DISTINCT model_mode FROM eval_answers ORDER BY model_mode");
    std::vector<int> out;
    while (st.step())
        out.push_back(static_cast<int>(st.int64(0)));
    return out;
}

int64_t History::addScore(const ScoreRecord& s) {
    Stmt st(m_db, m_path,
            "INSERT INTO scores (model_mode, dimension, value, judge_model, prompt_version, raw_reply, manual, "
            "answers_run_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    st.bindInt(1, s.modelMode);
    st.bindText(2, s.dimension);
    st.bindReal(3, s.value);
    st.bindText(4, s.judgeModel);
    st.bindText(5, s.promptVersion);
    st.bindText(6, s.rawReply);
    st.bindInt(7, s.manual ? 1 : 0);
    if (s.answersRunId > 0)
        st.bindInt(8, s.answersRunId);
    else
        st.bindNull(8);
    st.bindText(9, nowIso());
    st.step();
    return sqlite3_last_insert_rowid(m_db);
}

std::vector<ScoreRecord> History::scores() const {
    Stmt st(m_db, m_path,
            "SELECT id, model_mode, dimension, value, judge_model, prompt_version, raw_reply, manual, answers_run_id, "
            "created_at FROM scores ORDER BY id");
    std::vector<ScoreRecord> out;
    while (st.step()) {
        ScoreRecord r;
        r.id = st.int64(0);
        r.modelMode = static_cast<int>(st.int64(1));
        r.dimension = st.text(2);
        r.value = st.real(3);
        r.judgeModel = st.text(4);
        r.promptVersion = st.text(5);
        r.rawReply = st.text(6);
        r.manual = st.int64(7) != 0;
        r.answersRunId = st.isNull(8) ? 0 : st.int64(8);
        r.createdAt = st.text(9);
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace mm::store
