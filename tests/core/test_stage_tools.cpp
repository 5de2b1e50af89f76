// heldout's options and report text, merge_lora's refusal of a bad adapter name
// (train/stage_tools.h); the measurements themselves run in the e2e tests.

#include "common/error.h"
#include "config/stages.h"
#include "expect_error.h"
#include "train/stage_tools.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

using namespace mm;

namespace {

train::HeldoutOptions heldout(std::vector<std::string> extra) {
    std::vector<std::string> args{"--weights", "w.pth", "--data_path", "d.jsonl"};
    args.insert(args.end(), extra.begin(), extra.end());
    return train::HeldoutOptions::from(config::parseArgs(config::schemaFor("heldout"), args));
}

} // namespace

TEST(StageTools, HeldoutStagePicksItsOwnMetric) {
    EXPECT_EQ(heldout({}).metric, "loss");
    EXPECT_EQ(heldout({"--metric", "reward"}).metric, "reward");
    EXPECT_EQ(heldout({"--stage", "dpo"}).metric, "preference");
    EXPECT_EQ(heldout({"--stage", "distill_reason"}).metric, "think_format");
    EXPECT_EQ(heldout({"--stage", "grpo", "--metric", "reward"}).metric, "reward");
    EXPECT_EQ(heldout({"--stage", "lora"}).metric, "loss");
    test::expectError<InputError>(
        [] {
            heldout({"--stage", "dpo", "--metric", "loss"});
        },
        {"--stage dpo measures --metric preference, not loss"});
    const train::HeldoutOptions o = heldout({"--max_samples", "7", "--lora_path", "a.pth"});
    EXPECT_EQ(o.weights, "w.pth");
    EXPECT_EQ(o.dataPath, "d.jsonl");
    EXPECT_EQ(o.loraPath, "a.pth");
    EXPECT_EQ(o.maxSamples, 7);
}

TEST(StageTools, HeldoutTextListsFiguresThenExamples) {
    const nlohmann::json out{{"metric", "think_format"},
                             {"format_rate", 0.5},
                             {"examples",
                              {{{"output", "<think>x</think>"}, {"format_ok", true}},
                               {{"output", "no"}, {"format_ok", false}, {"reward", 0.25}}}}};
    EXPECT_EQ(train::heldoutText(out), "format_rate        0.5\n"
                                       "metric             \"think_format\"\n"
                                       "--- example (format ok)\n<think>x</think>\n"
                                       "--- example (format wrong, reward 0.25)\nno\n");
}

TEST(StageTools, MergeLoraRefusesABadAdapterName) {
    const config::Values v = config::parseArgs(config::schemaFor("merge_lora"), {"--lora_name", "../x"});
    test::expectError<InputError>([&] { train::mergeLoraCommand(v); },
                                  {"--lora_name \"../x\" is not a valid file name"});
}
