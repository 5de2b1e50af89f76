#include "stage_form.h"

#include "preset_store.h"
#include "run_controller.h"
#include "schema_strings.h"

#include "config/stages.h"
#include "model/model_config.h"
#include "weights/paths.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QToolButton>
#include <QVBoxLayout>

#include <optional>

namespace mm::ui {

namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

QString fmt(double x) { return QString::number(x, 'g', 12); }

/// Nearest existing ancestor of a path (the folder that would be created in).
QString existingAncestor(QString path) {
    QFileInfo fi(path);
    while (!fi.exists()) {
        const QString parent = fi.absolutePath();
        if (parent == fi.absoluteFilePath())
            return {};
        fi = QFileInfo(parent);
    }
    return fi.absoluteFilePath();
}

} // namespace

// nproc_per_node: the workbench starts the ranks itself (its Processes box).
bool StageForm::isHiddenField(const std::string& name) {
    return name == "json" || name == "resume" || name == "nproc_per_node";
}

QString StageForm::groupTitle(const QString& g) {
    return QCoreApplication::translate(kSchemaGroupContext, g.toUtf8().constData());
}

QString StageForm::helpText(const std::string& help) {
    return QCoreApplication::translate(kSchemaHelpContext, help.c_str());
}

StageForm::StageForm(const QString& stage, QWidget* parent) : QWidget(parent), m_stage(stage) {
    setObjectName(QStringLiteral("form_") + stage);
    m_schema = &config::schemaFor(stage.toStdString());
    auto* lay = new QVBoxLayout(this);
    auto* summary = new QLabel(QCoreApplication::translate(kSchemaSummaryContext, m_schema->summary.c_str()), this);
    summary->setWordWrap(true);
    summary->setObjectName(QStringLiteral("stageSummary"));
    lay->addWidget(summary);
    QMap<QString, QFormLayout*> groups;
    QStringList groupOrder;
    for (const auto& f : m_schema->fields) {
        if (isHiddenField(f.name))
            continue;
        const QString g = qs(f.group);
        if (!groups.contains(g)) {
            auto* box = new QGroupBox(groupTitle(g), this);
            auto* form = new QFormLayout(box);
            form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
            groups.insert(g, form);
            groupOrder << g;
            lay->addWidget(box);
        }
        Row r;
        r.field = &f;
        r.editor = makeEditor(f);
        r.error = new QLabel(this);
        r.error->setObjectName(QStringLiteral("error_") + qs(f.name));
        r.error->setStyleSheet(QStringLiteral("color: #d62728;"));
        r.error->setWordWrap(true);
        r.error->hide();
        auto* cell = new QWidget(this);
        auto* h = new QVBoxLayout(cell);
        h->setContentsMargins(0, 0, 0, 0);
        h->setSpacing(1);
        h->addWidget(r.editor);
        h->addWidget(r.error);
        QString tip = helpText(f.help);
        if (f.min || f.max)
            tip += QLatin1Char('\n') +
                   tr("range: %1 … %2")
                       .arg(f.min ? fmt(*f.min) : QStringLiteral("−∞"), f.max ? fmt(*f.max) : QStringLiteral("∞"));
        if (!f.defaultValue.empty())
            tip += QLatin1Char('\n') + tr("default: %1").arg(qs(f.defaultValue));
        auto* label = new QLabel(qs(f.name) + (f.required ? QStringLiteral(" *") : QString()), this);
        label->setToolTip(tip);
        r.editor->setToolTip(tip);
        groups.value(g)->addRow(label, cell);
        m_rows.insert(qs(f.name), r);
        m_order << qs(f.name);
    }
    lay->addStretch(1);
}

