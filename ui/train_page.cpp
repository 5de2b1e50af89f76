#include "train_page.h"

#include "estimator.h"
#include "run_controller.h"
#include "stage_form.h"

#include "config/stages.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QScrollArea>
#include <QSplitter>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace mm::ui {

namespace {

/// Checkpoint stem a stage writes (minimind's names).
QString outputStem(const QString& stage) {
    if (stage == QLatin1String("dpo"))
        return QStringLiteral("rlhf");
    if (stage == QLatin1String("distill_reason"))
        return QStringLiteral("reason");
    return stage;
}

const QStringList kModelFields{
    QStringLiteral("preset"),  QStringLiteral("hidden_size"),         QStringLiteral("num_hidden_layers"),
    QStringLiteral("use_moe"), QStringLiteral("num_attention_heads"), QStringLiteral("num_key_value_heads")};

} // namespace

QStringList TrainPage::stages() {
    QStringList s{QStringLiteral("train_tokenizer"),
                  QStringLiteral("pretrain"),
                  QStringLiteral("full_sft"),
                  QStringLiteral("dpo"),
                  QStringLiteral("lora"),
                  QStringLiteral("distill_reason")};
    // GRPO joins the list as soon as the core has its schema.
    try {
        config::schemaFor("grpo");
        s << QStringLiteral("grpo");
    } catch (const std::exception&) {
    }
    s << QStringLiteral("eval");
    return s;
}

QStringList TrainPage::queueStages() {
    return {QStringLiteral("pretrain"), QStringLiteral("full_sft"), QStringLiteral("dpo"),
            QStringLiteral("distill_reason"), QStringLiteral("lora")};
}

TrainPage::TrainPage(QWidget* parent) : QWidget(parent) {
    m_stageList = new QListWidget(this);
    m_stageList->setObjectName(QStringLiteral("stageList"));
    m_stageList->setMaximumWidth(180);
    m_stack = new QStackedWidget(this);
    for (const auto& s : stages()) {
        auto* form = new StageForm(s, m_stack);
        m_forms.insert(s, form);
        auto* scroll = new QScrollArea(m_stack);
        scroll->setWidgetResizable(true);
        scroll->setWidget(form);
        m_stack->addWidget(scroll);
        m_stageList->addItem(s);
        connect(form, &StageForm::changed, this, [this, form] {
            if (form == currentForm()) {
                updateCommand();
                updateQuickEstimate();
            }
        });
    }

    // Command, presets, estimate, actions.
    m_command = new QPlainTextEdit(this);
    m_command->setObjectName(QStringLiteral("commandLine"));
    m_command->setReadOnly(true);
    m_command->setMaximumHeight(70);
    m_command->setToolTip(tr("The equivalent command; the workbench adds --json to read its progress"));
    auto* copy = new QPushButton(tr("Copy command"), this);
    copy->setObjectName(QStringLiteral("copyCommandButton"));
    m_presets = new QComboBox(this);
    m_presets->setObjectName(QStringLiteral("presetCombo"));
    m_presets->setMinimumWidth(140);
    auto* loadP = new QPushButton(tr("Load"), this);
    auto* saveP = new QPushButton(tr("Save preset…"), this);
    auto* delP = new QPushButton(tr("Delete"), this);

    auto* est = new QGroupBox(tr("Estimate"), this);
    auto* ef = new QFormLayout(est);
    const auto mk = [this, est](const char* name) {
        auto* l = new QLabel(QStringLiteral("—"), est);
        l->setObjectName(QString::fromLatin1(name));
        l->setTextInteractionFlags(Qt::TextSelectableByMouse);
        return l;
    };
    m_params = mk("estParams");
    m_tokens = mk("estTokens");
    m_flops = mk("estFlops");
    m_memory = mk("estMemory");
    m_eta = mk("estEta");
    m_estStatus = mk("estStatus");
    m_estStatus->setWordWrap(true);
    ef->addRow(tr("Parameters"), m_params);
    ef->addRow(tr("Tokens"), m_tokens);
    ef->addRow(tr("FLOPs (6·N·D)"), m_flops);
    ef->addRow(tr("Memory"), m_memory);
    ef->addRow(tr("ETA"), m_eta);
    ef->addRow(m_estStatus);
    m_estimate = new QPushButton(tr("Measure"), est);
    m_estimate->setObjectName(QStringLiteral("estimateButton"));
    m_estimate->setToolTip(tr("Count the data's tokens and time a short training micro-benchmark"));
    ef->addRow(m_estimate);
    m_estimator = new Estimator(this);

    auto* launch = new QPushButton(tr("Launch"), this);
    launch->setObjectName(QStringLiteral("launchButton"));
    launch->setDefault(true);
    launch->setToolTip(tr("Validate the form and start the run (Ctrl+R)"));
    m_processes = new QSpinBox(this);
    m_processes->setObjectName(QStringLiteral("processesSpin"));
    m_processes->setRange(1, 64);
    m_processes->setToolTip(tr("Data-parallel processes on this machine (c10d/Gloo); each takes --batch_size "
                               "samples, so the global batch is processes x batch_size"));
    auto* all = new QPushButton(tr("Train all five models"), this);
    all->setObjectName(QStringLiteral("trainAllButton"));
    all->setToolTip(tr("Queue pretrain → full_sft → dpo → distill_reason, then lora on full_sft"));

    auto* presetRow = new QHBoxLayout;
    presetRow->addWidget(new QLabel(tr("Preset:"), this));
    presetRow->addWidget(m_presets, 1);
    presetRow->addWidget(loadP);
    presetRow->addWidget(saveP);
    presetRow->addWidget(delP);
    auto* side = new QWidget(this);
    auto* sl = new QVBoxLayout(side);
    sl->setContentsMargins(0, 0, 0, 0);
    sl->addLayout(presetRow);
    sl->addWidget(new QLabel(tr("Command:"), side));
    sl->addWidget(m_command);
    sl->addWidget(copy, 0, Qt::AlignRight);
    sl->addWidget(est);
    sl->addStretch(1);
    auto* procRow = new QHBoxLayout;
    procRow->addWidget(new QLabel(tr("Processes:"), side));
    procRow->addWidget(m_processes, 1);
    sl->addLayout(procRow);
    sl->addWidget(launch);
    sl->addWidget(all);
    side->setMinimumWidth(320);

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_stageList);
    split->addWidget(m_stack);
    split->addWidget(side);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 3);
    split->setStretchFactor(2, 1);
    split->setSizes({150, 700, 380});
    auto* lay = new QVBoxLayout(this);
    lay->addWidget(split);

    connect(m_stageList, &QListWidget::currentRowChanged, this, [this](int row) {
        m_stack->setCurrentIndex(row);
        updateCommand();
        reloadPresets();
        updateQuickEstimate();
    });
    connect(copy, &QPushButton::clicked, this, &TrainPage::copyCommand);
    connect(launch, &QPushButton::clicked, this, &TrainPage::launchCurrent);
    connect(all, &QPushButton::clicked, this, &TrainPage::trainAll);
    connect(loadP, &QPushButton::clicked, this, &TrainPage::loadPreset);
    connect(saveP, &QPushButton::clicked, this, &TrainPage::savePreset);
    connect(delP, &QPushButton::clicked, this, &TrainPage::deletePreset);
    connect(m_estimate, &QPushButton::clicked, this, &TrainPage::estimateCurrent);
    connect(m_estimator, &Estimator::progress, m_estStatus, &QLabel::setText);
    connect(m_estimator, &Estimator::finished, this, [this](const Estimate& e) {
        m_estimate->setEnabled(true);
        showEstimate(e);
        m_estStatus->setText(e.error.isEmpty() ? tr("measured") : e.error);
    });
    m_stageList->setCurrentRow(1); // pretrain
}

