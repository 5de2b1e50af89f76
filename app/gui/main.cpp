// micromind-workbench: the Qt 6 desktop front end (all of it lives in ui/).

#include "app_setup.h"
#include "chart_bench.h"
#include "main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <cstdio>

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
    QCommandLineOption lang(QStringLiteral("lang"),
                            QStringLiteral("UI language: en or zh_CN (default: setting, then system locale)"),
                            QStringLiteral("code"));
    QCommandLineOption theme(QStringLiteral("theme"), QStringLiteral("system, light or dark"), QStringLiteral("name"));
    QCommandLineOption workspace(QStringLiteral("workspace"), QStringLiteral("open this workspace folder"),
                                 QStringLiteral("dir"));
    QCommandLineOption shot(QStringLiteral("screenshot"),
                            QStringLiteral("save a PNG of the window (after --screenshot-delay ms) and quit"),
                            QStringLiteral("file.png"));
    QCommandLineOption shotTab(QStringLiteral("screenshot-tab"),
                               QStringLiteral("tab shown for --screenshot: 0 train, 1 runs, 2 history, 3 lineage, "
                                              "4 compare, 5 scores, 6 demo"),
                               QStringLiteral("n"), QStringLiteral("4"));
    QCommandLineOption shotDelay(QStringLiteral("screenshot-delay"), QStringLiteral("milliseconds before the grab"),
                                 QStringLiteral("ms"), QStringLiteral("1500"));
    p.addOption(lang);
    p.addOption(theme);
    p.addOption(workspace);
    p.addOption(shot);
    p.addOption(shotTab);
    QCommandLineOption benchCharts(QStringLiteral("bench-charts"),
                                   QStringLiteral("time the live chart with many long runs overlaid, print the figures "
                                                  "and quit (use QT_QPA_PLATFORM=offscreen without a display)"));
    QCommandLineOption benchRuns(QStringLiteral("bench-runs"), QStringLiteral("runs for --bench-charts"),
                                 QStringLiteral("n"), QStringLiteral("5"));
    QCommandLineOption benchPoints(QStringLiteral("bench-points"), QStringLiteral("points per run for --bench-charts"),
                                   QStringLiteral("n"), QStringLiteral("200000"));
    QCommandLineOption benchJson(QStringLiteral("bench-json"),
                                 QStringLiteral("also write the figures to this JSON file"),
                                 QStringLiteral("file.json"));
    p.addOption(shotDelay);
    p.addOption(benchCharts);
    p.addOption(benchRuns);
    p.addOption(benchPoints);
    p.addOption(benchJson);
    p.process(app);

    if (p.isSet(benchCharts)) {
        mm::ui::ChartBenchOptions o;
        bool okRuns = false, okPoints = false;
        o.runs = p.value(benchRuns).toInt(&okRuns);
        o.points = p.value(benchPoints).toInt(&okPoints);
        if (!okRuns || !okPoints || o.runs < 1 || o.runs > 64 || o.points < 2) {
            std::fprintf(stderr, "error: --bench-runs takes 1-64 and --bench-points at least 2\n");
            return 2;
        }
        mm::ui::applyTheme(app, p.value(theme));
        return mm::ui::runChartBench(o, p.value(benchJson));
    }

    mm::ui::installTranslations(app, p.value(lang));
    mm::ui::applyTheme(app, p.value(theme));

    mm::ui::MainWindow w;
    if (p.isSet(shot))
        w.resize(1600, 900);
    w.show();
    if (p.isSet(workspace))
        w.openWorkspace(p.value(workspace));
    else if (!p.isSet(shot))
        w.offerFirstStart();
    if (p.isSet(shot)) {
        // Documentation and review: the window as a user sees it, then quit.
        w.showTab(static_cast<mm::ui::MainWindow::Tab>(qBound(0, p.value(shotTab).toInt(), 6)));
        QTimer::singleShot(p.value(shotDelay).toInt(), &w, [&w, &p, &shot] {
            const bool ok = w.grab().save(p.value(shot));
            std::fprintf(ok ? stdout : stderr, ok ? "saved %s\n" : "error: cannot write %s\n",
                         qPrintable(p.value(shot)));
            QApplication::exit(ok ? 0 : 3);
        });
    }
    return app.exec();
}
