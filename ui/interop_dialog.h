#pragma once
// Import a model trained elsewhere (minimind's .pth, a transformers folder,
// .safetensors) into the workspace, or export one of the workspace's models
// to a transformers folder or a GGUF file. Both run the `micromind import` /
// `micromind export` command as a child process (never on the GUI thread)
// and show its output as it comes, the export's parity check included.

#include <QDialog>
#include <QProcess>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace mm::ui {

class InteropDialog : public QDialog {
    Q_OBJECT
public:
    enum class Kind { Import, Export };
    InteropDialog(Kind kind, const QString& workspace, QWidget* parent = nullptr);
    ~InteropDialog() override;

    /// The command's arguments (after `micromind`) for the form as filled in.
    QStringList arguments() const;
    /// For tests and callers: the source (import) or output (export) path.
    void setPath(const QString& path);
    void setName(const QString& name);
    void setFormat(const QString& format);
    void setModelMode(int mode);
    void setDtype(const QString& dtype);
    QString log() const;
    bool running() const;

public Q_SLOTS:
    /// Starts the command; `done` follows when it ends.
    void start();

Q_SIGNALS:
    /// The command ended; `ok` when it exited 0 (the workspace's models changed on import).
    void done(bool ok, const QString& lastLine);

private:
    void append(const QByteArray& bytes);
    void updateState();
    Kind m_kind;
    QString m_workspace;
    QLineEdit* m_path = nullptr;
    QLineEdit* m_name = nullptr;
    QLineEdit* m_tokenizer = nullptr;
    QComboBox* m_stage = nullptr;
    QComboBox* m_mode = nullptr;
    QComboBox* m_format = nullptr;
    QComboBox* m_dtype = nullptr;
    QPlainTextEdit* m_log = nullptr;
    QLabel* m_status = nullptr;
    QPushButton* m_run = nullptr;
    QProcess* m_proc = nullptr;
};

} // namespace mm::ui
