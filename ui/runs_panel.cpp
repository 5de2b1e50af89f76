#include "runs_panel.h"

#include "chart_panel.h"
#include "estimator.h"
#include "queue_view.h"
#include "run_manager.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QStyle>
#include <QTabWidget>
#include <QTreeWidget>
#include <QHeaderView>
#include <QJsonArray>
#include <QVBoxLayout>

namespace mm::ui {

RunsPanel::RunsPanel(RunManager* manager, QWidget* parent) : QWidget(parent), m_manager(manager) {
    m_list = new QListWidget(this);
    m_list->setObjectName(QStringLiteral("runsList"));
    m_list->setMinimumWidth(220);

    m_pause = new QPushButton(tr("Pause"), this);
    m_pause->setObjectName(QStringLiteral("pauseButton"));
    m_pause->setToolTip(tr("Save a checkpoint and stop; Resume continues from it"));
    m_resume = new QPushButton(tr("Resume"), this);
    m_resume->setObjectName(QStringLiteral("resumeButton"));
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setObjectName(QStringLiteral("stopButton"));
    m_stop->setToolTip(tr("Save and stop for good; press again to kill the process"));
    m_remove = new QPushButton(tr("Remove from list"), this);
    m_info = new QLabel(this);
    m_info->setObjectName(QStringLiteral("runInfo"));
    m_info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_info->setWordWrap(true);
    m_queue = new QLabel(this);
    m_queue->setObjectName(QStringLiteral("queueLabel"));

    auto* left = new QWidget(this);
    auto* ll = new QVBoxLayout(left);
    ll->setContentsMargins(0, 0, 0, 0);
    m_queueView = new QueueView(m_manager, left);
    auto* runsBox = new QWidget(left);
    auto* rb = new QVBoxLayout(runsBox);
    rb->setContentsMargins(0, 0, 0, 0);
    rb->addWidget(new QLabel(tr("Runs of this session"), runsBox));
    rb->addWidget(m_list, 1);
    rb->addWidget(m_queue);
    auto* leftSplit = new QSplitter(Qt::Vertical, left);
    leftSplit->addWidget(runsBox);
    leftSplit->addWidget(m_queueView);
    leftSplit->setStretchFactor(0, 3);
    leftSplit->setStretchFactor(1, 2);
    ll->addWidget(leftSplit, 1);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_pause);
    buttons->addWidget(m_resume);
    buttons->addWidget(m_stop);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);

    m_charts = new ChartPanel(this);
    m_charts->setObjectName(QStringLiteral("liveCharts"));
    m_output = new QPlainTextEdit(this);
    m_output->setObjectName(QStringLiteral("runOutput"));
    m_output->setReadOnly(true);
    m_output->setMaximumBlockCount(5000);
    m_output->setPlaceholderText(tr("Output of the selected run (stderr)"));

    auto* right = new QWidget(this);
    auto* rl = new QVBoxLayout(right);
    rl->setContentsMargins(0, 0, 0, 0);
    rl->addLayout(buttons);
    rl->addWidget(m_info);
    m_samples = new QTreeWidget(this);
    m_samples->setObjectName(QStringLiteral("samplesTimeline"));
    m_samples->setHeaderLabels({tr("Run"), tr("Step"), tr("Prompt"), tr("Generation"), tr("Reward")});
    m_samples->setRootIsDecorated(false);
    m_samples->setWordWrap(true);
    m_samples->setAlternatingRowColors(true);
    m_warnings = new QTreeWidget(this);
    m_warnings->setObjectName(QStringLiteral("healthWarnings"));
    m_warnings->setHeaderLabels({tr("Run"), tr("Step"), tr("Warning")});
    m_warnings->setRootIsDecorated(false);
    m_warnings->setWordWrap(true);
    m_warnings->setToolTip(tr("The runs' health monitor: a loss or gradient norm above 5x its moving average, "
                              "GRPO groups whose rewards are all equal (nothing to learn from) for several logs"));
    auto* bottom = new QTabWidget(this);
    m_bottom = bottom;
    bottom->addTab(m_output, tr("Output"));
    bottom->addTab(m_samples, tr("Generations"));
    bottom->addTab(m_warnings, tr("Health"));
    auto* vsplit = new QSplitter(Qt::Vertical, right);
    vsplit->addWidget(m_charts);
    vsplit->addWidget(bottom);
    vsplit->setStretchFactor(0, 4);
    vsplit->setStretchFactor(1, 1);
    rl->addWidget(vsplit, 1);

    auto* split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(left);
    split->addWidget(right);
    split->setStretchFactor(1, 1);
    auto* lay = new QVBoxLayout(this);
    lay->addWidget(split);

    connect(m_pause, &QPushButton::clicked, this, &RunsPanel::pauseCurrent);
    connect(m_resume, &QPushButton::clicked, this, &RunsPanel::resumeCurrent);
    connect(m_stop, &QPushButton::clicked, this, &RunsPanel::stopCurrent);
    connect(m_remove, &QPushButton::clicked, this, [this] {
        if (auto* r = currentRun())
            m_manager->remove(r);
    });
    connect(m_list, &QListWidget::currentItemChanged, this, [this] {
        updateControls();
        showOutput();
    });
    connect(m_manager, &RunManager::runAdded, this, &RunsPanel::addRun);
    connect(m_manager, &RunManager::runRemoved, this, &RunsPanel::removeRun);
    connect(m_manager, &RunManager::queueChanged, this, [this](const QString& msg) {
        if (!msg.isEmpty()) // an empty message: the list changed, nothing to say
            m_queue->setText(m_manager->queueActive() ? tr("Queue: %1").arg(msg) : msg);
    });
    for (RunController* r : m_manager->runs())
        addRun(r);
    updateControls();
}

