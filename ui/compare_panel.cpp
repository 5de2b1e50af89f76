#include "compare_panel.h"

namespace mm::ui {

ComparePanel::ComparePanel(QWidget* parent) : QWidget(parent) {}
void ComparePanel::setWorkspace(const QString&) {}

} // namespace mm::ui
