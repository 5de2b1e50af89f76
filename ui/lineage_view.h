#pragma once
// The workspace's lineage: pretrain -> full_sft -> rlhf -> reason, with lora
// and grpo branches. Each node is a checkpoint with the run that wrote it
// last; children are the runs that started from it (--from_weight).

#include "store/history.h"

#include <QTreeWidget>
#include <vector>

namespace mm::ui {

class LineageView : public QTreeWidget {
    Q_OBJECT
public:
    enum Column { Checkpoint, Model, Run, Status, Loss, Config, Started, ColumnCount };
    explicit LineageView(QWidget* parent = nullptr);
    /// Builds the tree from the runs of a workspace (`dir` resolves the
    /// relative checkpoint paths runs record).
    void setRuns(const QString& dir, const std::vector<store::RunRecord>& runs);
    /// Seed model number of a stage: 0 pretrain ... 4 lora, 5 grpo; -1 other.
    static int modelMode(const QString& stage);

Q_SIGNALS:
    /// A node was activated (double click / Enter): its run id.
    void runActivated(qint64 runId);
};

} // namespace mm::ui
