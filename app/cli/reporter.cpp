#include "reporter.h"

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

void Reporter::event(const nlohmann::json& e) {
    if (silentRank())
        return;
    if (m_json) {
        std::cout << e.dump() << std::endl;
        return;
    }
    const std::string kind = e.value("event", "");
    char buf[512];
    if (kind == "start") {
        std::printf("%s: %s parameters | %s samples/epoch, %lld optimizer steps (%s tokens each) | %s, %d threads\n",
                    e.value("stage", "").c_str(), formatCount(e.value("parameters", 0.0)).c_str(),
                    formatCount(e.value("samples", 0.0)).c_str(), (long long)e.value("total_steps", 0LL),
                    formatCount(e.value("tokens_per_step", 0.0)).c_str(), e.value("device", "").c_str(),
                    e.value("threads", 0));
        if (e.value("start_step", 0LL) > 0)
            std::printf("resuming at step %lld\n", (long long)e.value("start_step", 0LL));
        std::printf("weights -> %s | history -> %s (run %lld)\n", e.value("weights", "").c_str(),
                    e.value("database", "").c_str(), (long long)e.value("run_id", 0LL));
    } else if (kind == "log") {
        const long long step = e.value("step", 0LL), total = e.value("total_steps", 1LL);
        std::snprintf(buf, sizeof buf,
                      "step %*lld/%lld %5.1f%% | epoch %lld/%lld | loss %.4f | lr %.2e | grad %.3f | %s tok/s | %s | "
                      "ETA %s",
                      int(std::to_string(total).size()), step, total, 100.0 * double(step) / double(total),
                      (long long)e.value("epoch", 1LL), (long long)e.value("epochs", 1LL), e.value("loss", 0.0),
                      e.value("lr", 0.0), e.value("grad_norm", 0.0),
                      formatCount(e.value("tokens_per_sec", 0.0)).c_str(),
                      formatDuration(e.value("elapsed_s", 0.0)).c_str(), formatDuration(e.value("eta_s", 0.0)).c_str());
        std::string line = buf;
        for (const char* extra : {"aux_loss"})
            if (e.contains(extra)) {
                std::snprintf(buf, sizeof buf, " | %s %.4f", extra, e[extra].get<double>());
                line += buf;
            }
        std::printf("%s\n", line.c_str());
    } else if (kind == "probe") {
        // One line per prompt: what the model says at this step (greedy).
        const long long step = e.value("step", 0LL);
        if (e.contains("samples") && e["samples"].is_array())
            for (const auto& s : e["samples"])
                std::printf("probe @ step %lld: %s → 「%s」\n", step, oneLineClip(s.value("prompt", ""), 60).c_str(),
                            oneLineClip(s.value("completion", ""), 240).c_str());
    } else if (kind == "eval") {
        std::string line = "  eval @ step " + std::to_string(e.value("step", 0LL)) + ":";
        char buf[64];
        for (auto it = e.begin(); it != e.end(); ++it)
            if (it.key().rfind("val_", 0) == 0 && it.value().is_number()) {
                std::snprintf(buf, sizeof buf, " %s %.4f", it.key().c_str(), it.value().get<double>());
                line += buf;
            }
        std::printf("%s (%s)\n", line.c_str(), formatDuration(e.value("eval_s", 0.0)).c_str());
    } else if (kind == "warning") {
        std::printf("warning: %s\n", e.value("message", "").c_str());
    } else if (kind == "checkpoint") {
        std::printf("  saved %s (step %lld)\n", e.value("path", "").c_str(), (long long)e.value("step", 0LL));
    } else if (kind == "done") {
        std::printf("done: %lld steps, %s tokens, final loss %.4f -> %s\n", (long long)e.value("steps", 0LL),
                    formatCount(e.value("tokens", 0.0)).c_str(), e.value("loss", 0.0), e.value("weights", "").c_str());
        if (e.value("probe_s", 0.0) > 0)
            std::printf("probes and validation took %s of the run\n", formatDuration(e.value("probe_s", 0.0)).c_str());
    } else if (kind == "stopped") {
        std::printf("stopped at step %lld; saved %s and %s. Continue with the same command plus --resume.\n",
                    (long long)e.value("step", 0LL), e.value("weights", "").c_str(), e.value("resume", "").c_str());
    } else {
        std::printf("%s\n", e.dump().c_str());
    }
    std::fflush(stdout);
}

} // namespace mm::cli
