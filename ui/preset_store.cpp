// The form presets' files (preset_store.h).

#include "preset_store.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSaveFile>

namespace mm::ui {

PresetStore::PresetStore(const QString& workspace, const QString& stage)
    : m_dir(QDir(workspace).filePath(QStringLiteral("presets/") + stage)) {}

QString PresetStore::filePath(const QString& name) const {
    return QDir(m_dir).filePath(name + QStringLiteral(".json"));
}

QStringList PresetStore::names() const {
    QStringList names;
    for (const auto& fi : QDir(m_dir).entryInfoList({QStringLiteral("*.json")}, QDir::Files, QDir::Name))
        names << fi.completeBaseName();
    return names;
}

bool PresetStore::save(const QString& name, const QJsonObject& values, QString* error) const {
    static const QRegularExpression valid(QStringLiteral("^[\\w\\- .]{1,64}$"));
    if (!valid.match(name).hasMatch() || name.startsWith(QLatin1Char('.'))) {
        if (error)
            *error = tr("\"%1\" is not a valid preset name (letters, digits, space, - _ .)").arg(name);
        return false;
    }
    QDir().mkpath(m_dir);
    QSaveFile f(filePath(name));
    if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(values).toJson()) < 0 || !f.commit()) {
        if (error)
            *error = tr("could not write %1: %2").arg(f.fileName(), f.errorString());
        return false;
    }
    return true;
}

std::optional<QJsonObject> PresetStore::load(const QString& name, QString* error) const {
    QFile f(filePath(name));
    if (!f.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("could not read %1: %2").arg(f.fileName(), f.errorString());
        return std::nullopt;
    }
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &pe);
    if (pe.error != QJsonParseError::NoError || !doc.isObject()) {
        if (error)
            *error = tr("%1 is not a preset file: %2").arg(f.fileName(), pe.errorString());
        return std::nullopt;
    }
    return doc.object();
}

bool PresetStore::remove(const QString& name, QString* error) const {
    QFile f(filePath(name));
    if (!f.remove()) {
        if (error)
            *error = tr("could not delete %1: %2").arg(f.fileName(), f.errorString());
        return false;
    }
    return true;
}

} // namespace mm::ui
