#include "train/events.h"

#include "store/history.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>

namespace mm::train {

namespace {

using nlohmann::json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Readers that take a field of the wrong type as absent: a child printing
// something odd must not throw in the front end.
int64_t intOf(const json& j, const char* key, int64_t def = 0) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number())
        return def;
    return it->is_number_float() ? int64_t(it->get<double>()) : it->get<int64_t>();
}

// Doubles: null (how nlohmann writes NaN and infinities) reads as NaN, like absent.
double doubleOf(const json& j, const char* key, double def = kNaN) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number())
        return def;
    return it->get<double>();
}

std::string stringOf(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool boolOf(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_boolean() && it->get<bool>();
}

// The members of `j` not in `known` that hold numbers (or null, a non-finite
// number), in key order.
MetricList metricsOf(const json& j, const std::set<std::string>& known) {
    MetricList out;
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (known.count(it.key()))
            continue;
        if (it->is_number())
            out.emplace_back(it.key(), it->get<double>());
        else if (it->is_null())
            out.emplace_back(it.key(), kNaN);
    }
    return out;
}

json grpoSampleJson(const GrpoSampleEvent& s) {
    json parts = json::object();
    for (const auto& [name, v] : s.rewards)
        parts[name] = v;
    return {{"question", s.question},
            {"completion", s.completion},
            {"answer", s.answer},
            {"reward", s.reward},
            {"rewards", parts}};
}

GrpoSampleEvent grpoSampleFrom(const json& j) {
    GrpoSampleEvent s;
    s.question = stringOf(j, "question");
    s.completion = stringOf(j, "completion");
    s.answer = stringOf(j, "answer");
    s.reward = doubleOf(j, "reward", 0);
    const auto it = j.find("rewards");
    if (it != j.end() && it->is_object())
        s.rewards = metricsOf(*it, {});
    return s;
}

struct ToJson {
    json operator()(const StartEvent& e) const {
        json j{{"event", "start"},
               {"run_id", e.runId},
               {"stage", e.stage},
               {"parameters", e.parameters},
               {"weights", e.weights},
               {"device", e.device},
               {"threads", e.threads},
               {"tokens_per_step", e.tokensPerStep},
               {"database", e.database},
               {"total_steps", e.totalSteps},
               {"steps_per_epoch", e.stepsPerEpoch},
               {"samples", e.samples},
               {"start_step", e.startStep},
               {"samples_per_step", e.samplesPerStep},
               {"epochs", e.epochs},
               {"world_size", e.worldSize}};
        if (!e.backend.empty())
            j["backend"] = e.backend;
        if (!e.resumeRescaled.is_null())
            j["resume_rescaled"] = e.resumeRescaled;
        return j;
    }
    json operator()(const LogEvent& e) const {
        json j{{"event", "log"},     {"step", e.step},          {"total_steps", e.totalSteps},
               {"epoch", e.epoch},   {"epochs", e.epochs},      {"loss", e.loss},
               {"lr", e.lr},         {"grad_norm", e.gradNorm}, {"tokens_per_sec", e.tokensPerSec},
               {"tokens", e.tokens}, {"elapsed_s", e.elapsed},  {"eta_s", e.eta},
               {"run_id", e.runId}};
        for (const auto& [k, v] : e.metrics)
            j[k] = v;
        if (!e.samples.empty()) {
            // The first again as "sample", for readers older than "samples".
            j["sample"] = grpoSampleJson(e.samples.front());
            j["samples"] = json::array();
            for (const auto& s : e.samples)
                j["samples"].push_back(grpoSampleJson(s));
        }
        return j;
    }
    json operator()(const EvalEvent& e) const {
        json j{{"event", "eval"},        {"step", e.step},          {"tokens", e.tokens},
               {"elapsed_s", e.elapsed}, {"eval_s", e.evalSeconds}, {"run_id", e.runId}};
        for (const auto& [k, v] : e.metrics)
            j[k] = v;
        return j;
    }
    json operator()(const ProbeEvent& e) const {
        json arr = json::array();
        for (const auto& s : e.samples)
            arr.push_back(
                {{"prompt", s.prompt}, {"completion", s.completion}, {"tokens", s.tokens}, {"stopped", s.stopped}});
        return {{"event", "probe"}, {"step", e.step}, {"tokens", e.tokens}, {"probe_s", e.probeSeconds},
                {"raw", e.raw},     {"samples", arr}, {"run_id", e.runId}};
    }
    json operator()(const WarningEvent& e) const {
        json j{{"event", "warning"}, {"step", e.step}, {"kind", e.kind}, {"message", e.message}, {"run_id", e.runId}};
        if (e.value)
            j["value"] = *e.value;
        return j;
    }
    json operator()(const CheckpointEvent& e) const {
        return {{"event", "checkpoint"}, {"path", e.path}, {"step", e.step}, {"run_id", e.runId}};
    }
    json operator()(const DoneEvent& e) const {
        json j{{"event", "done"}, {"steps", e.steps},     {"tokens", e.tokens},
               {"loss", e.loss},  {"weights", e.weights}, {"run_id", e.runId}};
        if (e.probeSeconds)
            j["probe_s"] = *e.probeSeconds;
        return j;
    }
    json operator()(const StoppedEvent& e) const {
        return {
            {"event", "stopped"}, {"step", e.step}, {"weights", e.weights}, {"resume", e.resume}, {"run_id", e.runId}};
    }
    json operator()(const OtherEvent& e) const { return e.json; }
};

