#include "train/trainer.h"

#include "common/error.h"
#include "common/fs.h"
#include "common/torch_compat.h"
#include "model/fused_ops.h"
#include "train/distributed.h"
#include "train/resume.h"
#include "weights/state_dict.h"

#include <chrono>
#include <cmath>
#include <random>
#include <set>

namespace mm::train {

using Clock = std::chrono::steady_clock;

double learningRateAt(int64_t step, int64_t total, int64_t warmup, double lr, double minRatio) {
    if (warmup > 0 && step < warmup)
        return lr * double(step + 1) / double(warmup);
    const double span = std::max<int64_t>(1, total - warmup);
    const double progress = std::min(1.0, double(step - warmup) / span);
    return lr * (minRatio + (1.0 - minRatio) * 0.5 * (1.0 + std::cos(M_PI * progress)));
}

std::vector<int64_t> epochPermutation(int64_t n, uint64_t seed, int64_t epoch) {
    std::vector<int64_t> p(n);
    for (int64_t i = 0; i < n; ++i)
        p[i] = i;
    // mt19937_64's output sequence is fixed by the standard; the shuffle is ours
    // (std::shuffle's algorithm is implementation-defined).
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ULL + uint64_t(epoch) + 1);
    for (int64_t i = n - 1; i > 0; --i) {
        int64_t j = int64_t(rng() % uint64_t(i + 1));
        std::swap(p[i], p[j]);
    }
    return p;
}

void Stage::writeWeights(const std::string& path, model::MiniMind& model, const nlohmann::json& meta) {
    weights::saveWeights(path, model, meta);
}

Trainer::Trainer(TrainOptions opts, model::MiniMind model, Stage& stage, TrainCallbacks cb)
    : m_o(std::move(opts)), m_model(std::move(model)), m_stage(stage), m_cb(std::move(cb)) {}

void Trainer::save(torch::optim::Optimizer& opt, int64_t step, int64_t epoch, int64_t pos, int64_t tokens,
                   double elapsed) {
    if (m_o.rank != 0)
        return;
    nlohmann::json meta = m_o.meta;
    meta["step"] = step;
    meta["stage"] = m_stage.name();
    m_stage.writeWeights(m_o.weightsPath, m_model, meta);
    if (m_cb.onCheckpoint)
        m_cb.onCheckpoint(m_o.weightsPath, "weights", step);
    nlohmann::json rmeta = meta;
    rmeta["epoch"] = epoch;
    rmeta["sample_pos"] = pos;
    rmeta["tokens"] = tokens;
    rmeta["elapsed"] = elapsed;
    rmeta["data_key"] = m_o.dataKey;
    rmeta["world_size"] = m_o.worldSize;
    rmeta["samples_per_step"] = m_o.batchSize * m_o.accumulation * m_o.worldSize;
    rmeta["model"] = m_model->config().toJson();
    saveResume(m_o.resumePath, m_model, opt, rmeta);
    if (m_cb.onCheckpoint)
        m_cb.onCheckpoint(m_o.resumePath, "resume", step);
}

void Trainer::checkSameSetup(const std::vector<int64_t>& mine) {
    static const char* names[] = {"training samples",  "--batch_size",    "--accumulation_steps", "optimizer steps",
                                  "start step",        "start sample",    "start epoch",          "--seed",
                                  "trainable tensors", "trainable values"};
    torch::Tensor root = torch::tensor(mine, torch::kLong);
    m_o.comm->broadcast({root}, 0, "run setup check");
    const auto* r = root.data_ptr<int64_t>();
    std::string diff;
    for (size_t i = 0; i < mine.size(); ++i)
        if (r[i] != mine[i])
            diff += (diff.empty() ? "" : ", ") + std::string(names[i]) + " " + std::to_string(mine[i]) +
                    " (rank 0: " + std::to_string(r[i]) + ")";
    torch::Tensor bad = torch::zeros({m_o.worldSize}, torch::kFloat32);
    bad[m_o.rank] = diff.empty() ? 0.f : 1.f;
    m_o.comm->allReduce({bad}, Communicator::Op::Sum, "run setup check");
    if (!diff.empty())
        throw InputError("rank " + std::to_string(m_o.rank) + " disagrees with rank 0: " + diff +
                         "; launch every rank with the same flags, data and workspace contents");
    std::string others;
    for (int i = 0; i < m_o.worldSize; ++i)
        if (bad[i].item<float>() > 0)
            others += (others.empty() ? "" : ", ") + std::to_string(i);
    if (!others.empty())
        throw InputError("rank " + std::to_string(m_o.rank) + ": rank(s) " + others +
                         " run another setup than rank 0 (other flags or data); see their error messages");
}

