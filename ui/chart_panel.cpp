#include "chart_panel.h"

#include "event_decoder.h"
#include "history_model.h"
#include "store/history.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFutureWatcher>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QScrollArea>
#include <QSlider>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mm::ui {

namespace {

// Plot order: the loop's metrics first, then each stage's own.
const QStringList kPreferredOrder{QStringLiteral("loss"),
                                  QStringLiteral("val_loss"),
                                  QStringLiteral("val_bpb"),
                                  QStringLiteral("val_pref_accuracy"),
                                  QStringLiteral("val_chosen_logp"),
                                  QStringLiteral("lr"),
                                  QStringLiteral("grad_norm"),
                                  QStringLiteral("tokens_per_sec"),
                                  QStringLiteral("reward_margin"),
                                  QStringLiteral("pref_accuracy"),
                                  QStringLiteral("chosen_reward"),
                                  QStringLiteral("rejected_reward"),
                                  QStringLiteral("reward_mean"),
                                  QStringLiteral("kl"),
                                  QStringLiteral("completion_len"),
                                  QStringLiteral("accuracy"),
                                  QStringLiteral("reward_std"),
                                  QStringLiteral("clip_frac"),
                                  QStringLiteral("token_loss"),
                                  QStringLiteral("aux_loss")};

/// One run's metrics read from the history: metric -> samples.
struct LoadedRun {
    qint64 id = 0;
    QString label;
    QMap<QString, QVector<ChartSample>> series;
};

/// A legend value of at most 24 characters: longer ones keep their start
/// and end ("sft_zh_bell…ource_1k.jsonl"), so a half-width chart's legend
/// is not cut off by Qt; the History tab's config table shows the whole value.
QString legendValue(const std::string& v) {
    const QString q = QString::fromStdString(v);
    constexpr int kMax = 24;
    if (q.size() <= kMax)
        return q;
    return q.left(kMax / 2 - 1) + QChar(0x2026) + q.right(kMax / 2);
}

/// Overlaid runs are told apart in the legend by the config fields that
/// differ between them (at most two, the usual suspects first, so the
/// legend of a half-width chart stays readable):
/// "full_sft #2 · lr=0.001 · batch_size=4".
void labelWithConfigDifferences(QList<LoadedRun>& runs, const std::vector<std::string>& configs) {
    if (runs.size() < 2 || configs.size() != size_t(runs.size()))
        return;
    // Bookkeeping that does not change what is trained.
    static const std::set<std::string> ignored{
        "out_dir",       "json",           "resume",         "threads",          "device",        "log_interval",
        "save_interval", "probe_interval", "probe_prompts",  "probe_max_tokens", "eval_interval", "eval_max_samples",
        "ddp_timeout",   "sample_chars",   "nproc_per_node", "skip_bad_lines"};
    static const std::vector<std::string> first{"learning_rate",     "batch_size",  "hidden_size",
                                                "num_hidden_layers", "max_seq_len", "epochs",
                                                "max_steps",         "data_path",   "from_weight"};
    std::vector<std::map<std::string, std::string>> flat;
    std::set<std::string> keys;
    for (const auto& c : configs) {
        flat.push_back(flattenConfig(c, true));
        for (const auto& [k, v] : flat.back())
            keys.insert(k);
    }
    std::vector<std::string> differing;
    const auto differs = [&](const std::string& k) {
        if (ignored.count(k))
            return false;
        for (size_t i = 1; i < flat.size(); ++i)
            if (flat[i][k] != flat[0][k])
                return true;
        return false;
    };
    for (const auto& k : first)
        if (keys.count(k) && differs(k))
            differing.push_back(k);
    for (const auto& k : keys)
        if (std::find(first.begin(), first.end(), k) == first.end() && differs(k))
            differing.push_back(k);
    if (differing.size() > 2)
        differing.resize(2);
    for (int i = 0; i < runs.size(); ++i)
        for (const auto& k : differing) {
            auto it = flat[size_t(i)].find(k);
            const std::string name = k == "learning_rate" ? "lr" : k;
            runs[i].label += QStringLiteral(" · %1=%2")
                                 .arg(QString::fromStdString(name),
                                      it == flat[size_t(i)].end() ? QStringLiteral("—") : legendValue(it->second));
        }
}

QList<LoadedRun> readRuns(const QString& dbPath, const QList<qint64>& ids) {
    QList<LoadedRun> out;
    std::vector<std::string> configs;
    try {
        store::History h(dbPath.toStdString());
        for (qint64 id : ids) {
            auto rec = h.run(id);
            if (!rec)
                continue;
            LoadedRun r;
            r.id = id;
            r.label = QStringLiteral("%1 #%2").arg(QString::fromStdString(rec->stage)).arg(id);
            // The same events and samples as the run's live stdout gave.
            for (const train::Event& e : train::historyEvents(h, id))
                for (const auto& [metric, sample] : chartSamples(e))
                    r.series[metric].push_back(sample);
            out << r;
            configs.push_back(rec->configJson);
        }
        labelWithConfigDifferences(out, configs);
    } catch (const std::exception&) {
        // The history view reports unreadable databases; show what was read.
    }
    return out;
}

} // namespace

