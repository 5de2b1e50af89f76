#include "history_panel.h"

#include "chart_panel.h"
#include "history_model.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <map>
#include <set>

#include <nlohmann/json.hpp>

namespace mm::ui {

HistoryPanel::HistoryPanel(QWidget* parent) : QWidget(parent) {
    m_model = new RunsModel(this);
    m_proxy = new RunsFilterModel(this);
    m_proxy->setSourceModel(m_model);

    auto* bar = new QHBoxLayout;
    m_filter = new QLineEdit(this);
    m_filter->setObjectName(QStringLiteral("historyFilter"));
    m_filter->setPlaceholderText(tr("Filter: stage, checkpoint, config…"));
    m_filter->setClearButtonEnabled(true);
    bar->addWidget(m_filter, 1);
    m_status = new QComboBox(this);
    m_status->setObjectName(QStringLiteral("historyStatus"));
    m_status->addItem(tr("All statuses"), QString());
    for (const char* s : {"running", "completed", "stopped", "failed", "interrupted"})
        m_status->addItem(RunsModel::displayStatus(QString::fromLatin1(s)), QString::fromLatin1(s));
    bar->addWidget(m_status);
    m_open = new QPushButton(tr("Open charts"), this);
    m_open->setObjectName(QStringLiteral("openChartsButton"));
    m_open->setToolTip(tr("Overlay the curves of the selected runs"));
    m_compare = new QPushButton(tr("Compare configs"), this);
    m_compare->setObjectName(QStringLiteral("compareConfigsButton"));
    m_delete = new QPushButton(tr("Delete…"), this);
    m_delete->setObjectName(QStringLiteral("deleteRunButton"));
    auto* refreshButton = new QPushButton(tr("Refresh"), this);
    bar->addWidget(m_open);
    bar->addWidget(m_compare);
    bar->addWidget(m_delete);
    bar->addWidget(refreshButton);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("historyTable"));
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(RunsModel::Id, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setAlternatingRowColors(true);

    m_charts = new ChartPanel(this);
    m_charts->setObjectName(QStringLiteral("historyCharts"));
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_view);
    split->addWidget(m_charts);
    split->setStretchFactor(1, 2);

    auto* lay = new QVBoxLayout(this);
    lay->addLayout(bar);
    lay->addWidget(split, 1);

    connect(m_filter, &QLineEdit::textChanged, m_proxy, &RunsFilterModel::setText);
    connect(m_status, &QComboBox::currentIndexChanged, this,
            [this] { m_proxy->setStatus(m_status->currentData().toString()); });
    connect(m_open, &QPushButton::clicked, this, &HistoryPanel::openCharts);
    connect(m_compare, &QPushButton::clicked, this, &HistoryPanel::compareConfigs);
    connect(m_delete, &QPushButton::clicked, this, &HistoryPanel::deleteSelected);
    connect(refreshButton, &QPushButton::clicked, this, &HistoryPanel::refresh);
    connect(m_view, &QTableView::doubleClicked, this, &HistoryPanel::openCharts);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &HistoryPanel::updateButtons);
    connect(m_model, &RunsModel::reloaded, this, [this] {
        m_view->resizeColumnsToContents();
        updateButtons();
    });
    // Runs started from the CLI in the same workspace show up by polling.
    m_poll = new QTimer(this);
    m_poll->setInterval(3000);
    connect(m_poll, &QTimer::timeout, this, [this] {
        if (isVisible())
            refresh();
    });
    m_poll->start();
    updateButtons();
}

void HistoryPanel::setWorkspace(const QString& dir) {
    m_workspace = dir;
    m_charts->clear();
    refresh();
}

void HistoryPanel::refresh() {
    if (!m_workspace.isEmpty())
        m_model->reload(QDir(m_workspace).filePath(QStringLiteral("micromind.db")));
}

QList<qint64> HistoryPanel::selectedRunIds() const {
    QList<qint64> ids;
    for (const auto& idx : m_view->selectionModel()->selectedRows())
        ids << idx.data(RunsModel::RunIdRole).toLongLong();
    std::sort(ids.begin(), ids.end());
    return ids;
}

void HistoryPanel::selectRuns(const QList<qint64>& ids) {
    m_view->clearSelection();
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        const QModelIndex idx = m_proxy->index(row, 0);
        if (ids.contains(idx.data(RunsModel::RunIdRole).toLongLong()))
            m_view->selectionModel()->select(idx, QItemSelectionModel::Select | QItemSelectionModel::Rows);
    }
}

void HistoryPanel::updateButtons() {
    const int n = int(m_view->selectionModel()->selectedRows().size());
    m_open->setEnabled(n >= 1);
    m_compare->setEnabled(n >= 2);
    m_delete->setEnabled(n >= 1);
}

void HistoryPanel::openCharts() {
    const auto ids = selectedRunIds();
    if (!ids.isEmpty())
        m_charts->loadRuns(m_workspace, ids);
}

