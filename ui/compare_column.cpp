#include "compare_column.h"

#include "store/history.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QScrollBar>
#include <QTextBrowser>
#include <QThread>
#include <QToolButton>
#include <QVBoxLayout>

namespace mm::ui {

CompareColumn::CompareColumn(int index, int mode, QWidget* parent)
    : QFrame(parent), m_index(index), m_thread(new QThread(this)), m_worker(new CompareWorker(index)) {
    setObjectName(QStringLiteral("compareColumn%1").arg(index));
    setFrameShape(QFrame::StyledPanel);
    setMinimumWidth(180);

    m_modeCombo = new QComboBox(this);
    m_modeCombo->setObjectName(QStringLiteral("modeCombo"));
    for (int m = 0; m <= 5; ++m)
        m_modeCombo->addItem(QStringLiteral("%1 %2").arg(m).arg(m == 4 ? QStringLiteral("lora+sft") : modeName(m)), m);
    m_modeCombo->setCurrentIndex(m_modeCombo->findData(mode));
    m_modeCombo->setToolTip(tr("Model mode, as `micromind eval --model_mode N`"));
    m_modelCombo = new QComboBox(this);
    m_modelCombo->setObjectName(QStringLiteral("checkpointCombo"));
    m_modelCombo->setToolTip(tr("Checkpoint of the workspace this column answers with"));
    m_modelCombo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_modelCombo->setMinimumContentsLength(8);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("statusLabel"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_speed = new QLabel(this);
    m_speed->setObjectName(QStringLiteral("speedLabel"));

    m_view = new QTextBrowser(this);
    m_view->setObjectName(QStringLiteral("answersView"));
    m_view->setOpenLinks(false);
    m_view->setOpenExternalLinks(false);
    connect(m_view, &QTextBrowser::anchorClicked, this, &CompareColumn::onAnchor);

    m_stopButton = new QToolButton(this);
    m_stopButton->setObjectName(QStringLiteral("stopButton"));
    m_stopButton->setText(tr("Stop"));
    m_stopButton->setEnabled(false);
    connect(m_stopButton, &QToolButton::clicked, this, &CompareColumn::stop);
    m_regenButton = new QToolButton(this);
    m_regenButton->setObjectName(QStringLiteral("regenerateButton"));
    m_regenButton->setText(tr("Regenerate"));
    m_regenButton->setToolTip(tr("Answer this column's prompts again with the next seed"));
    m_regenButton->setEnabled(false);
    connect(m_regenButton, &QToolButton::clicked, this, [this] { Q_EMIT regenerateRequested(m_index); });

    auto* top = new QHBoxLayout;
    top->addWidget(m_modeCombo);
    top->addWidget(m_modelCombo, 1);
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(m_speed, 1);
    bottom->addWidget(m_stopButton);
    bottom->addWidget(m_regenButton);
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(4, 4, 4, 4);
    lay->addLayout(top);
    lay->addWidget(m_status);
    lay->addWidget(m_view, 1);
    lay->addLayout(bottom);

    connect(m_modeCombo, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        rescan();
        loadStoredAnswers();
    });

    // The worker lives on its own thread; every signal below is queued to the GUI thread.
    m_thread->setObjectName(QStringLiteral("compare-column-%1").arg(index));
    m_worker->moveToThread(m_thread);
    connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &CompareWorker::status, this, [this](int, const QString& s) { setStatus(s); });
    connect(m_worker, &CompareWorker::modelReady, this, [this](int, const QString& label, qint64 params) {
        setStatus(tr("%1 · %2M parameters").arg(label).arg(double(params) / 1e6, 0, 'f', 2));
    });
    connect(m_worker, &CompareWorker::answerStarted, this, [this](int, int p) {
        if (p < m_answers.size())
            m_answers[p].running = true;
        render();
    });
    connect(m_worker, &CompareWorker::textArrived, this, [this](int, int p, const QString& piece) {
        if (p < m_answers.size())
            m_answers[p].text += piece;
        render();
        Q_EMIT textUpdated(m_index);
    });
    connect(m_worker, &CompareWorker::answerFinished, this,
            [this](int, int p, const QString& text, qint64 tokens, double tps, bool hitStop, bool cancelled,
                   const QString& error) {
                if (p >= m_answers.size())
                    return;
                AnswerView& a = m_answers[p];
                a.running = false;
                a.done = error.isEmpty();
                a.text = text; // the exact decode replaces the streamed pieces
                a.tokens = tokens;
                a.tokensPerSecond = tps;
                a.hitStop = hitStop;
                a.cancelled = cancelled;
                a.error = error;
                m_speed->setText(tr("%1 tokens/s").arg(tps, 0, 'f', 1));
                render();
            });
    connect(m_worker, &CompareWorker::failed, this, [this](int, const QString& msg) { setStatus(msg, true); });
    connect(m_worker, &CompareWorker::runFinished, this, [this](int, qint64 runId, bool stopped) {
        for (auto& a : m_answers)
            a.running = false;
        render();
        setBusy(false);
        Q_EMIT runFinished(m_index, runId, stopped);
    });
    m_thread->start();
}

CompareColumn::~CompareColumn() {
    m_worker->requestStop();
    m_thread->quit();
    m_thread->wait();
}

