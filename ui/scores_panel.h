#pragma once
// Judge scores per model and dimension in the seed's table, manual edits,
// the LLM judge (run as a `micromind judge` child process) and export of the
// score table (Markdown in the seed's layout, CSV, HTML) and of the answers
// side by side (Markdown, HTML).

#include "judge_runner.h"

#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableView;

namespace mm::ui {

class ScoreTableModel;

class ScoresPanel : public QWidget {
    Q_OBJECT
public:
    explicit ScoresPanel(QWidget* parent = nullptr);
    /// Points the panel at a workspace folder (its history database).
    void setWorkspace(const QString& dir);
    QString workspace() const { return m_workspace; }

    ScoreTableModel* model() const { return m_model; }
    /// Re-reads the scores (e.g. after the Compare tab stored new answers).
    void reload();

    /// Starts the judge over the stored answers; false with the reason shown when it cannot start.
    bool startJudge(const JudgeSettings& settings, const QString& apiKey);
    void stopJudge();
    bool isJudging() const { return m_runner->isRunning(); }
    QString judgeLog() const;

    /// Writes scores.md/.csv/.html and compare.md/.html into `dir`.
    bool exportAll(const QString& dir, QString* error, QStringList* written = nullptr);

Q_SIGNALS:
    /// The judge process ended (ok when every model was judged).
    void judgeFinished(bool ok, const QString& summary);

protected:
    /// Re-reads the scores each time the tab is shown (the Compare tab or a
    /// `micromind judge` in a terminal may have changed them).
    void showEvent(QShowEvent* e) override;

private:
    void openJudgeDialog();
    void exportWithDialog();
    void setMessage(const QString& text, bool error = false);
    void updateButtons();

    QString m_workspace;
    QString m_apiKey; ///< this session only; never written anywhere
    ScoreTableModel* m_model;
    QTableView* m_table;
    QPushButton* m_judgeButton;
    QPushButton* m_stopButton;
    QPushButton* m_reloadButton;
    QPushButton* m_copyButton;
    QPushButton* m_exportButton;
    QLabel* m_message;
    QPlainTextEdit* m_log;
    JudgeRunner* m_runner;
};

} // namespace mm::ui
