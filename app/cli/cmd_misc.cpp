// bench and history.

#include "commands.h"
#include "reporter.h"
#include "stage_cli.h"

#include "bench/anchor.h"
#include "bench/bench.h"
#include "common/caching_cpu_allocator.h"
#include "common/cpu_features.h"
#include "common/error.h"
#include "common/fs.h"
#include "common/subprocess.h"
#include "common/torch_compat.h"
#include "eval/generator.h"
#include "config/stages.h"
#include "store/history.h"
#include "train/run_setup.h"

#include <ATen/Parallel.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <unistd.h>

namespace mm::cli {

namespace stdfs = std::filesystem;

namespace {

// --isa X: the environment that caps every library's CPU path, set before
// they load, so this command runs again under it (the anchor inherits it).
void reexecUnderIsa(const std::string& isa, const Args& args) {
    if (isa == "auto" || std::getenv("MM_BENCH_ISA"))
        return;
    const cpu::Isa want = *cpu::parseIsa(isa);
    if (int(want) > int(cpu::bestIsa()))
        throw InputError("--isa " + isa + ": this CPU supports at most " + cpu::isaName(cpu::bestIsa()) + " (" +
                         cpu::flagSummary() + ")");
    ::setenv("MM_BENCH_ISA", isa.c_str(), 1);
    ::setenv("MM_CPU_ISA", isa.c_str(), 1);
    if (want == cpu::Isa::Avx512) {
        ::setenv("ATEN_CPU_CAPABILITY", "avx512", 1);
    } else if (want == cpu::Isa::Avx2) {
        ::setenv("ATEN_CPU_CAPABILITY", "avx2", 1);
        ::setenv("OPENBLAS_CORETYPE", "Haswell", 1);
        ::setenv("DNNL_MAX_CPU_ISA", "AVX2", 1);
    } else {
        ::setenv("ATEN_CPU_CAPABILITY", "default", 1);
        ::setenv("OPENBLAS_CORETYPE", "Nehalem", 1);
        ::setenv("DNNL_MAX_CPU_ISA", "SSE41", 1);
    }
    std::vector<std::string> again{"bench"};
    again.insert(again.end(), args.begin(), args.end());
    std::exit(proc::run(proc::selfExe(), again, false).exitCode);
}

} // namespace

int cmdBench(const Args& args) {
    config::Values cfg = parseStageArgs("bench", args);
    reexecUnderIsa(cfg.getString("isa"), args);
    train::applyThreads(cfg.getInt("threads"));
    bench::BenchOptions o;
    o.model = train::modelConfigFrom(cfg, int(cfg.getInt("vocab_size")));
    o.batchSize = int(cfg.getInt("batch_size"));
    o.seqLen = int(cfg.getInt("max_seq_len"));
    o.steps = int(cfg.getInt("steps"));
    o.warmup = int(cfg.getInt("warmup"));
    o.decodeTokens = int(cfg.getInt("decode_tokens"));
    o.promptTokens = int(cfg.getInt("prompt_tokens"));
    o.decodeBatch = int(cfg.getInt("decode_batch"));
    o.skipTrain = cfg.getBool("skip_train");
    o.profilePath = cfg.getString("profile");
    o.device = train::resolveDevice(cfg.getString("device"));
    o.dtype = train::resolveDtype(cfg.getString("dtype"), o.device);
    const std::string inf = cfg.getString("infer_dtype");
    o.inferDtype = eval::decodeDtypeFromName(inf);
    stdfs::path scratch = stdfs::temp_directory_path() / ("micromind_bench_" + std::to_string(::getpid()));
    o.scratchDir = scratch.string();
    const bool json = cfg.getBool("json");
    auto progress = [json](const std::string& t) { (json ? std::cerr : std::cout) << t << std::endl; };
    // Checked before the (minutes-long) measurement, run after it.
    bench::AnchorOptions ao;
    const bool anchor = !cfg.getString("anchor").empty();
    if (anchor) {
        if (!o.device.is_cpu())
            throw InputError("--anchor times minimind's step on the CPU; use it with --device cpu");
        ao.modelFile = cfg.getString("anchor");
        ao.script = bench::locateAnchorScript(cfg.getString("anchor_script"));
        ao.python = cfg.getString("python");
        ao.hidden = int(o.model.hiddenSize);
        ao.layers = int(o.model.numLayers);
        ao.moe = o.model.useMoe;
        ao.seq = o.seqLen;
        ao.batch = o.batchSize;
        ao.steps = o.steps;
        ao.threads = at::get_num_threads();
        bench::checkAnchor(ao);
    }
    const std::string dtypeName = o.device.is_cpu() && o.dtype == torch::kBFloat16 ? "bfloat16 matmuls, fp32 weights"
                                  : o.device.is_cpu()                              ? "fp32"
                                                                                   : c10::toString(o.dtype);
    if (!json) {
        std::printf("micromind bench: %s (%s params), batch %d x seq %d, %s, %s, %d threads, LibTorch %s\n",
                    cfg.getString("preset").c_str(), formatCount(double(o.model.parameterCount())).c_str(), o.batchSize,
                    o.seqLen, o.device.str().c_str(), dtypeName.c_str(), at::get_num_threads(),
                    compat::torchVersion().c_str());
        if (o.device.is_cpu()) {
            const std::string blas = bench::blasDescription();
            std::printf("CPU: %s; flags: %s\nmicromind kernels: %s%s%s; allocator: %s\n",
                        cpu::features().model.empty() ? "?" : cpu::features().model.c_str(), cpu::flagSummary().c_str(),
                        cpu::isaName(cpu::activeIsa()), blas.empty() ? "" : "; BLAS: ", blas.c_str(),
                        alloc::cachingCpuAllocatorInstalled() ? "caching (MM_CACHING_ALLOCATOR=0 turns it off)"
                                                              : "LibTorch's default");
        }
    }
    bench::BenchResult r = bench::run(o, progress);
    bench::AnchorResult ar;
    if (anchor && !o.skipTrain) {
        progress("timing minimind's own Python step (anchor, same shapes and threads): " + ao.script);
        ar = bench::runAnchor(ao);
    }
    std::error_code ec;
    stdfs::remove_all(scratch, ec);
    nlohmann::json j = r.toJson();
    j["preset"] = cfg.getString("preset");
    j["batch_size"] = o.batchSize;
    j["max_seq_len"] = o.seqLen;
    j["device"] = o.device.str();
    j["torch"] = compat::torchVersion();
    j["dtype"] = dtypeName;
    j["caching_allocator"] = alloc::cachingCpuAllocatorInstalled();
    if (anchor && !o.skipTrain) {
        j["anchor_tokens_per_s"] = ar.tokensPerSec;
        j["anchor_parameters"] = ar.parameters;
        j["anchor_ratio"] = r.trainTokensPerSec / ar.tokensPerSec;
    }
    if (json) {
        std::cout << j.dump() << std::endl;
        return 0;
    }
    std::printf("\nGEMM peak (1024^3 %s matmul)   %8.1f GFLOP/s\n", o.device.is_cuda() ? "autocast-dtype" : "fp32",
                r.gemmGflops);
    if (!o.skipTrain) {
        std::printf("training step (median)          %8.3f s\n", r.trainStepSeconds);
        std::printf("training throughput             %8.1f tokens/s\n", r.trainTokensPerSec);
        std::printf("FLOPs per training token        %8.1f MFLOP\n", r.trainFlopsPerToken / 1e6);
        if (r.gemmGflopsBf16 > 0) {
            std::printf("bfloat16 GEMM peak (1024^3)     %8.1f GFLOP/s\n", r.gemmGflopsBf16);
            std::printf("MFU vs bfloat16 GEMM peak       %8.1f %%  (vs the fp32 peak: %.1f %%)\n", 100 * r.mfu,
                        100 * r.mfuFp32);
        } else {
            std::printf("MFU vs measured GEMM peak       %8.1f %%\n", 100 * r.mfu);
        }
    }
    if (anchor && !o.skipTrain) {
        std::printf("minimind's Python step (anchor) %8.1f tokens/s (step %.3f s, %s params%s)\n", ar.tokensPerSec,
                    ar.stepSeconds, formatCount(double(ar.parameters)).c_str(),
                    ar.parameters == o.model.parameterCount() ? ", same model" : "; NOT the same parameter count");
        std::printf("micromind / minimind, same run  %8.2fx\n", r.trainTokensPerSec / ar.tokensPerSec);
    }
    if (o.decodeTokens > 0)
        std::printf("batch-1 KV-cached decode        %8.1f tokens/s (%s weights; prefill of %d tokens %.3f s)\n",
                    r.decodeTokensPerSec, inf.c_str(), o.promptTokens, r.prefillSeconds);
    if (o.decodeTokens > 0 && o.decodeBatch > 1)
        std::printf("batched decode, %3d prompts      %8.1f tokens/s (all rows; %s weights; prefill %.3f s)\n",
                    o.decodeBatch, r.batchDecodeTokensPerSec, inf.c_str(), r.batchPrefillSeconds);
    return 0;
}

int cmdHistory(const Args& args) {
    std::string outDir = "out";
    bool json = false;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--out_dir" && i + 1 < args.size())
            outDir = args[++i];
        else if (args[i] == "--json")
            json = true;
        else if (args[i] == "--help" || args[i] == "-h") {
            std::printf("Usage: micromind history [--out_dir out] [--json]\n\nList the runs recorded in "
                        "<out_dir>/micromind.db.\n");
            return 0;
        } else
            throw InputError("micromind history: unknown argument \"" + args[i] + "\" (flags: --out_dir DIR, --json)");
    }
    const std::string db = (stdfs::path(outDir) / "micromind.db").string();
    if (!fs::isFile(db))
        throw InputError("no history at " + db + "; runs started with --out_dir " + outDir + " create it");
    store::History h(db);
    h.markStaleRunsInterrupted();
    auto runs = h.listRuns();
    if (json) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& r : runs)
            arr.push_back({{"id", r.id},
                           {"stage", r.stage},
                           {"status", r.status},
                           {"steps", r.steps},
                           {"tokens", r.tokens},
                           {"final_loss", r.finalLoss ? nlohmann::json(*r.finalLoss) : nlohmann::json()},
                           {"started_at", r.startedAt},
                           {"ended_at", r.endedAt},
                           {"parent", r.parentCheckpoint},
                           {"checkpoint", r.outCheckpoint},
                           {"message", r.message}});
        std::cout << arr.dump(2) << std::endl;
        return 0;
    }
    std::printf("%4s  %-15s %-11s %8s %9s %9s  %-20s  %s\n", "id", "stage", "status", "steps", "tokens", "loss",
                "started (UTC)", "checkpoint");
    for (const auto& r : runs)
        std::printf("%4lld  %-15s %-11s %8lld %9s %9s  %-20s  %s\n", (long long)r.id, r.stage.c_str(), r.status.c_str(),
                    (long long)r.steps, formatCount(double(r.tokens)).c_str(),
                    r.finalLoss ? std::to_string(*r.finalLoss).substr(0, 7).c_str() : "-", r.startedAt.c_str(),
                    r.outCheckpoint.c_str());
    return 0;
}

} // namespace mm::cli
