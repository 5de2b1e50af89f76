#pragma once
// How one compare column shows its answers: rich text for a QTextBrowser, with
// a reasoning model's <think>…</think> part folded behind a link ("think:N")
// and the <answer> content shown.

#include <QString>
#include <QVector>

namespace mm::ui {

/// A reasoning answer split into its parts; tags may be unclosed while streaming.
struct ThinkSplit {
    bool hasThink = false;    ///< a think part was present (opened or closed)
    bool thinkClosed = false; ///< </think> arrived
    QString reasoning;        ///< text of the think part (trimmed)
    QString answer;           ///< <answer> content, or everything outside the think part
};

/// Splits "<think>r</think><answer>a</answer>" as it streams in.
ThinkSplit splitThink(const QString& text);

/// One prompt and its answer as the column shows it.
struct AnswerView {
    QString prompt;
    QString text; ///< decoded answer so far (tags kept)
    qint64 tokens = 0;
    double tokensPerSecond = 0;
    bool running = false;
    bool done = false;
    bool hitStop = false;
    bool cancelled = false;
    QString error; ///< why no answer could be generated
    QString note;  ///< e.g. "stored answer, 2026-11-29 11:02"
    bool thinkOpen = false;
};

/// Rich text of a column's answers; the think fold of answer i links to "think:i".
QString answersHtml(const QVector<AnswerView>& answers);

/// Anchor of answer i's think toggle, and its inverse (-1 when not one).
QString thinkAnchor(int index);
int thinkIndexFromAnchor(const QString& anchor);

} // namespace mm::ui