ChartPanel::ChartPanel(QWidget* parent) : QWidget(parent) {
    auto* controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Smoothing:"), this));
    m_smoothing = new QSlider(Qt::Horizontal, this);
    m_smoothing->setObjectName(QStringLiteral("smoothingSlider"));
    m_smoothing->setRange(0, 99);
    m_smoothing->setValue(60);
    m_smoothing->setMaximumWidth(180);
    m_smoothing->setToolTip(tr("EMA weight of the bold curve; the raw values stay faint behind it"));
    controls->addWidget(m_smoothing);
    m_smoothingLabel = new QLabel(QStringLiteral("0.60"), this);
    controls->addWidget(m_smoothingLabel);
    controls->addSpacing(12);
    controls->addWidget(new QLabel(tr("X axis:"), this));
    m_xAxis = new QComboBox(this);
    m_xAxis->setObjectName(QStringLiteral("xAxisCombo"));
    m_xAxis->addItem(tr("Step"));
    m_xAxis->addItem(tr("Tokens"));
    m_xAxis->addItem(tr("Wall time"));
    controls->addWidget(m_xAxis);
    m_logY = new QCheckBox(tr("Log y"), this);
    m_logY->setObjectName(QStringLiteral("logYCheck"));
    controls->addWidget(m_logY);
    controls->addStretch(1);
    auto* exportButton = new QPushButton(tr("Export…"), this);
    exportButton->setObjectName(QStringLiteral("exportChartsButton"));
    exportButton->setToolTip(tr("Write every chart as PNG, SVG and CSV into a folder"));
    controls->addWidget(exportButton);

    auto* inner = new QWidget(this);
    m_grid = new QGridLayout(inner);
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_empty = new QLabel(tr("No metrics yet: start a run or open one from the history."), inner);
    m_empty->setAlignment(Qt::AlignCenter);
    m_grid->addWidget(m_empty, 0, 0);
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setWidget(inner);

    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    lay->addLayout(controls);
    lay->addWidget(scroll, 1);

    connect(m_smoothing, &QSlider::valueChanged, this, [this](int v) {
        m_smoothingLabel->setText(QString::number(v / 100.0, 'f', 2));
        for (auto* c : m_charts)
            c->setSmoothing(v / 100.0);
    });
    connect(m_xAxis, &QComboBox::currentIndexChanged, this, [this] {
        for (auto* c : m_charts)
            applyControls(c);
    });
    connect(m_logY, &QCheckBox::toggled, this, [this] {
        for (auto* c : m_charts)
            applyControls(c);
    });
    connect(exportButton, &QPushButton::clicked, this, &ChartPanel::exportInteractive);
}

bool ChartPanel::isPlottable(const QString& key) { return train::isPlottedMetric(key.toStdString()); }

QString ChartPanel::metricTitle(const QString& m) {
    if (m == QLatin1String("loss"))
        return tr("Loss");
    if (m == QLatin1String("val_loss"))
        return tr("Validation loss (--eval_data)");
    if (m == QLatin1String("val_bpb"))
        return tr("Validation bits per byte");
    if (m == QLatin1String("val_pref_accuracy"))
        return tr("Validation preference accuracy");
    if (m == QLatin1String("val_chosen_logp"))
        return tr("Validation: chosen answers' mean log-prob");
    if (m == QLatin1String("lr"))
        return tr("Learning rate");
    if (m == QLatin1String("grad_norm"))
        return tr("Gradient norm");
    if (m == QLatin1String("tokens_per_sec"))
        return tr("Tokens per second");
    if (m == QLatin1String("reward_margin"))
        return tr("DPO reward margin");
    if (m == QLatin1String("pref_accuracy"))
        return tr("Preference accuracy");
    if (m == QLatin1String("chosen_reward"))
        return tr("Chosen reward");
    if (m == QLatin1String("rejected_reward"))
        return tr("Rejected reward");
    if (m == QLatin1String("reward_mean"))
        return tr("GRPO reward");
    if (m == QLatin1String("reward_std"))
        return tr("GRPO reward spread within groups");
    if (m == QLatin1String("kl"))
        return tr("KL to the reference");
    if (m == QLatin1String("completion_len"))
        return tr("Completion length (tokens)");
    if (m == QLatin1String("accuracy"))
        return tr("Exact-answer accuracy");
    if (m == QLatin1String("clip_frac"))
        return tr("Clipped ratio share");
    if (m.startsWith(QLatin1String("reward_")))
        return tr("Reward: %1").arg(m.mid(7));
    if (m == QLatin1String("token_loss"))
        return tr("Token loss");
    if (m == QLatin1String("aux_loss"))
        return tr("MoE auxiliary loss");
    return m;
}

