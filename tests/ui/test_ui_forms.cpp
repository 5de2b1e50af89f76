// Stage forms generated from the CLI's schema: invalid values are rejected with
// the message beside the field, valid ones build the command the CLI accepts;
// presets round-trip. Also the chart buffer, the runs table and config diffs
// (no child processes here).

#include "app_setup.h"
#include "chart_panel.h"
#include "chart_view.h"
#include "history_model.h"
#include "history_panel.h"
#include "schema_strings.h"
#include "stage_form.h"
#include "train_page.h"

#include "config/stages.h"

#include <QApplication>
#include <QFontMetricsF>
#include <QSet>
#include <QValueAxis>
#include <QComboBox>
#include <QGroupBox>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTranslator>
#include <QtTest>

#include <algorithm>

#include <set>

using namespace mm::ui;

namespace {

/// The widget that carries a field's tooltip (a path field's box, else the editor).
QWidget* fieldEditor(const StageForm& form, const QString& name) {
    if (auto* box = form.findChild<QWidget*>(QStringLiteral("box_") + name))
        return box;
    return form.findChild<QWidget*>(QStringLiteral("field_") + name);
}

/// Loads a language as the workbench does; the returned guard removes it again
/// (the other tests compare English messages).
auto useLanguage(const QString& lang) {
    const QLocale before;
    auto* app = qobject_cast<QApplication*>(QCoreApplication::instance());
    const QString used = installTranslations(*app, lang);
    if (used != lang)
        qFatal("installTranslations(%s) gave %s", qPrintable(lang), qPrintable(used));
    return qScopeGuard([app, before] {
        for (auto* t : app->findChildren<QTranslator*>(Qt::FindDirectChildrenOnly)) {
            QCoreApplication::removeTranslator(t);
            delete t;
        }
        QLocale::setDefault(before);
    });
}

QString qs(const std::string& s) { return QString::fromStdString(s); }

} // namespace