QString RunsPanel::seriesKey(const RunController* run) { return QStringLiteral("live%1").arg(quintptr(run), 0, 16); }

RunController* RunsPanel::currentRun() const {
    auto* it = m_list->currentItem();
    return it ? m_items.key(it, nullptr) : nullptr;
}

void RunsPanel::selectRun(RunController* run) {
    if (auto* it = m_items.value(run))
        m_list->setCurrentItem(it);
}

void RunsPanel::addRun(RunController* run) {
    auto* item = new QListWidgetItem(m_list);
    m_items.insert(run, item);
    connect(run, &RunController::stateChanged, this, [this, run] {
        updateItem(run);
        if (run == currentRun())
            updateControls();
    });
    connect(run, &RunController::started, this, [this, run] { updateItem(run); });
    connect(run, &RunController::ranksChanged, this, [this, run] {
        if (run == currentRun())
            updateControls();
    });
    connect(run, &RunController::logged, this, [this, run](const QJsonObject& e) {
        m_charts->appendEvent(seriesKey(run), run->label(), e);
        if (e.value(QStringLiteral("sample")).isObject())
            addSample(run, e);
        if (run == currentRun())
            updateControls();
    });
    connect(run, &RunController::probed, this, [this, run](const QJsonObject& e) { addProbe(run, e); });
    connect(run, &RunController::warned, this, [this, run](const QJsonObject& e) {
        addWarning(run, e);
        updateItem(run);
    });
    for (const auto& e : run->warnings())
        addWarning(run, e);
    connect(run, &RunController::outputAppended, this, [this, run](const QString& text) {
        if (run == currentRun()) {
            m_output->moveCursor(QTextCursor::End);
            m_output->insertPlainText(text);
            m_output->verticalScrollBar()->setValue(m_output->verticalScrollBar()->maximum());
        }
    });
    connect(run, &RunController::finished, this, [this, run] {
        updateItem(run);
        if (run == currentRun()) {
            updateControls();
            showOutput();
        }
    });
    updateItem(run);
    m_list->setCurrentItem(item);
}

void RunsPanel::removeRun(RunController* run) {
    m_charts->removeSeries(seriesKey(run));
    delete m_items.take(run);
    updateControls();
}

void RunsPanel::updateItem(RunController* run) {
    auto* item = m_items.value(run);
    if (!item)
        return;
    QString text = QStringLiteral("%1 — %2").arg(run->label(), RunController::stateName(run->state()));
    if (const int w = int(run->warnings().size()))
        text += tr(" · ⚠ %n warning(s)", nullptr, w);
    if (!run->stageProgress().isEmpty() && run->isActive())
        text += tr(" · step %1").arg(run->stageProgress());
    if (run->parentRun())
        text += tr(" (part of %1)").arg(run->parentRun()->label());
    else if (run->isAttached())
        text += tr(" (re-attached)");
    item->setText(text);
    item->setToolTip(run->commandLine());
}

void RunsPanel::updateControls() {
    RunController* r = currentRun();
    const auto st = r ? r->state() : RunController::State::Idle;
    // A stage its parent run drives (the demo's) is paused and stopped through the parent.
    const bool own = r && !r->parentRun();
    m_pause->setEnabled(own && st == RunController::State::Running && RunController::isTrainingStage(r->stage()));
    m_resume->setEnabled(own && (st == RunController::State::Paused || st == RunController::State::Stopped) &&
                         RunController::isTrainingStage(r->stage()) && !r->flags().isEmpty());
    m_stop->setEnabled(own && (r->isActive() || st == RunController::State::Paused));
    m_remove->setEnabled(r && !r->isActive());
    if (!r) {
        m_info->setText(tr("No run selected. Launch one from the Train tab."));
        return;
    }
    QString info = QStringLiteral("<b>%1</b> — %2").arg(r->label().toHtmlEscaped(), RunController::stateName(st));
    if (r->totalSteps() > 0)
        info += tr(" · step %1 of %2").arg(r->lastStep()).arg(r->totalSteps());
    if (!r->weightsPath().isEmpty())
        info += tr(" · weights %1").arg(r->weightsPath().toHtmlEscaped());
    if (r->processes() > 1) {
        QStringList ranks;
        for (const auto& rs : r->rankStatus())
            ranks << (rs.running   ? tr("rank %1 running (pid %2)").arg(rs.rank).arg(rs.pid)
                      : rs.crashed ? tr("rank %1 killed").arg(rs.rank)
                                   : tr("rank %1 exited %2").arg(rs.rank).arg(rs.exitCode));
        info += QStringLiteral("<br>") + tr("%n process(es): ", nullptr, r->processes()) +
                ranks.join(QStringLiteral(" · "));
    }
    if (!r->message().isEmpty())
        info += QStringLiteral("<br>") + r->message().toHtmlEscaped();
    info += QStringLiteral("<br><code>%1</code>").arg(r->commandLine().toHtmlEscaped());
    m_info->setText(info);
}

