#include "demo_panel.h"

#include "common/error.h"
#include "common/fs.h"
#include "eval/demo_report.h"

#include <QDir>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace mm::ui {

namespace {

/// The column titles of eval::demoColumns(), in its order, for translation.
QStringList columnTitles() {
    return {DemoPanel::tr("exact match, trained questions"),
            DemoPanel::tr("exact match, held-out"),
            DemoPanel::tr("held-out authors"),
            DemoPanel::tr("held-out answer loss"),
            DemoPanel::tr("Song ci held-out loss"),
            DemoPanel::tr("DPO preference accuracy"),
            DemoPanel::tr("think/answer format"),
            DemoPanel::tr("held-out reward")};
}

} // namespace

DemoPanel::DemoPanel(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("demoPanel"));
    auto* lay = new QVBoxLayout(this);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("demoStatus"));
    m_status->setWordWrap(true);
    m_findings = new QLabel(this);
    m_findings->setObjectName(QStringLiteral("demoFindings"));
    m_findings->setWordWrap(true);
    m_findings->setTextFormat(Qt::RichText);
    m_findings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_table = new QTableWidget(this);
    m_table->setObjectName(QStringLiteral("demoTable"));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(false);
    lay->addWidget(m_status);
    lay->addWidget(m_findings);
    lay->addWidget(m_table, 1);
    setWorkspace(QString());
}

void DemoPanel::setWorkspace(const QString& dir) {
    m_path = dir.isEmpty()
                 ? QString()
                 : QDir(QFileInfo(dir).absoluteFilePath()).absoluteFilePath(QStringLiteral("../reports/demo.json"));
    m_path = QDir::cleanPath(m_path);
    reload();
}

void DemoPanel::reload() {
    m_loaded = false;
    m_findings->clear();
    m_table->clear();
    m_table->setRowCount(0);
    m_table->setColumnCount(0);
    if (m_path.isEmpty() || !QFileInfo::exists(m_path)) {
        m_status->setText(tr("No demo report in this workspace. Workspace → Open demo workspace… trains the five "
                             "models on Debian's fortunes-zh and shows here what each stage did."));
        return;
    }
    eval::DemoReport report;
    try {
        const std::string path = m_path.toStdString();
        const auto j = nlohmann::json::parse(fs::readFile(path), nullptr, false);
        if (j.is_discarded())
            throw InputError(path + ": not valid JSON; rerun `micromind demo` to rewrite it");
        report = eval::demoReportFromJson(j, path);
    } catch (const std::exception& e) {
        m_status->setText(tr("The demo report cannot be read: %1").arg(QString::fromUtf8(e.what())));
        return;
    }
    m_loaded = true;
    m_status->setText(tr("What each stage did, measured by `micromind demo` in %1 (%2):")
                          .arg(QDir::toNativeSeparators(m_path))
                          .arg(tr("%1 min %2 s")
                                   .arg(int(report.seconds) / 60)
                                   .arg(int(report.seconds) % 60, 2, 10, QLatin1Char('0'))));
    QString html = QStringLiteral("<ul>");
    for (const auto& f : eval::demoFindings(report))
        html += QStringLiteral("<li>%1</li>").arg(QString::fromStdString(f).toHtmlEscaped());
    m_findings->setText(html + QStringLiteral("</ul>"));

    const QStringList cols = columnTitles();
    Q_ASSERT(size_t(cols.size()) == eval::demoColumns().size());
    m_table->setColumnCount(2 + int(cols.size()));
    m_table->setHorizontalHeaderLabels(QStringList{tr("mode"), tr("model")} + cols);
    const auto rows = eval::demoRows(report);
    m_table->setRowCount(int(rows.size()));
    for (int r = 0; r < int(rows.size()); ++r) {
        const auto& row = rows[size_t(r)];
        const bool chance = row.mode.empty();
        m_table->setItem(r, 0, new QTableWidgetItem(chance ? QStringLiteral("–") : QString::fromStdString(row.mode)));
        m_table->setItem(r, 1, new QTableWidgetItem(chance ? tr("chance") : QString::fromStdString(row.name)));
        for (int c = 0; c < int(row.cells.size()); ++c) {
            auto* item = new QTableWidgetItem(
                row.cells[size_t(c)].empty() ? QStringLiteral("–") : QString::fromStdString(row.cells[size_t(c)]));
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(r, 2 + c, item);
        }
        if (chance)
            for (int c = 0; c < m_table->columnCount(); ++c)
                if (auto* it = m_table->item(r, c))
                    it->setForeground(palette().color(QPalette::PlaceholderText));
    }
}

} // namespace mm::ui
