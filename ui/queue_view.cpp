#include "queue_view.h"

#include "run_controller.h"
#include "run_manager.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace mm::ui {

namespace {

QString statusText(const std::string& status) {
    if (status == "queued")
        return QueueView::tr("waiting");
    if (status == "running")
        return QueueView::tr("running");
    if (status == "completed")
        return QueueView::tr("completed");
    if (status == "failed")
        return QueueView::tr("failed");
    if (status == "stopped")
        return QueueView::tr("stopped");
    return QString::fromStdString(status);
}

} // namespace

QueueView::QueueView(RunManager* manager, QWidget* parent) : QWidget(parent), m_manager(manager) {
    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("queueTree"));
    m_tree->setHeaderLabels({tr("#"), tr("Stage"), tr("Status"), tr("Run")});
    m_tree->setRootIsDecorated(false);
    m_tree->setUniformRowHeights(true);
    m_tree->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_tree->setSelectionMode(QAbstractItemView::SingleSelection);
    m_tree->setToolTip(tr("The queue lives in the workspace's history: it is still here after the workbench "
                          "is closed, and `micromind pipeline --out_dir WORKSPACE` runs it headless"));

    auto mk = [this](const QString& text, const char* name, const QString& tip) {
        auto* b = new QPushButton(text, this);
        b->setObjectName(QString::fromLatin1(name));
        b->setToolTip(tip);
        return b;
    };
    m_up = mk(tr("Up"), "queueUpButton", tr("Run the selected waiting stage earlier"));
    m_down = mk(tr("Down"), "queueDownButton", tr("Run the selected waiting stage later"));
    m_remove = mk(tr("Remove"), "queueRemoveButton", tr("Take the selected stage out of the queue"));
    m_run = mk(tr("Run queue"), "queueRunButton",
               tr("Run the waiting stages in order: a stopped stage continues from its checkpoint, a failed one "
                  "is tried again"));
    m_clear =
        mk(tr("Clear finished"), "queueClearButton", tr("Drop the completed, failed and stopped stages from the list"));
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("queueStatus"));
    m_status->setWordWrap(true);

    auto* row1 = new QHBoxLayout;
    row1->addWidget(m_up);
    row1->addWidget(m_down);
    row1->addWidget(m_remove);
    auto* row2 = new QHBoxLayout;
    row2->addWidget(m_run);
    row2->addWidget(m_clear);
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    lay->addWidget(new QLabel(tr("Queue"), this));
    lay->addWidget(m_tree, 1);
    lay->addLayout(row1);
    lay->addLayout(row2);
    lay->addWidget(m_status);

    connect(m_up, &QPushButton::clicked, this, [this] { moveCurrent(-1); });
    connect(m_down, &QPushButton::clicked, this, [this] { moveCurrent(1); });
    connect(m_remove, &QPushButton::clicked, this, &QueueView::removeCurrent);
    connect(m_run, &QPushButton::clicked, this, &QueueView::runQueue);
    connect(m_clear, &QPushButton::clicked, this, &QueueView::clearFinished);
    connect(m_tree, &QTreeWidget::currentItemChanged, this, &QueueView::updateButtons);
    // The runs list above says how the queue goes; this view shows its rows and its own errors.
    connect(m_manager, &RunManager::queueChanged, this, [this] {
        m_status->clear();
        refresh();
    });
    refresh();
}

qint64 QueueView::currentItemId() const {
    const auto* it = m_tree->currentItem();
    return it ? it->data(PositionColumn, Qt::UserRole).toLongLong() : 0;
}

void QueueView::selectItem(qint64 id) {
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        if (m_tree->topLevelItem(i)->data(PositionColumn, Qt::UserRole).toLongLong() == id)
            m_tree->setCurrentItem(m_tree->topLevelItem(i));
}

void QueueView::refresh() {
    const qint64 selected = currentItemId();
    m_tree->clear();
    int n = 0;
    for (const auto& q : m_manager->queueItems()) {
        auto* it = new QTreeWidgetItem(m_tree);
        it->setText(PositionColumn, QString::number(++n));
        it->setData(PositionColumn, Qt::UserRole, qint64(q.id));
        it->setData(StatusColumn, Qt::UserRole, QString::fromStdString(q.status));
        it->setText(StageColumn, QString::fromStdString(q.stage));
        it->setText(StatusColumn, statusText(q.status));
        it->setText(RunColumn, q.runId > 0 ? QStringLiteral("#%1").arg(q.runId) : QString());
        QStringList args; // the stage, then its flags
        for (const auto& a : store::queueItemCommand(q))
            args << QString::fromStdString(a);
        QString tip = RunController::quoteCommand(QStringLiteral("micromind"), args);
        if (!q.message.empty())
            tip += QLatin1Char('\n') + QString::fromStdString(q.message);
        for (int c = 0; c <= RunColumn; ++c)
            it->setToolTip(c, tip);
    }
    selectItem(selected);
    updateButtons();
}

void QueueView::updateButtons() {
    const auto* it = m_tree->currentItem();
    const QString st = it ? it->data(StatusColumn, Qt::UserRole).toString() : QString();
    const bool waiting = st == QLatin1String("queued");
    const int row = it ? m_tree->indexOfTopLevelItem(const_cast<QTreeWidgetItem*>(it)) : -1;
    auto waitingAt = [this](int r) {
        return r >= 0 && r < m_tree->topLevelItemCount() &&
               m_tree->topLevelItem(r)->data(StatusColumn, Qt::UserRole).toString() == QLatin1String("queued");
    };
    m_up->setEnabled(waiting && waitingAt(row - 1));
    m_down->setEnabled(waiting && waitingAt(row + 1));
    m_remove->setEnabled(it && st != QLatin1String("running"));
    bool pending = false, finished = false;
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        const QString s = m_tree->topLevelItem(i)->data(StatusColumn, Qt::UserRole).toString();
        pending =
            pending || s == QLatin1String("queued") || s == QLatin1String("stopped") || s == QLatin1String("failed");
        finished = finished || (s != QLatin1String("queued") && s != QLatin1String("running"));
    }
    m_run->setEnabled(pending && !m_manager->queueActive());
    m_clear->setEnabled(finished);
}

void QueueView::showError(const QString& error) { m_status->setText(tr("Queue: %1").arg(error)); }

void QueueView::moveCurrent(int delta) {
    const qint64 id = currentItemId();
    QString error;
    if (id > 0 && !m_manager->moveQueueItem(id, delta, &error) && !error.isEmpty())
        showError(error);
    selectItem(id);
}

void QueueView::removeCurrent() {
    QString error;
    if (const qint64 id = currentItemId(); id > 0 && !m_manager->removeQueueItem(id, &error))
        showError(error);
}

void QueueView::runQueue() {
    QString error;
    if (!m_manager->runQueue(&error))
        showError(error);
}

void QueueView::clearFinished() { m_manager->clearFinishedQueueItems(); }

} // namespace mm::ui
