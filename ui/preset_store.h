#pragma once
// The saved presets of one stage's form: its field values as JSON files in
// <workspace>/presets/<stage>/<name>.json, written atomically. StageForm
// gathers and applies the values; this only names, reads and writes the files.

#include <QCoreApplication>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace mm::ui {

class PresetStore {
    // Its messages were the form's: they keep StageForm's translation context.
    Q_DECLARE_TR_FUNCTIONS(mm::ui::StageForm)
public:
    PresetStore(const QString& workspace, const QString& stage);

    /// <workspace>/presets/<stage>.
    QString dir() const { return m_dir; }
    /// The saved presets' names, sorted.
    QStringList names() const;
    /// Writes `values` as preset `name`, replacing one of that name. False, with
    /// *error set when given, for a name that is not a plain file name (letters,
    /// digits, space, - _ .) or a file that cannot be written.
    bool save(const QString& name, const QJsonObject& values, QString* error) const;
    /// The values saved as `name`; nullopt, with *error set when given, for a
    /// file that cannot be read or holds no JSON object.
    std::optional<QJsonObject> load(const QString& name, QString* error) const;
    /// Deletes preset `name`; false, with *error set when given, when it cannot.
    bool remove(const QString& name, QString* error) const;

private:
    QString filePath(const QString& name) const;
    QString m_dir;
};

} // namespace mm::ui
