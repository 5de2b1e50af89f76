#include "compare_panel.h"

#include "compare_column.h"
#include "scores_export.h"

#include "eval/prompts.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

namespace mm::ui {

namespace {

QDoubleSpinBox* doubleBox(QWidget* parent, const char* name, double lo, double hi, double step, double value) {
    auto* b = new QDoubleSpinBox(parent);
    b->setObjectName(QLatin1String(name));
    b->setRange(lo, hi);
    b->setSingleStep(step);
    b->setDecimals(2);
    b->setValue(value);
    return b;
}

QSpinBox* intBox(QWidget* parent, const char* name, int lo, int hi, int value) {
    auto* b = new QSpinBox(parent);
    b->setObjectName(QLatin1String(name));
    b->setRange(lo, hi);
    b->setValue(value);
    return b;
}

} // namespace

ComparePanel::ComparePanel(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("comparePanel"));

    m_setCombo = new QComboBox(this);
    m_setCombo->setObjectName(QStringLiteral("promptSetCombo"));
    m_setCombo->addItem(tr("eval — the seed's three evaluation questions"), QStringLiteral("eval"));
    m_setCombo->addItem(tr("chat — the seed's SFT questions"), QStringLiteral("chat"));
    m_setCombo->addItem(tr("pretrain — the seed's continuation prompts"), QStringLiteral("pretrain"));
    m_runButton = new QPushButton(tr("Answer the set"), this);
    m_runButton->setObjectName(QStringLiteral("runButton"));
    m_runButton->setToolTip(tr("Every column answers the selected prompt set"));
    m_freePrompt = new QLineEdit(this);
    m_freePrompt->setObjectName(QStringLiteral("freePrompt"));
    m_freePrompt->setPlaceholderText(tr("Or type your own prompt and press Enter…"));
    m_askButton = new QPushButton(tr("Ask all"), this);
    m_askButton->setObjectName(QStringLiteral("askButton"));
    m_stopButton = new QPushButton(tr("Stop"), this);
    m_stopButton->setObjectName(QStringLiteral("stopButton"));
    m_regenButton = new QPushButton(tr("Regenerate"), this);
    m_regenButton->setObjectName(QStringLiteral("regenerateButton"));
    m_regenButton->setToolTip(tr("Answer the last prompts again in every column with the next seed"));
    m_refreshButton = new QPushButton(tr("Rescan checkpoints"), this);
    m_refreshButton->setObjectName(QStringLiteral("refreshButton"));
    m_exportButton = new QPushButton(tr("Export comparison…"), this);
    m_exportButton->setObjectName(QStringLiteral("exportButton"));
    m_exportButton->setToolTip(tr("Write compare.md and compare.html: the stored answers side by side"));

