#include "chart_bench.h"

#include "chart_view.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

namespace mm::ui {

namespace {

/// A loss-like curve: a decaying mean with noise and rare spikes.
QVector<ChartSample> makeRun(int run, int points) {
    std::mt19937 rng(1234 + run);
    std::normal_distribution<double> noise(0.0, 0.05);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    QVector<ChartSample> v;
    v.reserve(points);
    const double floor = 1.5 + 0.2 * run;
    for (int i = 0; i < points; ++i) {
        double value = floor + 8.0 * std::exp(-i / (points / 20.0)) + noise(rng);
        if (u(rng) < 1e-4)
            value *= 3; // a spike the min/max decimation must keep
        v.push_back({double(i), double(i) * 4096.0, i * 0.05, value});
    }
    return v;
}

struct Stats {
    double median = 0, max = 0;
};

Stats statsOf(std::vector<double> ms) {
    Stats s;
    if (ms.empty())
        return s;
    std::sort(ms.begin(), ms.end());
    s.median = ms[ms.size() / 2];
    s.max = ms.back();
    return s;
}

/// One redraw as the user sees it: the pending series rebuilt, then painted.
double timedRedraw(MetricChart& chart) {
    QElapsedTimer t;
    t.start();
    chart.redrawNow();
    chart.viewport()->repaint();
    return t.nsecsElapsed() / 1e6;
}

} // namespace

int runChartBench(const ChartBenchOptions& o, const QString& jsonPath) {
    MetricChart chart(QStringLiteral("loss"), QStringLiteral("loss"));
    chart.resize(o.width, o.height);
    chart.show();
    QApplication::processEvents();

    std::vector<QVector<ChartSample>> runs;
    for (int r = 0; r < o.runs; ++r)
        runs.push_back(makeRun(r, o.points));

    // 1. A history of long runs opened at once.
    QElapsedTimer t;
    t.start();
    for (int r = 0; r < o.runs; ++r)
        chart.setSeriesData(QStringLiteral("run%1").arg(r),
                            QStringLiteral("pretrain #%1 lr=%2").arg(r + 1).arg(5e-4 * (r + 1)), runs[size_t(r)]);
    const double loadData = t.nsecsElapsed() / 1e6;
    const double firstDraw = timedRedraw(chart);

    // 2. Full redraws: every series rebuilt (log scale on/off, another x axis).
    std::vector<double> full;
    const XAxisMode modes[] = {XAxisMode::Tokens, XAxisMode::WallTime, XAxisMode::Step};
    for (int i = 0; i < 12; ++i) {
        if (i % 2 == 0)
            chart.setLogY(!chart.logY());
        else
            chart.setXAxisMode(modes[(i / 2) % 3]);
        full.push_back(timedRedraw(chart));
    }
    chart.setLogY(false);
    chart.setXAxisMode(XAxisMode::Step);
    timedRedraw(chart);

    // 3. Live: every run logs one more point, the next tick redraws.
    std::vector<double> live;
    double step = o.points;
    for (int i = 0; i < 30; ++i, ++step) {
        for (int r = 0; r < o.runs; ++r)
            chart.append(QStringLiteral("run%1").arg(r), QString(), {step, step * 4096.0, step * 0.05, 1.5 + 0.2 * r});
        live.push_back(timedRedraw(chart));
    }

    // 4. The GUI thread's longest stall while every run logs 100 points a
    // second and the chart redraws on its own timer: a 2 ms heartbeat notes
    // the widest gap between its ticks.
    QElapsedTimer beat;
    double maxGap = 0;
    qint64 last = 0;
    int beats = 0;
    QTimer heart;
    heart.setTimerType(Qt::PreciseTimer);
    heart.setInterval(2);
    QObject::connect(&heart, &QTimer::timeout, [&] {
        const qint64 now = beat.nsecsElapsed();
        if (beats++ > 0)
            maxGap = std::max(maxGap, (now - last) / 1e6);
        last = now;
    });
    QTimer producer;
    producer.setInterval(10);
    QObject::connect(&producer, &QTimer::timeout, [&] {
        for (int r = 0; r < o.runs; ++r)
            chart.append(QStringLiteral("run%1").arg(r), QString(), {step, step * 4096.0, step * 0.05, 1.5 + 0.2 * r});
        ++step;
    });
    const int redrawsBefore = chart.redrawCount();
    QEventLoop loop;
    QTimer::singleShot(o.liveSeconds * 1000, &loop, &QEventLoop::quit);
    beat.start();
    heart.start();
    producer.start();
    loop.exec();
    heart.stop();
    producer.stop();
    const int streamRedraws = chart.redrawCount() - redrawsBefore;

    const Stats f = statsOf(full), l = statsOf(live);
    const qsizetype drawn = chart.drawnPointCount(QStringLiteral("run0"));
    std::printf("charts: %d runs x %d points on a %dx%d chart (platform %s)\n", o.runs, o.points, o.width, o.height,
                qPrintable(QGuiApplication::platformName()));
    std::printf("  %-44s %10.1f ms\n", "load the runs (copy + EMA)", loadData);
    std::printf("  %-44s %10.1f ms\n", "first draw", firstDraw);
    std::printf("  %-44s %10.1f ms median, %.1f ms max\n", "full redraw (log y / x axis switched)", f.median, f.max);
    std::printf("  %-44s %10.1f ms median, %.1f ms max\n", "live redraw (each run logs a point)", l.median, l.max);
    std::printf("  %-44s %10.1f ms (%d redraws in %d s, %d heartbeats)\n", "longest GUI stall while streaming", maxGap,
                streamRedraws, o.liveSeconds, beats);
    std::printf("  %-44s %10lld of %d\n", "points drawn per run (min/max per pixel)", (long long)drawn, o.points);

    if (!jsonPath.isEmpty()) {
        const QJsonObject j{{QStringLiteral("runs"), o.runs},
                            {QStringLiteral("points"), o.points},
                            {QStringLiteral("width"), o.width},
                            {QStringLiteral("height"), o.height},
                            {QStringLiteral("platform"), QGuiApplication::platformName()},
                            {QStringLiteral("load_ms"), loadData},
                            {QStringLiteral("first_draw_ms"), firstDraw},
                            {QStringLiteral("full_redraw_median_ms"), f.median},
                            {QStringLiteral("full_redraw_max_ms"), f.max},
                            {QStringLiteral("live_redraw_median_ms"), l.median},
                            {QStringLiteral("live_redraw_max_ms"), l.max},
                            {QStringLiteral("max_gui_stall_ms"), maxGap},
                            {QStringLiteral("stream_redraws"), streamRedraws},
                            {QStringLiteral("drawn_points_per_run"), qint64(drawn)}};
        QSaveFile out(jsonPath);
        if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(j).toJson()) < 0 || !out.commit()) {
            std::fprintf(stderr, "error: cannot write %s: %s\n", qPrintable(jsonPath), qPrintable(out.errorString()));
            return 3;
        }
    }
    return 0;
}

} // namespace mm::ui
