#pragma once
// The run queue of the workspace (the history's "workbench" queue) in the
// Runs tab: its stages in order with their status, and the controls a queue
// needs: move a waiting stage up or down, remove it, run the queue (resuming a
// stopped stage, retrying a failed one), clear the finished ones.

#include <QWidget>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace mm::ui {

class RunManager;

class QueueView : public QWidget {
    Q_OBJECT
public:
    explicit QueueView(RunManager* manager, QWidget* parent = nullptr);

    QTreeWidget* tree() const { return m_tree; }
    /// Columns of tree(); the item id is the Position column's Qt::UserRole.
    enum Column { PositionColumn, StageColumn, StatusColumn, RunColumn };
    /// The id of the selected item, 0 when none.
    qint64 currentItemId() const;
    void selectItem(qint64 id);

public Q_SLOTS:
    /// Reads the queue from the history again.
    void refresh();
    void moveCurrent(int delta);
    void removeCurrent();
    void runQueue();
    void clearFinished();

private:
    void updateButtons();
    void showError(const QString& error);

    RunManager* m_manager;
    QTreeWidget* m_tree = nullptr;
    QLabel* m_status = nullptr;
    QPushButton *m_up = nullptr, *m_down = nullptr, *m_remove = nullptr, *m_run = nullptr, *m_clear = nullptr;
};

} // namespace mm::ui
