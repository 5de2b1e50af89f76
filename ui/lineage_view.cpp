#include "lineage_view.h"

#include "history_model.h"

#include <QDir>
#include <QFileInfo>
#include <QHeaderView>
#include <QMap>

namespace mm::ui {

namespace {
constexpr int kRunIdRole = Qt::UserRole + 1;
}

LineageView::LineageView(QWidget* parent) : QTreeWidget(parent) {
    setObjectName(QStringLiteral("lineageTree"));
    setColumnCount(ColumnCount);
    setHeaderLabels(
        {tr("Checkpoint"), tr("Model"), tr("Run"), tr("Status"), tr("Final loss"), tr("Key config"), tr("Date")});
    setAlternatingRowColors(true);
    header()->setStretchLastSection(true);
    connect(this, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem* it) {
        if (it)
            Q_EMIT runActivated(it->data(0, kRunIdRole).toLongLong());
    });
}

int LineageView::modelMode(const QString& stage) {
    static const QStringList order{QStringLiteral("pretrain"), QStringLiteral("full_sft"),
                                   QStringLiteral("dpo"),      QStringLiteral("distill_reason"),
                                   QStringLiteral("lora"),     QStringLiteral("grpo")};
    return int(order.indexOf(stage));
}

void LineageView::setRuns(const QString& dir, const std::vector<store::RunRecord>& runs) {
    clear();
    const QDir ws(dir);
    const auto norm = [&ws](const std::string& p) {
        return p.empty() ? QString() : QDir::cleanPath(ws.absoluteFilePath(QString::fromStdString(p)));
    };
    // The run that last wrote each checkpoint (completed or stopped preferred
    // over failed ones, then the newest).
    QMap<QString, const store::RunRecord*> writer;
    for (const auto& r : runs) {
        // Imported models (`micromind import`) are roots: their parent is a foreign file.
        if ((modelMode(QString::fromStdString(r.stage)) < 0 && r.stage != "import") || r.outCheckpoint.empty())
            continue;
        const QString key = norm(r.outCheckpoint);
        const auto* cur = writer.value(key);
        const auto good = [](const store::RunRecord* x) {
            return x->status == "completed" || x->status == "stopped" || x->status == "running";
        };
        if (!cur || (good(&r) || !good(cur)))
            writer.insert(key, &r);
    }
    QMap<QString, QTreeWidgetItem*> items;
    for (auto it = writer.cbegin(); it != writer.cend(); ++it) {
        const auto* r = it.value();
        auto* item = new QTreeWidgetItem;
        const QString stage = QString::fromStdString(r->stage);
        const bool exists = QFileInfo::exists(it.key());
        item->setText(Checkpoint, ws.relativeFilePath(it.key()) + (exists ? QString() : tr(" (file missing)")));
        item->setToolTip(Checkpoint, it.key());
        const int mode = modelMode(stage);
        if (mode < 0)
            item->setText(Model, tr("imported · %1").arg(QFileInfo(it.key()).completeBaseName()));
        else
            item->setText(Model, QStringLiteral("%1 · %2").arg(mode).arg(stage));
        item->setText(Run, QStringLiteral("#%1").arg(r->id));
        item->setText(Status, RunsModel::displayStatus(QString::fromStdString(r->status)));
        item->setToolTip(Status, QString::fromStdString(r->message));
        item->setText(Loss, r->finalLoss ? QString::number(*r->finalLoss, 'f', 4) : QString());
        item->setText(Config, RunsModel::keyConfig(*r));
        item->setText(Started,
                      QString::fromStdString(r->startedAt).left(16).replace(QLatin1Char('T'), QLatin1Char(' ')));
        item->setData(0, kRunIdRole, qint64(r->id));
        items.insert(it.key(), item);
    }
    for (auto it = writer.cbegin(); it != writer.cend(); ++it) {
        QTreeWidgetItem* item = items.value(it.key());
        QTreeWidgetItem* parent = items.value(norm(it.value()->parentCheckpoint));
        if (parent && parent != item)
            parent->addChild(item);
        else
            addTopLevelItem(item);
    }
    expandAll();
    for (int c = 0; c < ColumnCount; ++c)
        resizeColumnToContents(c);
}

} // namespace mm::ui
