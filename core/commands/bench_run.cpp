#include "commands/bench_run.h"

#include "bench/anchor.h"
#include "bench/bench.h"
#include "common/caching_cpu_allocator.h"
#include "common/cpu_features.h"
#include "common/error.h"
#include "common/format.h"
#include "common/subprocess.h"
#include "common/torch_compat.h"
#include "eval/generator.h"
#include "train/run_setup.h"

#include <ATen/Parallel.h>

#include <cstdlib>
#include <optional>
#include <filesystem>

#include <unistd.h>

namespace mm::bench {

namespace stdfs = std::filesystem;

namespace {

// --isa X: the environment that caps every library's CPU path, set before
// they load, so this command runs again under it (the anchor inherits it).
std::optional<int> reexecUnderIsa(const std::string& isa, const std::vector<std::string>& args) {
    if (isa == "auto" || std::getenv("MM_BENCH_ISA"))
        return std::nullopt;
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
    return proc::run(proc::selfExe(), again, false).exitCode;
}

} // namespace

int runBenchCommand(const config::Values& cfg, const std::vector<std::string>& args, const Console& con) {
    if (const auto code = reexecUnderIsa(cfg.getString("isa"), args))
        return *code;
    train::applyThreads(cfg.getInt("threads"));
    BenchOptions o;
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
    auto progress = [&](const std::string& t) { con.say(t, json); };
    // Checked before the (minutes-long) measurement, run after it.
    AnchorOptions ao;
    const bool anchor = !cfg.getString("anchor").empty();
    if (anchor) {
        if (!o.device.is_cpu())
            throw InputError("--anchor times minimind's step on the CPU; use it with --device cpu");
        ao.modelFile = cfg.getString("anchor");
        ao.script = locateAnchorScript(cfg.getString("anchor_script"));
        ao.python = cfg.getString("python");
        ao.hidden = int(o.model.hiddenSize);
        ao.layers = int(o.model.numLayers);
        ao.moe = o.model.useMoe;
        ao.seq = o.seqLen;
        ao.batch = o.batchSize;
        ao.steps = o.steps;
        ao.threads = at::get_num_threads();
        checkAnchor(ao);
    }
    const std::string dtypeName = o.device.is_cpu() && o.dtype == torch::kBFloat16 ? "bfloat16 matmuls, fp32 weights"
                                  : o.device.is_cpu()                              ? "fp32"
                                                                                   : c10::toString(o.dtype);
    if (!json) {
        con.print(strf("micromind bench: %s (%s params), batch %d x seq %d, %s, %s, %d threads, LibTorch %s\n",
                       cfg.getString("preset").c_str(), formatCount(double(o.model.parameterCount())).c_str(),
                       o.batchSize, o.seqLen, o.device.str().c_str(), dtypeName.c_str(), at::get_num_threads(),
                       compat::torchVersion().c_str()));
        if (o.device.is_cpu()) {
            const std::string blas = blasDescription();
            con.print(strf("CPU: %s; flags: %s\nmicromind kernels: %s%s%s; allocator: %s\n",
                           cpu::features().model.empty() ? "?" : cpu::features().model.c_str(),
                           cpu::flagSummary().c_str(), cpu::isaName(cpu::activeIsa()),
                           blas.empty() ? "" : "; BLAS: ", blas.c_str(),
                           alloc::cachingCpuAllocatorInstalled() ? "caching (MM_CACHING_ALLOCATOR=0 turns it off)"
                                                                 : "LibTorch's default"));
        }
    }
    BenchResult r = run(o, progress);
    AnchorResult ar;
    if (anchor && !o.skipTrain) {
        progress("timing minimind's own Python step (anchor, same shapes and threads): " + ao.script);
        ar = runAnchor(ao);
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
        con.print(j.dump() + "\n");
        return 0;
    }
    con.print(strf("\nGEMM peak (1024^3 %s matmul)   %8.1f GFLOP/s\n", o.device.is_cuda() ? "autocast-dtype" : "fp32",
                   r.gemmGflops));
    if (!o.skipTrain) {
        con.print(strf("training step (median)          %8.3f s\n", r.trainStepSeconds));
        con.print(strf("training throughput             %8.1f tokens/s\n", r.trainTokensPerSec));
        con.print(strf("FLOPs per training token        %8.1f MFLOP\n", r.trainFlopsPerToken / 1e6));
        if (r.gemmGflopsBf16 > 0) {
            con.print(strf("bfloat16 GEMM peak (1024^3)     %8.1f GFLOP/s\n", r.gemmGflopsBf16));
            con.print(strf("MFU vs bfloat16 GEMM peak       %8.1f %%  (vs the fp32 peak: %.1f %%)\n", 100 * r.mfu,
                           100 * r.mfuFp32));
        } else {
            con.print(strf("MFU vs measured GEMM peak       %8.1f %%\n", 100 * r.mfu));
        }
    }
    if (anchor && !o.skipTrain) {
        con.print(strf("minimind's Python step (anchor) %8.1f tokens/s (step %.3f s, %s params%s)\n", ar.tokensPerSec,
                       ar.stepSeconds, formatCount(double(ar.parameters)).c_str(),
                       ar.parameters == o.model.parameterCount() ? ", same model" : "; NOT the same parameter count"));
        con.print(strf("micromind / minimind, same run  %8.2fx\n", r.trainTokensPerSec / ar.tokensPerSec));
    }
    if (o.decodeTokens > 0)
        con.print(strf("batch-1 KV-cached decode        %8.1f tokens/s (%s weights; prefill of %d tokens %.3f s)\n",
                       r.decodeTokensPerSec, inf.c_str(), o.promptTokens, r.prefillSeconds));
    if (o.decodeTokens > 0 && o.decodeBatch > 1)
        con.print(strf("batched decode, %3d prompts      %8.1f tokens/s (all rows; %s weights; prefill %.3f s)\n",
                       o.decodeBatch, r.batchDecodeTokensPerSec, inf.c_str(), r.batchPrefillSeconds));
    return 0;
}

} // namespace mm::bench
