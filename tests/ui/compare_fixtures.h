#pragma once
// Shared by the compare/scores panel tests: a workspace with tiny random
// checkpoints of the seed's five models, stored answers and scores written
// through the history API, the seed table's row layout and screenshots.

#include "fixtures.h"

#include "model/lora.h"
#include "store/history.h"
#include "text/tokenizer.h"
#include "weights/lora_adapter.h"
#include "weights/state_dict.h"

#include <QDir>
#include <QFile>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>
#include <QWidget>

namespace mm::uitest {

inline const QStringList kEvalPrompts{QStringLiteral("如果A比B高，B比C矮，谁最高？"),
                                      QStringLiteral("请写一个Python函数，用于计算一个列表中所有偶数的平方和。"),
                                      QStringLiteral("请用简短的语言解释什么是“大语言模型”，并举一个应用例子。")};

/// A workspace with the tokenizer and tiny random checkpoints of the seed's
/// five models (pretrain, full_sft, rlhf, reason, full_sft + lora_medical);
/// `withRlhf` false leaves the DPO checkpoint out.
struct TinyWorkspace {
    QTemporaryDir tmp;
    QString dir;
    explicit TinyWorkspace(bool withRlhf = true) {
        dir = tmp.path() + QStringLiteral("/ws");
        QDir().mkpath(dir + QStringLiteral("/lora"));
        const std::string ws = dir.toStdString();
        QFile::copy(QString::fromStdString(test::fixtureTokenizer()), dir + QStringLiteral("/tokenizer.model"));
        const int vocab = text::Tokenizer::load(ws + "/tokenizer.model").vocabSize();
        uint64_t seed = 1;
        for (const char* stage : {"pretrain", "full_sft", "rlhf", "reason"}) {
            if (!withRlhf && std::string(stage) == "rlhf")
                continue;
            model::ModelConfig c;
            c.vocabSize = vocab;
            c.hiddenSize = 32;
            c.numLayers = 2;
            c.numHeads = 4;
            c.numKvHeads = 2;
            c.maxPositions = 2048; // room for the judge's prompt when `micromind serve` answers it
            model::MiniMind m(c);
            m->resetParameters(seed++);
            weights::saveWeights(ws + "/" + stage + "_32.pth", m, {{"stage", stage}}, torch::kFloat32);
        }
        model::MiniMind tuned = weights::loadModel(ws + "/full_sft_32.pth");
        model::LoraOptions lo;
        lo.rank = 4;
        lo.alpha = 4;
        model::attachLora(tuned, lo, 3);
        {
            torch::NoGradGuard ng;
            for (auto& p : model::loraParameters(tuned))
                p.normal_(0, 0.05);
        }
        weights::saveLora(ws + "/lora/lora_medical_32.pth", tuned, lo, {});
    }
    std::string db() const { return (dir + QStringLiteral("/micromind.db")).toStdString(); }
};

/// Stores one answered eval run per mode directly through the history API.
inline void storeAnswers(const std::string& db, const std::vector<int>& modes, const std::string& text) {
    store::History h(db);
    for (int mode : modes) {
        const int64_t run = h.beginRun("eval", "{}", "", "", "test");
        std::vector<store::EvalAnswerRecord> recs;
        for (int i = 0; i < kEvalPrompts.size(); ++i) {
            store::EvalAnswerRecord r;
            r.runId = run;
            r.modelMode = mode;
            r.checkpoint = "/ws/full_sft_32.pth";
            r.promptSet = "eval";
            r.promptIndex = i;
            r.prompt = kEvalPrompts[i].toStdString();
            r.text = text;
            r.tokens = 12;
            r.tokensPerSecond = 250;
            recs.push_back(r);
        }
        h.addEvalAnswers(recs);
        h.finishRun(run, "completed");
    }
}

inline QString readAll(const QString& path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
}

/// One row of the seed's Markdown table with its exact cell widths.
inline QString seedRow(const QStringList& cells) {
    static const int widths[] = {10, 22, 22, 17, 13};
    QString row = QStringLiteral("|");
    for (int i = 0; i < 5; ++i) {
        QString c = QStringLiteral(" ") + cells.value(i);
        if (c.size() < widths[i])
            c = c.leftJustified(widths[i]);
        else
            c += QLatin1Char(' ');
        row += c + QLatin1Char('|');
    }
    return row;
}

inline void screenshot(QWidget& w, const QString& name) {
    QDir().mkpath(QStringLiteral(MM_SCREENSHOT_DIR));
    const QString path = QStringLiteral(MM_SCREENSHOT_DIR) + QLatin1Char('/') + name;
    QVERIFY2(w.grab().save(path), qPrintable(path));
    qInfo("screenshot: %s", qPrintable(path));
}

/// The seed's answers (shortened; the reasoning model's with think parts) and
/// judge scores for modes 0-4, stored in the history at `db` for workspace `dir`.
inline void storeSeedAnswersAndScores(const std::string& db, const std::string& dir) {
    const std::vector<std::vector<std::string>> answers{
        {"A比C矮，B比C矮，A比C矮，C比C矮，A比C矮……",
         "以下是将列表中所有偶数的平方和的列表，可以使用Python或Java中的递归函数来实现。",
         "大语言模型是一种人工神经网络模型，用于解决各种问题，例如文本分类、语音识别和文本生成。"},
        {"如果A比B高，B比C矮，那么A比C矮，B比C矮。", "为了帮助您，我需要您提供具体的列表。",
         "“大语言模型”指的是一种模型，它将文本分为多个类别。\n1. **应用场景**：智能客服。"},
        {"B比C矮，也被称为B，是因为在某些特定的上下文中，A可能指的是B。", "请提供一个包含所有偶数的元素。",
         "大语言模型是AI领域的一个重要模型。"},
        {"<think>\n好，我现在要帮你想想B比C矮，谁最高。首先，B比C矮……\n</"
         "think>\n<answer>\nC矮矮，因为C矮，所以C矮矮。\n</answer>",
         "<think>\n嗯，用户想写一个Python函数，计算列表中所有偶数的平方和。\n</think>\n<answer>\ndef f(xs): return "
         "sum(x*x for x in xs if x % 2 == 0)\n</answer>",
         "<think>\n好的，我现在需要用简短的语言解释一下什么是大语言模型。\n</"
         "think>\n<answer>\n大语言模型是一种用于处理大量文本数据的语言模型。\n</answer>"},
        {"A的A比B高，也被称为AB，是一种常见的基因型疾病……", "当然，我可以帮助你创建一个Python函数。请提供你的症状。",
         "大语言模型是一种用于识别和理解人类语言模式的机器。"}};
    {
        store::History h(db);
        for (int mode = 0; mode < 5; ++mode) {
            const int64_t run = h.beginRun("eval", "{}", "", "", "test");
            std::vector<store::EvalAnswerRecord> recs;
            for (int i = 0; i < 3; ++i) {
                store::EvalAnswerRecord r;
                r.runId = run;
                r.modelMode = mode;
                static const char* stems[] = {"pretrain", "full_sft", "rlhf", "reason", "full_sft"};
                r.checkpoint = dir + "/" + stems[mode] + "_512.pth";
                r.lora = mode == 4 ? dir + "/lora/lora_medical_512.pth" : "";
                r.promptSet = "eval";
                r.promptIndex = i;
                r.prompt = kEvalPrompts[i].toStdString();
                r.text = answers[size_t(mode)][size_t(i)];
                r.tokens = 60 + 10 * i;
                r.tokensPerSecond = 31.5 + mode;
                recs.push_back(r);
            }
            h.addEvalAnswers(recs);
            h.finishRun(run, "completed");
            const double v[5][3] = {{2, 1, 3}, {5, 3, 6}, {5, 3.5, 6}, {4, 4, 5}, {4.5, 3, 6}};
            for (int d = 0; d < 3; ++d) {
                store::ScoreRecord sc;
                sc.modelMode = mode;
                sc.dimension = d == 0 ? "language" : d == 1 ? "knowledge" : "efficiency";
                sc.value = v[mode][d];
                sc.judgeModel = "deepseek-chat";
                sc.rawReply = "{\"comment\": \"回答通顺但事实有误\"}";
                h.addScore(sc);
            }
        }
    }
}

} // namespace mm::uitest