QList<MetricChart*> ChartPanel::charts() const {
    QList<MetricChart*> out;
    for (const auto& m : m_order)
        out << m_charts.value(m);
    return out;
}

void ChartPanel::applyControls(MetricChart* c) {
    c->setSmoothing(m_smoothing->value() / 100.0);
    c->setXAxisMode(XAxisMode(m_xAxis->currentIndex()));
    c->setLogY(m_logY->isChecked());
}

MetricChart* ChartPanel::chartFor(const QString& metric) {
    if (auto* c = m_charts.value(metric))
        return c;
    auto* c = new MetricChart(metric, metricTitle(metric), m_grid->parentWidget());
    applyControls(c);
    m_charts.insert(metric, c);
    m_order << metric;
    std::stable_sort(m_order.begin(), m_order.end(), [](const QString& a, const QString& b) {
        const auto rank = [](const QString& m) {
            const auto i = kPreferredOrder.indexOf(m);
            return i < 0 ? int(kPreferredOrder.size()) : int(i);
        };
        return rank(a) < rank(b);
    });
    relayout();
    return c;
}

void ChartPanel::relayout() {
    m_empty->setVisible(m_charts.isEmpty());
    for (auto* c : m_charts)
        m_grid->removeWidget(c);
    int i = 0;
    for (const auto& m : m_order)
        m_grid->addWidget(m_charts.value(m), 1 + i / 2, i % 2), ++i;
}

void ChartPanel::appendEvent(const QString& key, const QString& label, const QJsonObject& e) {
    if (const auto event = decodeEventObject(e))
        for (const auto& [metric, sample] : chartSamples(*event))
            chartFor(metric)->append(key, label, sample);
}

void ChartPanel::loadRuns(const QString& workspace, const QList<qint64>& runIds) {
    clear();
    const int gen = ++m_loadGeneration;
    auto* watcher = new QFutureWatcher<QList<LoadedRun>>(this);
    connect(watcher, &QFutureWatcher<QList<LoadedRun>>::finished, this, [this, watcher, gen] {
        watcher->deleteLater();
        if (gen != m_loadGeneration)
            return; // a newer request replaced this one
        for (const auto& r : watcher->result())
            for (auto it = r.series.cbegin(); it != r.series.cend(); ++it)
                chartFor(it.key())->setSeriesData(QStringLiteral("run%1").arg(r.id), r.label, it.value());
        Q_EMIT loaded();
    });
    watcher->setFuture(QtConcurrent::run(readRuns, QDir(workspace).filePath(QStringLiteral("micromind.db")), runIds));
}

void ChartPanel::removeSeries(const QString& key) {
    for (auto* c : m_charts)
        c->removeSeries(key);
}

void ChartPanel::clear() {
    for (auto* c : m_charts) {
        m_grid->removeWidget(c);
        c->deleteLater();
    }
    m_charts.clear();
    m_order.clear();
    relayout();
}

bool ChartPanel::exportAll(const QString& dir, QString* error) {
    if (!QDir().mkpath(dir)) {
        if (error)
            *error = tr("could not create %1").arg(dir);
        return false;
    }
    const QDir d(dir);
    for (auto* c : charts()) {
        if (!c->exportPng(d.filePath(c->metric() + QStringLiteral(".png")), error) ||
            !c->exportSvg(d.filePath(c->metric() + QStringLiteral(".svg")), error))
            return false;
        QSaveFile f(d.filePath(c->metric() + QStringLiteral(".csv")));
        if (!f.open(QIODevice::WriteOnly) || f.write(c->toCsv().toUtf8()) < 0 || !f.commit()) {
            if (error)
                *error = tr("could not write %1: %2").arg(f.fileName(), f.errorString());
            return false;
        }
    }
    return true;
}

void ChartPanel::exportInteractive() {
    if (m_charts.isEmpty())
        return;
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Export charts to folder"));
    if (dir.isEmpty())
        return;
    QString err;
    if (!exportAll(dir, &err))
        QMessageBox::warning(this, tr("Export failed"), err);
}

} // namespace mm::ui
