#include "judge_runner.h"

#include "cli_path.h"
#include "scores_export.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QTimer>

namespace mm::ui {

namespace {

QString settingsPath(const QString& workspace) {
    return QDir(workspace).absoluteFilePath(QStringLiteral("settings.json"));
}

QJsonObject readSettings(const QString& workspace) {
    QFile f(settingsPath(workspace));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

} // namespace

JudgeSettings JudgeSettings::load(const QString& workspace) {
    JudgeSettings s;
    const QJsonObject j = readSettings(workspace).value(QStringLiteral("judge")).toObject();
    s.baseUrl = j.value(QStringLiteral("base_url")).toString();
    s.model = j.value(QStringLiteral("model")).toString();
    return s;
}

bool JudgeSettings::save(const QString& workspace, QString* error) const {
    QJsonObject all = readSettings(workspace);
    QJsonObject j = all.value(QStringLiteral("judge")).toObject();
    j.insert(QStringLiteral("base_url"), baseUrl);
    j.insert(QStringLiteral("model"), model);
    j.remove(QStringLiteral("api_key")); // a key must never sit in the workspace
    all.insert(QStringLiteral("judge"), j);
    return writeFileAtomically(settingsPath(workspace), QJsonDocument(all).toJson(), error);
}

JudgeRunner::JudgeRunner(QObject* parent) : QObject(parent) {}

JudgeRunner::~JudgeRunner() {
    if (m_proc && m_proc->state() != QProcess::NotRunning) {
        m_proc->disconnect(this);
        m_proc->kill();
        m_proc->waitForFinished(3000);
    }
}

QStringList JudgeRunner::arguments(const QString& workspace, const JudgeSettings& s) {
    QStringList a{QStringLiteral("judge"),
                  QStringLiteral("--out_dir"),
                  workspace,
                  QStringLiteral("--base_url"),
                  s.baseUrl,
                  QStringLiteral("--judge_model"),
                  s.model,
                  QStringLiteral("--api_key_env"),
                  QLatin1String(kKeyVariable),
                  QStringLiteral("--attempts"),
                  QString::number(s.attempts),
                  QStringLiteral("--timeout"),
                  QString::number(s.timeoutSeconds),
                  QStringLiteral("--max_tokens"),
                  QString::number(s.maxTokens),
                  QStringLiteral("--model_modes"),
                  s.modelModes.isEmpty() ? QStringLiteral("all") : s.modelModes,
                  QStringLiteral("--json")};
    if (!s.promptSet.isEmpty())
        a << QStringLiteral("--prompt_set") << s.promptSet;
    return a;
}

bool JudgeRunner::isRunning() const { return m_proc && m_proc->state() != QProcess::NotRunning; }

bool JudgeRunner::start(const QString& workspace, const JudgeSettings& s, const QString& apiKey, QString* error) {
    if (isRunning()) {
        if (error)
            *error = tr("The judge is already running.");
        return false;
    }
    if (workspace.isEmpty() || s.baseUrl.trimmed().isEmpty() || s.model.trimmed().isEmpty()) {
        if (error)
            *error = tr("The judge needs a workspace, an endpoint URL and a model name.");
        return false;
    }
    if (m_proc)
        m_proc->deleteLater();
    m_proc = new QProcess(this);
    m_stdoutTail.clear();
    m_stderr.clear();
    m_judged = m_failed = 0;
    m_stopping = false;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (apiKey.isEmpty())
        env.remove(QLatin1String(kKeyVariable));
    else
        env.insert(QLatin1String(kKeyVariable), apiKey);
    m_proc->setProcessEnvironment(env);
    m_proc->setProgram(micromindPath());
    m_proc->setArguments(arguments(workspace, s));
    connect(m_proc, &QProcess::readyReadStandardOutput, this, &JudgeRunner::readStdout);
    connect(m_proc, &QProcess::readyReadStandardError, this, [this] {
        const QByteArray chunk = m_proc->readAllStandardError();
        m_stderr += chunk;
        for (const QByteArray& line : chunk.split('\n'))
            if (!line.trimmed().isEmpty())
                Q_EMIT logLine(QString::fromUtf8(line));
    });
    connect(m_proc, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart)
            return;
        Q_EMIT finished(false, tr("Could not start %1: %2").arg(m_proc->program(), m_proc->errorString()));
    });
    connect(m_proc, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        readStdout();
        QString summary;
        if (m_stopping)
            summary = tr("Judge stopped; %1 model(s) judged before.").arg(m_judged);
        else if (status != QProcess::NormalExit)
            summary = tr("The judge process crashed.");
        else if (code == 0)
            summary = tr("%1 model(s) judged.").arg(m_judged);
        else if (m_judged + m_failed > 0)
            summary = tr("%1 model(s) judged, %2 failed (see the log).").arg(m_judged).arg(m_failed);
        else
            summary = tr("The judge failed: %1").arg(QString::fromUtf8(m_stderr).trimmed());
        Q_EMIT finished(code == 0 && status == QProcess::NormalExit && !m_stopping, summary);
    });
    Q_EMIT logLine(tr("$ micromind %1").arg(arguments(workspace, s).join(QLatin1Char(' '))));
    m_proc->start();
    return true;
}

void JudgeRunner::stop() {
    if (!isRunning())
        return;
    m_stopping = true;
    m_proc->terminate();
    QProcess* p = m_proc;
    QTimer::singleShot(3000, p, [p] {
        if (p->state() != QProcess::NotRunning)
            p->kill();
    });
}

void JudgeRunner::readStdout() {
    if (!m_proc)
        return;
    m_stdoutTail += m_proc->readAllStandardOutput();
    int nl;
    while ((nl = m_stdoutTail.indexOf('\n')) >= 0) {
        const QByteArray line = m_stdoutTail.left(nl).trimmed();
        m_stdoutTail.remove(0, nl + 1);
        if (line.isEmpty())
            continue;
        const QJsonObject j = QJsonDocument::fromJson(line).object();
        if (j.value(QStringLiteral("event")).toString() != QLatin1String("judged")) {
            Q_EMIT logLine(QString::fromUtf8(line));
            continue;
        }
        const int mode = j.value(QStringLiteral("model_mode")).toInt();
        const bool ok = j.value(QStringLiteral("ok")).toBool();
        ok ? ++m_judged : ++m_failed;
        const double l = j.value(QStringLiteral("language")).toDouble(-1);
        const double k = j.value(QStringLiteral("knowledge")).toDouble(-1);
        const double e = j.value(QStringLiteral("efficiency")).toDouble(-1);
        QString error = j.value(QStringLiteral("error")).toString();
        if (!ok) {
            const QString raw = j.value(QStringLiteral("raw_reply")).toString();
            if (!raw.isEmpty())
                error += tr("; raw reply: %1").arg(raw.left(300));
            Q_EMIT logLine(tr("model %1: FAILED after %2 attempt(s): %3")
                               .arg(mode)
                               .arg(j.value(QStringLiteral("attempts")).toInt())
                               .arg(error));
        } else {
            Q_EMIT logLine(tr("model %1: language %2, knowledge %3, efficiency %4").arg(mode).arg(l).arg(k).arg(e));
        }
        Q_EMIT modelJudged(mode, ok, l, k, e, error);
    }
}

} // namespace mm::ui
