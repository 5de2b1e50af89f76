#pragma once
// The training event stream, typed: what runStage reports (the CLI prints it
// for a person or as --json lines), what the workbench decodes from a child's
// stdout and what it replays from a run's history rows. toJson / eventFromJson
// are the --json contract: {"event": "start"|"log"|"eval"|"probe"|"warning"|
// "checkpoint"|"done"|"stopped", ...} with the keys documented per struct.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace mm::store {
class History;
}

namespace mm::train {

/// Named scalar values in the order they were produced.
using MetricList = std::vector<std::pair<std::string, double>>;

/// "start": the loop's setup ("total_steps", "steps_per_epoch", "samples",
/// "start_step", "samples_per_step", "epochs", "world_size", optional
/// "resume_rescaled") and the run's ("run_id", "stage", "parameters",
/// "weights", "device", "threads", optional "backend", "tokens_per_step",
/// "database").
struct StartEvent {
    int64_t runId = 0;
    std::string stage;
    int64_t parameters = 0;
    std::string weights, device, database;
    int64_t threads = 0;
    std::string backend; ///< data-parallel runs only ("" = absent)
    int64_t tokensPerStep = 0;
    int64_t totalSteps = 0, stepsPerEpoch = 0, samples = 0, startStep = 0, samplesPerStep = 0, epochs = 0;
    int64_t worldSize = 1;
    nlohmann::json resumeRescaled; ///< null = absent
};

/// One of GRPO's sampled completions ("samples" of a GRPO "log" event):
/// "question", "completion", "answer", "reward", "rewards" {name: value}.
struct GrpoSampleEvent {
    std::string question, completion, answer;
    double reward = 0;
    MetricList rewards;
};

/// "log": "step", "total_steps", "epoch" (1-based), "epochs", "loss", "lr",
/// "grad_norm", "tokens_per_sec", "tokens" (cumulative), "elapsed_s",
/// "eta_s", "run_id", each of `metrics` (the stage's and the process's) as a
/// key of its own, and for GRPO "samples" with the first again as "sample".
/// The loop's four metrics are NaN when unknown (JSON null, or a history step
/// that did not store them); NaN values are not plotted.
struct LogEvent {
    int64_t step = 0, totalSteps = 0, epoch = 0, epochs = 0;
    double loss = std::numeric_limits<double>::quiet_NaN(), lr = std::numeric_limits<double>::quiet_NaN(),
           gradNorm = std::numeric_limits<double>::quiet_NaN(), tokensPerSec = std::numeric_limits<double>::quiet_NaN();
    int64_t tokens = 0;
    double elapsed = 0, eta = 0;
    int64_t runId = 0;
    MetricList metrics;
    std::vector<GrpoSampleEvent> samples;
};

/// "eval": "step", "tokens", "elapsed_s", "eval_s", "run_id" and the
/// validation metrics ("val_loss", ...) as keys of their own.
struct EvalEvent {
    int64_t step = 0, tokens = 0;
    double elapsed = 0, evalSeconds = 0;
    int64_t runId = 0;
    MetricList metrics;
};

/// One prompt's answer of a probe: "prompt", "completion", "tokens"
/// (generated), "stopped" (at <|im_end|>).
struct ProbeSampleEvent {
    std::string prompt, completion;
    int64_t tokens = 0;
    bool stopped = false;
};

/// "probe": "step", "tokens" (training tokens so far), "probe_s", "raw",
/// "samples", "run_id".
struct ProbeEvent {
    int64_t step = 0, tokens = 0;
    double probeSeconds = 0;
    bool raw = false;
    std::vector<ProbeSampleEvent> samples;
    int64_t runId = 0;
};

/// "warning": "step", "kind", "message", "value" (when known), "run_id".
struct WarningEvent {
    int64_t step = 0;
    std::string kind, message;
    std::optional<double> value;
    int64_t runId = 0;
};

/// "checkpoint" (a weights file): "path", "step", "run_id".
struct CheckpointEvent {
    std::string path;
    int64_t step = 0;
    int64_t runId = 0;
};

/// "done": "steps", "tokens", "loss", "weights", "run_id" and, when the run
/// probed or validated, "probe_s".
struct DoneEvent {
    int64_t steps = 0, tokens = 0;
    double loss = 0;
    std::string weights;
    std::optional<double> probeSeconds;
    int64_t runId = 0;
};

/// "stopped" (resumable): "step", "weights", "resume", "run_id".
struct StoppedEvent {
    int64_t step = 0;
    std::string weights, resume;
    int64_t runId = 0;
};

/// A well-formed event of a kind this stream does not define (a newer
/// trainer's, another command's), kept as it came.
struct OtherEvent {
    nlohmann::json json;
};

using Event = std::variant<StartEvent, LogEvent, EvalEvent, ProbeEvent, WarningEvent, CheckpointEvent, DoneEvent,
                           StoppedEvent, OtherEvent>;

/// The event's "event" name.
std::string eventKind(const Event& e);
/// The history run id the event belongs to (0 when it has none).
int64_t eventRunId(const Event& e);

/// The --json object of an event.
nlohmann::json toJson(const Event& e);
/// The typed event of a --json object; std::nullopt when it is not one: not an
/// object, no string "event", a non-numeric "run_id", "total_steps" or
/// "step", or a "log"/"probe"/"eval"/"checkpoint" without a step >= 0. Fields
/// of the wrong type read as absent. toJson(*eventFromJson(toJson(e))) ==
/// toJson(e) for every event runStage emits.
std::optional<Event> eventFromJson(const nlohmann::json& j);

/// What a history cursor has seen of a run (see historyEvents).
struct HistoryCursor {
    int64_t afterStep = -1;      ///< metrics of later steps only
    int64_t afterProbeStep = -1; ///< probes of later steps only
    int64_t afterWarningId = 0;  ///< warnings with a larger id only
};

/// A run's stored rows as the events that wrote them, by step: per step with
/// metrics a "log" event (the non-"val_" metrics; "loss", "lr", "grad_norm",
/// "tokens_per_sec" and "tokens" as their fields, the rest as metrics) and/or an
/// "eval" event (the "val_" metrics; "tokens" from the step's log), then the
/// probes (one event per step, prompts in order), then the warnings. Fields the
/// history does not keep (total_steps, epoch, eta, probe_s, ...) are 0.
/// `cursor` (when given) is advanced past what was read.
std::vector<Event> historyEvents(const store::History& h, int64_t runId, HistoryCursor* cursor = nullptr);

/// One plotted value of an event: the metric's name, its x coordinates and
/// its value.
struct MetricSample {
    std::string metric;
    double step = 0, tokens = 0, wall = 0, value = 0;
};

/// Event fields that are bookkeeping, not metrics to plot ("step", "tokens",
/// "elapsed_s", "run_id", ...).
bool isPlottedMetric(const std::string& key);
/// The values a chart plots of an event: every plotted metric of a "log" or
/// "eval" event at (step, tokens, elapsed_s); nothing for other kinds.
std::vector<MetricSample> metricSamples(const Event& e);

} // namespace mm::train
