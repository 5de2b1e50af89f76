#include "interop_dialog.h"

#include "cli_path.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace mm::ui {

namespace {

QWidget* withButtons(QLineEdit* edit, const QList<QPushButton*>& buttons) {
    auto* w = new QWidget;
    auto* h = new QHBoxLayout(w);
    h->setContentsMargins(0, 0, 0, 0);
    h->addWidget(edit, 1);
    for (auto* b : buttons)
        h->addWidget(b);
    return w;
}

} // namespace

InteropDialog::InteropDialog(Kind kind, const QString& workspace, QWidget* parent)
    : QDialog(parent), m_kind(kind), m_workspace(workspace) {
    setWindowTitle(kind == Kind::Import ? tr("Import a model") : tr("Export a model"));
    auto* form = new QFormLayout;
    m_path = new QLineEdit(this);
    m_path->setObjectName(QStringLiteral("path"));
    if (kind == Kind::Import) {
        auto* file = new QPushButton(tr("File…"), this);
        auto* folder = new QPushButton(tr("Folder…"), this);
        connect(file, &QPushButton::clicked, this, [this] {
            const QString f =
                QFileDialog::getOpenFileName(this, tr("Checkpoint to import"), QString(),
                                             tr("Checkpoints (*.pth *.pt *.bin *.safetensors);;All files (*)"));
            if (!f.isEmpty())
                setPath(f);
        });
        connect(folder, &QPushButton::clicked, this, [this] {
            const QString d = QFileDialog::getExistingDirectory(this, tr("Transformers model folder"));
            if (!d.isEmpty())
                setPath(d);
        });
        m_path->setPlaceholderText(tr("minimind's full_sft_512.pth, a .safetensors file or a transformers folder"));
        form->addRow(tr("Source:"), withButtons(m_path, {file, folder}));
        m_name = new QLineEdit(this);
        m_name->setObjectName(QStringLiteral("name"));
        m_name->setToolTip(tr("The model goes to <workspace>/imported/<name>/ with its tokenizer, beside your own "
                              "models; the compare columns list it as <name>/<checkpoint>."));
        form->addRow(tr("Name:"), m_name);
        m_stage = new QComboBox(this);
        for (const char* s : {"auto", "pretrain", "full_sft", "rlhf", "reason", "grpo"})
            m_stage->addItem(QString::fromLatin1(s));
        m_stage->setToolTip(tr("Checkpoint kind (its file name); auto reads it from minimind's file name."));
        form->addRow(tr("Stage:"), m_stage);
        m_tokenizer = new QLineEdit(this);
        m_tokenizer->setPlaceholderText(tr("tokenizer.json beside the source (minimind: model/tokenizer.json)"));
        auto* tokBrowse = new QPushButton(tr("Browse…"), this);
        connect(tokBrowse, &QPushButton::clicked, this, [this] {
            const QString f = QFileDialog::getOpenFileName(this, tr("Tokenizer"), QString(),
                                                           tr("Tokenizers (tokenizer.json *.model);;All files (*)"));
            if (!f.isEmpty())
                m_tokenizer->setText(f);
        });
        form->addRow(tr("Tokenizer:"), withButtons(m_tokenizer, {tokBrowse}));
        connect(m_path, &QLineEdit::textChanged, this, [this](const QString& p) {
            if (m_name->isModified())
                return;
            const QFileInfo fi(p);
            QString n = fi.isDir() ? fi.fileName() : fi.completeBaseName();
            n.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9_.-]")), QStringLiteral("_"));
            m_name->setText(n);
        });
    } else {
        m_mode = new QComboBox(this);
        const QStringList modes{tr("0 pretrain"), tr("1 full_sft"), tr("2 rlhf"),
                                tr("3 reason"),   tr("4 lora+sft"), tr("5 grpo")};
        for (int i = 0; i < modes.size(); ++i)
            m_mode->addItem(modes[i], i);
        m_mode->setCurrentIndex(1);
        form->addRow(tr("Model:"), m_mode);
        m_name = new QLineEdit(this);
        m_name->setPlaceholderText(tr("LoRA adapter name (mode 4), e.g. lora_medical"));
        form->addRow(tr("LoRA:"), m_name);
        m_format = new QComboBox(this);
        m_format->addItem(tr("transformers folder (LlamaForCausalLM, vLLM)"), QStringLiteral("hf"));
        m_format->addItem(tr("GGUF file (llama.cpp, ollama)"), QStringLiteral("gguf"));
        form->addRow(tr("Format:"), m_format);
        m_dtype = new QComboBox(this);
        for (const char* s : {"auto", "float32", "float16", "bfloat16", "q8_0"})
            m_dtype->addItem(QString::fromLatin1(s));
        form->addRow(tr("Weights:"), m_dtype);
        auto* browse = new QPushButton(tr("Browse…"), this);
        connect(browse, &QPushButton::clicked, this, [this] {
            const bool gguf = m_format->currentData().toString() == QLatin1String("gguf");
            const QString f =
                gguf ? QFileDialog::getSaveFileName(this, tr("GGUF file"), m_workspace, tr("GGUF (*.gguf)"))
                     : QFileDialog::getExistingDirectory(this, tr("Folder to write"), m_workspace);
            if (!f.isEmpty())
                setPath(f);
        });
        form->addRow(tr("Output:"), withButtons(m_path, {browse}));
        connect(m_format, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_path->isModified() || m_path->text().isEmpty()) {
                const bool gguf = m_format->currentData().toString() == QLatin1String("gguf");
                m_path->setText(
                    QDir(m_workspace)
                        .absoluteFilePath(gguf ? QStringLiteral("export/model.gguf") : QStringLiteral("export/hf")));
            }
        });
        m_path->setText(QDir(m_workspace).absoluteFilePath(QStringLiteral("export/hf")));
    }
    m_log = new QPlainTextEdit(this);
    m_log->setObjectName(QStringLiteral("log"));
    m_log->setReadOnly(true);
    m_log->setMinimumSize(620, 180);
    m_status = new QLabel(this);
    m_status->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_run = buttons->addButton(kind == Kind::Import ? tr("&Import") : tr("&Export"), QDialogButtonBox::ActionRole);
    m_run->setObjectName(QStringLiteral("run"));
    connect(m_run, &QPushButton::clicked, this, &InteropDialog::start);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_path, &QLineEdit::textChanged, this, &InteropDialog::updateState);
    auto* v = new QVBoxLayout(this);
    v->addLayout(form);
    v->addWidget(m_log, 1);
    v->addWidget(m_status);
    v->addWidget(buttons);
    updateState();
}