StageForm* TrainPage::currentForm() const {
    auto* item = m_stageList->currentItem();
    return item ? m_forms.value(item->text()) : nullptr;
}

void TrainPage::showStage(const QString& stage) {
    const auto items = m_stageList->findItems(stage, Qt::MatchExactly);
    if (!items.isEmpty())
        m_stageList->setCurrentItem(items.first());
}

void TrainPage::setWorkspace(const QString& dir) {
    m_workspace = dir;
    for (auto* f : m_forms) {
        f->setWorkspace(dir);
        // The form as last launched in this workspace.
        if (f->presetNames().contains(QStringLiteral("last")))
            f->loadPreset(QStringLiteral("last"), nullptr);
        f->setValue(QStringLiteral("out_dir"), dir);
    }
    reloadPresets();
    updateCommand();
    updateQuickEstimate();
}

QString TrainPage::shownCommand() const { return m_command->toPlainText(); }

void TrainPage::updateCommand() {
    if (auto* f = currentForm())
        m_command->setPlainText(f->commandLine());
}

void TrainPage::copyCommand() { QApplication::clipboard()->setText(m_command->toPlainText()); }

EstimateInput TrainPage::estimateInput() const {
    EstimateInput in;
    StageForm* f = currentForm();
    if (!f)
        return in;
    in.workspace = m_workspace;
    in.stage = f->stage();
    in.dataPath = f->resolvePath(f->value(QStringLiteral("data_path")));
    in.tokenizerPath = f->resolvePath(f->value(QStringLiteral("tokenizer")));
    in.device = f->value(QStringLiteral("device"));
    in.parentCheckpoint = f->parentCheckpointPath();
    f->modelShape(in.hidden, in.layers, in.heads, in.kvHeads, in.moe);
    in.batch = f->value(QStringLiteral("batch_size")).toLongLong();
    in.accumulation = qMax(1LL, f->value(QStringLiteral("accumulation_steps")).toLongLong());
    in.seqLen = f->value(QStringLiteral("max_seq_len")).toLongLong();
    in.epochs = qMax(1LL, f->value(QStringLiteral("epochs")).toLongLong());
    in.maxSteps = f->value(QStringLiteral("max_steps")).toLongLong();
    in.threads = f->value(QStringLiteral("threads")).toLongLong();
    return in;
}

