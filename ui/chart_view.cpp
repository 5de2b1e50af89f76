#include "chart_view.h"

#include <QApplication>
#include <QAreaSeries>
#include <QChart>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPainter>
#include <QPalette>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QValueAxis>

#include <algorithm>
#include <QFontMetricsF>

#include <cmath>
#include <limits>
#include <vector>

namespace mm::ui {

namespace {

// Round ticks (1, 2 or 5 times a power of ten), as many as the plot's height
// has room for, labelled with just the digits the step needs. Qt 6.4 elides
// every label to "..." once the ticks are closer than about a line of text
// (a short chart with a title and a legend, applyNiceNumbers() picking 7
// ticks), and "%.4g" on an arbitrary range printed 8.751 twice.
void setNiceTicks(QValueAxis* axis, double lo, double hi, int maxTicks) {
    double span = hi - lo;
    if (!(span > 0))
        span = std::abs(lo) * 0.1 + 1e-9;
    maxTicks = std::max(2, maxTicks);
    double step = std::pow(10.0, std::floor(std::log10(span / double(maxTicks))) - 1);
    double first = 0, last = 0;
    for (int guard = 0; guard < 60; ++guard) {
        first = std::floor(lo / step) * step;
        last = std::ceil(hi / step) * step;
        if (std::lround((last - first) / step) + 1 <= maxTicks)
            break;
        const double m = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
        step *= m < 1.5 ? 2.0 : m < 3 ? 2.5 : 2.0; // 1 -> 2 -> 5 -> 10
    }
    axis->setRange(first, last);
    axis->setTickType(QValueAxis::TicksFixed);
    axis->setTickCount(int(std::lround((last - first) / step)) + 1);
    const int decimals = std::max(0, int(-std::floor(std::log10(step) + 1e-9)));
    axis->setLabelFormat(decimals > 6 ? QStringLiteral("%.1e")
                                      : QStringLiteral("%.") + QString::number(decimals) + QStringLiteral("f"));
}

constexpr int kRedrawMs = 40;

QColor seriesColor(int i) {
    static const QColor colors[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xff, 0x7f, 0x0e), QColor(0x2c, 0xa0, 0x2c),
                                    QColor(0xd6, 0x27, 0x28), QColor(0x94, 0x67, 0xbd), QColor(0x8c, 0x56, 0x4b),
                                    QColor(0xe3, 0x77, 0xc2), QColor(0x17, 0xbe, 0xcf)};
    return colors[i % 8];
}

bool darkPalette() { return QApplication::palette().color(QPalette::Window).lightness() < 128; }

} // namespace