QWidget* StageForm::makeEditor(const config::Field& f) {
    const QString name = qs(f.name);
    QWidget* w = nullptr;
    switch (f.type) {
    case config::FieldType::Bool: {
        auto* c = new QCheckBox(this);
        c->setChecked(f.defaultValue == "1" || f.defaultValue == "true");
        connect(c, &QCheckBox::toggled, this, &StageForm::changed);
        w = c;
        break;
    }
    case config::FieldType::Choice: {
        auto* c = new QComboBox(this);
        for (const auto& ch : f.choices)
            c->addItem(qs(ch));
        c->setCurrentText(qs(f.defaultValue));
        connect(c, &QComboBox::currentTextChanged, this, &StageForm::changed);
        if (f.name == "preset") {
            // Picking a preset shows its sizes (only on the user's choice, so
            // loading a saved form keeps its explicit sizes).
            connect(c, &QComboBox::activated, this, [this, c] {
                for (const auto& p : config::presets())
                    if (qs(p.name) == c->currentText()) {
                        setValue(QStringLiteral("hidden_size"), QString::number(p.hiddenSize));
                        setValue(QStringLiteral("num_hidden_layers"), QString::number(p.numLayers));
                        setValue(QStringLiteral("use_moe"), p.useMoe ? QStringLiteral("1") : QStringLiteral("0"));
                    }
            });
        }
        w = c;
        break;
    }
    case config::FieldType::Path: {
        auto* box = new QWidget(this);
        auto* h = new QHBoxLayout(box);
        h->setContentsMargins(0, 0, 0, 0);
        auto* e = new QLineEdit(qs(f.defaultValue), box);
        e->setObjectName(QStringLiteral("field_") + name);
        e->setPlaceholderText(f.required ? tr("required") : QString());
        connect(e, &QLineEdit::textChanged, this, &StageForm::changed);
        auto* browse = new QToolButton(box);
        browse->setText(QStringLiteral("…"));
        browse->setToolTip(tr("Browse"));
        const bool dir = f.name == "out_dir" || f.name.find("dir") != std::string::npos;
        connect(browse, &QToolButton::clicked, this, [this, e, dir] {
            const QString start = resolvePath(e->text());
            const QString p = dir ? QFileDialog::getExistingDirectory(this, tr("Choose a folder"), start)
                                  : QFileDialog::getOpenFileName(this, tr("Choose a file"), start);
            if (!p.isEmpty())
                e->setText(p);
        });
        h->addWidget(e, 1);
        h->addWidget(browse);
        box->setObjectName(QStringLiteral("box_") + name);
        return box;
    }
    default: {
        auto* e = new QLineEdit(qs(f.defaultValue), this);
        e->setPlaceholderText(f.required ? tr("required") : QString());
        connect(e, &QLineEdit::textChanged, this, &StageForm::changed);
        w = e;
        break;
    }
    }
    w->setObjectName(QStringLiteral("field_") + name);
    return w;
}

QString StageForm::editorText(const Row& r) const {
    if (auto* c = qobject_cast<QCheckBox*>(r.editor))
        return c->isChecked() ? QStringLiteral("1") : QStringLiteral("0");
    if (auto* c = qobject_cast<QComboBox*>(r.editor))
        return c->currentText();
    if (auto* e = qobject_cast<QLineEdit*>(r.editor))
        return e->text().trimmed();
    if (auto* e = r.editor->findChild<QLineEdit*>())
        return e->text().trimmed();
    return {};
}

void StageForm::setEditorText(Row& r, const QString& v) {
    if (auto* c = qobject_cast<QCheckBox*>(r.editor))
        c->setChecked(v == QLatin1String("1") || v.compare(QLatin1String("true"), Qt::CaseInsensitive) == 0);
    else if (auto* c = qobject_cast<QComboBox*>(r.editor))
        c->setCurrentText(v);
    else if (auto* e = qobject_cast<QLineEdit*>(r.editor))
        e->setText(v);
    else if (auto* e = r.editor->findChild<QLineEdit*>())
        e->setText(v);
}

void StageForm::setWorkspace(const QString& dir) {
    m_workspace = dir;
    setValue(QStringLiteral("out_dir"), dir);
}

QString StageForm::value(const QString& name) const {
    auto it = m_rows.find(name);
    if (it != m_rows.end())
        return editorText(*it);
    const config::Field* f = m_schema->find(name.toStdString());
    return f ? qs(f->defaultValue) : QString();
}

void StageForm::setValue(const QString& name, const QString& value) {
    auto it = m_rows.find(name);
    if (it != m_rows.end())
        setEditorText(*it, value);
}

QMap<QString, QString> StageForm::values() const {
    QMap<QString, QString> v;
    for (const auto& n : m_order)
        v.insert(n, value(n));
    return v;
}

config::Values StageForm::coreValues() const {
    // A field counts as given when it differs from its default, as on the
    // command line flags() builds.
    config::Values v(m_schema);
    for (const auto& f : m_schema->fields) {
        const QString cur = value(qs(f.name));
        v.set(f.name, cur.toStdString(), cur != qs(f.defaultValue));
    }
    return v;
}

QStringList StageForm::flags() const {
    // The core's command line, less the stage name; sizes equal to the chosen
    // preset's are implied by --preset.
    const std::vector<std::string> args = config::commandArgs(coreValues());
    QStringList out;
    for (size_t i = 1; i < args.size(); ++i)
        out << qs(args[i]);
    return out;
}