    // Defaults follow `micromind eval` (minimind's eval_model.py), with fewer new tokens for quick comparisons.
    m_maxNew = intBox(this, "maxNewTokens", 1, 8192, 256);
    m_temperature = doubleBox(this, "temperature", 0, 2, 0.05, 0.85);
    m_topP = doubleBox(this, "topP", 0.01, 1, 0.05, 0.85);
    m_topK = intBox(this, "topK", 0, 1000, 50);
    m_repetition = doubleBox(this, "repetitionPenalty", 1, 3, 0.05, 1.0);
    m_seed = intBox(this, "seed", 0, 2147483647, 42);
    m_greedy = new QCheckBox(tr("Greedy"), this);
    m_greedy->setObjectName(QStringLiteral("greedy"));
    m_greedy->setToolTip(tr("Always take the most likely token (ignores temperature, top-p and top-k)"));

    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("panelMessage"));
    m_message->setWordWrap(true);

    auto* promptRow = new QHBoxLayout;
    promptRow->addWidget(new QLabel(tr("Prompt set:"), this));
    promptRow->addWidget(m_setCombo);
    promptRow->addWidget(m_runButton);
    promptRow->addSpacing(12);
    promptRow->addWidget(m_freePrompt, 1);
    promptRow->addWidget(m_askButton);
    promptRow->addSpacing(12);
    promptRow->addWidget(m_stopButton);
    promptRow->addWidget(m_regenButton);

    auto* samplingRow = new QHBoxLayout;
    auto addField = [&](const QString& label, QWidget* w) {
        auto* l = new QLabel(label, this);
        l->setBuddy(w);
        samplingRow->addWidget(l);
        samplingRow->addWidget(w);
    };
    addField(tr("Max new tokens:"), m_maxNew);
    addField(tr("Temperature:"), m_temperature);
    addField(tr("Top-p:"), m_topP);
    addField(tr("Top-k:"), m_topK);
    addField(tr("Repetition penalty:"), m_repetition);
    addField(tr("Seed:"), m_seed);
    samplingRow->addWidget(m_greedy);
    samplingRow->addStretch(1);
    samplingRow->addWidget(m_refreshButton);
    samplingRow->addWidget(m_exportButton);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("columns"));
    splitter->setChildrenCollapsible(false);
    for (int i = 0; i < kColumns; ++i) {
        auto* c = new CompareColumn(i, i, splitter); // the seed's modes 0-4 in order
        splitter->addWidget(c);
        m_columns.push_back(c);
        connect(c, &CompareColumn::busyChanged, this, &ComparePanel::updateButtons);
        connect(c, &CompareColumn::runFinished, this, [this](int, qint64, bool) {
            if (m_running > 0 && --m_running == 0) {
                setMessage(tr("Done. The answers are stored in the workspace history (Scores tab, `micromind "
                              "scores export`)."));
                Q_EMIT allFinished();
            }
        });
        connect(c, &CompareColumn::regenerateRequested, this, [this](int col) {
            CompareColumn* column = m_columns[col];
            if (column->lastPrompts().isEmpty())
                return;
            m_seed->setValue(m_seed->value() + 1);
            if (column->start(column->lastPrompts(), sampling())) {
                ++m_running;
                setMessage(tr("Column %1 answers again with seed %2.").arg(col + 1).arg(m_seed->value()));
            }
        });
    }

    auto* lay = new QVBoxLayout(this);
    lay->addLayout(promptRow);
    lay->addLayout(samplingRow);
    lay->addWidget(m_message);
    lay->addWidget(splitter, 1);

    connect(m_runButton, &QPushButton::clicked, this, &ComparePanel::answerPromptSet);
    connect(m_askButton, &QPushButton::clicked, this, [this] { ask(m_freePrompt->text()); });
    connect(m_freePrompt, &QLineEdit::returnPressed, this, [this] { ask(m_freePrompt->text()); });
    connect(m_stopButton, &QPushButton::clicked, this, &ComparePanel::stopAll);
    connect(m_regenButton, &QPushButton::clicked, this, &ComparePanel::regenerate);
    connect(m_refreshButton, &QPushButton::clicked, this, [this] { setWorkspace(m_workspace); });
    connect(m_exportButton, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Export the comparison to"),
                                                              QDir(m_workspace).absoluteFilePath("reports"));
        if (dir.isEmpty())
            return;
        QString error;
        if (exportComparison(dir, &error))
            setMessage(tr("Wrote compare.md and compare.html to %1.").arg(QDir::toNativeSeparators(dir)));
        else
            setMessage(error, true);
    });
    updateButtons();
}

ComparePanel::~ComparePanel() {
    // Stop every column first so the threads wind down together, not one after another.
    for (auto* c : m_columns)
        c->stop();
}

void ComparePanel::setWorkspace(const QString& dir) {
    m_workspace = dir;
    for (auto* c : m_columns)
        c->setWorkspace(dir);
    setMessage(dir.isEmpty() ? tr("No workspace.") : tr("Workspace: %1").arg(QDir::toNativeSeparators(dir)));
    updateButtons();
}

CompareSampling ComparePanel::sampling() const {
    CompareSampling s;
    s.maxNewTokens = m_maxNew->value();
    s.temperature = m_temperature->value();
    s.topP = m_topP->value();
    s.topK = m_topK->value();
    s.repetitionPenalty = m_repetition->value();
    s.greedy = m_greedy->isChecked();
    s.seed = quint64(m_seed->value());
    return s;
}

