#include "bench/bench.h"

#include "common/cpu_features.h"
#include "common/fs.h"
#include "eval/batch_generator.h"
#include "eval/generator.h"
#include "model/minimind.h"
#include "train/losses.h"
#include "train/trainer.h"
#include "weights/state_dict.h"

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include <dlfcn.h>

namespace mm::bench {

using Clock = std::chrono::steady_clock;

nlohmann::json BenchResult::toJson() const {
    return {{"threads", threads},
            {"parameters", parameters},
            {"gemm_gflops", gemmGflops},
            {"train_step_s", trainStepSeconds},
            {"train_tokens_per_s", trainTokensPerSec},
            {"train_flops_per_token", trainFlopsPerToken},
            {"mfu", mfu},
            {"mfu_fp32_peak", mfuFp32},
            {"gemm_gflops_bf16", gemmGflopsBf16},
            {"kernels", kernels},
            {"cpu_flags", cpuFlags},
            {"blas", blas},
            {"decode_tokens_per_s", decodeTokensPerSec},
            {"batch_decode_tokens_per_s", batchDecodeTokensPerSec},
            {"prefill_s", prefillSeconds}};
}

std::string blasDescription() {
    // Looked up at run time: the BLAS is whatever libblas.so.3 the system's
    // alternatives point at, loaded as torch's dependency.
    using Fn = char* (*)();
    auto config = reinterpret_cast<Fn>(::dlsym(RTLD_DEFAULT, "openblas_get_config"));
    auto core = reinterpret_cast<Fn>(::dlsym(RTLD_DEFAULT, "openblas_get_corename"));
    if (!config || !core)
        return "";
    using IntFn = int (*)();
    auto parallel = reinterpret_cast<IntFn>(::dlsym(RTLD_DEFAULT, "openblas_get_parallel"));
    std::string c = config();
    const auto sp = c.find(' ', c.find(' ') + 1); // "OpenBLAS 0.3.21 DYNAMIC_ARCH ..." -> "OpenBLAS 0.3.21"
    const int par = parallel ? parallel() : -1;
    const char* threading = par == 2   ? ", OpenMP threads"
                            : par == 1 ? ", own pthreads"
                            : par == 0 ? ", sequential"
                                       : "";
    return (sp == std::string::npos ? c : c.substr(0, sp)) + " (core " + core() + threading + ")";
}

double measureGemmGflops(const torch::Device& device, torch::ScalarType dtype, int n) {
    torch::NoGradGuard ng;
    auto opts = torch::TensorOptions().device(device).dtype(dtype);
    torch::Tensor a = torch::randn({n, n}, opts), b = torch::randn({n, n}, opts), c = torch::empty({n, n}, opts);
    const int reps = device.is_cuda() ? 50 : 4;
    double best = 0;
    for (int trial = 0; trial < 4; ++trial) {
        if (device.is_cuda())
            torch::cuda::synchronize();
        auto t0 = Clock::now();
        for (int i = 0; i < reps; ++i)
            torch::mm_out(c, a, b);
        if (device.is_cuda())
            torch::cuda::synchronize();
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        best = std::max(best, 2.0 * double(n) * n * n * reps / s / 1e9);
    }
    return best;
}

namespace {

// Random-token language modelling: the real step function on synthetic data.
class RandomTokensStage : public train::Stage {
public:
    RandomTokensStage(int batch, int seq, int vocab, int64_t samples)
        : m_b(batch), m_t(seq), m_v(vocab), m_n(samples) {}
    std::string name() const override { return "bench"; }
    int64_t numSamples() const override { return m_n; }
    train::Batch makeBatch(const std::vector<int64_t>& idx) override {
        train::Batch b;
        auto g = at::make_generator<at::CPUGeneratorImpl>(uint64_t(idx[0]));
        torch::Tensor seq = torch::randint(m_v, {int64_t(idx.size()), m_t + 1}, g, torch::kLong);
        b.x = seq.narrow(1, 0, m_t).contiguous();
        b.y = seq.narrow(1, 1, m_t).contiguous();
        b.tokens = int64_t(idx.size()) * m_t;
        b.targets = b.tokens;
        return b;
    }
    train::StepOutput step(model::MiniMind& m, const train::Batch& b) override {
        return train::languageModelStep(m, b);
    }

private:
    int m_b, m_t, m_v;
    int64_t m_n;
};

} // namespace

BenchResult run(const BenchOptions& o, const std::function<void(const std::string&)>& progress) {
    BenchResult r;
    r.threads = at::get_num_threads();
    r.parameters = o.model.parameterCount();
    progress("measuring the GEMM peak (1024x1024 matmul)...");
    r.gemmGflops = measureGemmGflops(o.device, o.device.is_cuda() ? o.dtype : torch::kFloat32);
    const bool cpuBf16 = o.device.is_cpu() && o.dtype == torch::kBFloat16;
    if (cpuBf16) {
        progress("measuring the bfloat16 GEMM peak (1024x1024 matmul)...");
        r.gemmGflopsBf16 = measureGemmGflops(o.device, torch::kBFloat16);
    }
    r.kernels = cpu::isaName(cpu::activeIsa());
    r.cpuFlags = cpu::flagSummary();
    r.blas = blasDescription();

    torch::manual_seed(0);
    if (!o.skipTrain) {
        progress("timing " + std::to_string(o.warmup) + "+" + std::to_string(o.steps) + " training steps (batch " +
                 std::to_string(o.batchSize) + " x seq " + std::to_string(o.seqLen) + ")...");
        model::MiniMind m(o.model);
        m->resetParameters(0);
        const int total = o.warmup + o.steps;
        RandomTokensStage stage(o.batchSize, o.seqLen, o.model.vocabSize, int64_t(total) * o.batchSize);
        train::TrainOptions to;
        to.batchSize = o.batchSize;
        to.accumulation = 1;
        to.logInterval = 1;
        to.saveInterval = 1 << 30;
        to.device = o.device;
        to.dtype = o.dtype;
        to.weightsPath = (std::filesystem::path(o.scratchDir) / "bench.pth").string();
        to.resumePath = (std::filesystem::path(o.scratchDir) / "bench_resume.pt").string();
        std::vector<double> stepTimes;
        auto last = Clock::now();
        train::TrainCallbacks cb;
        cb.onLog = [&](const train::LogRecord& rec) {
            auto now = Clock::now();
            if (rec.step > o.warmup)
                stepTimes.push_back(std::chrono::duration<double>(now - last).count());
            last = now;
            progress("  step " + std::to_string(rec.step) + "/" + std::to_string(total) + ": loss " +
                     std::to_string(rec.loss));
        };
        train::Trainer trainer(to, m, stage, cb);
        last = Clock::now();
        trainer.run();
        if (!o.profilePath.empty()) {
            // One more step under the autograd profiler (chrome://tracing JSON).
            progress("profiling one step -> " + o.profilePath);
            RandomTokensStage one(o.batchSize, o.seqLen, o.model.vocabSize, o.batchSize);
            train::TrainOptions po = to;
            po.maxSteps = 1;
            torch::autograd::profiler::RecordProfile guard(o.profilePath);
            train::Trainer(po, m, one, {}).run();
        }
        std::error_code ec;
        std::filesystem::remove(to.weightsPath, ec);
        std::filesystem::remove(weights::sidecarPath(to.weightsPath), ec);
        std::filesystem::remove(to.resumePath, ec);
        std::sort(stepTimes.begin(), stepTimes.end());
        r.trainStepSeconds = stepTimes.empty() ? 0 : stepTimes[stepTimes.size() / 2];
        r.trainTokensPerSec = r.trainStepSeconds > 0 ? double(o.batchSize) * o.seqLen / r.trainStepSeconds : 0;
        r.trainFlopsPerToken = o.model.trainFlopsPerToken(o.seqLen);
        const double achieved = r.trainTokensPerSec * r.trainFlopsPerToken;
        const double peak = cpuBf16 ? r.gemmGflopsBf16 : r.gemmGflops;
        r.mfu = peak > 0 ? achieved / (peak * 1e9) : 0;
        r.mfuFp32 = r.gemmGflops > 0 ? achieved / (r.gemmGflops * 1e9) : 0;
    }

    if (o.decodeTokens > 0) {
        progress("timing batch-1 KV-cached decode of " + std::to_string(o.decodeTokens) + " tokens...");
        model::MiniMind m(o.model);
        m->resetParameters(1);
        m->to(o.device);
        eval::Generator gen(m);
        auto g = at::make_generator<at::CPUGeneratorImpl>(7);
        torch::Tensor p = torch::randint(9, o.model.vocabSize, {o.promptTokens}, g, torch::kLong);
        std::vector<int> prompt(p.data_ptr<int64_t>(), p.data_ptr<int64_t>() + o.promptTokens);
        eval::SamplingOptions so;
        so.greedy = true;
        so.stopIds.clear(); // never stop early: time exactly decodeTokens tokens
        so.decodeDtype = o.inferDtype;
        so.maxNewTokens = std::min(16, o.decodeTokens);
        gen.generate(prompt, so); // warm-up
        so.maxNewTokens = o.decodeTokens;
        eval::GenerationResult res = gen.generate(prompt, so);
        if (!o.profilePath.empty() && o.skipTrain) {
            progress("profiling the decode -> " + o.profilePath);
            torch::autograd::profiler::RecordProfile guard(o.profilePath);
            gen.generate(prompt, so);
        }
        r.decodeTokensPerSec = res.seconds > 0 ? double(res.tokens.size()) / res.seconds : 0;
        r.prefillSeconds = res.prefillSeconds;

        if (o.decodeBatch > 1) {
            progress("timing batched decode of " + std::to_string(o.decodeBatch) + " different prompts x " +
                     std::to_string(o.decodeTokens) + " tokens...");
            // Prompts of different lengths (half to full --prompt_tokens), as an
            // evaluation set has: the batch decoder left-pads them.
            std::vector<eval::BatchRequest> reqs;
            for (int b = 0; b < o.decodeBatch; ++b) {
                const int len = std::max(1, o.promptTokens / 2 + (o.promptTokens / 2) * b / o.decodeBatch);
                torch::Tensor pb = torch::randint(9, o.model.vocabSize, {len}, g, torch::kLong);
                so.seed = uint64_t(b);
                reqs.push_back({std::vector<int>(pb.data_ptr<int64_t>(), pb.data_ptr<int64_t>() + len), so});
            }
            std::vector<eval::GenerationResult> out = eval::generateBatch(m, reqs);
            double tokens = 0, seconds = 0;
            for (const auto& x : out) {
                tokens += double(x.tokens.size());
                seconds = std::max(seconds, x.seconds);
            }
            r.batchDecodeTokensPerSec = seconds > 0 ? tokens / seconds : 0;
            r.batchPrefillSeconds = out.empty() ? 0 : out[0].prefillSeconds;
        }
    }
    return r;
}

} // namespace mm::bench