InteropDialog::~InteropDialog() {
    if (m_proc && m_proc->state() != QProcess::NotRunning) {
        m_proc->kill();
        m_proc->waitForFinished(2000);
    }
}

QStringList InteropDialog::arguments() const {
    QStringList a;
    if (m_kind == Kind::Import) {
        a << QStringLiteral("import") << QStringLiteral("--from") << m_path->text() << QStringLiteral("--out_dir")
          << m_workspace;
        if (!m_name->text().isEmpty())
            a << QStringLiteral("--name") << m_name->text();
        a << QStringLiteral("--stage") << m_stage->currentText();
        if (!m_tokenizer->text().isEmpty())
            a << QStringLiteral("--tokenizer") << m_tokenizer->text();
    } else {
        a << QStringLiteral("export") << QStringLiteral("--out_dir") << m_workspace << QStringLiteral("--model_mode")
          << QString::number(m_mode->currentData().toInt());
        if (m_mode->currentData().toInt() == 4 && !m_name->text().isEmpty())
            a << QStringLiteral("--lora_name") << m_name->text();
        a << QStringLiteral("--format") << m_format->currentData().toString() << QStringLiteral("--dtype")
          << m_dtype->currentText() << QStringLiteral("--output") << m_path->text() << QStringLiteral("--force");
    }
    return a;
}

void InteropDialog::setPath(const QString& path) { m_path->setText(path); }
void InteropDialog::setName(const QString& name) {
    m_name->setText(name);
    m_name->setModified(true);
}
void InteropDialog::setFormat(const QString& format) {
    if (m_format)
        m_format->setCurrentIndex(m_format->findData(format));
}
void InteropDialog::setModelMode(int mode) {
    if (m_mode)
        m_mode->setCurrentIndex(m_mode->findData(mode));
}
void InteropDialog::setDtype(const QString& dtype) {
    if (m_dtype)
        m_dtype->setCurrentText(dtype);
}
QString InteropDialog::log() const { return m_log->toPlainText(); }
bool InteropDialog::running() const { return m_proc && m_proc->state() != QProcess::NotRunning; }

void InteropDialog::updateState() { m_run->setEnabled(!running() && !m_path->text().trimmed().isEmpty()); }

void InteropDialog::append(const QByteArray& bytes) {
    m_log->moveCursor(QTextCursor::End);
    m_log->insertPlainText(QString::fromUtf8(bytes));
    m_log->moveCursor(QTextCursor::End);
}

void InteropDialog::start() {
    if (running())
        return;
    m_log->clear();
    const QStringList args = arguments();
    append(("$ micromind " + args.join(QLatin1Char(' ')) + "\n").toUtf8());
    delete m_proc;
    m_proc = new QProcess(this);
    m_proc->setProcessChannelMode(QProcess::MergedChannels);
    connect(m_proc, &QProcess::readyRead, this, [this] { append(m_proc->readAll()); });
    connect(m_proc, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) {
            m_status->setText(tr("Could not start %1.").arg(micromindPath()));
            updateState();
            Q_EMIT done(false, m_status->text());
        }
    });
    connect(m_proc, &QProcess::finished, this, [this](int code, QProcess::ExitStatus st) {
        append(m_proc->readAll());
        const QStringList lines = m_log->toPlainText().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        const QString last = lines.isEmpty() ? QString() : lines.last();
        const bool ok = st == QProcess::NormalExit && code == 0;
        m_status->setText(ok ? (m_kind == Kind::Import
                                    ? tr("Imported. The compare columns and the history list it now.")
                                    : tr("Exported. The check line above compares it with the checkpoint."))
                             : tr("Failed (exit %1): %2").arg(code).arg(last));
        updateState();
        Q_EMIT done(ok, last);
    });
    m_status->setText(tr("Running…"));
    m_proc->start(micromindPath(), args);
    updateState();
}

} // namespace mm::ui