bool isNumberOrAbsent(const json& j, const char* key) {
    const auto it = j.find(key);
    return it == j.end() || it->is_number();
}

} // namespace

std::string eventKind(const Event& e) {
    static const char* const names[] = {"start", "log", "eval", "probe", "warning", "checkpoint", "done", "stopped"};
    if (const auto* o = std::get_if<OtherEvent>(&e))
        return stringOf(o->json, "event");
    return names[e.index()];
}

int64_t eventRunId(const Event& e) {
    return std::visit(
        [](const auto& v) -> int64_t {
            if constexpr (std::is_same_v<std::decay_t<decltype(v)>, OtherEvent>)
                return intOf(v.json, "run_id");
            else
                return v.runId;
        },
        e);
}

json toJson(const Event& e) { return std::visit(ToJson{}, e); }

std::optional<Event> eventFromJson(const json& j) {
    if (!j.is_object())
        return std::nullopt;
    const auto kindIt = j.find("event");
    if (kindIt == j.end() || !kindIt->is_string())
        return std::nullopt;
    if (!isNumberOrAbsent(j, "run_id") || !isNumberOrAbsent(j, "total_steps") || !isNumberOrAbsent(j, "step"))
        return std::nullopt;
    const std::string kind = kindIt->get<std::string>();
    // Events that move the run forward say where.
    if (kind == "log" || kind == "probe" || kind == "eval" || kind == "checkpoint") {
        const auto step = j.find("step");
        if (step == j.end() || step->get<double>() < 0)
            return std::nullopt;
    }
    const int64_t runId = intOf(j, "run_id");
    if (kind == "start") {
        StartEvent e;
        e.runId = runId;
        e.stage = stringOf(j, "stage");
        e.parameters = intOf(j, "parameters");
        e.weights = stringOf(j, "weights");
        e.device = stringOf(j, "device");
        e.database = stringOf(j, "database");
        e.threads = intOf(j, "threads");
        e.backend = stringOf(j, "backend");
        e.tokensPerStep = intOf(j, "tokens_per_step");
        e.totalSteps = intOf(j, "total_steps");
        e.stepsPerEpoch = intOf(j, "steps_per_epoch");
        e.samples = intOf(j, "samples");
        e.startStep = intOf(j, "start_step");
        e.samplesPerStep = intOf(j, "samples_per_step");
        e.epochs = intOf(j, "epochs");
        e.worldSize = intOf(j, "world_size", 1);
        if (j.contains("resume_rescaled"))
            e.resumeRescaled = j["resume_rescaled"];
        return e;
    }
    if (kind == "log") {
        LogEvent e;
        e.step = intOf(j, "step");
        e.totalSteps = intOf(j, "total_steps");
        e.epoch = intOf(j, "epoch");
        e.epochs = intOf(j, "epochs");
        e.loss = doubleOf(j, "loss");
        e.lr = doubleOf(j, "lr");
        e.gradNorm = doubleOf(j, "grad_norm");
        e.tokensPerSec = doubleOf(j, "tokens_per_sec");
        e.tokens = intOf(j, "tokens");
        e.elapsed = doubleOf(j, "elapsed_s", 0);
        e.eta = doubleOf(j, "eta_s", 0);
        e.runId = runId;
        e.metrics = metricsOf(j, {"event", "step", "total_steps", "epoch", "epochs", "loss", "lr", "grad_norm",
                                  "tokens_per_sec", "tokens", "elapsed_s", "eta_s", "run_id", "sample", "samples"});
        const auto samples = j.find("samples");
        if (samples != j.end() && samples->is_array()) {
            for (const auto& s : *samples)
                if (s.is_object())
                    e.samples.push_back(grpoSampleFrom(s));
        } else if (const auto one = j.find("sample"); one != j.end() && one->is_object()) {
            e.samples.push_back(grpoSampleFrom(*one));
        }
        return e;
    }
    if (kind == "eval") {
        EvalEvent e;
        e.step = intOf(j, "step");
        e.tokens = intOf(j, "tokens");
        e.elapsed = doubleOf(j, "elapsed_s", 0);
        e.evalSeconds = doubleOf(j, "eval_s", 0);
        e.runId = runId;
        e.metrics = metricsOf(j, {"event", "step", "tokens", "elapsed_s", "eval_s", "run_id"});
        return e;
    }
    if (kind == "probe") {
        ProbeEvent e;
        e.step = intOf(j, "step");
        e.tokens = intOf(j, "tokens");
        e.probeSeconds = doubleOf(j, "probe_s", 0);
        e.raw = boolOf(j, "raw");
        e.runId = runId;
        const auto samples = j.find("samples");
        if (samples != j.end() && samples->is_array())
            for (const auto& s : *samples)
                if (s.is_object())
                    e.samples.push_back(
                        {stringOf(s, "prompt"), stringOf(s, "completion"), intOf(s, "tokens"), boolOf(s, "stopped")});
        return e;
    }
    if (kind == "warning") {
        WarningEvent e;
        e.step = intOf(j, "step");
        e.kind = stringOf(j, "kind");
        e.message = stringOf(j, "message");
        if (const auto v = j.find("value"); v != j.end() && (v->is_number() || v->is_null()))
            e.value = doubleOf(j, "value");
        e.runId = runId;
        return e;
    }
    if (kind == "checkpoint")
        return CheckpointEvent{stringOf(j, "path"), intOf(j, "step"), runId};
    if (kind == "done") {
        DoneEvent e;
        e.steps = intOf(j, "steps");
        e.tokens = intOf(j, "tokens");
        e.loss = doubleOf(j, "loss");
        e.weights = stringOf(j, "weights");
        if (const auto p = j.find("probe_s"); p != j.end() && p->is_number())
            e.probeSeconds = p->get<double>();
        e.runId = runId;
        return e;
    }
    if (kind == "stopped")
        return StoppedEvent{intOf(j, "step"), stringOf(j, "weights"), stringOf(j, "resume"), runId};
    return OtherEvent{j};
}

