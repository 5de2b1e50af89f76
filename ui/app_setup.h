#pragma once
// Process-wide desktop setup shared by the workbench's main and its tests:
// translations (zh_CN when the system locale is Chinese, overridable) and the
// palette (follow the system, or force light/dark).

#include <QString>

class QApplication;

namespace mm::ui {

/// Loads the workbench's and Qt's translations for `lang` ("en", "zh_CN"; ""
/// = the "ui/language" setting, then the system locale). Returns the language used.
QString installTranslations(QApplication& app, const QString& lang);
/// "system" (or ""): keep the platform palette (dark desktops stay dark);
/// "light"/"dark": Fusion style with that palette. Default: the "ui/theme" setting.
void applyTheme(QApplication& app, const QString& theme);

} // namespace mm::ui