void RunsPanel::showOutput() {
    RunController* r = currentRun();
    m_output->setPlainText(r ? r->textOutput() + r->errorOutput() : QString());
    m_output->verticalScrollBar()->setValue(m_output->verticalScrollBar()->maximum());
}

QTreeWidgetItem* RunsPanel::addTimelineRow(RunController* run, qint64 step, const QString& prompt,
                                           const QString& generation) {
    auto* item = new QTreeWidgetItem(m_samples);
    item->setText(RunColumn, run->label());
    item->setText(StepColumn, QString::number(step));
    item->setText(PromptColumn, prompt.simplified());
    item->setToolTip(PromptColumn, prompt);
    item->setText(GenerationColumn, generation.simplified());
    item->setToolTip(GenerationColumn, generation);
    return item;
}

void RunsPanel::trimTimeline() {
    // Keep the timeline bounded: a long run logs thousands of steps.
    while (m_samples->topLevelItemCount() > 500)
        delete m_samples->takeTopLevelItem(0);
    if (const int n = m_samples->topLevelItemCount())
        m_samples->scrollToItem(m_samples->topLevelItem(n - 1));
}

void RunsPanel::addSample(RunController* run, const QJsonObject& e) {
    // GRPO's log events carry "samples" (several prompts of the batch); older
    // runs only "sample".
    QJsonArray samples = e.value(QStringLiteral("samples")).toArray();
    if (samples.isEmpty())
        samples.append(e.value(QStringLiteral("sample")));
    const qint64 step = e.value(QStringLiteral("step")).toInteger();
    for (const QJsonValue& v : samples) {
        const QJsonObject s = v.toObject();
        auto* item = addTimelineRow(run, step, s.value(QStringLiteral("question")).toString(),
                                    s.value(QStringLiteral("completion")).toString());
        item->setText(RewardColumn, QString::number(s.value(QStringLiteral("reward")).toDouble(), 'f', 3));
        QStringList parts;
        const QJsonObject comps = s.value(QStringLiteral("rewards")).toObject();
        for (auto it = comps.begin(); it != comps.end(); ++it)
            parts << QStringLiteral("%1 %2").arg(it.key(), QString::number(it.value().toDouble(), 'f', 3));
        const QString answer = s.value(QStringLiteral("answer")).toString();
        QString tip = tr("Reward %1 = %2")
                          .arg(QString::number(s.value(QStringLiteral("reward")).toDouble(), 'f', 3),
                               parts.join(QStringLiteral(" + ")));
        if (!answer.isEmpty())
            tip += QLatin1Char('\n') + tr("Known answer: %1").arg(answer);
        item->setToolTip(RewardColumn, tip);
    }
    trimTimeline();
}

void RunsPanel::addProbe(RunController* run, const QJsonObject& e) {
    const qint64 step = e.value(QStringLiteral("step")).toInteger();
    for (const QJsonValue& v : e.value(QStringLiteral("samples")).toArray()) {
        const QJsonObject s = v.toObject();
        QTreeWidgetItem* item = addTimelineRow(run, step, s.value(QStringLiteral("prompt")).toString(),
                                               s.value(QStringLiteral("completion")).toString());
        item->setToolTip(RewardColumn,
                         tr("Probe: the model's greedy answer to a fixed prompt at this step (no reward)"));
    }
    trimTimeline();
}

void RunsPanel::addWarning(RunController* run, const QJsonObject& e) {
    auto* item = new QTreeWidgetItem(m_warnings);
    item->setText(0, run->label());
    item->setText(1, QString::number(e.value(QStringLiteral("step")).toInteger()));
    const QString msg = e.value(QStringLiteral("message")).toString();
    item->setText(2, msg);
    item->setToolTip(2, QStringLiteral("%1: %2").arg(e.value(QStringLiteral("kind")).toString(), msg));
    item->setIcon(0, style()->standardIcon(QStyle::SP_MessageBoxWarning));
    while (m_warnings->topLevelItemCount() > 500)
        delete m_warnings->takeTopLevelItem(0);
    m_warnings->scrollToItem(item);
    m_bottom->setTabText(m_bottom->indexOf(m_warnings), tr("Health (%1)").arg(m_warnings->topLevelItemCount()));
}

void RunsPanel::pauseCurrent() {
    if (auto* r = currentRun())
        r->pause();
}

void RunsPanel::resumeCurrent() {
    if (auto* r = currentRun())
        r->resume();
}

void RunsPanel::stopCurrent() {
    if (auto* r = currentRun())
        r->stop();
}

} // namespace mm::ui
