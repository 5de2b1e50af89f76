#pragma once
// Before launching a stage: parameters, tokens in the data, training FLOPs
// (6·N·D), memory, and an ETA from a short measured micro-benchmark
// (`micromind bench --steps 1 --warmup 1 --decode_tokens 0`). Token counts
// come from `micromind data --json`, which also fills the token cache the run
// will reuse. QtCore only; the CLI calls run as child processes.

#include <QMetaType>
#include <QObject>
#include <QPointer>
#include <QProcess>
#include <QString>

namespace mm::ui {

/// What is known about a planned run. Negative = not known (yet).
struct Estimate {
    qint64 parameters = -1;
    int vocabSize = 0;
    qint64 dataTokens = -1;       ///< tokens in the data file
    bool dataTokensRough = false; ///< from the file size, not the tokenizer
    qint64 trainTokens = -1;      ///< tokens the run will process (epochs, max_steps)
    double flops = -1;            ///< 6 * N * D
    double memoryBytes = -1;      ///< weights + grads + AdamW + activations (approx.)
    double tokensPerSec = -1;     ///< measured by the micro-benchmark
    double etaSeconds = -1;
    QString error; ///< why a figure is missing
};

/// Inputs of an estimate (the form's effective values).
struct EstimateInput {
    QString workspace, stage, dataPath, tokenizerPath, device, parentCheckpoint;
    int hidden = 512, layers = 8, heads = 8, kvHeads = 2;
    bool moe = false;
    qint64 batch = 32, accumulation = 1, seqLen = 512, epochs = 1, maxSteps = 0, threads = 0;
};

class Estimator : public QObject {
    Q_OBJECT
public:
    explicit Estimator(QObject* parent = nullptr);
    /// Instant figures (parameters, memory, and FLOPs when data tokens are known).
    static Estimate quick(const EstimateInput& in, qint64 knownDataTokens = -1);
    /// Counts data tokens and runs the micro-benchmark; emits finished().
    void measure(const EstimateInput& in);
    bool busy() const { return m_proc != nullptr; }
    static QString formatCount(double n);
    static QString formatBytes(double n);
    static QString formatDuration(double seconds);

Q_SIGNALS:
    void progress(const QString& what);
    void finished(const mm::ui::Estimate& estimate);

private:
    void runNext();
    void startProcess(const QStringList& args);
    void onFinished(int exitCode, QProcess::ExitStatus status);

    EstimateInput m_in;
    Estimate m_est;
    int m_phase = 0; ///< 0 data, 1 bench, 2 done
    QPointer<QProcess> m_proc;
};

} // namespace mm::ui

Q_DECLARE_METATYPE(mm::ui::Estimate)
