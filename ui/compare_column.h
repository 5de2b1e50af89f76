#pragma once
// One column of the compare panel: a model mode and checkpoint of the
// workspace, its answers (streamed in from a worker thread, think parts
// folded) and its own stop/regenerate buttons. Owns the worker thread.

#include "compare_render.h"
#include "compare_worker.h"

#include <QFrame>

class QComboBox;
class QLabel;
class QTextBrowser;
class QThread;
class QToolButton;

namespace mm::ui {

class CompareColumn : public QFrame {
    Q_OBJECT
public:
    CompareColumn(int index, int mode, QWidget* parent = nullptr);
    /// Stops the running answer and joins the worker thread.
    ~CompareColumn() override;

    /// Rescans the workspace's checkpoints for this column's mode and shows
    /// the mode's latest stored answers.
    void setWorkspace(const QString& dir);
    int mode() const;
    void setMode(int mode);
    /// The selected checkpoint ("" label when there is none).
    ModelChoice model() const;
    /// Selects the checkpoint with this label; false when the workspace has none such.
    bool selectModel(const QString& label);

    /// Answers `prompts` with the selected model; false (and the reason in the
    /// status line) when there is no model to run or a run is still going.
    bool start(const QVector<ComparePrompt>& prompts, const CompareSampling& sampling);
    /// Asks the worker to stop; runFinished follows.
    void stop();
    bool isBusy() const { return m_busy; }
    /// The prompts and sampling of the last start() (regenerate reuses them).
    const QVector<ComparePrompt>& lastPrompts() const { return m_lastPrompts; }

    const QVector<AnswerView>& answers() const { return m_answers; }
    QString statusText() const;
    /// The thread the model runs on (never the GUI thread).
    QThread* workerThread() const { return m_thread; }
    /// The thread the latest request actually ran on (tests check it is not the GUI's).
    QThread* lastRunThread() const { return m_worker->lastRunThread(); }

Q_SIGNALS:
    void busyChanged(bool busy);
    /// Streamed text arrived (after the batched repaint).
    void textUpdated(int column);
    void runFinished(int column, qint64 evalRunId, bool stopped);
    /// The column's regenerate button: the panel re-runs it with a new seed.
    void regenerateRequested(int column);

private:
    void rescan();
    void loadStoredAnswers();
    void render();
    void setStatus(const QString& text, bool error = false);
    void setBusy(bool busy);
    void onAnchor(const QUrl& url);

    const int m_index;
    QString m_workspace;
    QComboBox* m_modeCombo;
    QComboBox* m_modelCombo;
    QLabel* m_status;
    QLabel* m_speed;
    QTextBrowser* m_view;
    QToolButton* m_stopButton;
    QToolButton* m_regenButton;
    QVector<ModelChoice> m_choices;
    QString m_noModelError;
    QVector<AnswerView> m_answers;
    QVector<ComparePrompt> m_lastPrompts;
    QThread* m_thread;
    CompareWorker* m_worker;
    bool m_busy = false;
    bool m_statusIsError = false;
};

} // namespace mm::ui
