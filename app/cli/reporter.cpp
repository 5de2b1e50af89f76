#include "reporter.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace mm::cli {

namespace {
// At most `n` bytes of s, cut at a UTF-8 character boundary, "…" when cut;
// newlines shown as "\n" so one sample stays one line.
std::string oneLineClip(const std::string& s, size_t n) {
    std::string out;
    for (char c : s)
        out += c == '\n' ? std::string("\\n") : c == '\r' ? std::string() : std::string(1, c);
    if (out.size() <= n)
        return out;
    while (n > 0 && (static_cast<unsigned char>(out[n]) & 0xC0) == 0x80)
        --n;
    return out.substr(0, n) + "…";
}

// Data-parallel runs (torchrun sets RANK): only rank 0 talks; the other ranks
// print nothing but their errors (written by main, not through the Reporter).
bool silentRank() {
    static const bool silent = [] {
        const char* r = std::getenv("RANK");
        return r && *r && std::atoi(r) != 0;
    }();
    return silent;
}
} // namespace

bool Reporter::silent() const { return silentRank(); }

void Reporter::info(const std::string& text) {
    if (silentRank())
        return;
    if (m_json)
        std::cerr << text << std::endl;
    else
        std::cout << text << std::endl;
}

namespace {

// Terminal lines of each event kind.
struct Printer {
    void operator()(const train::StartEvent& e) const {
        std::printf("%s: %s parameters | %s samples/epoch, %lld optimizer steps (%s tokens each) | %s, %d threads\n",
                    e.stage.c_str(), formatCount(double(e.parameters)).c_str(), formatCount(double(e.samples)).c_str(),
                    (long long)e.totalSteps, formatCount(double(e.tokensPerStep)).c_str(), e.device.c_str(),
                    int(e.threads));
        if (e.startStep > 0)
            std::printf("resuming at step %lld\n", (long long)e.startStep);
        std::printf("weights -> %s | history -> %s (run %lld)\n", e.weights.c_str(), e.database.c_str(),
                    (long long)e.runId);
    }
    void operator()(const train::LogEvent& e) const {
        char buf[512];
        const long long step = e.step, total = e.totalSteps;
        std::snprintf(buf, sizeof buf,
                      "step %*lld/%lld %5.1f%% | epoch %lld/%lld | loss %.4f | lr %.2e | grad %.3f | %s tok/s | %s | "
                      "ETA %s",
                      int(std::to_string(total).size()), step, total, 100.0 * double(step) / double(total),
                      (long long)e.epoch, (long long)e.epochs, e.loss, e.lr, e.gradNorm,
                      formatCount(e.tokensPerSec).c_str(), formatDuration(e.elapsed).c_str(),
                      formatDuration(e.eta).c_str());
        std::string line = buf;
        for (const auto& [name, value] : e.metrics)
            if (name == "aux_loss") {
                std::snprintf(buf, sizeof buf, " | %s %.4f", name.c_str(), value);
                line += buf;
            }
        std::printf("%s\n", line.c_str());
    }
    void operator()(const train::ProbeEvent& e) const {
        // One line per prompt: what the model says at this step (greedy).
        for (const auto& s : e.samples)
            std::printf("probe @ step %lld: %s → 「%s」\n", (long long)e.step, oneLineClip(s.prompt, 60).c_str(),
                        oneLineClip(s.completion, 240).c_str());
    }
    void operator()(const train::EvalEvent& e) const {
        std::string line = "  eval @ step " + std::to_string(e.step) + ":";
        char buf[64];
        // By name, as the JSON object lists them.
        std::vector<std::pair<std::string, double>> vals;
        for (const auto& m : e.metrics)
            if (m.first.rfind("val_", 0) == 0)
                vals.push_back(m);
        std::stable_sort(vals.begin(), vals.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        for (const auto& [name, value] : vals) {
            std::snprintf(buf, sizeof buf, " %s %.4f", name.c_str(), value);
            line += buf;
        }
        std::printf("%s (%s)\n", line.c_str(), formatDuration(e.evalSeconds).c_str());
    }
    void operator()(const train::WarningEvent& e) const { std::printf("warning: %s\n", e.message.c_str()); }
    void operator()(const train::CheckpointEvent& e) const {
        std::printf("  saved %s (step %lld)\n", e.path.c_str(), (long long)e.step);
    }
    void operator()(const train::DoneEvent& e) const {
        std::printf("done: %lld steps, %s tokens, final loss %.4f -> %s\n", (long long)e.steps,
                    formatCount(double(e.tokens)).c_str(), e.loss, e.weights.c_str());
        if (e.probeSeconds.value_or(0) > 0)
            std::printf("probes and validation took %s of the run\n", formatDuration(*e.probeSeconds).c_str());
    }
    void operator()(const train::StoppedEvent& e) const {
        std::printf("stopped at step %lld; saved %s and %s. Continue with the same command plus --resume.\n",
                    (long long)e.step, e.weights.c_str(), e.resume.c_str());
    }
    void operator()(const train::OtherEvent& e) const { std::printf("%s\n", e.json.dump().c_str()); }
};

} // namespace

void Reporter::event(const train::Event& e) {
    if (silentRank())
        return;
    if (m_json) {
        std::cout << train::toJson(e).dump() << std::endl;
        return;
    }
    std::visit(Printer{}, e);
    std::fflush(stdout);
}

} // namespace mm::cli
