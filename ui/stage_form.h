#pragma once
// The form of one stage, generated from the same schema the CLI parses
// (core/config/stages*.cpp): one editor per field with its default, range and
// help (tooltip), validation with the message beside the field, the exact
// equivalent `micromind` command, and presets saved in the workspace.

#include "config/schema.h"

#include <QMap>
#include <QStringList>
#include <QWidget>

class QLabel;

namespace mm::ui {

class StageForm : public QWidget {
    Q_OBJECT
public:
    explicit StageForm(const QString& stage, QWidget* parent = nullptr);

    QString stage() const { return m_stage; }
    const config::Schema& schema() const { return *m_schema; }
    /// Points the form at a workspace: out_dir becomes that folder, relative
    /// paths resolve against it, presets live in <dir>/presets/<stage>/.
    void setWorkspace(const QString& dir);
    QString workspace() const { return m_workspace; }

    QString value(const QString& name) const;
    /// Sets a field's text (as typed); unknown names are ignored.
    void setValue(const QString& name, const QString& value);
    /// Every shown field's current text.
    QMap<QString, QString> values() const;
    /// Flags of the command: fields that differ from their defaults.
    QStringList flags() const;
    /// "micromind <stage> <flags>", quoted for a POSIX shell.
    QString commandLine() const;

    /// Checks every field and the stage's cross-field rules, the files it
    /// reads and the folder it writes; shows each message beside its field.
    /// `pendingCheckpoints`: parents an earlier queued stage will write.
    bool validate(const QStringList& pendingCheckpoints = {});
    /// The message shown beside a field ("" = none).
    QString errorFor(const QString& name) const;
    /// Every message of the last validation, "name: message".
    QStringList problems() const;

    /// Model config of the current values (preset applied); ok=false when a
    /// number does not parse.
    bool modelShape(int& hidden, int& layers, int& heads, int& kvHeads, bool& moe) const;
    /// A workspace-relative path made absolute.
    QString resolvePath(const QString& path) const;
    /// <out_dir>/<from_weight>_<size>.pth, "" when the stage has no parent.
    QString parentCheckpointPath() const;
    /// <out_dir>/<stem>_<size>.pth for this form's model shape (the core's
    /// weights::weightsPath); "" when the shape fields are invalid.
    QString checkpointPath(const QString& stem) const;

    /// Saved presets of this stage in the workspace (files: preset_store.h).
    QString presetDir() const;
    QStringList presetNames() const;
    /// Saves every shown field but out_dir (a preset travels between workspaces).
    bool savePreset(const QString& name, QString* error) const;
    /// Sets the fields a preset saved, then emits changed().
    bool loadPreset(const QString& name, QString* error);
    bool deletePreset(const QString& name, QString* error);

    /// Fields the workbench manages itself (not shown).
    static bool isHiddenField(const std::string& name);
    /// Translated title of a schema group.
    static QString groupTitle(const QString& group);
    /// Translated help of a schema field (its tooltip's first line). The
    /// schemas' texts reach lupdate through ui/schema_strings.cpp
    /// (scripts/update-translations.sh).
    static QString helpText(const std::string& help);

Q_SIGNALS:
    void changed();

private:
    struct Row {
        const config::Field* field = nullptr;
        QWidget* editor = nullptr;
        QLabel* error = nullptr;
    };
    QWidget* makeEditor(const config::Field& f);
    QString editorText(const Row& r) const;
    void setEditorText(Row& r, const QString& v);
    void setError(const QString& name, const QString& message);
    void clearErrors();
    QString checkField(const config::Field& f, const QString& v) const;
    /// The form's fields as core values: every schema field, set by the user
    /// where it differs from its default.
    config::Values coreValues() const;

    QString m_stage, m_workspace;
    const config::Schema* m_schema = nullptr;
    QMap<QString, Row> m_rows;
    QStringList m_order;
    QMap<QString, QString> m_errors;
};

} // namespace mm::ui
