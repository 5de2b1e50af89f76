// grpo: group relative policy optimisation (reason -> grpo). The stage is
// built by train::buildGrpoRun (rollouts, rewards, frozen reference); here its
// log events get the sampled completions with their rewards.

#include "commands.h"
#include "reporter.h"
#include "stage_cli.h"

#include "train/grpo_stage.h"

#include <cstdio>

namespace mm::cli {

namespace {

// The first `n` bytes of s, cut back to a UTF-8 character boundary.
std::string clip(const std::string& s, size_t n) {
    if (s.size() <= n)
        return s;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;
    return s.substr(0, n) + "...";
}

// One line for the terminal: newlines shown as "\n".
std::string oneLine(const std::string& s) {
    std::string out;
    for (char c : s)
        out += c == '\n' ? std::string("\\n") : std::string(1, c);
    return out;
}

train::GrpoSampleEvent sampleEvent(const train::GrpoSample& s, size_t chars) {
    return {clip(s.question, chars), clip(s.completion, chars), s.answer, s.reward, s.components};
}

// The last value of `name` among a log event's metrics, as its JSON has it.
const double* metricOf(const train::LogEvent& e, const std::string& name) {
    for (auto it = e.metrics.rbegin(); it != e.metrics.rend(); ++it)
        if (it->first == name)
            return &it->second;
    return nullptr;
}

} // namespace

// The loop's events plus, on each log event, the stage's latest samples
// ("samples" and, for older readers, the first as "sample" in --json mode; a
// line each in the terminal).
train::EventSink grpoSink(Reporter& rep, const train::GrpoStage& stage, size_t chars) {
    return [&rep, &stage, chars](const train::Event& ev) {
        const auto* log = std::get_if<train::LogEvent>(&ev);
        if (!log) {
            rep.event(ev);
            return;
        }
        train::LogEvent e = *log;
        std::vector<const train::GrpoSample*> kept;
        for (const auto& s : stage.lastSamples())
            if (s.valid)
                kept.push_back(&s);
        for (const auto* s : kept)
            e.samples.push_back(sampleEvent(*s, chars));
        rep.event(e);
        if (rep.json())
            return;
        const auto value = [&e](const char* name) {
            const double* v = metricOf(e, name);
            return v ? *v : 0.0;
        };
        std::string line;
        char buf[128];
        std::snprintf(buf, sizeof buf, "  reward %.4f (std %.4f) | accuracy %.1f%% | kl %.5f | completion %.1f tokens",
                      value("reward_mean"), value("reward_std"), 100.0 * value("accuracy"), value("kl"),
                      value("completion_len"));
        line = buf;
        for (const auto& name : stage.rewards().names()) {
            if (const double* v = metricOf(e, "reward_" + name)) {
                std::snprintf(buf, sizeof buf, " | %s %.3f", name.c_str(), *v);
                line += buf;
            }
        }
        std::printf("%s\n", line.c_str());
        for (const auto* s : kept) {
            std::snprintf(buf, sizeof buf, "  sample (reward %.3f", s->reward);
            std::string head = buf;
            if (!s->answer.empty())
                head += ", answer " + oneLine(clip(s->answer, 40));
            std::printf("%s): %s -> %s\n", head.c_str(), oneLine(clip(s->question, 80)).c_str(),
                        oneLine(clip(s->completion, chars)).c_str());
        }
        std::fflush(stdout);
    };
}

int cmdGrpo(const Args& args) { return runTraining("grpo", args); }

} // namespace mm::cli
