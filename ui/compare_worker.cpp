#include "compare_worker.h"

#include "common/error.h"
#include "eval/evaluator.h"
#include "eval/generator.h"
#include "eval/model_modes.h"
#include "store/history.h"
#include "text/tokenizer.h"
#include "train/run_setup.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRegularExpression>
#include <QThread>

#include <algorithm>
#include <optional>

namespace mm::ui {

namespace {

std::string str(const QString& s) { return s.toStdString(); }
QString qstr(const std::string& s) { return QString::fromStdString(s); }

} // namespace

QString modeName(int mode) {
    for (const auto& m : eval::modes())
        if (m.mode == mode)
            return qstr(m.name);
    return QStringLiteral("mode %1").arg(mode);
}

bool modeIsChat(int mode) {
    for (const auto& m : eval::modes())
        if (m.mode == mode)
            return m.chat;
    return true;
}

QVector<ModelChoice> modelChoices(const QString& workspace, int mode, QString* error) {
    QVector<ModelChoice> out;
    const eval::ModeInfo* info = nullptr;
    for (const auto& m : eval::modes())
        if (m.mode == mode)
            info = &m;
    if (!info) {
        if (error)
            *error = CompareWorker::tr("Unknown model mode %1.").arg(mode);
        return out;
    }
    const QDir ws(workspace);
    const QString prefix = qstr(info->weightsPrefix);
    const auto suffixes = eval::checkpointSuffixes(str(workspace), info->weightsPrefix);
    if (mode != 4) {
        for (const auto& s : suffixes) {
            const QString name = prefix + "_" + qstr(s);
            out.push_back({name, ws.absoluteFilePath(name + ".pth"), {}});
        }
        // Models brought in with `micromind import --name N` (minimind's own,
        // say), each with its tokenizer in its folder.
        for (const auto& dir : eval::importedModelDirs(str(workspace))) {
            const QDir d(qstr(dir));
            for (const auto& s : eval::checkpointSuffixes(dir, info->weightsPrefix)) {
                const QString name = prefix + "_" + qstr(s);
                out.push_back({d.dirName() + "/" + name, d.absoluteFilePath(name + ".pth"), {}});
            }
        }
        if (out.isEmpty() && error)
            *error = CompareWorker::tr("No %1_*.pth in the workspace %2 — train it with `micromind %3`.")
                         .arg(prefix, QDir::toNativeSeparators(workspace), qstr(info->trainCommand));
        return out;
    }
    // lora+sft: every adapter lora/<name>_<suffix>.pth whose full_sft_<suffix>.pth exists.
    const QRegularExpression re(QStringLiteral("^(.+)_([0-9]+(?:_moe)?)\\.pth$"));
    const QDir loraDir(ws.absoluteFilePath(QStringLiteral("lora")));
    const QStringList files = loraDir.entryList({QStringLiteral("*.pth")}, QDir::Files, QDir::Name);
    bool anyAdapter = false;
    for (const QString& f : files) {
        const auto m = re.match(f);
        if (!m.hasMatch())
            continue;
        anyAdapter = true;
        const QString suffix = m.captured(2);
        if (std::find(suffixes.begin(), suffixes.end(), str(suffix)) == suffixes.end())
            continue;
        const QString base = prefix + "_" + suffix;
        out.push_back({base + "+" + f.chopped(4), ws.absoluteFilePath(base + ".pth"), loraDir.absoluteFilePath(f)});
    }
    if (out.isEmpty() && error) {
        if (!anyAdapter)
            *error = CompareWorker::tr("No LoRA adapter (lora/*.pth) in the workspace %1 — train one with "
                                       "`micromind lora --lora_name lora_medical`.")
                         .arg(QDir::toNativeSeparators(workspace));
        else
            *error = CompareWorker::tr("The LoRA adapters in %1/lora have no full_sft checkpoint of the same size "
                                       "— train it with `micromind full_sft`.")
                         .arg(QDir::toNativeSeparators(workspace));
    }
    return out;
}

struct CompareWorker::Impl {
    QString key; ///< workspace|weights|lora of the loaded model
    std::optional<text::Tokenizer> tok;
    model::MiniMind net{nullptr};
    std::unique_ptr<eval::Generator> gen;
    QString label;
};

CompareWorker::CompareWorker(int column, QObject* parent) : QObject(parent), d(new Impl), m_column(column) {}

CompareWorker::~CompareWorker() = default;

void CompareWorker::run(const CompareRequest& req) {
    m_runThread.store(QThread::currentThread());
    // Intra-op threads are per thread in LibTorch: five columns share the
    // machine, so each decodes on one thread of its own.
    train::applyThreads(1);
    std::unique_ptr<store::History> history;
    int64_t runId = 0;
    try {
        // A retrained checkpoint under the same name must be loaded again.
        auto stamp = [](const QString& path) {
            const QFileInfo fi(path);
            return path + "@" + QString::number(fi.size()) + ":" +
                   QString::number(fi.lastModified().toMSecsSinceEpoch());
        };
        // An imported model brings its own tokenizer (minimind's tokenizer.json).
        const std::string own = eval::tokenizerForWeights(str(req.model.weights), str(req.workspace));
        const QString tokPath =
            own.empty() ? QDir(req.workspace).absoluteFilePath(QStringLiteral("tokenizer.model")) : qstr(own);
        const QString key = stamp(tokPath) + "|" + stamp(req.model.weights) + "|" + stamp(req.model.lora);
        if (key != d->key || !d->gen) {
            d->gen.reset();
            d->key.clear();
            Q_EMIT status(m_column, tr("Loading %1…").arg(req.model.label));
            if (!QFileInfo::exists(tokPath))
                throw InputError(str(tr("No tokenizer.model in the workspace %1 — train one with `micromind "
                                        "train_tokenizer`.")
                                         .arg(QDir::toNativeSeparators(req.workspace))));
            d->tok.emplace(text::Tokenizer::load(str(tokPath)));
            eval::ResolvedModel rm;
            rm.mode = req.mode;
            rm.weights = str(req.model.weights);
            rm.lora = str(req.model.lora);
            d->net = eval::loadResolvedModel(rm, d->tok->vocabSize(), torch::kCPU);
            d->gen = std::make_unique<eval::Generator>(d->net);
            d->key = key;
            d->label = req.model.label;
        }
        Q_EMIT modelReady(m_column, d->label, qint64(d->net->config().parameterCount()));

        eval::EvalSettings settings;
        settings.raw = !modeIsChat(req.mode);
        settings.sampling.maxNewTokens = req.sampling.maxNewTokens;
        settings.sampling.temperature = req.sampling.temperature;
        settings.sampling.topP = req.sampling.topP;
        settings.sampling.topK = req.sampling.topK;
        settings.sampling.repetitionPenalty = req.sampling.repetitionPenalty;
        settings.sampling.greedy = req.sampling.greedy || req.sampling.temperature <= 0;
        settings.sampling.seed = req.sampling.seed;
        const std::string samplingText = eval::samplingJson(settings.sampling).dump();

        if (req.saveToHistory) {
            QDir().mkpath(req.workspace);
            history = std::make_unique<store::History>(str(QDir(req.workspace).absoluteFilePath("micromind.db")));
            nlohmann::json cfg{{"source", "workbench compare panel"},
                               {"model_mode", req.mode},
                               {"weights", str(req.model.weights)},
                               {"lora", str(req.model.lora)},
                               {"sampling", nlohmann::json::parse(samplingText)},
                               {"seed", req.sampling.seed},
                               {"prompts", req.prompts.size()}};
            const std::string parent =
                req.model.lora.isEmpty() ? str(req.model.weights) : str(req.model.weights + "+" + req.model.lora);
            runId = history->beginRun("eval", cfg.dump(), parent, "", MM_VERSION);
        }

        int64_t totalTokens = 0;
        double totalSeconds = 0;
        int answered = 0;
        for (int i = 0; i < req.prompts.size() && !m_stop.load(); ++i) {
            const ComparePrompt& p = req.prompts[i];
            Q_EMIT answerStarted(m_column, i);
            std::string buffer;
            QElapsedTimer sinceEmit;
            sinceEmit.start();
            auto onText = [&](const std::string& piece) {
                buffer += piece;
                if (sinceEmit.elapsed() >= kBatchMs) {
                    Q_EMIT textArrived(m_column, i, qstr(buffer));
                    buffer.clear();
                    sinceEmit.restart();
                }
                return !m_stop.load();
            };
            eval::EvalAnswer a;
            try {
                a = eval::answerPrompt(*d->gen, *d->tok, {str(p.set), p.index, str(p.text)}, settings, onText);
            } catch (const InputError& e) {
                Q_EMIT answerFinished(m_column, i, {}, 0, 0, false, false, qstr(e.what()));
                continue;
            }
            if (!buffer.empty())
                Q_EMIT textArrived(m_column, i, qstr(buffer));
            if (history) {
                store::EvalAnswerRecord rec;
                rec.runId = runId;
                rec.modelMode = req.mode;
                rec.checkpoint = str(req.model.weights);
                rec.lora = str(req.model.lora);
                rec.promptSet = str(p.set);
                rec.promptIndex = p.index;
                rec.prompt = str(p.text);
                rec.samplingJson = samplingText;
                rec.seed = int64_t(a.seed);
                rec.text = a.text;
                rec.tokens = a.tokens;
                rec.tokensPerSecond = a.tokensPerSecond;
                history->addEvalAnswers({rec});
            }
            ++answered;
            totalTokens += a.tokens;
            totalSeconds += a.seconds;
            if (history)
                history->updateProgress(runId, answered, totalTokens, std::nullopt);
            Q_EMIT answerFinished(m_column, i, qstr(a.text), a.tokens, a.tokensPerSecond, a.hitStop, a.cancelled, {});
        }
        const bool stopped = m_stop.load();
        if (history) {
            char msg[160];
            std::snprintf(msg, sizeof msg, "%d answers, %lld tokens, %.1f tokens/s (workbench)", answered,
                          (long long)totalTokens, totalSeconds > 0 ? double(totalTokens) / totalSeconds : 0.0);
            history->finishRun(runId, stopped ? "stopped" : "completed", msg);
        }
        Q_EMIT runFinished(m_column, runId, stopped);
    } catch (const std::exception& e) {
        if (history && runId > 0) {
            try {
                history->finishRun(runId, "failed", e.what());
            } catch (const std::exception&) {
            }
        }
        Q_EMIT failed(m_column, qstr(e.what()));
        Q_EMIT runFinished(m_column, runId, m_stop.load());
    }
}

} // namespace mm::ui
