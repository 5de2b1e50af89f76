#include "app_setup.h"

#include <QApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QPalette>
#include <QSettings>
#include <QStyle>
#include <QStyleFactory>
#include <QTranslator>

namespace mm::ui {

QString installTranslations(QApplication& app, const QString& requested) {
    QString lang = requested;
    if (lang.isEmpty())
        lang = QSettings().value(QStringLiteral("ui/language"), QStringLiteral("system")).toString();
    if (lang.isEmpty() || lang == QLatin1String("system"))
        lang = QLocale::system().language() == QLocale::Chinese ? QStringLiteral("zh_CN") : QStringLiteral("en");
    if (lang.startsWith(QLatin1String("zh")))
        lang = QStringLiteral("zh_CN");
    QLocale::setDefault(QLocale(lang));
    auto* own = new QTranslator(&app);
    if (own->load(QStringLiteral(":/i18n/micromind_%1.qm").arg(lang)))
        QApplication::installTranslator(own);
    auto* qt = new QTranslator(&app);
    if (qt->load(QStringLiteral("qtbase_%1").arg(lang), QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QApplication::installTranslator(qt);
    return lang;
}

void applyTheme(QApplication& app, const QString& requested) {
    QString theme = requested;
    if (theme.isEmpty())
        theme = QSettings().value(QStringLiteral("ui/theme"), QStringLiteral("system")).toString();
    if (theme != QLatin1String("light") && theme != QLatin1String("dark"))
        return; // the platform theme already follows the desktop's light/dark choice
    app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QPalette p;
    if (theme == QLatin1String("dark")) {
        const QColor window(0x2b, 0x2b, 0x2e), base(0x1e, 0x1e, 0x20), text(0xe6, 0xe6, 0xe6);
        p.setColor(QPalette::Window, window);
        p.setColor(QPalette::WindowText, text);
        p.setColor(QPalette::Base, base);
        p.setColor(QPalette::AlternateBase, window);
        p.setColor(QPalette::ToolTipBase, base);
        p.setColor(QPalette::ToolTipText, text);
        p.setColor(QPalette::Text, text);
        p.setColor(QPalette::Button, window);
        p.setColor(QPalette::ButtonText, text);
        p.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xb5));
        p.setColor(QPalette::HighlightedText, Qt::white);
        p.setColor(QPalette::Link, QColor(0x6a, 0xb0, 0xff));
        p.setColor(QPalette::PlaceholderText, QColor(0x90, 0x90, 0x90));
        p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x80, 0x80, 0x80));
        p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x80, 0x80, 0x80));
    } else {
        p = app.style()->standardPalette();
    }
    app.setPalette(p);
}

} // namespace mm::ui
