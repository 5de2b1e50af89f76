#include "scores_panel.h"

namespace mm::ui {

ScoresPanel::ScoresPanel(QWidget* parent) : QWidget(parent) {}
void ScoresPanel::setWorkspace(const QString&) {}

} // namespace mm::ui
