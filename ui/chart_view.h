#pragma once
// One live metric chart (Qt Charts) with several runs overlaid. Points are
// buffered and drawn by one single-shot ~40 ms timer, each series replaced at
// once with a decimated point list (min/max per pixel bucket), so 100k points
// per series keep the UI responsive. Each run shows its raw curve faintly
// behind an EMA-smoothed one; once a run has more points than the chart has
// pixels, the raw curve becomes a shaded band from each pixel column's
// minimum to its maximum.

#include <QChartView>
#include <QMap>
#include <QTimer>
#include <QVector>

class QLineSeries;
class QAreaSeries;
class QAbstractAxis;

namespace mm::ui {

/// The x coordinate a chart plots against.
enum class XAxisMode { Step, Tokens, WallTime };

/// One logged value with its three possible x coordinates.
struct ChartSample {
    double step = 0, tokens = 0, wall = 0, value = 0;
};

class MetricChart : public QChartView {
    Q_OBJECT
public:
    explicit MetricChart(const QString& metric, const QString& title, QWidget* parent = nullptr);

    QString metric() const { return m_metric; }
    /// Buffers one point of a series (created on first use); drawn at the next tick.
    void append(const QString& key, const QString& label, const ChartSample& s);
    /// Replaces a series' points (history loads).
    void setSeriesData(const QString& key, const QString& label, const QVector<ChartSample>& samples);
    void removeSeries(const QString& key);
    void clearSeries();
    QStringList seriesKeys() const { return m_series.keys(); }
    qsizetype sampleCount(const QString& key) const;
    /// The series' legend text ("" when there is no such series).
    QString seriesLabel(const QString& key) const;
    /// Points currently handed to Qt Charts for the series' raw curve or its
    /// min/max band (after decimation).
    qsizetype drawnPointCount(const QString& key) const;
    /// Pixel columns of the series' min/max band (0 while every point is drawn).
    qsizetype bandColumnCount(const QString& key) const;
    /// The band's (lower, upper) values of column i, for tests.
    QPair<double, double> bandColumn(const QString& key, qsizetype i) const;

    /// EMA weight in [0, 0.999] (0 = no smoothing).
    void setSmoothing(double w);
    void setXAxisMode(XAxisMode mode);
    void setLogY(bool on);
    bool logY() const { return m_logY; }

    /// series,step,tokens,wall_s,value,smoothed — every point, not the decimated ones.
    QString toCsv() const;
    bool exportPng(const QString& path, QString* error);
    bool exportSvg(const QString& path, QString* error);
    /// Redraws scheduled so far (for tests and profiling).
    int redrawCount() const { return m_redraws; }
    /// Redraws now what is pending instead of at the next tick (benchmarks).
    void redrawNow();

Q_SIGNALS:
    void redrawn();

private:
    struct Series {
        QString label;
        QVector<ChartSample> data;
        QVector<double> ema; ///< smoothed values, parallel to data
        double emaAcc = 0;   ///< biased EMA accumulator after the last point
        /// Ranges over data[0, scanned): x per axis mode and y over finite
        /// (linear axis) and positive (log axis) values, kept up to date as
        /// points arrive so a redraw does not rescan long runs.
        qsizetype scanned = 0;
        double xmin[3], xmax[3], ymin, ymax, yposMin, yposMax;
        QLineSeries* raw = nullptr;
        QLineSeries* smooth = nullptr;
        /// Min/max band of the thinned raw points; bandLo/bandHi are its
        /// edges (owned by the band, never added to the chart themselves).
        QAreaSeries* band = nullptr;
        QLineSeries* bandLo = nullptr;
        QLineSeries* bandHi = nullptr;
        bool dirty = true;
    };
    Series& seriesFor(const QString& key, const QString& label);
    void extendEma(Series& s, qsizetype from) const;
    static void resetBounds(Series& s);
    static void extendBounds(Series& s);
    /// Raw points, or (when there are more than 2 x buckets) the min and max
    /// of each bucket as a band's lower and upper edge; the smoothed curve's
    /// last point of each bucket.
    void decimate(const Series& s, qsizetype buckets, QList<QPointF>& raw, QList<QPointF>& lo, QList<QPointF>& hi,
                  QList<QPointF>& smooth) const;
    void scheduleRedraw();
    void redraw();
    void rebuildAxes();
    double xOf(const ChartSample& s) const;

    QString m_metric;
    QMap<QString, Series> m_series;
    QTimer m_timer;
    double m_smoothing = 0.6;
    XAxisMode m_xMode = XAxisMode::Step;
    bool m_logY = false;
    bool m_axesDirty = true;
    int m_redraws = 0;
    int m_colorIndex = 0;
    QAbstractAxis* m_xAxis = nullptr;
    QAbstractAxis* m_yAxis = nullptr;
};

} // namespace mm::ui
