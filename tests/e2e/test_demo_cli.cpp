// `micromind demo` end to end on a synthetic fortunes-zh corpus: every stage
// runs as a real child process for a few steps, the five models are evaluated
// and the reports are written; a second run keeps the finished stages.

#include "cli_runner.h"
#include "core/fixtures.h"

#include "common/fs.h"

#include <gtest/gtest.h>

using namespace mm;

TEST(DemoCli, QuickRunTrainsEvaluatesAndReportsEveryModel) {
    test::TempDir src, ws;
    test::writeFortunesFixture(src.path(), 32);
    const std::vector<std::string> args{"demo",    "--workspace",  ws.file("demo"), "--source",  src.path(),
                                        "--quick", "--vocab_size", "400",           "--threads", "1"};
    test::CliResult r = test::runCli(args, ws.path());
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    for (const char* f : {"out/tokenizer.model", "out/pretrain_128.pth", "out/full_sft_128.pth", "out/rlhf_128.pth",
                          "out/reason_128.pth", "out/lora/lora_songci_128.pth", "out/grpo_128.pth", "reports/demo.md",
                          "reports/scores.md", "reports/compare.html"})
        EXPECT_TRUE(fs::isFile(ws.file("demo/") + f)) << f << "\n" << r.out;
    const std::string report = fs::readFile(ws.file("demo/reports/demo.md"));
    for (const char* row : {"| 0 | pretrain |", "| 1 | full_sft |", "| 2 | rlhf (dpo) |", "| 3 | reason |",
                            "| 4 | lora_songci + full_sft |", "| 5 | grpo |"})
        EXPECT_NE(report.find(row), std::string::npos) << row << "\n" << report;
    // Every cell was measured (no failed measurement).
    EXPECT_EQ(report.find("n/a"), std::string::npos) << report;
    EXPECT_NE(fs::readFile(ws.file("demo/reports/scores.md")).find("| 模型编号 |"), std::string::npos);
    // The exact commands are shown.
    EXPECT_NE(r.out.find("$ micromind full_sft --data_path"), std::string::npos) << r.out;

    // Re-running keeps every trained stage and only re-evaluates.
    const std::string sft = fs::readFile(ws.file("demo/out/full_sft_128.pth"));
    r = test::runCli(args, ws.path());
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("pretrain (model 0): kept out/pretrain_128.pth"), std::string::npos) << r.out;
    EXPECT_EQ(fs::readFile(ws.file("demo/out/full_sft_128.pth")), sft);
}

TEST(DemoCli, MissingCorpusFailsWithTheInstallCommand) {
    test::TempDir ws;
    test::CliResult r = test::runCli({"demo", "--workspace", ws.file("demo"), "--source", ws.file("none")}, ws.path());
    EXPECT_EQ(r.code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("apt-get install fortunes-zh"), std::string::npos) << r.err;
}
