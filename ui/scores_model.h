#pragma once
// The seed's score table as a Qt model: one row per model mode (0-4, and 5
// when it has scores), the three judging dimensions and the total. Values come
// from the workspace history (latest manual score, else latest judge score);
// editing a dimension cell stores a manual score there.

#include <QAbstractTableModel>
#include <QString>
#include <QVector>

#include <array>
#include <optional>

namespace mm::ui {

class ScoreTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Mode, Language, Knowledge, Efficiency, Total, Judge, ColumnCount };

    explicit ScoreTableModel(QObject* parent = nullptr);

    /// Reads the scores of `workspace`'s history (an empty table when it has none).
    void setWorkspace(const QString& workspace);
    /// Re-reads the history. False with `error` set when it cannot be read.
    bool reload(QString* error = nullptr);

    /// Stores a manual score (0-10) for a mode and dimension (0 language,
    /// 1 knowledge, 2 efficiency) and reloads; false with `error` set otherwise.
    bool setManualScore(int mode, int dimension, double value, QString* error = nullptr);
    /// The shown value of a cell, if any.
    std::optional<double> value(int mode, int dimension) const;
    std::optional<double> total(int mode) const;
    bool isManual(int mode, int dimension) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;

Q_SIGNALS:
    /// A manual edit or a reload failed.
    void errorOccurred(const QString& message);

private:
    struct Row {
        int mode = 0;
        std::array<std::optional<double>, 3> values;
        std::array<bool, 3> manual{};
        QString judge;
        QString comment; ///< the judge's latest raw reply for this mode (tooltip)
    };
    const Row* rowFor(int mode) const;
    QString m_workspace;
    QVector<Row> m_rows;
};

} // namespace mm::ui