void TrainPage::updateQuickEstimate() {
    StageForm* f = currentForm();
    const bool training = f && RunController::isTrainingStage(f->stage());
    m_estimate->setEnabled(training && !m_estimator->busy());
    if (!training) {
        for (auto* l : {m_params, m_tokens, m_flops, m_memory, m_eta})
            l->setText(QStringLiteral("—"));
        m_estStatus->setText(tr("no estimate for this command"));
        return;
    }
    const EstimateInput in = estimateInput();
    if (in.hidden <= 0 || in.layers <= 0 || in.batch <= 0 || in.seqLen <= 0)
        return;
    showEstimate(Estimator::quick(in));
    m_estStatus->setText(tr("Measure counts the tokens and times a micro-benchmark"));
}

void TrainPage::showEstimate(const Estimate& e) {
    m_params->setText(tr("%1 (vocabulary %2)").arg(Estimator::formatCount(double(e.parameters))).arg(e.vocabSize));
    if (e.dataTokens >= 0)
        m_tokens->setText(tr("%1 in the data%2, %3 trained")
                              .arg(Estimator::formatCount(double(e.dataTokens)),
                                   e.dataTokensRough ? tr(" (from the file size)") : QString(),
                                   Estimator::formatCount(double(e.trainTokens))));
    else
        m_tokens->setText(QStringLiteral("?"));
    m_flops->setText(e.flops >= 0 ? QString::number(e.flops, 'g', 3) : QStringLiteral("?"));
    m_memory->setText(QStringLiteral("≈ %1").arg(Estimator::formatBytes(e.memoryBytes)));
    if (e.etaSeconds >= 0)
        m_eta->setText(tr("%1 at %2 tokens/s")
                           .arg(Estimator::formatDuration(e.etaSeconds), Estimator::formatCount(e.tokensPerSec)));
    else
        m_eta->setText(QStringLiteral("?"));
}

void TrainPage::estimateCurrent() {
    if (!currentForm() || m_estimator->busy())
        return;
    m_estimate->setEnabled(false);
    m_estimator->measure(estimateInput());
}

void TrainPage::reloadPresets() {
    m_presets->clear();
    if (auto* f = currentForm())
        m_presets->addItems(f->presetNames());
}

void TrainPage::savePreset() {
    StageForm* f = currentForm();
    if (!f || m_workspace.isEmpty())
        return;
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Save preset"), tr("Preset name:"), QLineEdit::Normal,
                                               m_presets->currentText(), &ok);
    if (!ok || name.isEmpty())
        return;
    QString err;
    if (!f->savePreset(name, &err))
        QMessageBox::warning(this, tr("Save preset"), err);
    reloadPresets();
    m_presets->setCurrentText(name);
}

void TrainPage::loadPreset() {
    StageForm* f = currentForm();
    QString err;
    if (f && !m_presets->currentText().isEmpty() && !f->loadPreset(m_presets->currentText(), &err))
        QMessageBox::warning(this, tr("Load preset"), err);
    if (f)
        f->setValue(QStringLiteral("out_dir"), m_workspace);
}

void TrainPage::deletePreset() {
    StageForm* f = currentForm();
    QString err;
    if (f && !m_presets->currentText().isEmpty() && !f->deletePreset(m_presets->currentText(), &err))
        QMessageBox::warning(this, tr("Delete preset"), err);
    reloadPresets();
}

void TrainPage::launchCurrent() {
    StageForm* f = currentForm();
    if (!f)
        return;
    if (!f->validate()) {
        QMessageBox::warning(this, tr("Cannot launch %1").arg(f->stage()),
                             tr("Fix the fields marked in red:\n%1").arg(f->problems().join(QLatin1Char('\n'))));
        return;
    }
    f->savePreset(QStringLiteral("last"), nullptr);
    const int procs = RunController::isTrainingStage(f->stage()) ? m_processes->value() : 1;
    Q_EMIT launchRequested(f->stage(), f->flags(), procs);
}

QList<RunManager::QueueItem> TrainPage::buildQueue() {
    StageForm* pre = m_forms.value(QStringLiteral("pretrain"));
    QStringList pending;
    QList<RunManager::QueueItem> items;
    for (const auto& s : queueStages()) {
        StageForm* f = m_forms.value(s);
        if (f != pre)
            for (const auto& m : kModelFields)
                f->setValue(m, pre->value(m));
        if (!f->validate(pending)) {
            showStage(s);
            QMessageBox::warning(this, tr("Cannot queue %1").arg(s),
                                 tr("Fix the fields marked in red:\n%1").arg(f->problems().join(QLatin1Char('\n'))));
            return {};
        }
        pending << f->checkpointPath(outputStem(s));
        items << RunManager::QueueItem{s, f->flags(), RunController::isTrainingStage(s) ? m_processes->value() : 1};
    }
    for (const auto& s : queueStages())
        m_forms.value(s)->savePreset(QStringLiteral("last"), nullptr);
    return items;
}

void TrainPage::trainAll() {
    const auto items = buildQueue();
    if (!items.isEmpty())
        Q_EMIT queueRequested(items);
}

} // namespace mm::ui