std::vector<Event> historyEvents(const store::History& h, int64_t runId, HistoryCursor* cursor) {
    const HistoryCursor from = cursor ? *cursor : HistoryCursor{};
    std::vector<Event> out;
    // step -> (name -> point), the metrics of each step after the cursor.
    std::map<int64_t, std::map<std::string, store::MetricPoint>> bySteps;
    for (const auto& name : h.metricNames(runId))
        for (const auto& p : h.metrics(runId, name))
            if (p.step > from.afterStep)
                bySteps[p.step][name] = p;
    int64_t lastStep = from.afterStep;
    for (const auto& [step, points] : bySteps) {
        lastStep = std::max(lastStep, step);
        const auto tokensIt = points.find("tokens");
        const int64_t tokens = tokensIt == points.end() ? 0 : int64_t(tokensIt->second.value);
        LogEvent log;
        log.step = step;
        log.tokens = tokens;
        log.runId = runId;
        EvalEvent eval;
        eval.step = step;
        eval.tokens = tokens;
        eval.runId = runId;
        bool hasLog = false, hasEval = false;
        for (const auto& [name, p] : points) {
            if (name.rfind("val_", 0) == 0) {
                eval.metrics.emplace_back(name, p.value);
                eval.elapsed = p.wallTime;
                hasEval = true;
                continue;
            }
            hasLog = true;
            log.elapsed = p.wallTime;
            if (name == "loss")
                log.loss = p.value;
            else if (name == "lr")
                log.lr = p.value;
            else if (name == "grad_norm")
                log.gradNorm = p.value;
            else if (name == "tokens_per_sec")
                log.tokensPerSec = p.value;
            else if (name != "tokens")
                log.metrics.emplace_back(name, p.value);
        }
        if (hasLog)
            out.push_back(std::move(log));
        if (hasEval)
            out.push_back(std::move(eval));
    }
    // Probes as the trainer's "probe" events: one per step, its prompts in order.
    int64_t lastProbeStep = from.afterProbeStep;
    for (const auto& p : h.probes(runId, from.afterProbeStep)) {
        if (out.empty() || !std::holds_alternative<ProbeEvent>(out.back()) ||
            std::get<ProbeEvent>(out.back()).step != p.step) {
            ProbeEvent e;
            e.step = p.step;
            e.runId = runId;
            out.push_back(std::move(e));
        }
        std::get<ProbeEvent>(out.back()).samples.push_back({p.prompt, p.completion, p.tokens, p.stopped});
        lastProbeStep = std::max(lastProbeStep, p.step);
    }
    int64_t lastWarningId = from.afterWarningId;
    for (const auto& w : h.warnings(runId)) {
        if (w.id <= from.afterWarningId)
            continue;
        out.push_back(WarningEvent{w.step, w.kind, w.message, w.value, runId});
        lastWarningId = std::max(lastWarningId, w.id);
    }
    if (cursor)
        *cursor = {lastStep, lastProbeStep, lastWarningId};
    return out;
}

