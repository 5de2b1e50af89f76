#include "judge_dialog.h"

#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QUrl>
#include <QVBoxLayout>

namespace mm::ui {

JudgeDialog::JudgeDialog(const JudgeSettings& s, const QString& apiKey, QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("LLM judge"));
    setObjectName(QStringLiteral("judgeDialog"));
    m_url = new QLineEdit(s.baseUrl, this);
    m_url->setObjectName(QStringLiteral("baseUrl"));
    m_url->setPlaceholderText(QStringLiteral("https://api.deepseek.com/v1"));
    m_model = new QLineEdit(s.model, this);
    m_model->setObjectName(QStringLiteral("judgeModel"));
    m_model->setPlaceholderText(QStringLiteral("deepseek-chat"));
    m_key = new QLineEdit(apiKey, this);
    m_key->setObjectName(QStringLiteral("apiKey"));
    m_key->setEchoMode(QLineEdit::Password);
    m_key->setPlaceholderText(tr("empty for a local endpoint without a key"));
    m_attempts = new QSpinBox(this);
    m_attempts->setRange(1, 20);
    m_attempts->setValue(s.attempts);
    m_timeout = new QDoubleSpinBox(this);
    m_timeout->setRange(1, 3600);
    m_timeout->setDecimals(0);
    m_timeout->setSuffix(tr(" s"));
    m_timeout->setValue(s.timeoutSeconds);
    m_maxTokens = new QSpinBox(this);
    m_maxTokens->setRange(16, 65536);
    m_maxTokens->setValue(s.maxTokens);
    m_promptSet = new QLineEdit(s.promptSet, this);
    m_promptSet->setPlaceholderText(tr("all prompt sets"));
    m_modes = new QLineEdit(s.modelModes, this);
    m_modes->setToolTip(tr("all (every model with stored answers) or a list such as 0,1,2"));

    auto* form = new QFormLayout;
    form->addRow(tr("Endpoint URL:"), m_url);
    form->addRow(tr("Judge model:"), m_model);
    form->addRow(tr("API key:"), m_key);
    form->addRow(tr("Attempts per model:"), m_attempts);
    form->addRow(tr("Time limit per model:"), m_timeout);
    form->addRow(tr("Reply token limit:"), m_maxTokens);
    form->addRow(tr("Prompt set:"), m_promptSet);
    form->addRow(tr("Models:"), m_modes);
    auto* note = new QLabel(tr("Any OpenAI-compatible chat-completions endpoint: DeepSeek, OpenAI, Ollama "
                               "(http://127.0.0.1:11434/v1) or `micromind serve`. The URL and model are saved in the "
                               "workspace's settings.json; the key is kept in memory for this session only and "
                               "passed to the judge process in its environment."),
                            this);
    note->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Run judge"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* lay = new QVBoxLayout(this);
    lay->addLayout(form);
    lay->addWidget(note);
    lay->addWidget(buttons);
    auto check = [this, buttons] {
        validate();
        buttons->button(QDialogButtonBox::Ok)
            ->setEnabled(m_url->property("valid").toBool() && !m_model->text().trimmed().isEmpty());
    };
    connect(m_url, &QLineEdit::textChanged, this, check);
    connect(m_model, &QLineEdit::textChanged, this, check);
    check();
}

void JudgeDialog::validate() {
    const QUrl u(m_url->text().trimmed(), QUrl::StrictMode);
    const bool ok = u.isValid() && (u.scheme() == QLatin1String("http") || u.scheme() == QLatin1String("https")) &&
                    !u.host().isEmpty();
    m_url->setProperty("valid", ok);
    m_url->setStyleSheet(ok || m_url->text().isEmpty() ? QString() : QStringLiteral("color:#b00020"));
    m_url->setToolTip(ok ? QString() : tr("An http:// or https:// URL, e.g. https://api.deepseek.com/v1"));
}

JudgeSettings JudgeDialog::settings() const {
    JudgeSettings s;
    s.baseUrl = m_url->text().trimmed();
    s.model = m_model->text().trimmed();
    s.attempts = m_attempts->value();
    s.timeoutSeconds = m_timeout->value();
    s.maxTokens = m_maxTokens->value();
    s.promptSet = m_promptSet->text().trimmed();
    s.modelModes = m_modes->text().trimmed().isEmpty() ? QStringLiteral("all") : m_modes->text().trimmed();
    return s;
}

QString JudgeDialog::apiKey() const { return m_key->text(); }

} // namespace mm::ui