void ComparePanel::setSampling(const CompareSampling& s) {
    m_maxNew->setValue(s.maxNewTokens);
    m_temperature->setValue(s.temperature);
    m_topP->setValue(s.topP);
    m_topK->setValue(s.topK);
    m_repetition->setValue(s.repetitionPenalty);
    m_greedy->setChecked(s.greedy);
    m_seed->setValue(int(s.seed));
}

QString ComparePanel::resourceDir() const { return QString::fromStdString(eval::locateResourceDir()); }

QVector<ComparePrompt> ComparePanel::selectedPrompts() {
    QVector<ComparePrompt> out;
    const QString dir = resourceDir();
    if (dir.isEmpty()) {
        setMessage(tr("The prompt sets (share/micromind/prompts) were not found; reinstall MicroMind or use the free "
                      "prompt box."),
                   true);
        return out;
    }
    try {
        const std::string name = m_setCombo->currentData().toString().toStdString();
        const eval::PromptSet set = eval::loadPromptSet(eval::promptSetPath(dir.toStdString(), name));
        for (size_t i = 0; i < set.prompts.size(); ++i)
            out.push_back({QString::fromStdString(set.name), int(i), QString::fromStdString(set.prompts[i].text)});
    } catch (const std::exception& e) {
        setMessage(QString::fromStdString(e.what()), true);
    }
    return out;
}

int ComparePanel::answerPromptSet() {
    const QVector<ComparePrompt> prompts = selectedPrompts();
    return prompts.isEmpty() ? 0 : startAll(prompts);
}

int ComparePanel::ask(const QString& prompt) {
    const QString text = prompt.trimmed();
    if (text.isEmpty()) {
        setMessage(tr("Type a prompt first."), true);
        return 0;
    }
    return startAll({{QStringLiteral("free"), 0, text}});
}

int ComparePanel::regenerate() {
    if (m_lastPrompts.isEmpty())
        return 0;
    m_seed->setValue(m_seed->value() + 1);
    return startAll(m_lastPrompts);
}

int ComparePanel::startAll(const QVector<ComparePrompt>& prompts) {
    if (isBusy()) {
        setMessage(tr("Still answering; stop first."), true);
        return 0;
    }
    if (m_workspace.isEmpty()) {
        setMessage(tr("Choose a workspace first."), true);
        return 0;
    }
    m_lastPrompts = prompts;
    const CompareSampling s = sampling();
    int started = 0;
    for (auto* c : m_columns)
        if (c->start(prompts, s))
            ++started;
    m_running = started;
    if (started == 0)
        setMessage(tr("No column has a checkpoint to run; train the models first (see each column)."), true);
    else
        setMessage(tr("%1 column(s) answering %2 prompt(s), seed %3…").arg(started).arg(prompts.size()).arg(s.seed));
    updateButtons();
    return started;
}

void ComparePanel::stopAll() {
    for (auto* c : m_columns)
        c->stop();
}

bool ComparePanel::isBusy() const {
    for (auto* c : m_columns)
        if (c->isBusy())
            return true;
    return false;
}

bool ComparePanel::exportComparison(const QString& dir, QString* error) {
    return mm::ui::exportComparison(m_workspace, dir, error);
}

void ComparePanel::updateButtons() {
    const bool busy = isBusy();
    const bool ws = !m_workspace.isEmpty();
    m_runButton->setEnabled(!busy && ws);
    m_askButton->setEnabled(!busy && ws);
    m_stopButton->setEnabled(busy);
    m_regenButton->setEnabled(!busy && ws && !m_lastPrompts.isEmpty());
    m_refreshButton->setEnabled(!busy);
    m_exportButton->setEnabled(ws);
}

void ComparePanel::setMessage(const QString& text, bool error) {
    m_message->setText(text);
    m_message->setStyleSheet(error ? QStringLiteral("color:#b00020") : QString());
}

} // namespace mm::ui
