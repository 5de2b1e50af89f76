#pragma once
// One compare column's model, running on its own QThread: loads a checkpoint of
// the workspace, answers prompts with the core's evaluator and streams the text
// back through queued signals, batched so the GUI repaints at most every ~30 ms.
// Answers are stored in the workspace history as one eval run per request, the
// same records `micromind eval` writes, so the scores panel, `micromind judge`
// and `micromind scores export` see them.
//
// Torch stays out of this header (the GUI code never includes it); the model,
// tokenizer and generator live in the .cpp behind a pointer.

#include <QObject>
#include <QString>
#include <QVector>

class QThread;

#include <atomic>
#include <memory>

namespace mm::ui {

/// One loadable model of a mode: base weights plus an optional LoRA adapter.
struct ModelChoice {
    QString label;   ///< "full_sft_512", "full_sft_512+lora_medical_512"
    QString weights; ///< absolute path of the base .pth
    QString lora;    ///< absolute path of the adapter .pth ("" = none)
};

/// The checkpoints of `mode` in `workspace` (for mode 4: every adapter in
/// lora/ paired with the full_sft checkpoint of the same size). When there is
/// none, returns an empty list and sets `error` to a message naming the
/// missing file and the `micromind` command that writes it.
QVector<ModelChoice> modelChoices(const QString& workspace, int mode, QString* error);

/// The model mode's short name (pretrain, full_sft, rlhf, reason, lora, grpo).
QString modeName(int mode);
/// Whether prompts of this mode go through the chat template (all but pretrain).
bool modeIsChat(int mode);

/// One prompt to answer.
struct ComparePrompt {
    QString set;   ///< prompt set name ("eval", "chat", ..., "free" for the free prompt box)
    int index = 0; ///< position in its set (seeds the answer)
    QString text;
};

/// Sampling settings shared by all columns.
struct CompareSampling {
    int maxNewTokens = 256;
    double temperature = 0.85;
    double topP = 0.85;
    int topK = 50;
    double repetitionPenalty = 1.0;
    bool greedy = false;
    quint64 seed = 42; ///< base seed; prompt i uses the core's promptSeed(seed, i)
};

/// Everything one column needs for one run.
struct CompareRequest {
    QString workspace; ///< holds tokenizer.model and micromind.db
    int mode = 1;
    ModelChoice model;
    QVector<ComparePrompt> prompts;
    CompareSampling sampling;
    bool saveToHistory = true;
};

/// Lives on a worker thread (moveToThread); run() is invoked there with a
/// queued call. One model and one Generator per worker.
class CompareWorker : public QObject {
    Q_OBJECT
public:
    explicit CompareWorker(int column, QObject* parent = nullptr);
    ~CompareWorker() override;

    /// Thread-safe: the running answer stops at its next token and the rest of
    /// the request is skipped.
    void requestStop() { m_stop.store(true); }
    /// Clears a previous stop; call before queueing run().
    void clearStop() { m_stop.store(false); }
    /// The thread the latest run() executed on (nullptr before the first).
    QThread* lastRunThread() const { return m_runThread.load(); }
    /// Minimum time between two textArrived signals of one answer.
    static constexpr int kBatchMs = 30;

    /// Answers the request's prompts in order (blocking; call on the worker thread).
    void run(const CompareRequest& req);

Q_SIGNALS:
    /// Loading or progress text for the column header.
    void status(int column, const QString& text);
    /// The model is ready: its label and parameter count.
    void modelReady(int column, const QString& label, qint64 parameters);
    void answerStarted(int column, int prompt);
    /// Newly decoded text of the answer being generated (batched).
    void textArrived(int column, int prompt, const QString& piece);
    /// The answer is complete; `text` is the whole decoded answer, `error`
    /// says why it could not be generated ("" when it was).
    void answerFinished(int column, int prompt, const QString& text, qint64 tokens, double tokensPerSecond,
                        bool hitStop, bool cancelled, const QString& error);
    /// The model could not be loaded or the history not written.
    void failed(int column, const QString& message);
    /// The request is over; `evalRunId` is the stored eval run (0 when not saved).
    void runFinished(int column, qint64 evalRunId, bool stopped);

private:
    struct Impl;
    std::unique_ptr<Impl> d;
    const int m_column;
    std::atomic<bool> m_stop{false};
    std::atomic<QThread*> m_runThread{nullptr};
};

} // namespace mm::ui