class TestUiForms : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void rejectsInvalidValuesBesideTheField() {
        QTemporaryDir tmp;
        StageForm form(QStringLiteral("pretrain"));
        form.setWorkspace(tmp.path());
        form.setValue(QStringLiteral("batch_size"), QStringLiteral("abc"));
        form.setValue(QStringLiteral("learning_rate"), QStringLiteral("2"));
        form.setValue(QStringLiteral("epochs"), QStringLiteral("0"));
        QVERIFY(!form.validate());
        QCOMPARE(form.errorFor(QStringLiteral("batch_size")), QStringLiteral("\"abc\" is not a whole number"));
        QCOMPARE(form.errorFor(QStringLiteral("learning_rate")), QStringLiteral("2 is above the maximum 1"));
        QCOMPARE(form.errorFor(QStringLiteral("epochs")), QStringLiteral("0 is below the minimum 1"));
        QCOMPARE(form.errorFor(QStringLiteral("data_path")), QStringLiteral("required"));
        // The message is shown beside its field.
        auto* label = form.findChild<QLabel*>(QStringLiteral("error_batch_size"));
        QVERIFY(label);
        QCOMPARE(label->text(), QStringLiteral("\"abc\" is not a whole number"));
        QVERIFY(!label->isHidden());
        QVERIFY(form.findChild<QLabel*>(QStringLiteral("error_seed"))->isHidden());
    }

    void checksFilesFoldersAndModelShape() {
        QTemporaryDir tmp;
        const QString ws = tmp.path();
        StageForm form(QStringLiteral("pretrain"));
        form.setWorkspace(ws);
        form.setValue(QStringLiteral("data_path"), ws + QStringLiteral("/missing.jsonl"));
        form.setValue(QStringLiteral("hidden_size"), QStringLiteral("100"));
        QVERIFY(!form.validate());
        QVERIFY(form.errorFor(QStringLiteral("data_path")).startsWith(QStringLiteral("no such file: ")));
        QVERIFY2(form.errorFor(QStringLiteral("hidden_size"))
                     .contains(QStringLiteral("divisible by --num_attention_heads 8")),
                 qPrintable(form.errorFor(QStringLiteral("hidden_size"))));
        QVERIFY(form.errorFor(QStringLiteral("tokenizer")).startsWith(QStringLiteral("no tokenizer at ")));

        // out_dir that is a file.
        QFile f(ws + QStringLiteral("/afile"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        form.setValue(QStringLiteral("hidden_size"), QStringLiteral("512"));
        form.setValue(QStringLiteral("out_dir"), ws + QStringLiteral("/afile"));
        QVERIFY(!form.validate());
        QVERIFY(form.errorFor(QStringLiteral("out_dir")).endsWith(QStringLiteral("is a file, not a folder")));

        // A parent checkpoint of another size.
        StageForm sft(QStringLiteral("full_sft"));
        sft.setWorkspace(ws);
        QFile w(ws + QStringLiteral("/pretrain_128.pth")), side(ws + QStringLiteral("/pretrain_128.json"));
        QVERIFY(w.open(QIODevice::WriteOnly) && side.open(QIODevice::WriteOnly));
        side.write(R"({"model": {"hidden_size": 128, "num_hidden_layers": 4}})");
        w.close();
        side.close();
        sft.setValue(QStringLiteral("hidden_size"), QStringLiteral("128"));
        sft.setValue(QStringLiteral("num_hidden_layers"), QStringLiteral("8"));
        QVERIFY(!sft.validate());
        QCOMPARE(sft.errorFor(QStringLiteral("from_weight")),
                 QStringLiteral("parent checkpoint has hidden_size 128 and 4 layers, this form 128 and 8"));
        sft.setValue(QStringLiteral("hidden_size"), QStringLiteral("256"));
        QVERIFY(!sft.validate());
        QVERIFY(
            sft.errorFor(QStringLiteral("from_weight")).contains(QStringLiteral("pretrain_256.pth does not exist")));
        // A parent written earlier in a queue counts as present.
        sft.validate({ws + QStringLiteral("/pretrain_256.pth")});
        QVERIFY(sft.errorFor(QStringLiteral("from_weight")).isEmpty());
    }

    void buildsTheCommandTheCliAccepts() {
        QTemporaryDir tmp;
        const QString ws = tmp.path();
        QFile data(ws + QStringLiteral("/data.jsonl")), tok(ws + QStringLiteral("/tokenizer.model"));
        QVERIFY(data.open(QIODevice::WriteOnly) && tok.open(QIODevice::WriteOnly));
        data.close();
        tok.close();
        StageForm form(QStringLiteral("pretrain"));
        form.setWorkspace(ws);
        form.setValue(QStringLiteral("data_path"), QStringLiteral("data.jsonl"));
        form.setValue(QStringLiteral("preset"), QStringLiteral("tiny"));
        form.setValue(QStringLiteral("max_steps"), QStringLiteral("50"));
        form.setValue(QStringLiteral("use_moe"), QStringLiteral("1"));
        QVERIFY2(form.validate(), qPrintable(form.problems().join(QLatin1Char('\n'))));
        const QStringList expected{
            QStringLiteral("--data_path"), QStringLiteral("data.jsonl"), QStringLiteral("--preset"),
            QStringLiteral("tiny"),        QStringLiteral("--use_moe"),  QStringLiteral("--max_steps"),
            QStringLiteral("50"),          QStringLiteral("--out_dir"),  ws};
        QCOMPARE(form.flags(), expected);
        QCOMPARE(form.commandLine(), QStringLiteral("micromind pretrain --data_path data.jsonl --preset tiny --use_moe "
                                                    "--max_steps 50 --out_dir ") +
                                         ws);
        // The CLI's own parser takes exactly these flags.
        std::vector<std::string> args;
        for (const auto& a : form.flags())
            args.push_back(a.toStdString());
        const auto values = mm::config::parseArgs(mm::config::schemaFor("pretrain"), args);
        QCOMPARE(values.getInt("max_steps"), 50LL);
        QVERIFY(values.getBool("use_moe"));
        // Choosing a preset by hand shows its sizes; they stay implied by --preset.
        auto* presetBox = form.findChild<QComboBox*>(QStringLiteral("field_preset"));
        QVERIFY(presetBox);
        presetBox->setCurrentText(QStringLiteral("minimind2"));
        Q_EMIT presetBox->activated(presetBox->currentIndex());
        QCOMPARE(form.value(QStringLiteral("hidden_size")), QStringLiteral("768"));
        QCOMPARE(form.value(QStringLiteral("num_hidden_layers")), QStringLiteral("16"));
        QVERIFY(form.commandLine().contains(QStringLiteral("--preset minimind2 --max_steps 50")));
        presetBox->setCurrentText(QStringLiteral("tiny"));
        Q_EMIT presetBox->activated(presetBox->currentIndex());
        form.setValue(QStringLiteral("use_moe"), QStringLiteral("1"));
        // A path with a space is quoted for the shell.
        form.setValue(QStringLiteral("data_path"), QStringLiteral("my data.jsonl"));
        QVERIFY(form.commandLine().contains(QStringLiteral("--data_path 'my data.jsonl'")));
        // Every field of the schema has its help as tooltip.
        auto* edit = form.findChild<QWidget*>(QStringLiteral("field_max_steps"));
        QVERIFY(edit);
        QVERIFY(edit->toolTip().startsWith(
            QString::fromStdString(mm::config::schemaFor("pretrain").find("max_steps")->help)));
    }

    void presetsRoundTrip() {
        QTemporaryDir tmp;
        StageForm form(QStringLiteral("dpo"));
        form.setWorkspace(tmp.path());
        form.setValue(QStringLiteral("beta"), QStringLiteral("0.2"));
        form.setValue(QStringLiteral("batch_size"), QStringLiteral("6"));
        QString err;
        QVERIFY(form.savePreset(QStringLiteral("my beta"), &err));
        QVERIFY(!form.savePreset(QStringLiteral("../escape"), &err));
        QVERIFY(err.contains(QStringLiteral("not a valid preset name")));
        StageForm other(QStringLiteral("dpo"));
        other.setWorkspace(tmp.path());
        QCOMPARE(other.presetNames(), QStringList{QStringLiteral("my beta")});
        QVERIFY(other.loadPreset(QStringLiteral("my beta"), &err));
        QCOMPARE(other.value(QStringLiteral("beta")), QStringLiteral("0.2"));
        QCOMPARE(other.value(QStringLiteral("batch_size")), QStringLiteral("6"));
        QCOMPARE(other.value(QStringLiteral("out_dir")), tmp.path());
    }

    void trainAllQueuesFiveStagesWithParentsPending() {
        QTemporaryDir tmp;
        const QString ws = tmp.path();
        for (const char* n : {"p.jsonl", "s.jsonl", "d.jsonl", "r.jsonl", "l.jsonl", "tokenizer.model"}) {
            QFile f(ws + QLatin1Char('/') + QString::fromLatin1(n));
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        TrainPage page;
        page.setWorkspace(ws);
        page.form(QStringLiteral("pretrain"))->setValue(QStringLiteral("preset"), QStringLiteral("tiny"));
        page.form(QStringLiteral("pretrain"))->setValue(QStringLiteral("data_path"), QStringLiteral("p.jsonl"));
        page.form(QStringLiteral("full_sft"))->setValue(QStringLiteral("data_path"), QStringLiteral("s.jsonl"));
        page.form(QStringLiteral("dpo"))->setValue(QStringLiteral("data_path"), QStringLiteral("d.jsonl"));
        page.form(QStringLiteral("distill_reason"))->setValue(QStringLiteral("data_path"), QStringLiteral("r.jsonl"));
        page.form(QStringLiteral("lora"))->setValue(QStringLiteral("data_path"), QStringLiteral("l.jsonl"));
        const auto items = page.buildQueue();
        QCOMPARE(items.size(), 5);
        QStringList stages;
        for (const auto& i : items)
            stages << i.stage;
        QCOMPARE(stages, TrainPage::queueStages());
        // The model size of pretrain is carried to every later stage.
        QVERIFY(items[3].flags.join(QLatin1Char(' ')).contains(QStringLiteral("--preset tiny")));
    }

    // zh_CN: every tooltip, summary and group title of every stage form is
    // Chinese. A schema text that is new or changed fails here with its stage and
    // field until scripts/update-translations.sh has run and it is translated.
    void formTextsAreTranslatedToChinese() {
        std::set<std::pair<std::string, std::string>> generated;
        for (std::size_t i = 0; i < kSchemaStringCount; ++i)
            generated.emplace(kSchemaStrings[i].context, kSchemaStrings[i].source);
        const auto guard = useLanguage(QStringLiteral("zh_CN"));
        QTranslator qm; // the translation itself: tells "translated as the same text" from "missing"
        QVERIFY(qm.load(QStringLiteral(":/i18n/micromind_zh_CN.qm")));
        static const QRegularExpression han(QStringLiteral("\\p{Han}"));
        QStringList stale, untranslated;
        int fields = 0;
        const auto need = [&](const char* context, const std::string& text, const QString& where) {
            if (!generated.count({context, text}))
                stale << QStringLiteral("%1 (%2): \"%3\"").arg(where, QLatin1String(context), qs(text));
        };
        for (const QString& stage : TrainPage::stages()) {
            StageForm form(stage);
            const auto& schema = form.schema();
            need(kSchemaSummaryContext, schema.summary, stage);
            const QString summary = form.findChild<QLabel*>(QStringLiteral("stageSummary"))->text();
            if (!summary.contains(han))
                untranslated << QStringLiteral("%1 summary: \"%2\"").arg(stage, summary);
            std::set<std::string> groups;
            for (const auto& f : schema.fields) {
                if (StageForm::isHiddenField(f.name))
                    continue;
                ++fields;
                const QString where = stage + QLatin1Char('.') + qs(f.name);
                need(kSchemaHelpContext, f.help, where);
                groups.insert(f.group);
                QWidget* editor = fieldEditor(form, qs(f.name));
                if (!editor) {
                    untranslated << where + QStringLiteral(": no editor");
                    continue;
                }
                const QString english = qs(f.help);
                const QString tip = editor->toolTip();
                const QString help = tip.section(QLatin1Char('\n'), 0, 0);
                if (help == english || tip.contains(english) || !help.contains(han))
                    untranslated << QStringLiteral("%1: \"%2\"").arg(where, help);
            }
            QStringList titles;
            for (const auto* box : form.findChildren<QGroupBox*>())
                titles << box->title();
            for (const auto& g : groups) {
                need(kSchemaGroupContext, g, stage + QStringLiteral(" group"));
                if (qm.translate(kSchemaGroupContext, g.c_str()).isEmpty() ||
                    !titles.contains(StageForm::groupTitle(qs(g))))
                    untranslated << QStringLiteral("%1 group \"%2\"").arg(stage, qs(g));
            }
        }
        QStringList report;
        if (!stale.isEmpty())
            report << QStringLiteral(
                          "ui/schema_strings.cpp lacks these schema texts; run scripts/update-translations.sh:")
                   << stale;
        if (!untranslated.isEmpty())
            report << QStringLiteral("not translated in ui/translations/micromind_zh_CN.ts:") << untranslated;
        QVERIFY2(report.isEmpty(), qPrintable(report.join(QLatin1Char('\n'))));
        QVERIFY(fields > 100);
        // The range and default lines of a tooltip are translated too.
        StageForm form(QStringLiteral("pretrain"));
        const QString tip = fieldEditor(form, QStringLiteral("batch_size"))->toolTip();
        QVERIFY2(tip.contains(QStringLiteral("默认")) && tip.contains(QStringLiteral("32")), qPrintable(tip));
    }

    // English keeps the schemas' own texts.
    void formTextsStayEnglishInEnglish() {
        const auto guard = useLanguage(QStringLiteral("en"));
        for (const QString& stage : TrainPage::stages()) {
            StageForm form(stage);
            QCOMPARE(form.findChild<QLabel*>(QStringLiteral("stageSummary"))->text(), qs(form.schema().summary));
            for (const auto& f : form.schema().fields) {
                if (StageForm::isHiddenField(f.name))
                    continue;
                QWidget* editor = fieldEditor(form, qs(f.name));
                QVERIFY(editor);
                QCOMPARE(editor->toolTip().section(QLatin1Char('\n'), 0, 0), qs(f.help));
                QCOMPARE(StageForm::groupTitle(qs(f.group)), qs(f.group));
            }
        }
    }

    void chartDecimatesAndBatchesRedraws() {
        MetricChart chart(QStringLiteral("loss"), QStringLiteral("Loss"));
        chart.resize(800, 400);
        chart.show();
        QSignalSpy redrawn(&chart, &MetricChart::redrawn);
        for (int i = 0; i < 100000; ++i)
            chart.append(QStringLiteral("a"), QStringLiteral("run a"),
                         {double(i), double(i) * 100, i * 0.01, 5.0 / (1 + i * 0.001)});
        QVERIFY(redrawn.wait(2000));
        QCOMPARE(chart.redrawCount(), 1); // 100k appends, one redraw
        QCOMPARE(chart.sampleCount(QStringLiteral("a")), 100000);
        QVERIFY2(chart.drawnPointCount(QStringLiteral("a")) <= 2 * 1000,
                 qPrintable(QString::number(chart.drawnPointCount(QStringLiteral("a")))));
        QVERIFY(chart.drawnPointCount(QStringLiteral("a")) > 100);
        chart.setLogY(true);
        chart.setXAxisMode(XAxisMode::Tokens);
        QVERIFY(redrawn.wait(2000));
        const QString csv = chart.toCsv();
        QVERIFY(csv.startsWith(QStringLiteral("series,step,tokens,wall_s,loss,loss_smoothed\n")));
        QCOMPARE(csv.count(QLatin1Char('\n')), 100001);
    }

    void chartShadesAMinMaxBandWhenThinned() {
        // More points than pixels: the raw curve becomes a band from each
        // column's minimum to its maximum, and a one-point spike still
        // reaches the band's top. Few points: the raw curve, no band.
        MetricChart chart(QStringLiteral("loss"), QStringLiteral("Loss"));
        chart.resize(800, 400);
        chart.show();
        QSignalSpy redrawn(&chart, &MetricChart::redrawn);
        for (int i = 0; i < 50000; ++i)
            chart.append(QStringLiteral("big"), QStringLiteral("big"),
                         {double(i), double(i), i * 0.01, i == 31234 ? 40.0 : 3.0 + (i % 7) * 0.1});
        for (int i = 0; i < 50; ++i)
            chart.append(QStringLiteral("small"), QStringLiteral("small"), {double(i), double(i), i * 0.01, 2.0});
        QVERIFY(redrawn.wait(2000));
        const qsizetype columns = chart.bandColumnCount(QStringLiteral("big"));
        QVERIFY2(columns > 100 && columns <= 1000, qPrintable(QString::number(columns)));
        double top = 0;
        for (qsizetype i = 0; i < columns; ++i) {
            const auto [lo, hi] = chart.bandColumn(QStringLiteral("big"), i);
            QVERIFY(lo <= hi);
            QVERIFY(lo >= 3.0 - 1e-9);
            top = std::max(top, hi);
        }
        QCOMPARE(top, 40.0);
        QCOMPARE(chart.bandColumnCount(QStringLiteral("small")), 0);
        QCOMPARE(chart.drawnPointCount(QStringLiteral("small")), 50);
        // The band follows the log axis too.
        chart.setLogY(true);
        QVERIFY(redrawn.wait(2000));
        QCOMPARE(chart.bandColumnCount(QStringLiteral("big")), columns);
    }

    void chartAxisLabelsAreDistinctAndFitTheirSpacing() {
        // A short chart (title + legend) over a narrow loss range: Qt 6.4
        // elided every y label to "..." when ticks were closer than a line of
        // text, and "%.4g" repeated labels on narrow ranges.
        const QList<QVector<double>> curves{
            {8.70, 8.66, 8.61}, {8.7512, 8.7498, 8.7490}, {6.2, 5.1, 4.3, 3.9}, {1e-4, 4e-4, 7e-4, 1e-3}};
        for (const auto& values : curves) {
            MetricChart chart(QStringLiteral("loss"), QStringLiteral("Loss"));
            chart.resize(470, 220);
            chart.show();
            QSignalSpy redrawn(&chart, &MetricChart::redrawn);
            double step = 1;
            for (double v : values)
                chart.append(QStringLiteral("a"), QStringLiteral("run a"), {step++, 0, 0, v});
            QVERIFY(redrawn.wait(2000));
            auto* y = qobject_cast<QValueAxis*>(chart.chart()->axes(Qt::Vertical).value(0));
            QVERIFY(y);
            const int ticks = y->tickCount();
            QVERIFY2(ticks >= 2, qPrintable(QString::number(ticks)));
            QSet<QString> labels;
            for (int i = 0; i < ticks; ++i) {
                const double v = y->min() + (y->max() - y->min()) * i / (ticks - 1);
                labels.insert(QString::asprintf(y->labelFormat().toLatin1().constData(), v));
            }
            QCOMPARE(labels.size(), ticks); // no label printed twice
            QVERIFY(y->min() <= *std::min_element(values.begin(), values.end()));
            QVERIFY(y->max() >= *std::max_element(values.begin(), values.end()));
            const double spacing = chart.chart()->plotArea().height() / (ticks - 1);
            const double line = QFontMetricsF(y->labelsFont()).height();
            QVERIFY2(spacing >= 1.5 * line,
                     qPrintable(QStringLiteral("%1 ticks, %2 px apart, line %3 px").arg(ticks).arg(spacing).arg(line)));
        }
    }

    void chartPanelMakesAChartPerMetric() {
        ChartPanel panel;
        QJsonObject e{{"event", "log"},       {"step", 1},
                      {"tokens", 128},        {"elapsed_s", 0.5},
                      {"loss", 4.0},          {"lr", 1e-3},
                      {"grad_norm", 1.5},     {"tokens_per_sec", 900.0},
                      {"reward_margin", 0.1}, {"pref_accuracy", 0.5},
                      {"run_id", 3},          {"total_steps", 10}};
        panel.appendEvent(QStringLiteral("k"), QStringLiteral("dpo #3"), e);
        QStringList metrics;
        for (auto* c : panel.charts())
            metrics << c->metric();
        QCOMPARE(metrics, (QStringList{QStringLiteral("loss"), QStringLiteral("lr"), QStringLiteral("grad_norm"),
                                       QStringLiteral("tokens_per_sec"), QStringLiteral("reward_margin"),
                                       QStringLiteral("pref_accuracy")}));
        QTemporaryDir out;
        QString err;
        QVERIFY2(panel.exportAll(out.path(), &err), qPrintable(err));
        QVERIFY(QFileInfo(out.filePath(QStringLiteral("loss.png"))).size() > 0);
        QVERIFY(QFileInfo(out.filePath(QStringLiteral("loss.svg"))).size() > 0);
        QVERIFY(QFileInfo(out.filePath(QStringLiteral("pref_accuracy.csv"))).size() > 0);
    }

    void runsTableSortsAndFilters() {
        RunsModel model;
        std::vector<mm::store::RunRecord> runs(3);
        runs[0].id = 1;
        runs[0].stage = "pretrain";
        runs[0].status = "completed";
        runs[0].finalLoss = 3.5;
        runs[0].tokens = 9000;
        runs[1].id = 2;
        runs[1].stage = "full_sft";
        runs[1].status = "failed";
        runs[1].finalLoss = 10.0;
        runs[1].tokens = 100;
        runs[2].id = 3;
        runs[2].stage = "dpo";
        runs[2].status = "completed";
        runs[2].finalLoss = 0.7;
        runs[2].tokens = 50000;
        runs[2].configJson =
            R"({"batch_size": 4, "accumulation_steps": 1, "learning_rate": 4e-8, "max_seq_len": 1024, "model": {"hidden_size": 512, "num_hidden_layers": 8, "use_moe": false}})";
        model.setRuns(runs);
        RunsFilterModel proxy;
        proxy.setSourceModel(&model);
        proxy.sort(RunsModel::FinalLoss, Qt::AscendingOrder);
        QCOMPARE(proxy.index(0, RunsModel::Id).data().toLongLong(), 3);
        proxy.sort(RunsModel::Tokens, Qt::DescendingOrder); // numeric, not "9000" < "100"
        QCOMPARE(proxy.index(0, RunsModel::Id).data().toLongLong(), 3);
        QCOMPARE(proxy.index(1, RunsModel::Id).data().toLongLong(), 1);
        proxy.setStatus(QStringLiteral("completed"));
        QCOMPARE(proxy.rowCount(), 2);
        proxy.setText(QStringLiteral("h512"));
        QCOMPARE(proxy.rowCount(), 1);
        QCOMPARE(RunsModel::keyConfig(runs[2]), QStringLiteral("h512 L8 · bs4×1 · lr 4e-08 · seq 1024"));
    }

    void configDiffShowsDifferencesOnly() {
        ConfigDiffWidget w;
        w.setConfigs(
            {{QStringLiteral("a"), QStringLiteral(R"({"lr": 1, "batch_size": 4, "model": {"hidden_size": 128}})")},
             {QStringLiteral("b"), QStringLiteral(R"({"lr": 2, "batch_size": 4, "model": {"hidden_size": 128}})")}});
        QCOMPARE(w.shownKeys(), QStringList{QStringLiteral("lr")});
        w.setDifferencesOnly(false);
        QCOMPARE(w.shownKeys().size(), 3);
    }
};

QTEST_MAIN(TestUiForms)
#include "test_ui_forms.moc"