int CompareColumn::mode() const { return m_modeCombo->currentData().toInt(); }

void CompareColumn::setMode(int mode) { m_modeCombo->setCurrentIndex(m_modeCombo->findData(mode)); }

ModelChoice CompareColumn::model() const {
    const int i = m_modelCombo->currentIndex();
    return i >= 0 && i < m_choices.size() ? m_choices[i] : ModelChoice{};
}

bool CompareColumn::selectModel(const QString& label) {
    for (int i = 0; i < m_choices.size(); ++i)
        if (m_choices[i].label == label) {
            m_modelCombo->setCurrentIndex(i);
            return true;
        }
    return false;
}

void CompareColumn::setWorkspace(const QString& dir) {
    m_workspace = dir;
    rescan();
    loadStoredAnswers();
}

void CompareColumn::rescan() {
    const QString previous = model().label;
    m_choices = m_workspace.isEmpty() ? QVector<ModelChoice>{} : modelChoices(m_workspace, mode(), &m_noModelError);
    if (m_workspace.isEmpty())
        m_noModelError = tr("Choose a workspace first.");
    m_modelCombo->clear();
    for (const auto& c : m_choices)
        m_modelCombo->addItem(c.label);
    m_modelCombo->setEnabled(!m_choices.isEmpty() && !m_busy);
    if (!previous.isEmpty())
        selectModel(previous);
    if (m_choices.isEmpty())
        setStatus(m_noModelError, true);
    else
        setStatus(tr("%n checkpoint(s) found", nullptr, int(m_choices.size())));
    m_regenButton->setEnabled(!m_choices.isEmpty() && !m_busy && !m_lastPrompts.isEmpty());
}

void CompareColumn::loadStoredAnswers() {
    m_answers.clear();
    const QString db = QDir(m_workspace).absoluteFilePath(QStringLiteral("micromind.db"));
    if (!m_workspace.isEmpty() && QFileInfo::exists(db)) {
        try {
            store::History h(db.toStdString());
            for (const auto& r : h.latestEvalAnswers(mode())) {
                AnswerView a;
                a.prompt = QString::fromStdString(r.prompt);
                a.text = QString::fromStdString(r.text);
                a.tokens = r.tokens;
                a.tokensPerSecond = r.tokensPerSecond;
                a.done = true;
                a.hitStop = true;
                const QDateTime when = QDateTime::fromString(QString::fromStdString(r.createdAt), Qt::ISODate);
                a.note = tr("stored answer of %1, %2")
                             .arg(QFileInfo(QString::fromStdString(r.checkpoint)).completeBaseName(),
                                  when.isValid() ? when.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                                                 : QString::fromStdString(r.createdAt));
                m_answers.push_back(a);
            }
        } catch (const std::exception& e) {
            setStatus(tr("Cannot read the history: %1").arg(QString::fromStdString(e.what())), true);
        }
    }
    render();
}

bool CompareColumn::start(const QVector<ComparePrompt>& prompts, const CompareSampling& sampling) {
    if (m_busy)
        return false;
    const ModelChoice m = model();
    if (m.weights.isEmpty()) {
        setStatus(m_noModelError.isEmpty() ? tr("No checkpoint selected.") : m_noModelError, true);
        return false;
    }
    m_lastPrompts = prompts;
    m_answers.clear();
    for (const auto& p : prompts) {
        AnswerView a;
        a.prompt = p.text;
        m_answers.push_back(a);
    }
    render();
    CompareRequest req;
    req.workspace = m_workspace;
    req.mode = mode();
    req.model = m;
    req.prompts = prompts;
    req.sampling = sampling;
    setBusy(true);
    m_worker->clearStop();
    CompareWorker* w = m_worker;
    QMetaObject::invokeMethod(
        w, [w, req] { w->run(req); }, Qt::QueuedConnection);
    return true;
}

void CompareColumn::stop() {
    if (m_busy)
        m_worker->requestStop();
}

QString CompareColumn::statusText() const { return m_status->text(); }

void CompareColumn::setStatus(const QString& text, bool error) {
    m_status->setText(text);
    m_statusIsError = error;
    m_status->setStyleSheet(error ? QStringLiteral("color:#b00020") : QString());
}

void CompareColumn::setBusy(bool busy) {
    m_busy = busy;
    m_modeCombo->setEnabled(!busy);
    m_modelCombo->setEnabled(!busy && !m_choices.isEmpty());
    m_stopButton->setEnabled(busy);
    m_regenButton->setEnabled(!busy && !m_choices.isEmpty() && !m_lastPrompts.isEmpty());
    Q_EMIT busyChanged(busy);
}

void CompareColumn::render() {
    QScrollBar* bar = m_view->verticalScrollBar();
    const bool atEnd = bar->value() >= bar->maximum() - 4;
    const int keep = bar->value();
    m_view->setHtml(answersHtml(m_answers));
    bar->setValue(atEnd && m_busy ? bar->maximum() : keep);
}

void CompareColumn::onAnchor(const QUrl& url) {
    const int i = thinkIndexFromAnchor(url.toString());
    if (i < 0 || i >= m_answers.size())
        return;
    m_answers[i].thinkOpen = !m_answers[i].thinkOpen;
    render();
}

} // namespace mm::ui
