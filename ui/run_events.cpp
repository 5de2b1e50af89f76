// RunController's reading of the child's output: the log files tailed in
// bounded chunks, split into lines (long ones cut), stdout's JSON event
// lines decoded into the controller's signals and state, the rest kept as
// text for the Output tab.

#include "run_controller.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <climits>

namespace mm::ui {

namespace {

constexpr qsizetype kMaxErrorChars = 1 << 20;

/// An event whose fields the controller relies on have the right types; a
/// line that only looks like one (a child printing garbage) is shown as text.
bool wellFormedEvent(const QJsonObject& e) {
    const QJsonValue kind = e.value(QStringLiteral("event"));
    if (!kind.isString())
        return false;
    auto numberOrAbsent = [&e](const char* key) {
        const QJsonValue v = e.value(QLatin1String(key));
        return v.isUndefined() || v.isDouble();
    };
    if (!numberOrAbsent("run_id") || !numberOrAbsent("total_steps") || !numberOrAbsent("step"))
        return false;
    // Events that move the run forward say where.
    static const QStringList stepped{QStringLiteral("log"), QStringLiteral("probe"), QStringLiteral("eval"),
                                     QStringLiteral("checkpoint")};
    const QJsonValue step = e.value(QStringLiteral("step"));
    return !stepped.contains(kind.toString()) || (step.isDouble() && step.toDouble() >= 0);
}

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
        QJsonParseError err;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
        if (err.error == QJsonParseError::NoError && doc.isObject() && wellFormedEvent(doc.object())) {
            handleEvent(doc.object());
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

void RunController::handleEvent(const QJsonObject& e) {
    const QString kind = e.value(QStringLiteral("event")).toString();
    const qint64 id = e.value(QStringLiteral("run_id")).toInteger();
    if (id > 0 && !m_runIds.contains(id))
        m_runIds << id;
    if (kind == QLatin1String("start")) {
        m_totalSteps = e.value(QStringLiteral("total_steps")).toInteger();
        m_weights = e.value(QStringLiteral("weights")).toString();
        Q_EMIT started(id, e);
    } else if (kind == QLatin1String("log")) {
        m_lastStep = e.value(QStringLiteral("step")).toInteger();
        m_totalSteps = qMax(m_totalSteps, e.value(QStringLiteral("total_steps")).toInteger());
        Q_EMIT logged(e);
    } else if (kind == QLatin1String("eval")) {
        // Validation (--eval_data): its val_* values join the charts as curves
        // of their own; the run's progress stays with the "log" events.
        Q_EMIT logged(e);
    } else if (kind == QLatin1String("probe")) {
        Q_EMIT probed(e);
    } else if (kind == QLatin1String("warning")) {
        addWarning(e);
    } else if (kind == QLatin1String("checkpoint")) {
        Q_EMIT checkpointSaved(e.value(QStringLiteral("path")).toString(), e.value(QStringLiteral("step")).toInteger());
    } else if (kind == QLatin1String("done")) {
        m_sawDone = true;
    } else if (kind == QLatin1String("stopped")) {
        m_sawStopped = true;
        m_lastStep = e.value(QStringLiteral("step")).toInteger();
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
