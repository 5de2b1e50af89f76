#include "compare_render.h"

#include <QCoreApplication>

namespace mm::ui {

namespace {

/// Escaped text with line breaks kept.
QString textHtml(const QString& s) {
    QString h = s.toHtmlEscaped();
    h.replace(QLatin1Char('\n'), QStringLiteral("<br>"));
    return h;
}

QString stripTags(QString s) {
    for (const char* tag : {"<answer>", "</answer>", "<think>", "</think>"})
        s.remove(QLatin1String(tag));
    return s.trimmed();
}

} // namespace

ThinkSplit splitThink(const QString& text) {
    ThinkSplit r;
    static const QString open = QStringLiteral("<think>"), close = QStringLiteral("</think>");
    const int o = text.indexOf(open);
    const int c = text.indexOf(close);
    QString rest = text;
    if (o >= 0 || c >= 0) {
        r.hasThink = true;
        const int start = o >= 0 && (c < 0 || o < c) ? o + open.size() : 0;
        if (c >= start) {
            r.thinkClosed = true;
            r.reasoning = text.mid(start, c - start).trimmed();
            rest = text.left(o >= 0 && o < c ? o : 0) + text.mid(c + close.size());
        } else {
            r.reasoning = text.mid(start).trimmed();
            rest = o >= 0 ? text.left(o) : QString();
        }
    }
    const int ao = rest.indexOf(QLatin1String("<answer>"));
    if (ao >= 0) {
        const int from = ao + 8;
        const int ac = rest.indexOf(QLatin1String("</answer>"), from);
        r.answer = (ac >= 0 ? rest.mid(from, ac - from) : rest.mid(from)).trimmed();
    } else {
        r.answer = stripTags(rest);
    }
    return r;
}

QString thinkAnchor(int index) { return QStringLiteral("think:%1").arg(index); }

int thinkIndexFromAnchor(const QString& anchor) {
    if (!anchor.startsWith(QLatin1String("think:")))
        return -1;
    bool ok = false;
    const int i = anchor.mid(6).toInt(&ok);
    return ok ? i : -1;
}

QString answersHtml(const QVector<AnswerView>& answers) {
    QString h;
    for (int i = 0; i < answers.size(); ++i) {
        const AnswerView& a = answers[i];
        h +=
            QStringLiteral("<p style='margin-top:10px; background:#eef3fb'><b>%1</b> %2</p>")
                .arg(QCoreApplication::translate("mm::ui::CompareView", "Prompt:").toHtmlEscaped(), textHtml(a.prompt));
        if (!a.error.isEmpty()) {
            h += QStringLiteral("<p style='color:#b00020'>%1</p>").arg(textHtml(a.error));
            continue;
        }
        const ThinkSplit parts = splitThink(a.text);
        if (parts.hasThink) {
            const QString state =
                parts.thinkClosed
                    ? QString()
                    : QStringLiteral(" ") + QCoreApplication::translate("mm::ui::CompareView", "(thinking…)");
            const QString label =
                (a.thinkOpen
                     ? QStringLiteral("▼ ") + QCoreApplication::translate("mm::ui::CompareView", "Hide reasoning")
                     : QStringLiteral("▶ ") + QCoreApplication::translate("mm::ui::CompareView",
                                                                          "Show reasoning (%n characters)", nullptr,
                                                                          int(parts.reasoning.size()))) +
                state;
            h += QStringLiteral("<p><a href='%1' style='color:#5f6b7a'>%2</a></p>")
                     .arg(thinkAnchor(i), label.toHtmlEscaped());
            if (a.thinkOpen)
                h += QStringLiteral("<p style='color:#5f6b7a; font-style:italic; margin-left:12px'>%1</p>")
                         .arg(textHtml(parts.reasoning));
        }
        if (a.running && a.text.isEmpty())
            h += QStringLiteral("<p style='color:#888'>%1</p>")
                     .arg(QCoreApplication::translate("mm::ui::CompareView", "generating…").toHtmlEscaped());
        else
            h += QStringLiteral("<p>%1</p>").arg(textHtml(parts.answer));
        if (a.done) {
            QString meta = QCoreApplication::translate("mm::ui::CompareView", "%1 tokens · %2 tokens/s")
                               .arg(a.tokens)
                               .arg(a.tokensPerSecond, 0, 'f', 1);
            if (a.cancelled)
                meta += QStringLiteral(" · ") + QCoreApplication::translate("mm::ui::CompareView", "stopped");
            else if (!a.hitStop && a.tokens > 0)
                meta +=
                    QStringLiteral(" · ") + QCoreApplication::translate("mm::ui::CompareView", "token limit reached");
            else if (a.tokens == 0)
                meta += QStringLiteral(" · ") +
                        QCoreApplication::translate("mm::ui::CompareView", "empty: the model ended its answer at once");
            if (!a.note.isEmpty())
                meta += QStringLiteral(" · ") + a.note;
            h += QStringLiteral("<p style='color:#2e7d32; font-size:small'>%1</p>").arg(meta.toHtmlEscaped());
        }
    }
    return h;
}

} // namespace mm::ui
