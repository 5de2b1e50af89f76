#pragma once
// Judge scores per model and dimension, manual edits, export.

#include <QWidget>

namespace mm::ui {

class ScoresPanel : public QWidget {
    Q_OBJECT
public:
    explicit ScoresPanel(QWidget* parent = nullptr);
    /// Points the panel at a workspace folder (its history database).
    void setWorkspace(const QString& dir);
};

} // namespace mm::ui
