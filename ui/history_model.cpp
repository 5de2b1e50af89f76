#include "history_model.h"

#include <QDateTime>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

#include <filesystem>
#include <utility>

#include <nlohmann/json.hpp>

namespace mm::ui {

std::map<std::string, std::string> flattenConfig(const std::string& json, bool fileNamesOnly) {
    std::map<std::string, std::string> out;
    const nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
    if (!j.is_object())
        return out;
    const auto text = [](const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); };
    const auto add = [&](const std::string& key, const std::string& leaf, std::string v) {
        if (fileNamesOnly && (leaf.find("path") != std::string::npos || leaf == "tokenizer" || leaf == "eval_data"))
            v = std::filesystem::path(v).filename().string();
        out[key] = std::move(v);
    };
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (it->is_object())
            for (auto jt = it->begin(); jt != it->end(); ++jt)
                add(it.key() + "." + jt.key(), jt.key(), text(*jt));
        else
            add(it.key(), it.key(), text(*it));
    }
    return out;
}

namespace {

struct LoadResult {
    std::vector<store::RunRecord> runs;
    QString error;
};

LoadResult loadRuns(const QString& dbPath) {
    LoadResult r;
    try {
        store::History h(dbPath.toStdString());
        r.runs = h.listRuns();
    } catch (const std::exception& e) {
        r.error = QString::fromStdString(e.what());
    }
    return r;
}

QDateTime parseIso(const std::string& s) { return QDateTime::fromString(QString::fromStdString(s), Qt::ISODate); }

double durationSeconds(const store::RunRecord& r) {
    const QDateTime a = parseIso(r.startedAt);
    QDateTime b = parseIso(r.endedAt);
    if (!a.isValid())
        return -1;
    if (!b.isValid())
        b = r.status == "running" ? QDateTime::currentDateTimeUtc() : a;
    return double(a.secsTo(b));
}

QString formatDuration(double s) {
    if (s < 0)
        return {};
    const qint64 t = qint64(s);
    if (t < 60)
        return QStringLiteral("%1 s").arg(t);
    if (t < 3600)
        return QStringLiteral("%1:%2").arg(t / 60).arg(t % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2:%3")
        .arg(t / 3600)
        .arg((t % 3600) / 60, 2, 10, QLatin1Char('0'))
        .arg(t % 60, 2, 10, QLatin1Char('0'));
}

QString formatCount(double n) {
    if (n >= 1e9)
        return QString::number(n / 1e9, 'f', 2) + QStringLiteral("B");
    if (n >= 1e6)
        return QString::number(n / 1e6, 'f', 2) + QStringLiteral("M");
    if (n >= 1e4)
        return QString::number(n / 1e3, 'f', 1) + QStringLiteral("k");
    return QString::number(qint64(n));
}

} // namespace

RunsModel::RunsModel(QObject* parent) : QAbstractTableModel(parent) {}

void RunsModel::reload(const QString& dbPath) {
    if (m_loading) {
        // The running read may predate a change: read again when it is done.
        m_pendingReload = dbPath;
        return;
    }
    if (!QFileInfo::exists(dbPath)) {
        setRuns({});
        Q_EMIT reloaded();
        return;
    }
    m_loading = true;
    auto* w = new QFutureWatcher<LoadResult>(this);
    connect(w, &QFutureWatcher<LoadResult>::finished, this, [this, w] {
        w->deleteLater();
        m_loading = false;
        LoadResult r = w->result();
        if (!m_pendingReload.isEmpty()) {
            const QString again = std::exchange(m_pendingReload, QString());
            reload(again);
            return;
        }
        if (!r.error.isEmpty()) {
            Q_EMIT loadFailed(r.error);
            return;
        }
        setRuns(std::move(r.runs));
        Q_EMIT reloaded();
    });
    w->setFuture(QtConcurrent::run(loadRuns, dbPath));
}

void RunsModel::setRuns(std::vector<store::RunRecord> runs) {
    // Same ids in the same order: update in place so selections survive polling.
    bool sameRows = runs.size() == m_runs.size();
    for (size_t i = 0; sameRows && i < runs.size(); ++i)
        sameRows = runs[i].id == m_runs[i].id;
    if (sameRows) {
        m_runs = std::move(runs);
        if (!m_runs.empty())
            Q_EMIT dataChanged(index(0, 0), index(int(m_runs.size()) - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_runs = std::move(runs);
    endResetModel();
}

const store::RunRecord* RunsModel::runAt(int row) const {
    return row >= 0 && size_t(row) < m_runs.size() ? &m_runs[size_t(row)] : nullptr;
}

const store::RunRecord* RunsModel::runById(qint64 id) const {
    for (const auto& r : m_runs)
        if (r.id == id)
            return &r;
    return nullptr;
}

QString RunsModel::keyConfig(const store::RunRecord& r) {
    try {
        const auto j = nlohmann::json::parse(r.configJson);
        QStringList parts;
        if (j.contains("model") && j["model"].is_object()) {
            const auto& m = j["model"];
            parts << QStringLiteral("h%1 L%2%3")
                         .arg(m.value("hidden_size", 0))
                         .arg(m.value("num_hidden_layers", 0))
                         .arg(m.value("use_moe", false) ? QStringLiteral(" MoE") : QString());
        }
        if (j.contains("batch_size"))
            parts << QStringLiteral("bs%1×%2").arg(j.value("batch_size", 0LL)).arg(j.value("accumulation_steps", 1LL));
        if (j.contains("learning_rate"))
            parts << QStringLiteral("lr %1").arg(j.value("learning_rate", 0.0), 0, 'g', 3);
        if (j.contains("max_seq_len"))
            parts << QStringLiteral("seq %1").arg(j.value("max_seq_len", 0LL));
        if (j.contains("model_mode"))
            parts << QStringLiteral("mode %1").arg(j.value("model_mode", 0LL));
        return parts.join(QStringLiteral(" · "));
    } catch (const std::exception&) {
        return {};
    }
}

QString RunsModel::displayStatus(const QString& s) {
    if (s == QLatin1String("running"))
        return tr("running");
    if (s == QLatin1String("completed"))
        return tr("completed");
    if (s == QLatin1String("failed"))
        return tr("failed");
    if (s == QLatin1String("interrupted"))
        return tr("interrupted");
    if (s == QLatin1String("stopped"))
        return tr("stopped");
    return s;
}

int RunsModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_runs.size()); }
int RunsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant RunsModel::data(const QModelIndex& index, int role) const {
    const auto* r = runAt(index.row());
    if (!r)
        return {};
    if (role == RunIdRole)
        return qint64(r->id);
    const bool raw = role == RawRole;
    if (role != Qt::DisplayRole && !raw && role != Qt::ToolTipRole)
        return {};
    switch (Column(index.column())) {
    case Id: return qint64(r->id);
    case Stage: return QString::fromStdString(r->stage);
    case Status:
        if (role == Qt::ToolTipRole)
            return QString::fromStdString(r->message);
        return raw ? QString::fromStdString(r->status) : displayStatus(QString::fromStdString(r->status));
    case Parent: {
        const QString p = QString::fromStdString(r->parentCheckpoint);
        return role == Qt::ToolTipRole || raw ? p : QFileInfo(p).fileName();
    }
    case KeyConfig: return keyConfig(*r);
    case FinalLoss:
        if (!r->finalLoss)
            return raw ? QVariant(qQNaN()) : QVariant();
        return raw ? QVariant(*r->finalLoss) : QVariant(QString::number(*r->finalLoss, 'f', 4));
    case Tokens: return raw ? QVariant(qint64(r->tokens)) : QVariant(formatCount(double(r->tokens)));
    case Steps: return qint64(r->steps);
    case Duration: {
        const double d = durationSeconds(*r);
        return raw ? QVariant(d) : QVariant(formatDuration(d));
    }
    case Started: {
        const QDateTime t = parseIso(r->startedAt);
        return raw ? QVariant(t) : QVariant(t.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")));
    }
    case ColumnCount: break;
    }
    return {};
}

QVariant RunsModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Id: return tr("Run");
    case Stage: return tr("Stage");
    case Status: return tr("Status");
    case Parent: return tr("Parent");
    case KeyConfig: return tr("Key config");
    case FinalLoss: return tr("Final loss");
    case Tokens: return tr("Tokens");
    case Steps: return tr("Steps");
    case Duration: return tr("Duration");
    case Started: return tr("Started");
    case ColumnCount: break;
    }
    return {};
}

RunsFilterModel::RunsFilterModel(QObject* parent) : QSortFilterProxyModel(parent) {
    setSortRole(RunsModel::RawRole);
    setDynamicSortFilter(true);
}

void RunsFilterModel::setText(const QString& text) {
    m_text = text.trimmed();
    invalidateFilter();
}

void RunsFilterModel::setStatus(const QString& status) {
    m_status = status;
    invalidateFilter();
}

bool RunsFilterModel::filterAcceptsRow(int row, const QModelIndex& parent) const {
    auto* m = qobject_cast<RunsModel*>(sourceModel());
    const auto* r = m ? m->runAt(row) : nullptr;
    if (!r)
        return false;
    if (!m_status.isEmpty() && QString::fromStdString(r->status) != m_status)
        return false;
    if (m_text.isEmpty())
        return true;
    const QString hay = QStringLiteral("%1 %2 %3 %4 %5 #%6")
                            .arg(QString::fromStdString(r->stage), QString::fromStdString(r->status),
                                 QString::fromStdString(r->parentCheckpoint), QString::fromStdString(r->outCheckpoint),
                                 RunsModel::keyConfig(*r))
                            .arg(r->id);
    return hay.contains(m_text, Qt::CaseInsensitive);
}

} // namespace mm::ui
