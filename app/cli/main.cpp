// micromind: the headless front end of the MicroMind core. Parses the command
// name, installs the stop-signal handler and translates core errors into
// messages and exit codes; every command lives in its own file.

#include "common/caching_cpu_allocator.h"
#include "commands.h"

#include "common/error.h"
#include "common/torch_compat.h"
#include "config/manpage.h"
#include "config/stages.h"

#include <c10/util/Exception.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>

#include <unistd.h>

namespace mm::cli {
std::atomic<bool> g_stopRequested{false};

const Console& terminal() {
    static const Console con = [] {
        auto write = [](std::FILE* f) {
            return [f](const std::string& s) {
                std::fwrite(s.data(), 1, s.size(), f);
                std::fflush(f);
            };
        };
        Console c{write(stdout), write(stderr), [](std::string& line) { return bool(std::getline(std::cin, line)); }};
        c.inputIsTerminal = ::isatty(0);
        c.stop = &g_stopRequested;
        return c;
    }();
    return con;
}
} // namespace mm::cli

namespace {

using namespace mm::cli;

extern "C" void onStopSignal(int sig) {
    // First signal: ask the run to save and stop. Second: default action (die).
    g_stopRequested = true;
    std::signal(sig, SIG_DFL);
    const char msg[] = "\nstop requested: finishing cleanly (training saves a checkpoint after this step); press "
                       "Ctrl-C again to abort\n";
    ssize_t ignored = ::write(2, msg, sizeof msg - 1);
    (void)ignored;
}

struct Command {
    int (*fn)(const Args&);
    const char* summary;
};

const std::map<std::string, Command>& commands() {
    static const std::map<std::string, Command> c{
        {"train_tokenizer", {cmdTrainTokenizer, "train the BPE tokenizer (6400 tokens, MiniMind specials)"}},
        {"pretrain", {cmdPretrain, "pretrain a MiniMind model from scratch"}},
        {"data", {cmdData, "check and summarise a jsonl data file"}},
        {"bench", {cmdBench, "training tokens/s, MFU and decode tokens/s on this machine"}},
        {"history", {cmdHistory, "list the runs of a workspace"}},
        {"full_sft", {cmdFullSft, "supervised fine-tuning on conversations (pretrain -> full_sft)"}},
        {"dpo", {cmdDpo, "preference optimisation with cached reference log-probs (full_sft -> rlhf)"}},
        {"distill_reason", {cmdDistillReason, "reasoning distillation on <think>/<answer> data (rlhf -> reason)"}},
        {"grpo", {cmdGrpo, "group relative policy optimisation with rule-based rewards (reason -> grpo)"}},
        {"lora", {cmdLora, "train a LoRA adapter on top of full_sft (lora/<name>)"}},
        {"merge_lora", {cmdMergeLora, "fold a LoRA adapter into its base checkpoint"}},
        {"heldout", {cmdHeldout, "held-out metric of a stage: loss, preference accuracy, think format"}},
        {"eval", {cmdEval, "answer the seed's prompts with one model (--model_mode N), store the answers"}},
        {"chat", {cmdChat, "chat with a model in the terminal"}},
        {"serve", {cmdServe, "OpenAI-compatible HTTP API over the workspace's models"}},
        {"judge", {cmdJudge, "score stored answers with an LLM judge (OpenAI-compatible endpoint)"}},
        {"metrics", {cmdMetrics, "perplexity / bits per byte, C-Eval/CMMLU accuracy, exact match"}},
        {"pipeline", {cmdPipeline, "run a queue of stages on your own data from a pipeline.json (resumable)"}},
        {"demo", {cmdDemo, "train and compare all five models on Debian's fortunes-zh corpus (~15 min on 2 cores)"}},
        {"import", {cmdImport, "bring in minimind's .pth, a transformers folder or .safetensors (tokenizer.json too)"}},
        {"export", {cmdExport, "write a transformers folder or a GGUF file (llama.cpp, ollama), with a parity check"}},
        {"scores", {cmdScores, "score tables: export (Markdown/CSV/HTML, answer comparison), set, list"}},
    };
    return c;
}

// `micromind --help` and the man page list commands in pipeline order.
const char* const kPipelineOrder[] = {
    "train_tokenizer", "pretrain", "full_sft", "dpo",  "distill_reason", "grpo",  "lora",   "merge_lora", "data",
    "heldout",         "history",  "eval",     "chat", "serve",          "judge", "scores", "metrics",    "import",
    "export",          "bench",    "pipeline", "demo"};

void printUsage() {
    std::printf("micromind %s - train a tiny chat LLM from scratch (MiniMind pipeline)\n\n"
                "Usage: micromind <command> [--flag value ...]\n\nCommands, in pipeline order:\n",
                MM_VERSION);
    for (const char* name : kPipelineOrder)
        std::printf("  %-16s %s\n", name, commands().at(name).summary);
    std::printf("\nRun `micromind <command> --help` for its flags.\n");
}

} // namespace

int main(int argc, char** argv) {
    // A peer that dies mid-write (a killed rank's Gloo socket, a client that
    // hangs up) must give an error the code reports, not a silent SIGPIPE death.
    std::signal(SIGPIPE, SIG_IGN);
    mm::alloc::installCachingCpuAllocator();
    std::vector<std::string> all(argv + 1, argv + argc);
    if (all.empty() || all[0] == "--help" || all[0] == "-h" || all[0] == "help") {
        printUsage();
        return all.empty() ? 2 : 0;
    }
    if (all[0] == "--version" || all[0] == "version") {
        std::printf("micromind %s (LibTorch %s, %s)\n", MM_VERSION, mm::compat::torchVersion().c_str(),
                    torch::cuda::is_available() ? "CUDA available" : "CPU");
        return 0;
    }
    if (all[0] == "manpage") {
        // Used by the build to generate the man pages from the same schemas as --help.
        if (all.size() > 1 && all[1] == "--commands") {
            for (const auto& n : mm::config::schemaNames())
                std::cout << n << "\n";
        } else if (all.size() > 1) {
            std::cout << mm::config::manPage(mm::config::schemaFor(all[1]), MM_VERSION);
        } else {
            std::vector<std::pair<std::string, std::string>> list;
            for (const char* n : kPipelineOrder)
                list.emplace_back(n, commands().at(n).summary);
            std::cout << mm::config::mainManPage(list, MM_VERSION);
        }
        return 0;
    }
    const std::string name = all[0];
    auto it = commands().find(name);
    if (it == commands().end()) {
        std::fprintf(stderr, "micromind: unknown command \"%s\"; run `micromind --help` for the list\n", name.c_str());
        return 2;
    }
    Args args(all.begin() + 1, all.end());
    for (const auto& a : args)
        if (a == "--help" || a == "-h") {
            if (name == "history")
                return it->second.fn(args);
            std::cout << mm::config::helpText(mm::config::schemaFor(name));
            return 0;
        }
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGTERM, onStopSignal);
    try {
        return it->second.fn(args);
    } catch (const mm::InputError& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    } catch (const mm::IoError& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 3;
    } catch (const mm::NumericError& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 4;
    } catch (const c10::Error& e) {
        std::fprintf(stderr, "error (LibTorch): %s\n", e.what_without_backtrace());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
