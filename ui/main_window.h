#pragma once
// The workbench's main window: workspace, stage forms, runs, charts, history,
// compare panel and scores.

#include <QMainWindow>

namespace mm::ui {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
};

} // namespace mm::ui
