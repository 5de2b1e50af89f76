#include "estimator.h"

#include "cli_path.h"

#include "model/model_config.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace mm::ui {

namespace {

/// Vocabulary of the model: the parent checkpoint's sidecar knows it; a fresh
/// pretrain uses the tokenizer's (6400 unless trained otherwise).
int guessVocab(const EstimateInput& in) {
    QStringList sidecars;
    if (!in.parentCheckpoint.isEmpty())
        sidecars << in.parentCheckpoint.left(in.parentCheckpoint.size() - 4) + QStringLiteral(".json");
    const QDir ws(in.workspace);
    for (const auto& fi : ws.entryInfoList({QStringLiteral("*_*.json")}, QDir::Files, QDir::Time))
        sidecars << fi.absoluteFilePath();
    for (const auto& s : sidecars) {
        QFile f(s);
        if (!f.open(QIODevice::ReadOnly))
            continue;
        const int v = QJsonDocument::fromJson(f.readAll())
                          .object()
                          .value(QStringLiteral("model"))
                          .toObject()
                          .value(QStringLiteral("vocab_size"))
                          .toInt();
        if (v > 0)
            return v;
    }
    return 6400;
}

QString dataFormat(const QString& stage) {
    if (stage == QLatin1String("pretrain"))
        return QStringLiteral("pretrain");
    if (stage == QLatin1String("full_sft") || stage == QLatin1String("lora") ||
        stage == QLatin1String("distill_reason"))
        return QStringLiteral("sft");
    return {}; // preference / prompt data: the data command has no format for it
}

} // namespace

Estimator::Estimator(QObject* parent) : QObject(parent) {}

QString Estimator::formatCount(double n) {
    if (n < 0)
        return QStringLiteral("?");
    if (n >= 1e12)
        return QString::number(n / 1e12, 'f', 2) + QStringLiteral("T");
    if (n >= 1e9)
        return QString::number(n / 1e9, 'f', 2) + QStringLiteral("B");
    if (n >= 1e6)
        return QString::number(n / 1e6, 'f', 2) + QStringLiteral("M");
    if (n >= 1e4)
        return QString::number(n / 1e3, 'f', 1) + QStringLiteral("k");
    return QString::number(qint64(n));
}

QString Estimator::formatBytes(double n) {
    if (n < 0)
        return QStringLiteral("?");
    if (n >= 1024.0 * 1024 * 1024)
        return QString::number(n / (1024.0 * 1024 * 1024), 'f', 2) + QStringLiteral(" GiB");
    if (n >= 1024.0 * 1024)
        return QString::number(n / (1024.0 * 1024), 'f', 1) + QStringLiteral(" MiB");
    return QString::number(n / 1024.0, 'f', 0) + QStringLiteral(" KiB");
}

QString Estimator::formatDuration(double s) {
    if (s < 0)
        return QStringLiteral("?");
    if (s < 60)
        return QString::number(s, 'f', 1) + QStringLiteral(" s");
    if (s < 3600)
        return QStringLiteral("%1 min %2 s").arg(int(s) / 60).arg(int(s) % 60);
    if (s < 86400 * 2)
        return QStringLiteral("%1 h %2 min").arg(int(s) / 3600).arg((int(s) % 3600) / 60);
    return QString::number(s / 86400, 'f', 1) + QStringLiteral(" d");
}

Estimate Estimator::quick(const EstimateInput& in, qint64 knownDataTokens) {
    Estimate e;
    model::ModelConfig mc;
    mc.vocabSize = guessVocab(in);
    mc.hiddenSize = in.hidden;
    mc.numLayers = in.layers;
    mc.numHeads = std::max(1, in.heads);
    mc.numKvHeads = std::max(1, in.kvHeads);
    mc.useMoe = in.moe;
    e.vocabSize = mc.vocabSize;
    e.parameters = mc.parameterCount();
    // fp32 weights + gradients + AdamW moments = 16 bytes per parameter, plus
    // activations kept for backward (~18 floats per hidden unit per layer and
    // token) and the logits with their softmax and gradient.
    const double tokensPerMicro = double(in.batch) * double(in.seqLen);
    e.memoryBytes =
        16.0 * double(e.parameters) + tokensPerMicro * 4.0 * (18.0 * in.hidden * in.layers + 3.0 * mc.vocabSize);
    if (knownDataTokens >= 0) {
        e.dataTokens = knownDataTokens;
        qint64 d = knownDataTokens * std::max<qint64>(1, in.epochs);
        if (in.maxSteps > 0)
            d = std::min<qint64>(d, in.maxSteps * in.batch * in.accumulation * in.seqLen);
        e.trainTokens = d;
        e.flops = 6.0 * double(e.parameters) * double(d);
    }
    return e;
}

void Estimator::measure(const EstimateInput& in) {
    if (m_proc)
        return;
    m_in = in;
    m_est = quick(in);
    m_phase = 0;
    runNext();
}

