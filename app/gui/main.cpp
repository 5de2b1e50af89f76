// micromind-workbench: the Qt 6 desktop front end (all of it lives in ui/).

#include "app_setup.h"
#include "main_window.h"

#include <QApplication>
#include <QCommandLineParser>

int main(int argc, char** argv) {
    QApplication::setHighDpiScaleFactorRoundingPolicy(Qt::HighDpiScaleFactorRoundingPolicy::PassThrough);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("MicroMind"));
    QApplication::setApplicationName(QStringLiteral("MicroMind Workbench"));
    QApplication::setApplicationVersion(QStringLiteral(MM_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("micromind-workbench"));

    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("Train, watch and compare MicroMind models."));
    p.addHelpOption();
    p.addVersionOption();
    QCommandLineOption lang(QStringLiteral("lang"), QStringLiteral("UI language: en or zh_CN (default: setting, then system locale)"),
                            QStringLiteral("code"));
    QCommandLineOption theme(QStringLiteral("theme"), QStringLiteral("system, light or dark"), QStringLiteral("name"));
    QCommandLineOption workspace(QStringLiteral("workspace"), QStringLiteral("open this workspace folder"),
                                 QStringLiteral("dir"));
    p.addOption(lang);
    p.addOption(theme);
    p.addOption(workspace);
    p.process(app);

    mm::ui::installTranslations(app, p.value(lang));
    mm::ui::applyTheme(app, p.value(theme));

    mm::ui::MainWindow w;
    w.show();
    if (p.isSet(workspace))
        w.openWorkspace(p.value(workspace));
    else
        w.offerFirstStart();
    return app.exec();
}
