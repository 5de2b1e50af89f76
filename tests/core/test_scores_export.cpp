// The exported reports' pieces that `micromind scores export` and the
// workbench share: mode labels, comparison columns, subtitle and file set.

#include "core/fixtures.h"

#include "eval/scores.h"
#include "store/history.h"

#include <gtest/gtest.h>

using namespace mm;

TEST(ScoresExport, ModeLabelNamesTheModeAndTheCheckpointStem) {
    EXPECT_EQ(eval::modeLabel(1, "out/full_sft_512.pth"), "1 full_sft (full_sft_512)");
    EXPECT_EQ(eval::modeLabel(2, "/ws/rlhf_640_moe.pth"), "2 rlhf (rlhf_640_moe)");
    EXPECT_EQ(eval::modeLabel(3, ""), "3 reason");
    EXPECT_EQ(eval::modeLabel(5, "grpo_512.pth"), "5 grpo (grpo_512)");
    EXPECT_EQ(eval::modeLabel(7, "x/other.pth"), "7 mode 7 (other)");
}

TEST(ScoresExport, ComparisonColumnsHoldEachEvaluatedModesLatestAnswers) {
    test::TempDir dir;
    store::History h(dir.file("micromind.db"));
    EXPECT_TRUE(eval::comparisonColumns(h).empty());
    const auto addAnswers = [&](int mode, const std::string& checkpoint, const std::string& text) {
        const int64_t run = h.beginRun("eval", "{}", checkpoint, "", "t");
        store::EvalAnswerRecord a;
        a.runId = run;
        a.modelMode = mode;
        a.checkpoint = checkpoint;
        a.promptSet = "eval";
        a.prompt = "谁最高？";
        a.text = text;
        h.addEvalAnswers({a});
        h.finishRun(run, "completed");
    };
    addAnswers(1, "out/full_sft_512.pth", "older");
    addAnswers(0, "out/pretrain_512.pth", "臭豆腐");
    addAnswers(1, "out/full_sft_768.pth", "newer");
    const auto cols = eval::comparisonColumns(h);
    ASSERT_EQ(cols.size(), 2u);
    EXPECT_EQ(cols[0].mode, h.evaluatedModes()[0]);
    for (const auto& c : cols) {
        ASSERT_EQ(c.answers.size(), 1u);
        if (c.mode == 1) {
            EXPECT_EQ(c.label, "1 full_sft (full_sft_768)");
            EXPECT_EQ(c.answers[0].text, "newer");
        } else {
            EXPECT_EQ(c.mode, 0);
            EXPECT_EQ(c.label, "0 pretrain (pretrain_512)");
            EXPECT_EQ(c.answers[0].text, "臭豆腐");
        }
    }
}

TEST(ScoresExport, FilesAreTheTablesAndTheComparisonInEveryFormat) {
    EXPECT_EQ(eval::reportSubtitle("/ws"), "workspace /ws");
    EXPECT_EQ(eval::reportSubtitle("/ws", "gpt"), "workspace /ws, judge gpt");

    const eval::ScoreTable table = eval::buildScoreTable({});
    const auto tableFiles = eval::scoreTableFiles(table, "sub");
    ASSERT_EQ(tableFiles.size(), 3u);
    EXPECT_EQ(tableFiles[0].name, "scores.md");
    EXPECT_EQ(tableFiles[0].text, eval::scoresMarkdown(table));
    EXPECT_EQ(tableFiles[1].name, "scores.csv");
    EXPECT_EQ(tableFiles[1].text, eval::scoresCsv(table));
    EXPECT_EQ(tableFiles[2].name, "scores.html");
    EXPECT_EQ(tableFiles[2].text, eval::scoresHtml(table, "sub"));

    store::EvalAnswerRecord a;
    a.prompt = "p";
    a.text = "t";
    const std::vector<eval::CompareColumn> cols{{1, "1 full_sft", {a}}};
    const auto compareFiles = eval::comparisonFiles(cols, "sub");
    ASSERT_EQ(compareFiles.size(), 2u);
    EXPECT_EQ(compareFiles[0].name, "compare.md");
    EXPECT_EQ(compareFiles[0].text, eval::compareMarkdown(cols, "sub"));
    EXPECT_EQ(compareFiles[1].name, "compare.html");
    EXPECT_EQ(compareFiles[1].text, eval::compareHtml(cols, "sub"));
}