MetricChart::MetricChart(const QString& metric, const QString& title, QWidget* parent)
    : QChartView(parent), m_metric(metric) {
    auto* c = new QChart;
    c->setTheme(darkPalette() ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    c->setTitle(title);
    c->legend()->setVisible(true);
    c->legend()->setAlignment(Qt::AlignBottom);
    c->setAnimationOptions(QChart::NoAnimation);
    c->setMargins(QMargins(4, 4, 4, 4));
    setChart(c);
    setRenderHint(QPainter::Antialiasing, true);
    setMinimumSize(320, 220);
    setObjectName(QStringLiteral("chart_") + metric);
    m_timer.setSingleShot(true);
    m_timer.setInterval(kRedrawMs);
    connect(&m_timer, &QTimer::timeout, this, &MetricChart::redraw);
    rebuildAxes();
}

MetricChart::Series& MetricChart::seriesFor(const QString& key, const QString& label) {
    auto it = m_series.find(key);
    if (it != m_series.end())
        return *it;
    Series s;
    s.label = label;
    const QColor color = seriesColor(m_colorIndex++);
    s.raw = new QLineSeries;
    QColor faint = color;
    faint.setAlpha(70);
    QPen rawPen(faint);
    rawPen.setWidthF(1.0);
    s.raw->setPen(rawPen);
    s.raw->setUseOpenGL(false);
    s.smooth = new QLineSeries;
    QPen pen(color);
    pen.setWidthF(2.0);
    s.smooth->setPen(pen);
    s.smooth->setName(label);
    s.smooth->setUseOpenGL(false);
    s.band = new QAreaSeries;
    s.bandLo = new QLineSeries(s.band);
    s.bandHi = new QLineSeries(s.band);
    s.band->setLowerSeries(s.bandLo);
    s.band->setUpperSeries(s.bandHi);
    QColor fill = color;
    fill.setAlpha(55);
    s.band->setBrush(fill);
    s.band->setPen(Qt::NoPen);
    chart()->addSeries(s.band);
    chart()->addSeries(s.raw);
    chart()->addSeries(s.smooth);
    // Only the smoothed curve gets a legend entry.
    for (QAbstractSeries* hidden : {static_cast<QAbstractSeries*>(s.band), static_cast<QAbstractSeries*>(s.raw)})
        for (auto* m : chart()->legend()->markers(hidden))
            m->setVisible(false);
    for (QAbstractSeries* x : {static_cast<QAbstractSeries*>(s.band), static_cast<QAbstractSeries*>(s.raw),
                               static_cast<QAbstractSeries*>(s.smooth)}) {
        x->attachAxis(m_xAxis);
        x->attachAxis(m_yAxis);
    }
    return *m_series.insert(key, s);
}

void MetricChart::append(const QString& key, const QString& label, const ChartSample& sample) {
    Series& s = seriesFor(key, label);
    s.data.push_back(sample);
    extendEma(s, s.data.size() - 1);
    s.dirty = true;
    scheduleRedraw();
}

void MetricChart::setSeriesData(const QString& key, const QString& label, const QVector<ChartSample>& samples) {
    Series& s = seriesFor(key, label);
    s.label = label;
    s.smooth->setName(label);
    s.data = samples;
    s.scanned = 0;
    s.ema.clear();
    extendEma(s, 0);
    s.dirty = true;
    scheduleRedraw();
}

void MetricChart::removeSeries(const QString& key) {
    auto it = m_series.find(key);
    if (it == m_series.end())
        return;
    chart()->removeSeries(it->band);
    chart()->removeSeries(it->raw);
    chart()->removeSeries(it->smooth);
    delete it->band; // and its edges
    delete it->raw;
    delete it->smooth;
    m_series.erase(it);
    scheduleRedraw();
}

void MetricChart::clearSeries() {
    for (const auto& k : m_series.keys())
        removeSeries(k);
    m_colorIndex = 0;
}

qsizetype MetricChart::sampleCount(const QString& key) const {
    auto it = m_series.find(key);
    return it == m_series.end() ? 0 : it->data.size();
}

QString MetricChart::seriesLabel(const QString& key) const {
    auto it = m_series.find(key);
    return it == m_series.end() ? QString() : it->label;
}

qsizetype MetricChart::drawnPointCount(const QString& key) const {
    auto it = m_series.find(key);
    return it == m_series.end() ? 0 : it->raw->count() + it->bandLo->count() + it->bandHi->count();
}

qsizetype MetricChart::bandColumnCount(const QString& key) const {
    auto it = m_series.find(key);
    return it == m_series.end() ? 0 : it->bandHi->count();
}

QPair<double, double> MetricChart::bandColumn(const QString& key, qsizetype i) const {
    auto it = m_series.find(key);
    if (it == m_series.end() || i < 0 || i >= it->bandHi->count())
        return {};
    return {it->bandLo->at(int(i)).y(), it->bandHi->at(int(i)).y()};
}

void MetricChart::extendEma(Series& s, qsizetype from) const {
    // TensorBoard's debiased EMA: early points are not dragged towards zero.
    s.ema.resize(s.data.size());
    double acc = from > 0 ? s.emaAcc : 0.0;
    for (qsizetype i = from; i < s.data.size(); ++i) {
        const double v = s.data[i].value;
        if (!std::isfinite(v)) {
            s.ema[i] = i > 0 ? s.ema[i - 1] : v;
            continue;
        }
        acc = acc * m_smoothing + (1 - m_smoothing) * v;
        const double debias = 1.0 - std::pow(m_smoothing, double(i + 1));
        s.ema[i] = debias > 0 ? acc / debias : v;
    }
    s.emaAcc = acc;
}

void MetricChart::setSmoothing(double w) {
    w = std::clamp(w, 0.0, 0.999);
    if (w == m_smoothing)
        return;
    m_smoothing = w;
    for (auto& s : m_series) {
        s.ema.clear();
        extendEma(s, 0);
        s.dirty = true;
    }
    scheduleRedraw();
}

void MetricChart::setXAxisMode(XAxisMode mode) {
    if (mode == m_xMode)
        return;
    m_xMode = mode;
    m_axesDirty = true;
    for (auto& s : m_series)
        s.dirty = true;
    scheduleRedraw();
}

void MetricChart::setLogY(bool on) {
    if (on == m_logY)
        return;
    m_logY = on;
    m_axesDirty = true;
    for (auto& s : m_series)
        s.dirty = true;
    scheduleRedraw();
}

double MetricChart::xOf(const ChartSample& s) const {
    switch (m_xMode) {
    case XAxisMode::Step: return s.step;
    case XAxisMode::Tokens: return s.tokens;
    case XAxisMode::WallTime: return s.wall;
    }
    return s.step;
}

void MetricChart::scheduleRedraw() {
    if (!m_timer.isActive())
        m_timer.start();
}

void MetricChart::redrawNow() {
    m_timer.stop();
    redraw();
}

void MetricChart::rebuildAxes() {
    QChart* c = chart();
    for (auto& s : m_series)
        for (QAbstractSeries* x : {static_cast<QAbstractSeries*>(s.band), static_cast<QAbstractSeries*>(s.raw),
                                   static_cast<QAbstractSeries*>(s.smooth)}) {
            if (m_xAxis)
                x->detachAxis(m_xAxis);
            if (m_yAxis)
                x->detachAxis(m_yAxis);
        }
    if (m_xAxis) {
        c->removeAxis(m_xAxis);
        delete m_xAxis;
    }
    if (m_yAxis) {
        c->removeAxis(m_yAxis);
        delete m_yAxis;
    }
    auto* x = new QValueAxis;
    x->setLabelFormat(QStringLiteral("%.6g"));
    x->setTitleText(m_xMode == XAxisMode::Step     ? tr("step")
                    : m_xMode == XAxisMode::Tokens ? tr("tokens")
                                                   : tr("wall time (s)"));
    m_xAxis = x;
    if (m_logY) {
        auto* y = new QLogValueAxis;
        y->setLabelFormat(QStringLiteral("%.3g"));
        y->setBase(10);
        m_yAxis = y;
    } else {
        m_yAxis = new QValueAxis; // ticks and labels: setNiceTicks
    }
    c->addAxis(m_xAxis, Qt::AlignBottom);
    c->addAxis(m_yAxis, Qt::AlignLeft);
    for (auto& s : m_series)
        for (QAbstractSeries* x : {static_cast<QAbstractSeries*>(s.band), static_cast<QAbstractSeries*>(s.raw),
                                   static_cast<QAbstractSeries*>(s.smooth)}) {
            x->attachAxis(m_xAxis);
            x->attachAxis(m_yAxis);
        }
    m_axesDirty = false;
}

void MetricChart::resetBounds(Series& s) {
    constexpr double inf = std::numeric_limits<double>::infinity();
    s.scanned = 0;
    for (int m = 0; m < 3; ++m) {
        s.xmin[m] = inf;
        s.xmax[m] = -inf;
    }
    s.ymin = s.yposMin = inf;
    s.ymax = s.yposMax = -inf;
}

void MetricChart::extendBounds(Series& s) {
    if (s.scanned == 0)
        resetBounds(s);
    for (qsizetype i = s.scanned; i < s.data.size(); ++i) {
        const ChartSample& p = s.data[i];
        if (!std::isfinite(p.value))
            continue;
        const double xs[3] = {p.step, p.tokens, p.wall};
        for (int m = 0; m < 3; ++m) {
            s.xmin[m] = std::min(s.xmin[m], xs[m]);
            s.xmax[m] = std::max(s.xmax[m], xs[m]);
        }
        s.ymin = std::min(s.ymin, p.value);
        s.ymax = std::max(s.ymax, p.value);
        if (p.value > 0) {
            s.yposMin = std::min(s.yposMin, p.value);
            s.yposMax = std::max(s.yposMax, p.value);
        }
    }
    s.scanned = s.data.size();
}

void MetricChart::decimate(const Series& s, qsizetype buckets, QList<QPointF>& raw, QList<QPointF>& lo,
                           QList<QPointF>& hi, QList<QPointF>& smooth) const {
    const qsizetype n = s.data.size();
    const auto usable = [&](double v) { return std::isfinite(v) && (!m_logY || v > 0); };
    if (n <= 2 * buckets) {
        raw.reserve(n);
        smooth.reserve(n);
        for (qsizetype i = 0; i < n; ++i) {
            const double x = xOf(s.data[i]);
            if (usable(s.data[i].value))
                raw.append(QPointF(x, s.data[i].value));
            if (usable(s.ema[i]))
                smooth.append(QPointF(x, s.ema[i]));
        }
        return;
    }
    // Thinned: each bucket's min and max become the band's edges at the
    // bucket's middle x, so spikes stay visible as the band's reach.
    const qsizetype per = (n + buckets - 1) / buckets;
    lo.reserve(buckets);
    hi.reserve(buckets);
    smooth.reserve(buckets);
    for (qsizetype b = 0; b < n; b += per) {
        const qsizetype e = std::min(n, b + per);
        double vmin = std::numeric_limits<double>::infinity(), vmax = -vmin;
        for (qsizetype i = b; i < e; ++i) {
            const double v = s.data[i].value;
            if (!usable(v))
                continue;
            vmin = std::min(vmin, v);
            vmax = std::max(vmax, v);
        }
        if (vmin <= vmax) {
            const double x = xOf(s.data[b + (e - b) / 2]);
            lo.append(QPointF(x, vmin));
            hi.append(QPointF(x, vmax));
        }
        if (usable(s.ema[e - 1]))
            smooth.append(QPointF(xOf(s.data[e - 1]), s.ema[e - 1]));
    }
}

void MetricChart::redraw() {
    // About two points per horizontal pixel is all a screen can show.
    const qsizetype buckets = std::max<qsizetype>(200, qsizetype(chart()->plotArea().width()));
    const int mode = m_xMode == XAxisMode::Step ? 0 : m_xMode == XAxisMode::Tokens ? 1 : 2;
    double xmin = std::numeric_limits<double>::infinity(), xmax = -xmin, ymin = xmin, ymax = -xmin;
    struct Pending {
        Series* s;
        QList<QPointF> raw, lo, hi, smooth;
    };
    std::vector<Pending> pending;
    for (auto& s : m_series) {
        extendBounds(s);
        xmin = std::min(xmin, s.xmin[mode]);
        xmax = std::max(xmax, s.xmax[mode]);
        ymin = std::min(ymin, m_logY ? s.yposMin : s.ymin);
        ymax = std::max(ymax, m_logY ? s.yposMax : s.ymax);
        if (!s.dirty)
            continue;
        Pending p{&s, {}, {}, {}, {}};
        decimate(s, buckets, p.raw, p.lo, p.hi, p.smooth);
        pending.push_back(std::move(p));
    }
    // Qt Charts recomputes a series' whole geometry (and its hover shape) on
    // every point replacement, axis attachment and range change: empty the
    // series about to be replaced first, so each is laid out once, after the
    // axes have their final ranges.
    for (auto& p : pending) {
        if (p.s->raw->count() > 0)
            p.s->raw->clear();
        if (p.s->smooth->count() > 0)
            p.s->smooth->clear();
        if (p.s->bandHi->count() > 0) {
            p.s->bandHi->clear();
            p.s->bandLo->clear();
        }
    }
    if (m_axesDirty)
        rebuildAxes();
    if (std::isfinite(xmin) && std::isfinite(ymin)) {
        if (xmax <= xmin)
            xmax = xmin + 1;
        if (ymax <= ymin) {
            const double pad = std::abs(ymin) * 0.05 + (m_logY ? 0 : 1e-9);
            ymin -= pad;
            ymax += pad > 0 ? pad : 1;
        }
        auto* x = static_cast<QValueAxis*>(m_xAxis);
        // Round tick values (0, 25, 50 ... rather than 30.75) on linear axes;
        // only a changed range reaches the series.
        QValueAxis nice;
        nice.setRange(xmin, xmax);
        nice.applyNiceNumbers();
        if (nice.min() != x->min() || nice.max() != x->max() || nice.tickCount() != x->tickCount()) {
            x->setTickCount(nice.tickCount());
            x->setRange(nice.min(), nice.max());
        }
        if (m_logY) {
            m_yAxis->setRange(ymin / 1.2, ymax * 1.2);
        } else {
            const double pad = (ymax - ymin) * 0.05;
            // Room for a label every ~1.8 lines of text.
            const double line = QFontMetricsF(m_yAxis->labelsFont()).height();
            const double plotHeight = chart()->plotArea().height() > 0 ? chart()->plotArea().height() : height() / 2.0;
            // Values that are never negative (loss, norms, rates) keep the
            // axis at or above 0 rather than padding it to -5.
            const double lo = ymin >= 0 ? std::max(0.0, ymin - pad) : ymin - pad;
            setNiceTicks(static_cast<QValueAxis*>(m_yAxis), lo, ymax + pad, int(plotHeight / (1.8 * line)) + 1);
        }
    }
    for (auto& p : pending) {
        p.s->raw->replace(p.raw);
        p.s->bandLo->replace(p.lo);
        p.s->bandHi->replace(p.hi);
        p.s->smooth->replace(p.smooth);
        p.s->dirty = false;
    }
    ++m_redraws;
    Q_EMIT redrawn();
}

QString MetricChart::toCsv() const {
    QString out = QStringLiteral("series,step,tokens,wall_s,%1,%1_smoothed\n").arg(m_metric);
    for (auto it = m_series.cbegin(); it != m_series.cend(); ++it) {
        QString label = it->label;
        label.replace(QLatin1Char('"'), QStringLiteral("\"\""));
        for (qsizetype i = 0; i < it->data.size(); ++i) {
            const auto& d = it->data[i];
            out += QStringLiteral("\"%1\",%2,%3,%4,%5,%6\n")
                       .arg(label)
                       .arg(qint64(d.step))
                       .arg(qint64(d.tokens))
                       .arg(d.wall, 0, 'g', 10)
                       .arg(d.value, 0, 'g', 10)
                       .arg(it->ema[i], 0, 'g', 10);
        }
    }
    return out;
}

bool MetricChart::exportPng(const QString& path, QString* error) {
    const QPixmap pm = grab();
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || !pm.save(&f, "PNG") || !f.commit()) {
        if (error)
            *error = tr("could not write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

bool MetricChart::exportSvg(const QString& path, QString* error) {
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly)) {
        if (error)
            *error = tr("could not write %1: %2").arg(path, f.errorString());
        return false;
    }
    {
        QSvgGenerator gen;
        gen.setOutputDevice(&f);
        gen.setSize(size());
        gen.setViewBox(rect());
        gen.setTitle(chart()->title());
        QPainter p(&gen);
        render(&p);
    }
    if (!f.commit()) {
        if (error)
            *error = tr("could not write %1: %2").arg(path, f.errorString());
        return false;
    }
    return true;
}

} // namespace mm::ui