void HistoryPanel::compareConfigs() {
    QList<QPair<QString, QString>> configs;
    for (qint64 id : selectedRunIds())
        if (const auto* r = m_model->runById(id))
            configs << qMakePair(QStringLiteral("%1 #%2").arg(QString::fromStdString(r->stage)).arg(id),
                                 QString::fromStdString(r->configJson));
    if (configs.size() < 2)
        return;
    QDialog dlg(this);
    dlg.setWindowTitle(tr("Compare run configs"));
    dlg.resize(760, 520);
    auto* diff = new ConfigDiffWidget(&dlg);
    diff->setConfigs(configs);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dlg);
    connect(buttons, &QDialogButtonBox::rejected, &dlg, &QDialog::reject);
    auto* lay = new QVBoxLayout(&dlg);
    lay->addWidget(diff, 1);
    lay->addWidget(buttons);
    // Compare the curves as well: overlay them below the table.
    m_charts->loadRuns(m_workspace, selectedRunIds());
    dlg.exec();
}

QString HistoryPanel::deleteRuns(const QList<qint64>& ids) {
    QStringList errors;
    try {
        store::History h(QDir(m_workspace).filePath(QStringLiteral("micromind.db")).toStdString());
        for (qint64 id : ids) {
            try {
                for (const auto& f : h.deleteRun(id)) {
                    // Paths are relative to the run's working directory: the workspace.
                    const QString path = QDir(m_workspace).absoluteFilePath(QString::fromStdString(f));
                    QStringList files{path};
                    if (path.endsWith(QLatin1String(".pth")))
                        files << path.left(path.size() - 4) + QStringLiteral(".json");
                    for (const auto& p : files)
                        if (QFileInfo::exists(p) && !QFile::remove(p))
                            errors << tr("could not delete %1").arg(p);
                }
            } catch (const std::exception& e) {
                errors << QString::fromStdString(e.what());
            }
        }
    } catch (const std::exception& e) {
        errors << QString::fromStdString(e.what());
    }
    refresh();
    return errors.join(QLatin1Char('\n'));
}

void HistoryPanel::deleteSelected() {
    const auto ids = selectedRunIds();
    if (ids.isEmpty())
        return;
    QStringList names;
    for (qint64 id : ids)
        if (const auto* r = m_model->runById(id))
            names << QStringLiteral("#%1 %2 → %3")
                         .arg(id)
                         .arg(QString::fromStdString(r->stage), QString::fromStdString(r->outCheckpoint));
    const auto answer =
        QMessageBox::question(this, tr("Delete runs"),
                              tr("Delete %n run(s) with their metrics and the checkpoint files no other run wrote?",
                                 nullptr, int(ids.size())) +
                                  QStringLiteral("\n\n") + names.join(QLatin1Char('\n')),
                              QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
    if (answer != QMessageBox::Yes)
        return;
    const QString err = deleteRuns(ids);
    if (!err.isEmpty())
        QMessageBox::warning(this, tr("Delete runs"), err);
}

ConfigDiffWidget::ConfigDiffWidget(QWidget* parent) : QWidget(parent) {
    auto* only = new QCheckBox(tr("Differences only"), this);
    only->setObjectName(QStringLiteral("differencesOnly"));
    only->setChecked(true);
    m_table = new QTableWidget(this);
    m_table->setObjectName(QStringLiteral("configDiffTable"));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    auto* lay = new QVBoxLayout(this);
    lay->setContentsMargins(0, 0, 0, 0);
    lay->addWidget(only);
    lay->addWidget(m_table, 1);
    connect(only, &QCheckBox::toggled, this, &ConfigDiffWidget::setDifferencesOnly);
}

void ConfigDiffWidget::setConfigs(const QList<QPair<QString, QString>>& configs) {
    m_configs = configs;
    rebuild();
}

void ConfigDiffWidget::setDifferencesOnly(bool on) {
    m_diffOnly = on;
    rebuild();
}

QStringList ConfigDiffWidget::shownKeys() const { return m_shown; }

void ConfigDiffWidget::rebuild() {
    std::vector<std::map<std::string, std::string>> flat;
    std::set<std::string> keys;
    for (const auto& c : m_configs) {
        flat.push_back(flattenConfig(c.second.toStdString()));
        for (const auto& [k, v] : flat.back())
            keys.insert(k);
    }
    m_shown.clear();
    for (const auto& k : keys) {
        bool differ = false;
        for (size_t i = 1; i < flat.size(); ++i)
            differ = differ || flat[i][k] != flat[0][k];
        if (differ || !m_diffOnly)
            m_shown << QString::fromStdString(k);
    }
    m_table->clear();
    m_table->setColumnCount(int(m_configs.size()));
    m_table->setRowCount(int(m_shown.size()));
    QStringList headers;
    for (const auto& c : m_configs)
        headers << c.first;
    m_table->setHorizontalHeaderLabels(headers);
    m_table->setVerticalHeaderLabels(m_shown);
    for (int r = 0; r < m_shown.size(); ++r)
        for (int c = 0; c < int(flat.size()); ++c) {
            auto it = flat[size_t(c)].find(m_shown[r].toStdString());
            m_table->setItem(r, c,
                             new QTableWidgetItem(it == flat[size_t(c)].end() ? QStringLiteral("—")
                                                                              : QString::fromStdString(it->second)));
        }
    m_table->resizeColumnsToContents();
}

} // namespace mm::ui