bool isPlottedMetric(const std::string& key) {
    static const std::set<std::string> skip{"event",  "step",      "total_steps", "epoch",  "epochs",
                                            "tokens", "elapsed_s", "eta_s",       "run_id", "eval_s"};
    return !skip.count(key);
}

std::vector<MetricSample> metricSamples(const Event& e) {
    std::vector<MetricSample> out;
    auto add = [&out](const std::string& name, double value, int64_t step, int64_t tokens, double wall) {
        // NaN: a value the event does not have (or JSON's null).
        if (std::isnan(value) || !isPlottedMetric(name))
            return;
        out.push_back({name, double(step), double(tokens), wall, value});
    };
    if (const auto* l = std::get_if<LogEvent>(&e)) {
        add("loss", l->loss, l->step, l->tokens, l->elapsed);
        add("lr", l->lr, l->step, l->tokens, l->elapsed);
        add("grad_norm", l->gradNorm, l->step, l->tokens, l->elapsed);
        add("tokens_per_sec", l->tokensPerSec, l->step, l->tokens, l->elapsed);
        for (const auto& [k, v] : l->metrics)
            add(k, v, l->step, l->tokens, l->elapsed);
    } else if (const auto* v = std::get_if<EvalEvent>(&e)) {
        for (const auto& [k, x] : v->metrics)
            add(k, x, v->step, v->tokens, v->elapsed);
    }
    // By name, as the event's JSON members come: the order charts are created in.
    std::stable_sort(out.begin(), out.end(),
                     [](const MetricSample& a, const MetricSample& b) { return a.metric < b.metric; });
    return out;
}

} // namespace mm::train
