#pragma once
// Five columns answering the same prompt side by side (one model each).

#include <QWidget>

namespace mm::ui {

class ComparePanel : public QWidget {
    Q_OBJECT
public:
    explicit ComparePanel(QWidget* parent = nullptr);
    /// Points the panel at a workspace folder (its checkpoints and history).
    void setWorkspace(const QString& dir);
};

} // namespace mm::ui
