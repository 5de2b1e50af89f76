#pragma once
// Five columns answering the same prompts side by side, one model each (by
// default the seed's five: 0 pretrain, 1 full_sft, 2 rlhf, 3 reason,
// 4 lora+sft). Shared prompt set / free prompt, sampling settings and seed;
// each column generates on its own worker thread and stores its answers in the
// workspace history as an eval run.

#include "compare_worker.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace mm::ui {

class CompareColumn;

class ComparePanel : public QWidget {
    Q_OBJECT
public:
    static constexpr int kColumns = 5;

    explicit ComparePanel(QWidget* parent = nullptr);
    ~ComparePanel() override;
    /// Points the panel at a workspace folder (its checkpoints and history).
    void setWorkspace(const QString& dir);
    QString workspace() const { return m_workspace; }

    CompareColumn* column(int i) const { return m_columns.value(i); }
    CompareSampling sampling() const;
    void setSampling(const CompareSampling& s);

    /// Every column answers the selected prompt set (the seed's eval prompts by
    /// default). Returns how many columns started; the others say why in their status.
    int answerPromptSet();
    /// Every column answers one free prompt.
    int ask(const QString& prompt);
    /// Re-runs the last prompts in every column with the next seed.
    int regenerate();
    void stopAll();
    bool isBusy() const;
    /// The prompts of the selected set; empty with the reason in the status line on error.
    QVector<ComparePrompt> selectedPrompts();
    /// Writes compare.md and compare.html (the stored answers side by side) into `dir`.
    bool exportComparison(const QString& dir, QString* error);

Q_SIGNALS:
    /// All columns that were started have finished (or stopped).
    void allFinished();

private:
    int startAll(const QVector<ComparePrompt>& prompts);
    void updateButtons();
    void setMessage(const QString& text, bool error = false);
    QString resourceDir() const;

    QString m_workspace;
    QVector<CompareColumn*> m_columns;
    QComboBox* m_setCombo;
    QPushButton* m_runButton;
    QLineEdit* m_freePrompt;
    QPushButton* m_askButton;
    QPushButton* m_stopButton;
    QPushButton* m_regenButton;
    QPushButton* m_refreshButton;
    QPushButton* m_exportButton;
    QSpinBox* m_maxNew;
    QDoubleSpinBox* m_temperature;
    QDoubleSpinBox* m_topP;
    QSpinBox* m_topK;
    QDoubleSpinBox* m_repetition;
    QSpinBox* m_seed;
    QCheckBox* m_greedy;
    QLabel* m_message;
    QVector<ComparePrompt> m_lastPrompts;
    int m_running = 0;
};

} // namespace mm::ui
