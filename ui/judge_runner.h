#pragma once
// Runs the LLM judge as a child process: `micromind judge --json ...` over the
// workspace. Network waits and retries stay out of the GUI process, and the
// API key travels only in the child's environment (never on its command line,
// in a file or in the database).

#include <QObject>
#include <QProcess>
#include <QString>

namespace mm::ui {

/// Where and how to judge (everything but the key, which is passed separately).
struct JudgeSettings {
    QString baseUrl;                            ///< OpenAI-compatible endpoint, e.g. https://api.deepseek.com/v1
    QString model;                              ///< model name sent to it
    int attempts = 3;                           ///< tries per model
    double timeoutSeconds = 120;                ///< per model, retries included
    int maxTokens = 512;                        ///< reply token limit
    QString promptSet;                          ///< judge only answers of this set ("" = all)
    QString modelModes = QStringLiteral("all"); ///< "all" or "0,1,2"

    /// Reads base_url / model from <workspace>/settings.json ("judge" object), as the CLI does.
    static JudgeSettings load(const QString& workspace);
    /// Writes base_url and model into <workspace>/settings.json, keeping its other keys (never the key).
    bool save(const QString& workspace, QString* error) const;
};

class JudgeRunner : public QObject {
    Q_OBJECT
public:
    /// Environment variable the child reads the key from.
    static constexpr const char* kKeyVariable = "MICROMIND_JUDGE_API_KEY";

    explicit JudgeRunner(QObject* parent = nullptr);
    ~JudgeRunner() override;

    /// The argument list (no key in it) for `workspace`.
    static QStringList arguments(const QString& workspace, const JudgeSettings& s);
    /// Starts the judge; false with `error` set when one is running or the settings are incomplete.
    bool start(const QString& workspace, const JudgeSettings& s, const QString& apiKey, QString* error);
    bool isRunning() const;
    /// Terminates the child (SIGTERM, then kill after 3 s).
    void stop();

Q_SIGNALS:
    /// One model judged: `ok` with the three scores, or the error and raw reply excerpt.
    void modelJudged(int mode, bool ok, double language, double knowledge, double efficiency, const QString& error);
    /// A line for the log (progress, errors from the child's stderr).
    void logLine(const QString& line);
    /// The child ended: `ok` when every model was judged.
    void finished(bool ok, const QString& summary);

private:
    void readStdout();
    QProcess* m_proc = nullptr;
    QByteArray m_stdoutTail;
    QByteArray m_stderr;
    int m_judged = 0;
    int m_failed = 0;
    bool m_stopping = false;
};

} // namespace mm::ui