QString StageForm::commandLine() const {
    QStringList a{m_stage};
    a << flags();
    return RunController::quoteCommand(QStringLiteral("micromind"), a);
}

QString StageForm::resolvePath(const QString& path) const {
    if (path.isEmpty() || QDir::isAbsolutePath(path) || m_workspace.isEmpty())
        return path;
    return QDir(m_workspace).absoluteFilePath(path);
}

QString StageForm::checkField(const config::Field& f, const QString& v) const {
    // The core's rule (config::checkValue), in the form's words.
    const config::ValueCheck c = config::checkValue(f, v.toStdString());
    switch (c.issue) {
    case config::ValueIssue::None: return {};
    case config::ValueIssue::Required: return tr("required");
    case config::ValueIssue::NotInteger: return tr("\"%1\" is not a whole number").arg(v);
    case config::ValueIssue::NotNumber: return tr("\"%1\" is not a number").arg(v);
    case config::ValueIssue::BelowMinimum: return tr("%1 is below the minimum %2").arg(v, fmt(c.limit));
    case config::ValueIssue::AboveMaximum: return tr("%1 is above the maximum %2").arg(v, fmt(c.limit));
    case config::ValueIssue::NotAChoice: return tr("choose one of the listed values");
    case config::ValueIssue::NotBoolean: break;
    }
    return qs(c.message);
}

bool StageForm::modelShape(int& hidden, int& layers, int& heads, int& kvHeads, bool& moe) const {
    if (!m_rows.contains(QStringLiteral("hidden_size")))
        return false;
    const config::ModelShape shape = config::modelShapeOf(coreValues());
    hidden = shape.hiddenSize;
    layers = shape.numLayers;
    heads = shape.numHeads;
    kvHeads = shape.numKvHeads;
    moe = shape.useMoe;
    return shape.ok;
}

QString StageForm::parentCheckpointPath() const {
    if (!m_rows.contains(QStringLiteral("from_weight")))
        return {};
    const QString stem = value(QStringLiteral("from_weight"));
    if (stem.isEmpty() || stem == QLatin1String("none"))
        return {};
    return checkpointPath(stem);
}

QString StageForm::checkpointPath(const QString& stem) const {
    model::ModelConfig mc;
    if (!modelShape(mc.hiddenSize, mc.numLayers, mc.numHeads, mc.numKvHeads, mc.useMoe))
        return {};
    return qs(
        weights::weightsPath(resolvePath(value(QStringLiteral("out_dir"))).toStdString(), stem.toStdString(), mc));
}

void StageForm::setError(const QString& name, const QString& message) {
    if (message.isEmpty() || !m_rows.contains(name) || m_errors.contains(name))
        return;
    m_errors.insert(name, message);
    Row& r = m_rows[name];
    r.error->setText(message);
    r.error->show();
}

void StageForm::clearErrors() {
    m_errors.clear();
    for (auto& r : m_rows) {
        r.error->clear();
        r.error->hide();
    }
}

QString StageForm::errorFor(const QString& name) const { return m_errors.value(name); }

QStringList StageForm::problems() const {
    QStringList out;
    for (const auto& n : m_order)
        if (m_errors.contains(n))
            out << n + QStringLiteral(": ") + m_errors.value(n);
    return out;
}

