#include "main_window.h"

#include "compare_panel.h"
#include "scores_panel.h"

#include <QTabWidget>

namespace mm::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    auto* tabs = new QTabWidget(this);
    tabs->addTab(new ComparePanel(tabs), tr("Compare"));
    tabs->addTab(new ScoresPanel(tabs), tr("Scores"));
    setCentralWidget(tabs);
}

} // namespace mm::ui
