#include "event_decoder.h"

#include <QJsonDocument>

namespace mm::ui {

std::optional<train::Event> decodeEventLine(const QByteArray& line) {
    const nlohmann::json j = nlohmann::json::parse(line.constData(), line.constData() + line.size(), nullptr, false);
    if (j.is_discarded())
        return std::nullopt;
    return train::eventFromJson(j);
}

std::optional<train::Event> decodeEventObject(const QJsonObject& object) {
    return decodeEventLine(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonObject eventObject(const train::Event& event) {
    const std::string text = train::toJson(event).dump();
    return QJsonDocument::fromJson(QByteArray::fromStdString(text)).object();
}

QList<QPair<QString, ChartSample>> chartSamples(const train::Event& event) {
    QList<QPair<QString, ChartSample>> out;
    for (const auto& s : train::metricSamples(event))
        out.append({QString::fromStdString(s.metric), ChartSample{s.step, s.tokens, s.wall, s.value}});
    return out;
}

} // namespace mm::ui
