#pragma once
// The judge's endpoint settings: URL, model, API key, retries. The URL and
// model are remembered in the workspace's settings.json (which the CLI's
// `micromind judge` reads too); the key only for this session, in memory.

#include "judge_runner.h"

#include <QDialog>

class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace mm::ui {

class JudgeDialog : public QDialog {
    Q_OBJECT
public:
    JudgeDialog(const JudgeSettings& settings, const QString& apiKey, QWidget* parent = nullptr);
    JudgeSettings settings() const;
    QString apiKey() const;

private:
    void validate();
    QLineEdit* m_url;
    QLineEdit* m_model;
    QLineEdit* m_key;
    QSpinBox* m_attempts;
    QDoubleSpinBox* m_timeout;
    QSpinBox* m_maxTokens;
    QLineEdit* m_promptSet;
    QLineEdit* m_modes;
};

} // namespace mm::ui
