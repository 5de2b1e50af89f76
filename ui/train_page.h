#pragma once
// The Train tab: one generated form per stage, the equivalent command (copyable),
// presets, the pre-launch estimate, Launch and "Train all" (the queue
// pretrain -> full_sft -> dpo -> distill_reason, lora on full_sft).

#include "run_manager.h"

#include <QMap>
#include <QWidget>

class QComboBox;
class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QStackedWidget;

namespace mm::ui {

class Estimator;
struct Estimate;
class StageForm;

class TrainPage : public QWidget {
    Q_OBJECT
public:
    explicit TrainPage(QWidget* parent = nullptr);

    /// Stages with a form, in pipeline order.
    static QStringList stages();
    /// The chain "Train all" runs.
    static QStringList queueStages();
    void setWorkspace(const QString& dir);
    StageForm* form(const QString& stage) const { return m_forms.value(stage); }
    StageForm* currentForm() const;
    void showStage(const QString& stage);
    /// The queue items for "Train all" after validating every form (model
    /// fields copied from the pretrain form); empty when a form is invalid,
    /// which is then shown.
    QList<RunManager::QueueItem> buildQueue();
    /// The command shown under the form.
    QString shownCommand() const;

public Q_SLOTS:
    /// Validates the current form and emits launchRequested when it is valid.
    void launchCurrent();
    void trainAll();
    void copyCommand();
    void estimateCurrent();

Q_SIGNALS:
    void launchRequested(const QString& stage, const QStringList& flags, int processes);
    void queueRequested(const QList<mm::ui::RunManager::QueueItem>& items);

private:
    QSpinBox* m_processes = nullptr;
    void updateCommand();
    void updateQuickEstimate();
    void showEstimate(const Estimate& e);
    void reloadPresets();
    void savePreset();
    void loadPreset();
    void deletePreset();
    struct EstimateInput estimateInput() const;

    QListWidget* m_stageList = nullptr;
    QStackedWidget* m_stack = nullptr;
    QMap<QString, StageForm*> m_forms;
    QPlainTextEdit* m_command = nullptr;
    QComboBox* m_presets = nullptr;
    QLabel *m_params = nullptr, *m_tokens = nullptr, *m_flops = nullptr, *m_memory = nullptr, *m_eta = nullptr,
           *m_estStatus = nullptr;
    QPushButton* m_estimate = nullptr;
    Estimator* m_estimator = nullptr;
    QString m_workspace;
};

} // namespace mm::ui
