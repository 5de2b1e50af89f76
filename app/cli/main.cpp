// micromind: the headless front end of the MicroMind core. Parses the command
// name, installs the stop-signal handler and translates core errors into
// messages and exit codes; every command lives in its own file.

#include "commands.h"

#include "common/error.h"
#include "common/torch_compat.h"
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
}

namespace {

using namespace mm::cli;

extern "C" void onStopSignal(int sig) {
    // First signal: ask the run to save and stop. Second: default action (die).
    g_stopRequested = true;
    std::signal(sig, SIG_DFL);
    const char msg[] = "\nstop requested: saving a checkpoint after this step (press Ctrl-C again to abort)\n";
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
    };
    return c;
}

void printUsage() {
    std::printf("micromind %s - train a tiny chat LLM from scratch (MiniMind pipeline)\n\n"
                "Usage: micromind <command> [--flag value ...]\n\nCommands, in pipeline order:\n",
                MM_VERSION);
    for (const char* name : {"train_tokenizer", "pretrain", "data", "history", "bench"})
        std::printf("  %-16s %s\n", name, commands().at(name).summary);
    std::printf("\nRun `micromind <command> --help` for its flags.\n"
                "Stages still to come in this build: full_sft, dpo, lora, distill_reason, grpo, eval.\n");
}

} // namespace

int main(int argc, char** argv) {
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
