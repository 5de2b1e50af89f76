// RunController's identity and state: construction, the command it runs and
// how it is shown, the state machine's names and changes. The rest of the
// class: run_process.cpp (the child processes: start, ranks, pause, resume,
// stop, how they ended), run_events.cpp (their output: lines, JSON events,
// the signals they become), run_history.cpp (re-attached runs polled from
// the history database, ends recorded there).

#include "run_controller.h"

namespace mm::ui {

RunController::RunController(const QString& workspace, const QString& stage, const QStringList& flags, QObject* parent)
    : QObject(parent), m_workspace(workspace), m_stage(stage), m_flags(flags) {
    m_pollTimer.setInterval(1000);
    connect(&m_pollTimer, &QTimer::timeout, this, &RunController::poll);
    m_tailTimer.setInterval(100);
    connect(&m_tailTimer, &QTimer::timeout, this, [this] { readOutput(); });
}

void RunController::setParentRun(RunController* parent) {
    m_parentRun = parent;
    Q_EMIT stateChanged(m_state);
}

bool RunController::isTrainingStage(const QString& stage) {
    static const QStringList s{QStringLiteral("pretrain"), QStringLiteral("full_sft"),       QStringLiteral("dpo"),
                               QStringLiteral("lora"),     QStringLiteral("distill_reason"), QStringLiteral("grpo")};
    return s.contains(stage);
}

QStringList RunController::processArguments() const {
    QStringList a{m_stage};
    a << m_flags;
    // Only the training stages and a few tools speak JSON; the others print text.
    if (isTrainingStage(m_stage))
        a << QStringLiteral("--json");
    if (m_resumeNext)
        a << QStringLiteral("--resume");
    return a;
}

QString RunController::quoteCommand(const QString& program, const QStringList& args) {
    auto quote = [](const QString& s) {
        static const QString safe = QStringLiteral("@%+=:,./-_");
        bool plain = !s.isEmpty();
        for (QChar c : s)
            if (!(c.isLetterOrNumber() && c.unicode() < 128) && !safe.contains(c))
                plain = false;
        if (plain)
            return s;
        QString q = s;
        q.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
        return QLatin1Char('\'') + q + QLatin1Char('\'');
    };
    QStringList parts{quote(program)};
    for (const auto& a : args)
        parts << quote(a);
    return parts.join(QLatin1Char(' '));
}

QString RunController::commandLine() const {
    QStringList a{m_stage};
    a << m_flags;
    return quoteCommand(QStringLiteral("micromind"), a);
}

QString RunController::label() const {
    return runId() > 0 ? QStringLiteral("%1 #%2").arg(m_stage).arg(runId()) : m_stage;
}

bool RunController::isActive() const {
    return m_state == State::Running || m_state == State::Pausing || m_state == State::Stopping;
}

QString RunController::stateName(State s) {
    switch (s) {
    case State::Idle: return tr("waiting");
    case State::Running: return tr("running");
    case State::Pausing: return tr("pausing");
    case State::Paused: return tr("paused");
    case State::Stopping: return tr("stopping");
    case State::Stopped: return tr("stopped");
    case State::Completed: return tr("completed");
    case State::Failed: return tr("failed");
    }
    return {};
}

void RunController::setState(State s) {
    if (m_state == s)
        return;
    m_state = s;
    Q_EMIT stateChanged(s);
}

} // namespace mm::ui
