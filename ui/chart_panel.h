#pragma once
// A grid of metric charts (loss, lr, grad norm, tokens/s, then each stage's own
// metrics) with shared controls: smoothing slider, x axis (step / tokens / wall
// time), log y, export (PNG, SVG, CSV). Live runs feed it their log events;
// past runs are loaded from the history on a worker thread.

#include "chart_view.h"

#include <QJsonObject>
#include <QMap>
#include <QWidget>

class QComboBox;
class QCheckBox;
class QGridLayout;
class QLabel;
class QSlider;

namespace mm::ui {

class ChartPanel : public QWidget {
    Q_OBJECT
public:
    explicit ChartPanel(QWidget* parent = nullptr);

    /// Adds a CLI "log" event of the series `key` to every metric it carries.
    void appendEvent(const QString& key, const QString& label, const QJsonObject& event);
    /// Loads the metrics of past runs (history run ids) and overlays them, one
    /// series per run; replaces what the panel showed. Asynchronous: emits
    /// loaded() when done.
    void loadRuns(const QString& workspace, const QList<qint64>& runIds);
    void removeSeries(const QString& key);
    void clear();

    MetricChart* chart(const QString& metric) const { return m_charts.value(metric); }
    QList<MetricChart*> charts() const;
    /// Writes <metric>.png, .svg and .csv of every chart into `dir`.
    bool exportAll(const QString& dir, QString* error);
    /// Human title of a metric name ("loss" -> "Loss").
    static QString metricTitle(const QString& metric);
    /// Event members that are bookkeeping, not metrics to plot.
    static bool isPlottable(const QString& key);

Q_SIGNALS:
    void loaded();

private:
    MetricChart* chartFor(const QString& metric);
    void applyControls(MetricChart* c);
    void relayout();
    void exportInteractive();

    QSlider* m_smoothing = nullptr;
    QLabel* m_smoothingLabel = nullptr;
    QComboBox* m_xAxis = nullptr;
    QCheckBox* m_logY = nullptr;
    QGridLayout* m_grid = nullptr;
    QLabel* m_empty = nullptr;
    QMap<QString, MetricChart*> m_charts;
    QStringList m_order;
    int m_loadGeneration = 0;
};

} // namespace mm::ui