void Estimator::startProcess(const QStringList& args) {
    m_proc = new QProcess(this);
    m_proc->setProgram(micromindPath());
    m_proc->setArguments(args);
    m_proc->setWorkingDirectory(m_in.workspace);
    connect(m_proc, &QProcess::finished, this, &Estimator::onFinished);
    connect(m_proc, &QProcess::errorOccurred, this, [this](QProcess::ProcessError err) {
        if (err == QProcess::FailedToStart && m_proc) {
            m_est.error = tr("could not start %1: %2").arg(m_proc->program(), m_proc->errorString());
            m_proc->deleteLater();
            m_proc = nullptr;
            Q_EMIT finished(m_est);
        }
    });
    m_proc->start();
}

void Estimator::runNext() {
    if (m_phase == 0) {
        const QString fmt = dataFormat(m_in.stage);
        const QFileInfo data(m_in.dataPath);
        if (!data.isFile()) {
            m_est.error = tr("no data file to count tokens in");
            m_phase = 1;
        } else if (fmt.isEmpty()) {
            // About 3 bytes of jsonl per token for minimind's Chinese data.
            m_est = quick(m_in, data.size() / 3);
            m_est.dataTokensRough = true;
            m_phase = 1;
        } else {
            Q_EMIT progress(tr("counting tokens in %1…").arg(data.fileName()));
            QStringList a{QStringLiteral("data"),
                          QStringLiteral("--data_path"),
                          m_in.dataPath,
                          QStringLiteral("--format"),
                          fmt,
                          QStringLiteral("--out_dir"),
                          m_in.workspace,
                          QStringLiteral("--max_seq_len"),
                          QString::number(m_in.seqLen),
                          QStringLiteral("--json")};
            if (!m_in.tokenizerPath.isEmpty())
                a << QStringLiteral("--tokenizer") << m_in.tokenizerPath;
            startProcess(a);
            return;
        }
    }
    if (m_phase == 1) {
        Q_EMIT progress(tr("measuring training speed…"));
        // A small batch keeps the measurement short; tokens/s barely depends on it.
        const qint64 batch = std::min<qint64>(m_in.batch, 4);
        QStringList a{QStringLiteral("bench"),
                      QStringLiteral("--preset"),
                      QStringLiteral("custom"),
                      QStringLiteral("--hidden_size"),
                      QString::number(m_in.hidden),
                      QStringLiteral("--num_hidden_layers"),
                      QString::number(m_in.layers),
                      QStringLiteral("--num_attention_heads"),
                      QString::number(m_in.heads),
                      QStringLiteral("--num_key_value_heads"),
                      QString::number(m_in.kvHeads),
                      QStringLiteral("--batch_size"),
                      QString::number(batch),
                      QStringLiteral("--max_seq_len"),
                      QString::number(m_in.seqLen),
                      QStringLiteral("--vocab_size"),
                      QString::number(m_est.vocabSize),
                      QStringLiteral("--steps"),
                      QStringLiteral("1"),
                      QStringLiteral("--warmup"),
                      QStringLiteral("1"),
                      QStringLiteral("--decode_tokens"),
                      QStringLiteral("0"),
                      QStringLiteral("--json")};
        if (m_in.moe)
            a << QStringLiteral("--use_moe");
        if (!m_in.device.isEmpty())
            a << QStringLiteral("--device") << m_in.device;
        if (m_in.threads > 0)
            a << QStringLiteral("--threads") << QString::number(m_in.threads);
        startProcess(a);
        return;
    }
    if (m_est.tokensPerSec > 0 && m_est.trainTokens > 0)
        m_est.etaSeconds = double(m_est.trainTokens) / m_est.tokensPerSec;
    Q_EMIT finished(m_est);
}

void Estimator::onFinished(int exitCode, QProcess::ExitStatus status) {
    QProcess* p = m_proc;
    m_proc = nullptr;
    p->deleteLater();
    const QByteArray out = p->readAllStandardOutput();
    QJsonObject j;
    for (const QByteArray& line : out.split('\n'))
        if (line.trimmed().startsWith('{'))
            j = QJsonDocument::fromJson(line.trimmed()).object();
    if (status != QProcess::NormalExit || exitCode != 0 || j.isEmpty()) {
        const QString err = QString::fromUtf8(p->readAllStandardError()).trimmed().split(QLatin1Char('\n')).last();
        m_est.error = tr("%1 failed: %2").arg(p->arguments().value(0), err);
    } else if (m_phase == 0) {
        const Estimate q = quick(m_in, j.value(QStringLiteral("tokens")).toInteger());
        m_est.dataTokens = q.dataTokens;
        m_est.trainTokens = q.trainTokens;
        m_est.flops = q.flops;
    } else if (m_phase == 1) {
        m_est.tokensPerSec = j.value(QStringLiteral("train_tokens_per_s")).toDouble(-1);
    }
    ++m_phase;
    runNext();
}

} // namespace mm::ui
