#pragma once
// The Demo tab: what `micromind demo` measured, read from the demo workspace's
// reports/demo.json (the workspace is <demo>/out, the report <demo>/reports):
// one sentence per stage and the six models' figures beside their chance
// baselines. The figures and sentences come from the core's demo report, so the
// tab, reports/demo.md and the CLI's closing table agree.

#include <QWidget>

class QLabel;
class QTableWidget;

namespace mm::ui {

class DemoPanel : public QWidget {
    Q_OBJECT
public:
    explicit DemoPanel(QWidget* parent = nullptr);
    /// Shows <dir>/../reports/demo.json, or a hint when the workspace has none.
    void setWorkspace(const QString& dir);
    /// Reads the report again (after the demo finishes).
    void reload();
    /// The report file shown (it may not exist).
    QString reportPath() const { return m_path; }
    bool hasReport() const { return m_loaded; }

private:
    QString m_path;
    bool m_loaded = false;
    QLabel* m_status = nullptr;
    QLabel* m_findings = nullptr;
    QTableWidget* m_table = nullptr;
};

} // namespace mm::ui