bool StageForm::validate(const QStringList& pendingCheckpoints) {
    clearErrors();
    for (const auto& n : m_order)
        setError(n, checkField(*m_rows[n].field, value(n)));
    // The checks below need numbers that parse; each is skipped when its
    // inputs already have a message, the others still run.
    const auto ok = [this](std::initializer_list<const char*> names) {
        for (const char* n : names)
            if (m_errors.contains(QString::fromLatin1(n)))
                return false;
        return true;
    };

    // Cross-field rules come from the core, the same code the CLI runs.
    config::Values v = coreValues();
    if (m_schema->find("hidden_size") && m_schema->find("num_attention_heads") &&
        ok({"hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "preset", "use_moe"})) {
        for (const auto& p : config::applyPresetAndCheckFields(v))
            setError(qs(p.field), qs(p.message));
    }

    // Files the run reads.
    if (m_rows.contains(QStringLiteral("data_path"))) {
        for (const auto& part : value(QStringLiteral("data_path")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QFileInfo fi(resolvePath(part.trimmed()));
            if (!fi.isFile())
                setError(QStringLiteral("data_path"), tr("no such file: %1").arg(fi.filePath()));
            else if (!fi.isReadable())
                setError(QStringLiteral("data_path"), tr("cannot read %1").arg(fi.filePath()));
        }
    }
    const QString outDir = resolvePath(value(QStringLiteral("out_dir")));
    if (m_rows.contains(QStringLiteral("tokenizer")) && m_stage != QLatin1String("train_tokenizer")) {
        const QString tok = value(QStringLiteral("tokenizer")).isEmpty()
                                ? QDir(outDir).filePath(QStringLiteral("tokenizer.model"))
                                : resolvePath(value(QStringLiteral("tokenizer")));
        if (!QFileInfo(tok).isFile() && !pendingCheckpoints.contains(tok))
            setError(QStringLiteral("tokenizer"),
                     tr("no tokenizer at %1; train one first (train_tokenizer) or choose a .model file").arg(tok));
    }
    // The parent checkpoint must exist and have this form's model shape.
    const QString parent = ok({"hidden_size", "num_hidden_layers", "out_dir"}) ? parentCheckpointPath() : QString();
    if (!parent.isEmpty() && !pendingCheckpoints.contains(parent)) {
        const QString side = parent.left(parent.size() - 4) + QStringLiteral(".json");
        if (!QFileInfo(parent).isFile()) {
            setError(QStringLiteral("from_weight"),
                     tr("parent checkpoint %1 does not exist; train the %2 stage first with the same model size")
                         .arg(parent, value(QStringLiteral("from_weight"))));
        } else if (QFile sf(side); sf.open(QIODevice::ReadOnly)) {
            const QJsonObject model =
                QJsonDocument::fromJson(sf.readAll()).object().value(QStringLiteral("model")).toObject();
            int h, l, nh, kv;
            bool moe;
            modelShape(h, l, nh, kv, moe);
            const int ph = model.value(QStringLiteral("hidden_size")).toInt(h);
            const int pl = model.value(QStringLiteral("num_hidden_layers")).toInt(l);
            if (ph != h || pl != l)
                setError(QStringLiteral("from_weight"),
                         tr("parent checkpoint has hidden_size %1 and %2 layers, this form %3 and %4")
                             .arg(ph)
                             .arg(pl)
                             .arg(h)
                             .arg(l));
        }
    }
    // GRPO samples several answers per prompt: the batch must hold whole groups.
    if (m_rows.contains(QStringLiteral("num_generations")) && m_rows.contains(QStringLiteral("batch_size")) &&
        ok({"batch_size", "num_generations"})) {
        const int b = value(QStringLiteral("batch_size")).toInt(), g = value(QStringLiteral("num_generations")).toInt();
        if (g > 0 && b % g != 0)
            setError(QStringLiteral("batch_size"),
                     tr("batch_size %1 is not divisible by num_generations %2").arg(b).arg(g));
    }
    // The folder the run writes.
    if (m_rows.contains(QStringLiteral("out_dir"))) {
        const QFileInfo fi(outDir);
        if (fi.exists() && !fi.isDir())
            setError(QStringLiteral("out_dir"), tr("%1 is a file, not a folder").arg(outDir));
        else {
            const QString anc = existingAncestor(outDir);
            if (anc.isEmpty() || !QFileInfo(anc).isWritable())
                setError(QStringLiteral("out_dir"), tr("folder %1 is not writable").arg(anc.isEmpty() ? outDir : anc));
        }
    }
    return m_errors.isEmpty();
}

QString StageForm::presetDir() const { return PresetStore(m_workspace, m_stage).dir(); }

QStringList StageForm::presetNames() const { return PresetStore(m_workspace, m_stage).names(); }

bool StageForm::savePreset(const QString& name, QString* error) const {
    QJsonObject o;
    for (const auto& n : m_order)
        if (n != QLatin1String("out_dir")) // a preset travels between workspaces
            o.insert(n, value(n));
    return PresetStore(m_workspace, m_stage).save(name, o, error);
}

bool StageForm::loadPreset(const QString& name, QString* error) {
    const std::optional<QJsonObject> o = PresetStore(m_workspace, m_stage).load(name, error);
    if (!o)
        return false;
    for (auto it = o->begin(); it != o->end(); ++it)
        setValue(it.key(), it->toVariant().toString());
    Q_EMIT changed();
    return true;
}

bool StageForm::deletePreset(const QString& name, QString* error) {
    return PresetStore(m_workspace, m_stage).remove(name, error);
}

} // namespace mm::ui
