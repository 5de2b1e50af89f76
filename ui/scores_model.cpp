#include "scores_model.h"

#include "eval/scores.h"
#include "store/history.h"

#include <QBrush>
#include <QDir>
#include <QFileInfo>
#include <QFont>

#include <cmath>

namespace mm::ui {

ScoreTableModel::ScoreTableModel(QObject* parent) : QAbstractTableModel(parent) { reload(); }

void ScoreTableModel::setWorkspace(const QString& workspace) {
    m_workspace = workspace;
    QString error;
    if (!reload(&error))
        Q_EMIT errorOccurred(error);
}

bool ScoreTableModel::reload(QString* error) {
    beginResetModel();
    m_rows.clear();
    std::vector<store::ScoreRecord> records;
    bool ok = true;
    const QString db = QDir(m_workspace).absoluteFilePath(QStringLiteral("micromind.db"));
    if (!m_workspace.isEmpty() && QFileInfo::exists(db)) {
        try {
            records = store::History(db.toStdString()).scores();
        } catch (const std::exception& e) {
            ok = false;
            if (error)
                *error = QString::fromStdString(e.what());
        }
    }
    const eval::ScoreTable table = eval::buildScoreTable(records);
    for (const auto& r : table.rows) {
        Row row;
        row.mode = r.mode;
        row.values = r.values;
        row.manual = r.manual;
        row.judge = QString::fromStdString(r.judgeModel);
        for (const auto& rec : records) // oldest first: the last match is the latest
            if (rec.modelMode == r.mode && !rec.manual)
                row.comment = QString::fromStdString(rec.rawReply);
        m_rows.push_back(row);
    }
    endResetModel();
    return ok;
}

bool ScoreTableModel::setManualScore(int mode, int dimension, double value, QString* error) {
    if (dimension < 0 || dimension > 2 || !(value >= 0 && value <= 10)) {
        if (error)
            *error = tr("A score is a number from 0 to 10.");
        return false;
    }
    if (m_workspace.isEmpty()) {
        if (error)
            *error = tr("Choose a workspace first.");
        return false;
    }
    try {
        QDir().mkpath(m_workspace);
        store::History h(QDir(m_workspace).absoluteFilePath(QStringLiteral("micromind.db")).toStdString());
        store::ScoreRecord r;
        r.modelMode = mode;
        r.dimension = eval::scoreDimensions()[size_t(dimension)].key;
        r.value = value;
        r.manual = true;
        r.rawReply = "edited in the workbench";
        h.addScore(r);
    } catch (const std::exception& e) {
        if (error)
            *error = QString::fromStdString(e.what());
        return false;
    }
    return reload(error);
}

const ScoreTableModel::Row* ScoreTableModel::rowFor(int mode) const {
    for (const auto& r : m_rows)
        if (r.mode == mode)
            return &r;
    return nullptr;
}

std::optional<double> ScoreTableModel::value(int mode, int dimension) const {
    const Row* r = rowFor(mode);
    return r && dimension >= 0 && dimension < 3 ? r->values[size_t(dimension)] : std::nullopt;
}

std::optional<double> ScoreTableModel::total(int mode) const {
    const Row* r = rowFor(mode);
    if (!r || !r->values[0] || !r->values[1] || !r->values[2])
        return std::nullopt;
    return *r->values[0] + *r->values[1] + *r->values[2];
}

bool ScoreTableModel::isManual(int mode, int dimension) const {
    const Row* r = rowFor(mode);
    return r && dimension >= 0 && dimension < 3 && r->manual[size_t(dimension)];
}

int ScoreTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(m_rows.size()); }

int ScoreTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ScoreTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row& r = m_rows[index.row()];
    const int c = index.column();
    const int dim = c - Language;
    std::optional<double> v;
    if (c >= Language && c <= Efficiency)
        v = r.values[size_t(dim)];
    else if (c == Total)
        v = total(r.mode);
    switch (role) {
    case Qt::DisplayRole:
        if (c == Mode) {
            static const char* names[] = {"pretrain", "full_sft", "rlhf", "reason", "lora+sft", "grpo"};
            return QStringLiteral("%1  %2").arg(r.mode).arg(r.mode >= 0 && r.mode <= 5 ? names[r.mode] : "");
        }
        if (c == Judge)
            return r.judge;
        return v ? QString::fromStdString(eval::formatScore(*v)) : QString();
    case Qt::EditRole: return v ? QVariant(*v) : QVariant(QString());
    case Qt::UserRole: // raw values for sorting and tests
        if (c == Mode)
            return r.mode;
        return v ? QVariant(*v) : QVariant();
    case Qt::TextAlignmentRole:
        return c == Mode || c == Judge ? QVariant(Qt::AlignLeft | Qt::AlignVCenter) : QVariant(Qt::AlignCenter);
    case Qt::FontRole:
        if (c >= Language && c <= Efficiency && r.manual[size_t(dim)]) {
            QFont f;
            f.setItalic(true);
            return f;
        }
        if (c == Total) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::ToolTipRole:
        if (c >= Language && c <= Efficiency) {
            if (r.manual[size_t(dim)])
                return tr("Entered by hand (overrides the judge). Double-click to change.");
            if (v)
                return tr("Judge %1. Double-click to correct it by hand.\n\n%2").arg(r.judge, r.comment.left(600));
            return tr("Double-click to enter a score (0-10) by hand.");
        }
        return {};
    default: return {};
    }
}

QVariant ScoreTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    // The seed's own column titles: the exported table keeps them verbatim.
    switch (section) {
    case Mode: return QStringLiteral("模型编号");
    case Language:
    case Knowledge:
    case Efficiency:
        return QString::fromStdString(eval::scoreDimensions()[size_t(section - Language)].title) +
               QStringLiteral(" (0-10)");
    case Total: return QStringLiteral("总分 (0-30)");
    case Judge: return tr("Judge");
    default: return {};
    }
}

Qt::ItemFlags ScoreTableModel::flags(const QModelIndex& index) const {
    Qt::ItemFlags f = QAbstractTableModel::flags(index);
    if (index.isValid() && index.column() >= Language && index.column() <= Efficiency)
        f |= Qt::ItemIsEditable;
    return f;
}

bool ScoreTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (role != Qt::EditRole || !index.isValid() || index.row() >= m_rows.size() || index.column() < Language ||
        index.column() > Efficiency)
        return false;
    const QString text = value.toString().trimmed();
    if (text.isEmpty())
        return false;
    bool ok = false;
    const double v = QString(text).replace(QLatin1Char(','), QLatin1Char('.')).toDouble(&ok);
    QString error;
    if (!ok || !setManualScore(m_rows[index.row()].mode, index.column() - Language, v, &error)) {
        Q_EMIT errorOccurred(ok ? error : tr("\"%1\" is not a number; a score is from 0 to 10.").arg(text));
        return false;
    }
    return true;
}

} // namespace mm::ui
