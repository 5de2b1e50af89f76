#include "scores_panel.h"

#include "judge_dialog.h"
#include "scores_export.h"
#include "scores_model.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProcessEnvironment>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace mm::ui {

ScoresPanel::ScoresPanel(QWidget* parent)
    : QWidget(parent), m_model(new ScoreTableModel(this)), m_runner(new JudgeRunner(this)) {
    setObjectName(QStringLiteral("scoresPanel"));
    // A key exported in the shell that started the workbench is used until one is typed in.
    m_apiKey = QProcessEnvironment::systemEnvironment().value(QLatin1String(JudgeRunner::kKeyVariable));

    m_judgeButton = new QPushButton(tr("Run judge…"), this);
    m_judgeButton->setObjectName(QStringLiteral("judgeButton"));
    m_judgeButton->setToolTip(tr("Score every model's stored answers with an LLM judge"));
    m_stopButton = new QPushButton(tr("Stop judge"), this);
    m_stopButton->setObjectName(QStringLiteral("stopJudgeButton"));
    m_reloadButton = new QPushButton(tr("Reload"), this);
    m_reloadButton->setObjectName(QStringLiteral("reloadButton"));
    m_copyButton = new QPushButton(tr("Copy Markdown"), this);
    m_copyButton->setObjectName(QStringLiteral("copyButton"));
    m_copyButton->setToolTip(tr("Copy the table in the seed's Markdown layout"));
    m_exportButton = new QPushButton(tr("Export…"), this);
    m_exportButton->setObjectName(QStringLiteral("exportButton"));
    m_exportButton->setToolTip(tr("Write scores.md, scores.csv, scores.html, compare.md and compare.html"));

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("scoresTable"));
    m_table->setModel(m_model);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed |
                             QAbstractItemView::AnyKeyPressed);
    m_table->setAlternatingRowColors(true);

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("scoresMessage"));
    m_message->setWordWrap(true);
    m_log = new QPlainTextEdit(this);
    m_log->setObjectName(QStringLiteral("judgeLog"));
    m_log->setReadOnly(true);
    m_log->setPlaceholderText(tr("The judge's progress appears here."));
    m_log->setMaximumBlockCount(2000);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_judgeButton);
    buttons->addWidget(m_stopButton);
    buttons->addStretch(1);
    buttons->addWidget(m_reloadButton);
    buttons->addWidget(m_copyButton);
    buttons->addWidget(m_exportButton);
    auto* hint = new QLabel(tr("Scores 0-10 per dimension; double-click a cell to enter or correct a score by hand "
                               "(shown in italics, it overrides the judge)."),
                            this);
    hint->setWordWrap(true);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_table);
    split->addWidget(m_log);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto* lay = new QVBoxLayout(this);
    lay->addLayout(buttons);
    lay->addWidget(hint);
    lay->addWidget(m_message);
    lay->addWidget(split, 1);

    connect(m_judgeButton, &QPushButton::clicked, this, &ScoresPanel::openJudgeDialog);
    connect(m_stopButton, &QPushButton::clicked, this, &ScoresPanel::stopJudge);
    connect(m_reloadButton, &QPushButton::clicked, this, &ScoresPanel::reload);
    connect(m_exportButton, &QPushButton::clicked, this, &ScoresPanel::exportWithDialog);
    connect(m_copyButton, &QPushButton::clicked, this, [this] {
        QString error;
        const QString md = scoreTableMarkdown(m_workspace, {}, &error);
        if (md.isEmpty()) {
            setMessage(error, true);
            return;
        }
        QApplication::clipboard()->setText(md);
        setMessage(tr("Copied the score table (Markdown)."));
    });
    connect(m_model, &ScoreTableModel::errorOccurred, this, [this](const QString& e) { setMessage(e, true); });
    connect(m_runner, &JudgeRunner::logLine, this, [this](const QString& l) { m_log->appendPlainText(l); });
    connect(m_runner, &JudgeRunner::modelJudged, this, [this](int, bool, double, double, double, const QString&) {
        m_model->reload(); // each model's scores appear as soon as it is judged
    });
    connect(m_runner, &JudgeRunner::finished, this, [this](bool ok, const QString& summary) {
        m_model->reload();
        m_log->appendPlainText(summary);
        setMessage(summary, !ok);
        updateButtons();
        Q_EMIT judgeFinished(ok, summary);
    });
    updateButtons();
}

void ScoresPanel::setWorkspace(const QString& dir) {
    m_workspace = dir;
    m_model->setWorkspace(dir);
    setMessage(dir.isEmpty() ? tr("No workspace.") : tr("Workspace: %1").arg(QDir::toNativeSeparators(dir)));
    updateButtons();
}

void ScoresPanel::showEvent(QShowEvent* e) {
    QWidget::showEvent(e);
    if (!m_workspace.isEmpty() && !m_runner->isRunning())
        reload();
}

void ScoresPanel::reload() {
    QString error;
    if (!m_model->reload(&error))
        setMessage(error, true);
}

bool ScoresPanel::startJudge(const JudgeSettings& settings, const QString& apiKey) {
    QString error;
    if (!m_runner->start(m_workspace, settings, apiKey, &error)) {
        setMessage(error, true);
        return false;
    }
    setMessage(tr("Judging with %1 at %2…").arg(settings.model, settings.baseUrl));
    updateButtons();
    return true;
}

void ScoresPanel::stopJudge() { m_runner->stop(); }

QString ScoresPanel::judgeLog() const { return m_log->toPlainText(); }

bool ScoresPanel::exportAll(const QString& dir, QString* error, QStringList* written) {
    if (!exportScoreTable(m_workspace, dir, {}, error, written))
        return false;
    QString compareError;
    if (!exportComparison(m_workspace, dir, &compareError, written)) {
        // A table of manual scores without stored answers is still worth exporting.
        setMessage(tr("Wrote the score table; no comparison: %1").arg(compareError), true);
        return true;
    }
    return true;
}

void ScoresPanel::openJudgeDialog() {
    if (m_workspace.isEmpty()) {
        setMessage(tr("Choose a workspace first."), true);
        return;
    }
    JudgeDialog dlg(JudgeSettings::load(m_workspace), m_apiKey, this);
    if (dlg.exec() != QDialog::Accepted)
        return;
    const JudgeSettings s = dlg.settings();
    m_apiKey = dlg.apiKey();
    QString error;
    if (!s.save(m_workspace, &error))
        m_log->appendPlainText(tr("Could not remember the endpoint: %1").arg(error));
    startJudge(s, m_apiKey);
}

void ScoresPanel::exportWithDialog() {
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Export the scores to"), QDir(m_workspace).absoluteFilePath(QStringLiteral("reports")));
    if (dir.isEmpty())
        return;
    QString error;
    QStringList written;
    if (exportAll(dir, &error, &written)) {
        if (written.size() == 5)
            setMessage(tr("Wrote %1 files to %2.").arg(written.size()).arg(QDir::toNativeSeparators(dir)));
    } else {
        setMessage(error, true);
    }
}

void ScoresPanel::setMessage(const QString& text, bool error) {
    m_message->setText(text);
    m_message->setStyleSheet(error ? QStringLiteral("color:#b00020") : QString());
}

void ScoresPanel::updateButtons() {
    const bool running = m_runner->isRunning();
    const bool ws = !m_workspace.isEmpty();
    m_judgeButton->setEnabled(ws && !running);
    m_stopButton->setEnabled(running);
    m_reloadButton->setEnabled(ws);
    m_copyButton->setEnabled(ws);
    m_exportButton->setEnabled(ws);
}

} // namespace mm::ui