void Trainer::syncGradients(const std::vector<torch::Tensor>& params, int64_t step) {
    // A parameter no micro-batch reached (an unused MoE expert) has no gradient
    // and AdamW skips it; it must get one exactly when some rank has one.
    const int64_t n = int64_t(params.size());
    torch::Tensor flags = torch::zeros({n}, torch::kFloat32);
    float* f = flags.data_ptr<float>();
    for (int64_t i = 0; i < n; ++i)
        f[i] = params[size_t(i)].grad().defined() ? 1.f : 0.f;
    const std::string at = " of step " + std::to_string(step + 1);
    m_o.comm->allReduce({flags}, Communicator::Op::Sum, "gradient all-reduce" + at);
    f = flags.data_ptr<float>();
    std::vector<torch::Tensor> grads;
    grads.reserve(params.size());
    for (int64_t i = 0; i < n; ++i) {
        torch::Tensor p = params[size_t(i)];
        if (f[i] == 0.f)
            continue;
        if (!p.grad().defined())
            p.mutable_grad() = torch::zeros_like(p);
        grads.push_back(p.grad());
    }
    m_o.comm->allReduce(grads, Communicator::Op::Mean, "gradient all-reduce" + at);
}

TrainResult Trainer::run() {
    const int W = m_o.worldSize;
    const bool rank0 = m_o.rank == 0;
    if (W > 1 && (!m_o.comm || m_o.comm->worldSize() != W || m_o.comm->rank() != m_o.rank))
        throw Error("Trainer: worldSize " + std::to_string(W) + " needs a Communicator of the same rank and size");
    m_model->to(m_o.device);
    m_model->train();
    // CPU --dtype bfloat16: bfloat16 products, float32 weights and optimizer.
    model::ops::CpuGemmDtypeGuard gemmDtype(m_o.device.is_cpu() && m_o.dtype == torch::kBFloat16 ? torch::kBFloat16
                                                                                                 : torch::kFloat32);

    std::vector<torch::Tensor> params = m_stage.trainableParameters(*&m_model);
    {
        // Freeze everything the stage does not train (LoRA base, ...).
        std::set<const void*> trainable;
        for (auto& p : params)
            trainable.insert(p.unsafeGetTensorImpl());
        for (auto& p : m_model->parameters())
            p.set_requires_grad(trainable.count(p.unsafeGetTensorImpl()) > 0);
    }
    torch::optim::AdamW opt(params, torch::optim::AdamWOptions(m_o.learningRate).weight_decay(m_o.weightDecay));

    const int64_t samples = m_stage.numSamples();
    const int64_t perStep = m_o.batchSize * m_o.accumulation * W;
    const int64_t stepsPerEpoch = samples / perStep;
    if (stepsPerEpoch == 0)
        throw InputError("the data has " + std::to_string(samples) +
                         " training samples, fewer than one optimizer step needs (batch_size " +
                         std::to_string(m_o.batchSize) + " x accumulation_steps " + std::to_string(m_o.accumulation) +
                         (W > 1 ? " x world size " + std::to_string(W) : "") + " = " + std::to_string(perStep) +
                         "); use more data or lower --batch_size/--accumulation_steps");
    int64_t total = stepsPerEpoch * m_o.epochs;
    if (m_o.maxSteps > 0)
        total = std::min(total, m_o.maxSteps);

    int64_t step = 0, epoch = 0, pos = 0, tokens = 0;
    double elapsedBefore = 0;
    nlohmann::json rescaled;
    if (m_o.resume) {
        nlohmann::json meta = loadResume(m_o.resumePath, m_model, opt);
        if (meta.value("data_key", std::string()) != m_o.dataKey)
            throw InputError("resume state " + m_o.resumePath +
                             " was made with other data, tokenizer or sequence length; resume with the original "
                             "--data_path/--tokenizer/--max_seq_len/--packing, or start a new run without --resume");
        step = meta.value("step", int64_t(0));
        epoch = meta.value("epoch", int64_t(0));
        pos = meta.value("sample_pos", int64_t(0));
        tokens = meta.value("tokens", int64_t(0));
        elapsedBefore = meta.value("elapsed", 0.0);
        // Another world size (or batch) than the saving run: the data position
        // is kept in samples, so it carries over exactly; the step count is
        // rescaled to the new samples per step, as minimind does, so the
        // learning-rate schedule continues at the same point of the data.
        int64_t savedPerStep = meta.value("samples_per_step", int64_t(0));
        if (savedPerStep <= 0 && meta.contains("config")) {
            const auto& c = meta["config"];
            savedPerStep = c.value("batch_size", int64_t(0)) * c.value("accumulation_steps", int64_t(1)) *
                           meta.value("world_size", int64_t(1));
        }
        if (savedPerStep > 0 && savedPerStep != perStep) {
            rescaled = {{"from_step", step},
                        {"from_samples_per_step", savedPerStep},
                        {"from_world_size", meta.value("world_size", int64_t(1))}};
            step = step * savedPerStep / perStep;
        }
    }
    if (W > 1) {
        int64_t values = 0;
        for (auto& p : params)
            values += p.numel();
        checkSameSetup({samples, m_o.batchSize, m_o.accumulation, total, step, pos, epoch, int64_t(m_o.seed),
                        int64_t(params.size()), values});
        // Same start on every rank whatever the seeding did: rank 0's weights.
        m_o.comm->broadcast(m_model->parameters(), 0, "initial weights from rank 0");
    }

    if (m_cb.onStart && rank0) {
        nlohmann::json info{{"total_steps", total}, {"steps_per_epoch", stepsPerEpoch}, {"samples", samples},
                            {"start_step", step},   {"samples_per_step", perStep},      {"epochs", m_o.epochs},
                            {"world_size", W}};
        if (!rescaled.is_null())
            info["resume_rescaled"] = rescaled;
        m_cb.onStart(info);
    }

    std::vector<int64_t> perm = epochPermutation(samples, m_o.seed, epoch);
    TrainResult res;
    res.totalSteps = total;
    auto t0 = Clock::now();
    auto lastLogTime = t0;
    int64_t lastLogTokens = tokens, lastLogStep = step;
    double lastLoss = 0;
    int64_t savedStep = m_o.resume ? step : -1;
    // Where a diverged run can be picked up again (named in its error).
    const auto lastGood = [&] {
        if (savedStep >= 0)
            return "the last good checkpoint (step " + std::to_string(savedStep) + ") is " + m_o.weightsPath;
        return std::string("this run wrote no checkpoint before it (every --save_interval steps)") +
               (fs::isFile(m_o.weightsPath) ? "; " + m_o.weightsPath + " is left as it was" : "");
    };
    // Probe time since the last log line: left out of its tokens/s.
    double probeSinceLog = 0;

    // Micro-batch a of this step: rows (a*W + rank)*B .. +B of the step's
    // perStep samples, so that the W ranks together read what one process
    // with batch W*B reads.
    std::vector<int64_t> idx(m_o.batchSize);
    auto buildBatch = [&](int64_t a) {
        const int64_t base = pos + (a * W + m_o.rank) * m_o.batchSize;
        for (int64_t b = 0; b < m_o.batchSize; ++b)
            idx[b] = perm[base + b];
        Batch batch = m_stage.makeBatch(idx);
        batch.x = batch.x.to(m_o.device, true);
        batch.y = batch.y.to(m_o.device, true);
        if (batch.w.defined())
            batch.w = batch.w.to(m_o.device, true);
        for (auto& t : batch.extra)
            t = t.to(m_o.device, true);
        return batch;
    };

    try {
        while (step < total) {
            if (pos + perStep > samples) {
                ++epoch;
                pos = 0;
                if (epoch >= m_o.epochs)
                    break;
                perm = epochPermutation(samples, m_o.seed, epoch);
            }
            const double lr = learningRateAt(step, total, m_o.warmupSteps, m_o.learningRate, m_o.minLrRatio);
            for (auto& g : opt.param_groups())
                static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
            // Drop the gradients instead of zeroing them: the first backward then
            // writes them directly, saving a memset and an add over every parameter.
            for (auto& p : params)
                p.mutable_grad() = torch::Tensor();

            // Data parallel: build the step's micro-batches first and agree on
            // each micro-step's global loss denominator in one collective.
            std::vector<Batch> pre;
            std::vector<double> scale(size_t(m_o.accumulation), 1.0);
            if (W > 1) {
                pre.reserve(size_t(m_o.accumulation));
                torch::Tensor den = torch::zeros({m_o.accumulation}, torch::kFloat64);
                for (int64_t a = 0; a < m_o.accumulation; ++a) {
                    pre.push_back(buildBatch(a));
                    den[a] = pre.back().lossDenominator;
                }
                torch::Tensor global = den.clone();
                m_o.comm->allReduce({global}, Communicator::Op::Sum,
                                    "loss normalisation of step " + std::to_string(step + 1));
                for (int64_t a = 0; a < m_o.accumulation; ++a) {
                    const double mine = den[a].item<double>(), all = global[a].item<double>();
                    if (mine > 0 && all > 0)
                        scale[size_t(a)] = mine * double(W) / all;
                }
            }

            torch::Tensor lossSum;
            std::vector<std::pair<std::string, torch::Tensor>> metricSum;
            int64_t stepTokens = 0;
            for (int64_t a = 0; a < m_o.accumulation; ++a) {
                Batch batch = W > 1 ? std::move(pre[size_t(a)]) : buildBatch(a);
                StepOutput out;
                {
                    compat::AutocastGuard ac(m_o.device, m_o.dtype);
                    out = m_stage.step(m_model, batch);
                }
                torch::Tensor loss = scale[size_t(a)] == 1.0 ? out.loss : out.loss * scale[size_t(a)];
                (loss / double(m_o.accumulation)).backward();
                torch::Tensor l = loss.detach();
                lossSum = lossSum.defined() ? lossSum + l : l;
                for (size_t i = 0; i < out.metrics.size(); ++i) {
                    torch::Tensor v = out.metrics[i].second.detach().to(torch::kFloat32);
                    if (metricSum.size() <= i)
                        metricSum.emplace_back(out.metrics[i].first, v);
                    else
                        metricSum[i].second = metricSum[i].second + v;
                }
                stepTokens += batch.tokens;
            }
            pos += perStep;

            if (W > 1)
                syncGradients(params, step);

            // clip_grad_norm_ returns the pre-clip norm and synchronises anyway, so
            // the NaN check costs nothing extra; a non-finite norm means the update
            // must not be applied. After the all-reduce every rank holds the same
            // gradients, so this is the global norm.
            const double gradNorm = torch::nn::utils::clip_grad_norm_(
                params, m_o.gradClip > 0 ? m_o.gradClip : std::numeric_limits<double>::infinity());
            if (!std::isfinite(gradNorm))
                throw NumericError("training diverged at step " + std::to_string(step + 1) + ": the gradient norm is " +
                                   std::to_string(gradNorm) + " (loss " +
                                   std::to_string(lossSum.item<double>() / double(m_o.accumulation)) +
                                   "). The update was not applied; " + lastGood() +
                                   ". Lower --learning_rate, keep --grad_clip on, or use float32.");
            opt.step();
            ++step;
            tokens += stepTokens * W;

            const bool last = step == total;
            if (step % m_o.logInterval == 0 || last || step == 1) {
                if (W > 1) {
                    // Loss and metrics of the whole global batch: the mean over ranks
                    // (the loss terms were scaled to their share above).
                    std::vector<torch::Tensor> parts{lossSum.to(torch::kFloat32).reshape({1})};
                    for (auto& mv : metricSum)
                        parts.push_back(mv.second.reshape({1}));
                    torch::Tensor v = torch::cat(parts).to(torch::kCPU);
                    m_o.comm->allReduce({v}, Communicator::Op::Mean, "loss all-reduce of step " + std::to_string(step));
                    lossSum = v[0];
                    for (size_t i = 0; i < metricSum.size(); ++i)
                        metricSum[i].second = v[int64_t(i) + 1];
                }
                auto now = Clock::now();
                const double dt = std::chrono::duration<double>(now - lastLogTime).count();
                const double elapsed = elapsedBefore + std::chrono::duration<double>(now - t0).count();
                LogRecord r;
                r.step = step;
                r.totalSteps = total;
                r.epoch = epoch;
                r.epochs = m_o.epochs;
                r.loss = lossSum.item<double>() / double(m_o.accumulation);
                r.lr = lr;
                r.gradNorm = gradNorm;
                r.tokens = tokens;
                const double trainDt = dt - probeSinceLog;
                r.tokensPerSec = trainDt > 0 ? double(tokens - lastLogTokens) / trainDt : 0;
                r.elapsed = elapsed;
                const double secPerStep = step > lastLogStep ? dt / double(step - lastLogStep) : 0;
                r.eta = secPerStep * double(total - step);
                for (auto& [n, v] : metricSum)
                    r.metrics.emplace_back(n, v.item<double>() / double(m_o.accumulation));
                if (!std::isfinite(r.loss))
                    throw NumericError("training diverged at step " + std::to_string(step) + ": loss is " +
                                       std::to_string(r.loss) + "; " + lastGood());
                lastLoss = r.loss;
                if (m_cb.onLog && rank0)
                    m_cb.onLog(r);
                lastLogTime = now;
                lastLogTokens = tokens;
                lastLogStep = step;
                probeSinceLog = 0;
            }
            // Probe and validation: local to rank 0 (the other ranks go on to
            // the stop check's collective and wait there), in eval mode without
            // autograd; the guard restores training mode even when one throws.
            // Their time is left out of tokens/s.
            auto sideCall = [&](const std::function<void(model::MiniMind&, int64_t, int64_t)>& fn, int64_t interval) {
                if (!rank0 || !fn || interval <= 0 || (step % interval != 0 && !last))
                    return;
                const auto p0 = Clock::now();
                struct TrainModeRestorer {
                    model::MiniMind& m;
                    ~TrainModeRestorer() { m->train(); }
                } restore{m_model};
                torch::NoGradGuard noGrad;
                m_model->eval();
                fn(m_model, step, tokens);
                const double secs = std::chrono::duration<double>(Clock::now() - p0).count();
                probeSinceLog += secs;
                res.probeSeconds += secs;
            };
            sideCall(m_cb.onProbe, m_o.probeInterval);
            sideCall(m_cb.onEval, m_o.evalInterval);
            bool stop = m_cb.shouldStop && m_cb.shouldStop();
            if (W > 1) {
                // A stop request (a signal to any rank) stops every rank after
                // the same step.
                torch::Tensor s = torch::full({1}, stop ? 1.f : 0.f);
                m_o.comm->allReduce({s}, Communicator::Op::Max, "stop check of step " + std::to_string(step));
                stop = s.item<float>() > 0;
            }
            if (step % m_o.saveInterval == 0 || last || stop) {
                const double elapsed = elapsedBefore + std::chrono::duration<double>(Clock::now() - t0).count();
                // Position after this step: if the epoch is exhausted the loop top
                // moves to the next one on resume, exactly as it would have here.
                save(opt, step, epoch, pos, tokens, elapsed);
                savedStep = step;
            }
            if (stop && !last) {
                res.stopped = true;
                break;
            }
        }
        // Nobody leaves before rank 0 has written the last checkpoint.
        if (W > 1)
            m_o.comm->barrier("end-of-training barrier");
    } catch (const DistributedError& e) {
        throw DistributedError(std::string(e.what()) +
                               (savedStep >= 0 ? " The last checkpoint (step " + std::to_string(savedStep) + ") is " +
                                                     m_o.weightsPath + "; continue with --resume."
                                               : " No checkpoint was written yet."));
    }
    res.steps = step;
    res.tokens = tokens;
    res.lastLoss = lastLoss;
    return res;
}

} // namespace mm::train
