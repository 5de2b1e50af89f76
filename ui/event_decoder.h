#pragma once
// The workbench's one decoder of training events (train/events.h): a child's
// --json stdout line and a run's history rows become the same typed events,
// which this turns into chart samples and the RunController's signal payloads.

#include "chart_view.h"

#include "train/events.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

#include <optional>

namespace mm::ui {

/// The event of one stdout line, or std::nullopt when the line is not one
/// (not JSON, not an object, or not a well-formed event: see
/// train::eventFromJson).
std::optional<train::Event> decodeEventLine(const QByteArray& line);
/// The same for an event already held as a JSON object.
std::optional<train::Event> decodeEventObject(const QJsonObject& object);
/// The event's --json object (the payload of RunController's signals).
QJsonObject eventObject(const train::Event& event);
/// The values a chart plots of a "log" or "eval" event, metric by metric in
/// name order; nothing for other kinds.
QList<QPair<QString, ChartSample>> chartSamples(const train::Event& event);

} // namespace mm::ui
