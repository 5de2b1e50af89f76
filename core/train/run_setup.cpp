#include "train/run_setup.h"

#include "train/health.h"

#include "common/cpu_features.h"

#include "common/error.h"
#include "common/fs.h"
#include "store/history.h"
#include "train/distributed.h"
#include "eval/prompts.h"
#include "train/probe.h"
#include "weights/paths.h"

#include <ATen/Parallel.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <thread>

namespace mm::train {

torch::Device resolveDevice(const std::string& spec) {
    if (spec == "auto")
        return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
    torch::Device dev(torch::kCPU);
    try {
        dev = torch::Device(spec);
    } catch (const std::exception&) {
        throw InputError("--device \"" + spec + "\" is not a device; use cpu, cuda, cuda:N or auto");
    }
    if (dev.is_cuda()) {
        if (!torch::cuda::is_available())
            throw InputError("--device " + spec +
                             ": CUDA is not available in this build/machine (LibTorch built without CUDA or no GPU); "
                             "use --device cpu");
        if (dev.has_index() && dev.index() >= int(torch::cuda::device_count()))
            throw InputError("--device " + spec + ": only " + std::to_string(torch::cuda::device_count()) +
                             " CUDA device(s) present");
    } else if (!dev.is_cpu()) {
        throw InputError("--device " + spec + " is not supported; use cpu or cuda:N");
    }
    return dev;
}

torch::ScalarType resolveDtype(const std::string& spec, const torch::Device& device) {
    if (spec == "auto")
        return device.is_cuda() ? torch::kBFloat16 : torch::kFloat32;
    torch::ScalarType t = spec == "bfloat16" ? torch::kBFloat16 : spec == "float16" ? torch::kFloat16 : torch::kFloat32;
    if (device.is_cpu() && t == torch::kFloat16)
        throw InputError("--dtype float16 is for CUDA autocast; on the CPU use --dtype float32 (auto) or bfloat16");
    if (device.is_cpu() && t == torch::kBFloat16 && !cpu::hasFastBf16Gemm() &&
        (cpu::features().avx512bf16 || cpu::features().amxBf16))
        throw InputError(std::string("--dtype bfloat16: this CPU has bfloat16 products, but the ") +
                         cpu::isaName(cpu::activeIsa()) +
                         " path is forced (MM_CPU_ISA or bench --isa); they need the avx512 path. Use --dtype "
                         "float32 there");
    if (device.is_cpu() && t == torch::kBFloat16 && !cpu::hasFastBf16Gemm())
        throw InputError(
            "--dtype bfloat16 on the CPU needs avx512_bf16 or AMX, which this CPU (" +
            (cpu::features().model.empty() ? std::string("flags: ") + cpu::flagSummary() : cpu::features().model) +
            ") lacks: its bfloat16 products would be emulated, slower than float32. Use --dtype float32");
    return t;
}

void applyThreads(int64_t n) {
    if (n <= 0) {
        // Several ranks on one host share its cores (torchrun says how many
        // processes it started here in LOCAL_WORLD_SIZE).
        int local = 1;
        if (const char* v = std::getenv("LOCAL_WORLD_SIZE"))
            local = std::max(1, std::atoi(v));
        n = std::max(1u, std::thread::hardware_concurrency() / unsigned(local));
    }
    at::set_num_threads(int(n));
}

std::string tokenizerPath(const std::string& tokenizer, const std::string& outDir) {
    if (!tokenizer.empty())
        return tokenizer;
    // A workspace holds MicroMind's tokenizer.model, or (imported from minimind
    // or Hugging Face) a tokenizer.json; the error for neither names tokenizer.model.
    const std::string found = text::tokenizerFileIn(outDir);
    return found.empty() ? (std::filesystem::path(outDir) / "tokenizer.model").string() : found;
}

std::string tokenizerPath(const config::Values& cfg) {
    return tokenizerPath(cfg.getString("tokenizer"), cfg.getString("out_dir"));
}

model::ModelConfig modelConfigFrom(const config::TrainingOptions& o, int vocabSize) {
    model::ModelConfig mc;
    mc.vocabSize = vocabSize;
    mc.hiddenSize = int(o.hiddenSize);
    mc.numLayers = int(o.numHiddenLayers);
    mc.useMoe = o.useMoe;
    mc.numHeads = int(o.numAttentionHeads);
    mc.numKvHeads = int(o.numKeyValueHeads);
    return mc;
}

model::ModelConfig modelConfigFrom(const config::Values& cfg, int vocabSize) {
    model::ModelConfig mc;
    mc.vocabSize = vocabSize;
    mc.hiddenSize = int(cfg.getInt("hidden_size"));
    mc.numLayers = int(cfg.getInt("num_hidden_layers"));
    mc.useMoe = cfg.getBool("use_moe");
    mc.numHeads = int(cfg.getInt("num_attention_heads"));
    mc.numKvHeads = int(cfg.getInt("num_key_value_heads"));
    return mc;
}

TrainResult runStage(StageRun& run, const EventSink& sink, const std::atomic<bool>* stopFlag) {
    const config::TrainingOptions& opts = run.opts;
    const std::string& outDir = opts.outDir;
    const std::string stageName = run.stage->name();
    const model::ModelConfig& mc = run.model->config();

    TrainOptions o;
    o.epochs = opts.epochs;
    o.batchSize = opts.batchSize;
    o.accumulation = opts.accumulationSteps;
    o.maxSteps = opts.maxSteps;
    o.warmupSteps = opts.warmupSteps;
    o.logInterval = opts.logInterval;
    o.saveInterval = opts.saveInterval;
    o.learningRate = opts.learningRate;
    o.gradClip = opts.gradClip;
    o.weightDecay = opts.weightDecay;
    o.seed = uint64_t(opts.seed);
    o.device = run.device ? *run.device : resolveDevice(opts.device);
    o.dtype = run.dtype ? *run.dtype : resolveDtype(opts.dtype, o.device);
    o.resume = opts.resume;

    // Live probes: prompts, tokenizer and prompt lengths are checked on every
    // rank before anything starts (a bad --probe_prompts file fails every rank
    // alike); only rank 0 decodes.
    std::unique_ptr<text::Tokenizer> probeTok;
    std::unique_ptr<Prober> prober;
    if (opts.probeInterval > 0) {
        const std::string& file = opts.probePrompts;
        ProbeSet set =
            file.empty() ? defaultProbeSet(stageName, eval::locateResourceDir()) : loadProbeFile(file, stageName);
        probeTok = std::make_unique<text::Tokenizer>(text::Tokenizer::load(tokenizerPath(opts.tokenizer, outDir)));
        prober =
            std::make_unique<Prober>(*probeTok, std::move(set), int(opts.probeMaxTokens), int64_t(mc.maxPositions));
        o.probeInterval = opts.probeInterval;
    }

    // Validation on --eval_data (rank 0, like the probes).
    if (run.evaluate && !opts.evalData.empty())
        o.evalInterval = opts.effectiveEvalInterval();

    // Data parallel when launched by torchrun/srun (WORLD_SIZE > 1): one CUDA
    // device per local rank unless the user pinned one, rendezvous, then only
    // rank 0 keeps the history and reports events.
    const DistEnv env = DistEnv::fromEnvironment();
    std::unique_ptr<Communicator> comm;
    if (env.distributed()) {
        const std::string& spec = opts.device;
        if (o.device.is_cuda() && (spec == "auto" || spec == "cuda")) {
            if (env.localRank >= int(torch::cuda::device_count()))
                throw InputError("rank " + std::to_string(env.rank) + ": LOCAL_RANK " + std::to_string(env.localRank) +
                                 " has no CUDA device (" + std::to_string(torch::cuda::device_count()) +
                                 " present); start at most as many processes per host as it has GPUs");
            o.device = torch::Device(torch::kCUDA, env.localRank);
        }
        comm = std::make_unique<Communicator>(env, o.device, std::chrono::seconds(opts.ddpTimeout));
        o.rank = env.rank;
        o.worldSize = env.worldSize;
        o.comm = comm.get();
    }
    const bool rank0 = o.rank == 0;
    const std::string stem = run.checkpointStem.empty() ? stageName : run.checkpointStem;
    o.weightsPath = weights::weightsPath(outDir, stem, mc);
    o.resumePath = weights::resumePath(outDir, stem, mc);
    o.dataKey = run.dataKey;
    o.meta = run.extraMeta;
    o.meta["config"] = run.config;
    o.meta["parent"] = run.parentCheckpoint;
    o.meta["micromind_version"] = MM_VERSION;

    if (!rank0) {
        // Other ranks train silently: no history, no events (their errors
        // still reach stderr through the caller).
        TrainCallbacks quiet;
        quiet.shouldStop = [stopFlag] { return stopFlag && stopFlag->load(); };
        Trainer trainer(o, run.model, *run.stage, quiet);
        return trainer.run();
    }

    store::History hist((std::filesystem::path(outDir) / "micromind.db").string());
    hist.markStaleRunsInterrupted();
    nlohmann::json runCfg = run.config;
    runCfg["model"] = mc.toJson();
    if (o.worldSize > 1)
        runCfg["world_size"] = o.worldSize;
    const int64_t runId = hist.beginRun(stageName, runCfg.dump(), run.parentCheckpoint, o.weightsPath, MM_VERSION);

    TrainCallbacks cb;
    int64_t lastTokens = 0, lastStep = 0;
    double lastLoss = 0;
    cb.onStart = [&](const nlohmann::json& info) {
        StartEvent e;
        e.runId = runId;
        e.stage = stageName;
        e.parameters = int64_t(mc.parameterCount());
        e.weights = o.weightsPath;
        e.device = o.device.str();
        e.threads = at::get_num_threads();
        if (o.comm)
            e.backend = o.comm->backend();
        e.tokensPerStep = info.value("samples_per_step", int64_t(0)) * opts.maxSeqLen;
        e.database = hist.path();
        e.totalSteps = info.value("total_steps", int64_t(0));
        e.stepsPerEpoch = info.value("steps_per_epoch", int64_t(0));
        e.samples = info.value("samples", int64_t(0));
        e.startStep = info.value("start_step", int64_t(0));
        e.samplesPerStep = info.value("samples_per_step", int64_t(0));
        e.epochs = info.value("epochs", int64_t(0));
        e.worldSize = info.value("world_size", int64_t(1));
        if (info.contains("resume_rescaled"))
            e.resumeRescaled = info["resume_rescaled"];
        sink(e);
    };
    ProcessMonitor procMonitor;
    HealthMonitor::Options healthOptions;
    healthOptions.watchLoss = stageName != "grpo"; // GRPO's objective may be negative and near zero
    HealthMonitor health(healthOptions);
    cb.onLog = [&](const LogRecord& r) {
        const auto system = ProcessMonitor::metrics(procMonitor.sample(o.device));
        std::vector<std::pair<std::string, double>> vals{{"loss", r.loss},
                                                         {"lr", r.lr},
                                                         {"grad_norm", r.gradNorm},
                                                         {"tokens_per_sec", r.tokensPerSec},
                                                         {"tokens", double(r.tokens)}};
        for (auto& m : r.metrics)
            vals.push_back(m);
        vals.insert(vals.end(), system.begin(), system.end());
        hist.logMetrics(runId, r.step, vals, r.elapsed);
        hist.updateProgress(runId, r.step, r.tokens, r.loss);
        hist.flush();
        lastTokens = r.tokens;
        lastStep = r.step;
        lastLoss = r.loss;
        LogEvent e;
        e.step = r.step;
        e.totalSteps = r.totalSteps;
        e.epoch = r.epoch + 1;
        e.epochs = r.epochs;
        e.loss = r.loss;
        e.lr = r.lr;
        e.gradNorm = r.gradNorm;
        e.tokensPerSec = r.tokensPerSec;
        e.tokens = r.tokens;
        e.elapsed = r.elapsed;
        e.eta = r.eta;
        e.runId = runId;
        e.metrics = r.metrics;
        e.metrics.insert(e.metrics.end(), system.begin(), system.end());
        sink(e);
        for (const HealthWarning& w : health.observe(r.step, r.loss, r.gradNorm, r.metrics)) {
            hist.addWarning({0, runId, r.step, w.kind, w.message, w.value, {}});
            sink(WarningEvent{r.step, w.kind, w.message, w.value, runId});
        }
    };
    cb.onCheckpoint = [&](const std::string& path, const std::string& kind, int64_t step) {
        hist.addCheckpoint(runId, path, kind, step);
        if (kind == "weights")
            sink(CheckpointEvent{path, step, runId});
    };
    cb.shouldStop = [stopFlag] { return stopFlag && stopFlag->load(); };
    const auto tStart = std::chrono::steady_clock::now();
    if (o.evalInterval > 0)
        cb.onEval = [&](model::MiniMind& m, int64_t step, int64_t tokens) {
            const auto t0 = std::chrono::steady_clock::now();
            const std::vector<std::pair<std::string, double>> vals = run.evaluate(m);
            const auto t1 = std::chrono::steady_clock::now();
            const double elapsed = std::chrono::duration<double>(t1 - tStart).count();
            hist.logMetrics(runId, step, vals, elapsed);
            hist.flush();
            EvalEvent e;
            e.step = step;
            e.tokens = tokens;
            e.elapsed = elapsed;
            e.evalSeconds = std::chrono::duration<double>(t1 - t0).count();
            e.runId = runId;
            e.metrics = vals;
            sink(e);
        };
    if (prober)
        cb.onProbe = [&](model::MiniMind& m, int64_t step, int64_t tokens) {
            const auto t0 = std::chrono::steady_clock::now();
            const std::vector<ProbeSample> samples = prober->run(m);
            const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            ProbeEvent e;
            e.step = step;
            e.tokens = tokens;
            e.probeSeconds = secs;
            e.raw = prober->set().raw;
            e.runId = runId;
            std::vector<store::ProbeRecord> rows;
            for (const auto& s : samples) {
                e.samples.push_back({s.prompt, s.completion, s.tokens, s.stopped});
                rows.push_back({runId, step, s.prompt, s.completion, s.tokens, s.stopped});
            }
            // Stored too, so a workbench that re-attaches (or opens the run
            // later) shows the same timeline.
            hist.addProbes(rows);
            sink(e);
        };

    try {
        Trainer trainer(o, run.model, *run.stage, cb);
        TrainResult res = trainer.run();
        hist.updateProgress(runId, res.steps, res.tokens, res.lastLoss);
        if (res.stopped) {
            hist.finishRun(runId, "stopped", "stopped at step " + std::to_string(res.steps) + "; resume with --resume");
            sink(StoppedEvent{res.steps, o.weightsPath, o.resumePath, runId});
        } else {
            hist.finishRun(runId, "completed");
            DoneEvent done;
            done.steps = res.steps;
            done.tokens = res.tokens;
            done.loss = res.lastLoss;
            done.weights = o.weightsPath;
            if (prober)
                done.probeSeconds = res.probeSeconds;
            done.runId = runId;
            sink(done);
        }
        return res;
    } catch (const std::exception& e) {
        hist.updateProgress(runId, lastStep, lastTokens, lastLoss);
        hist.finishRun(runId, "failed", e.what());
        throw;
    }
}

} // namespace mm::train
