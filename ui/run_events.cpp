// RunController's reading of the child's output: the log files tailed in
// bounded chunks, split into lines (long ones cut), stdout's JSON event
// lines decoded into the controller's signals and state, the rest kept as
// text for the Output tab.

#include "run_controller.h"

#include "event_decoder.h"

#include <QRegularExpression>

#include <climits>

namespace mm::ui {

namespace {

constexpr qsizetype kMaxErrorChars = 1 << 20;

} // namespace

void RunController::LineBuffer::feed(const QByteArray& bytes, const std::function<void(const QByteArray&, qint64)>& f) {
    qsizetype from = 0;
    while (from < bytes.size()) {
        const qsizetype nl = bytes.indexOf('\n', from);
        const qsizetype end = nl < 0 ? bytes.size() : nl;
        const qsizetype room = qMax<qsizetype>(0, maxLine - head.size());
        const qsizetype take = qMin(room, end - from);
        head.append(bytes.constData() + from, take);
        skipped += end - from - take;
        if (nl < 0)
            return;
        f(head, skipped);
        clear();
        from = nl + 1;
    }
}

void RunController::LineBuffer::finish(const std::function<void(const QByteArray&, qint64)>& f) {
    if (!head.isEmpty() || skipped > 0)
        f(head, skipped);
    clear();
}

QString RunController::displayLine(const QByteArray& raw, qint64 cutBytes) {
    // Binary noise must not reach the text views as control characters.
    QString text = QString::fromUtf8(raw);
    if (text.size() > kMaxShownLine) {
        cutBytes += raw.size() - text.left(kMaxShownLine).toUtf8().size();
        text.truncate(kMaxShownLine);
    }
    text.remove(QLatin1Char('\r'));
    for (QChar& c : text)
        if (c.unicode() < 0x20 && c != QLatin1Char('\t'))
            c = QChar(QChar::ReplacementCharacter);
    if (cutBytes > 0)
        text += tr(" … [line cut: %n more byte(s)]", nullptr, int(qMin<qint64>(cutBytes, INT_MAX)));
    return text;
}

void RunController::readOutput(bool toEnd) {
    // Unbuffered: a buffered QFile could cache the end of a file that grows.
    if (!m_outFile.isOpen() && QFile::exists(m_outPath))
        m_outFile.open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    if (!m_errFile.isOpen() && QFile::exists(m_errPath))
        m_errFile.open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    // A bounded amount per tick keeps the event loop going when a child floods
    // its output; the rest is read at the next tick (or now, when it ended).
    constexpr qint64 kChunk = 1 << 20, kPerTick = 4 << 20;
    if (m_outFile.isOpen()) {
        QString text;
        qint64 got = 0;
        for (QByteArray bytes; (toEnd || got < kPerTick) && !(bytes = m_outFile.read(kChunk)).isEmpty();) {
            got += bytes.size();
            m_stdoutBuf.feed(bytes, [&](const QByteArray& line, qint64 cut) { handleLine(line, cut, &text); });
        }
        appendText(text);
    }
    if (m_errFile.isOpen()) {
        QString text;
        qint64 got = 0;
        for (QByteArray bytes; (toEnd || got < kPerTick) && !(bytes = m_errFile.read(kChunk)).isEmpty();) {
            got += bytes.size();
            m_stderrBuf.feed(
                bytes, [&](const QByteArray& line, qint64 cut) { text += displayLine(line, cut) + QLatin1Char('\n'); });
        }
        appendError(text);
    }
    readWorkerErrors();
}

void RunController::flushPartialLines() {
    QString text;
    m_stdoutBuf.finish([&](const QByteArray& line, qint64 cut) { handleLine(line, cut, &text); });
    appendText(text);
    text.clear();
    m_stderrBuf.finish([&](const QByteArray& line, qint64 cut) { text += displayLine(line, cut) + QLatin1Char('\n'); });
    appendError(text);
}

void RunController::appendText(QString text) {
    if (text.isEmpty())
        return;
    if (text.size() > kMaxErrorChars)
        text = text.right(kMaxErrorChars);
    m_stdoutText += text;
    if (m_stdoutText.size() > kMaxErrorChars)
        m_stdoutText = m_stdoutText.right(kMaxErrorChars);
    Q_EMIT outputAppended(text, false);
}

void RunController::appendError(QString text) {
    if (text.isEmpty())
        return;
    if (text.size() > kMaxErrorChars)
        text = text.right(kMaxErrorChars);
    m_stderr += text;
    if (m_stderr.size() > kMaxErrorChars)
        m_stderr = m_stderr.right(kMaxErrorChars);
    Q_EMIT outputAppended(text, true);
}

void RunController::handleLine(const QByteArray& raw, qint64 cutBytes, QString* text) {
    const QByteArray line = raw.trimmed();
    // A cut line is no event; anything that does not parse as one is text.
    if (cutBytes == 0 && line.startsWith('{')) {
        // A line that only looks like an event (a child printing garbage) is text.
        if (const auto event = decodeEventLine(line)) {
            handleEvent(*event);
            return;
        }
    }
    // "[3/14] full_sft  (1m02s elapsed)": the demo announcing its next step.
    static const QRegularExpression stepLine(QStringLiteral("^\\[(\\d+)/(\\d+)\\]\\s+([^:(]+)"));
    const QRegularExpressionMatch m = stepLine.match(QString::fromUtf8(line.left(256)));
    if (m.hasMatch()) {
        m_stageProgress = QStringLiteral("%1/%2 %3").arg(m.captured(1), m.captured(2), m.captured(3).trimmed());
        Q_EMIT stateChanged(m_state); // views refresh their label
    }
    *text += displayLine(raw, cutBytes) + QLatin1Char('\n');
}

void RunController::handleEvent(const train::Event& e) {
    const qint64 id = train::eventRunId(e);
    if (id > 0 && !m_runIds.contains(id))
        m_runIds << id;
    if (const auto* start = std::get_if<train::StartEvent>(&e)) {
        m_totalSteps = start->totalSteps;
        m_weights = QString::fromStdString(start->weights);
        Q_EMIT started(id, eventObject(e));
    } else if (const auto* log = std::get_if<train::LogEvent>(&e)) {
        m_lastStep = log->step;
        m_totalSteps = qMax(m_totalSteps, qint64(log->totalSteps));
        Q_EMIT logged(eventObject(e));
    } else if (std::holds_alternative<train::EvalEvent>(e)) {
        // Validation (--eval_data): its val_* values join the charts as curves
        // of their own; the run's progress stays with the "log" events.
        Q_EMIT logged(eventObject(e));
    } else if (std::holds_alternative<train::ProbeEvent>(e)) {
        Q_EMIT probed(eventObject(e));
    } else if (std::holds_alternative<train::WarningEvent>(e)) {
        addWarning(eventObject(e));
    } else if (const auto* cp = std::get_if<train::CheckpointEvent>(&e)) {
        Q_EMIT checkpointSaved(QString::fromStdString(cp->path), cp->step);
    } else if (std::holds_alternative<train::DoneEvent>(e)) {
        m_sawDone = true;
    } else if (const auto* stopped = std::get_if<train::StoppedEvent>(&e)) {
        m_sawStopped = true;
        m_lastStep = stopped->step;
    }
}

void RunController::addWarning(const QJsonObject& e) {
    // A long run cannot flood the panel: the monitor warns once per excursion.
    constexpr int kMaxWarnings = 1000;
    if (m_warnings.size() >= kMaxWarnings)
        m_warnings.removeFirst();
    m_warnings << e;
    Q_EMIT warned(e);
}

} // namespace mm::ui
