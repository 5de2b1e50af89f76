// The rules the workbench's forms ask the core for (config::checkValue,
// modelShapeOf, commandArgs, applyPresetAndCheckFields): the same as the CLI's.

#include "common/error.h"
#include "config/schema.h"
#include "config/stages.h"

#include <gtest/gtest.h>

#include <algorithm>

using namespace mm;
using namespace mm::config;

namespace {

const Field& field(const std::string& stage, const std::string& name) {
    const Field* f = schemaFor(stage).find(name);
    if (!f)
        throw std::logic_error("no field " + name);
    return *f;
}

/// Values of `stage` with defaults, then `given` set as the user's.
Values valuesOf(const std::string& stage, const std::vector<std::pair<std::string, std::string>>& given) {
    const Schema& s = schemaFor(stage);
    Values v(&s);
    for (const auto& f : s.fields)
        v.set(f.name, f.defaultValue, false);
    for (const auto& [name, value] : given)
        v.set(name, value, true);
    return v;
}

} // namespace

TEST(ConfigRules, CheckValueNamesTheIssueAndTheBound) {
    const Field& epochs = field("pretrain", "epochs"); // Int, 1 ... 1000
    EXPECT_TRUE(checkValue(epochs, "3").ok());
    EXPECT_TRUE(checkValue(epochs, "1e2").ok()); // integral floats count, as on the command line
    const ValueCheck low = checkValue(epochs, "0");
    EXPECT_EQ(low.issue, ValueIssue::BelowMinimum);
    EXPECT_EQ(low.limit, 1);
    EXPECT_EQ(low.message, "--epochs: 0 is below the minimum 1");
    const ValueCheck high = checkValue(epochs, "1001");
    EXPECT_EQ(high.issue, ValueIssue::AboveMaximum);
    EXPECT_EQ(high.limit, 1000);
    EXPECT_EQ(high.message, "--epochs: 1001 is above the maximum 1000");
    const ValueCheck word = checkValue(epochs, "abc");
    EXPECT_EQ(word.issue, ValueIssue::NotInteger);
    EXPECT_EQ(word.message, "--epochs: \"abc\" is not an integer");
    EXPECT_EQ(checkValue(epochs, "2.5").issue, ValueIssue::NotInteger);
    EXPECT_EQ(checkValue(epochs, "").issue, ValueIssue::NotInteger);

    const Field& lr = field("pretrain", "learning_rate"); // Float, 0 ... 1
    EXPECT_TRUE(checkValue(lr, "5e-4").ok());
    EXPECT_EQ(checkValue(lr, "x").issue, ValueIssue::NotNumber);
    EXPECT_EQ(checkValue(lr, "inf").issue, ValueIssue::NotNumber);
    const ValueCheck lrHigh = checkValue(lr, "2");
    EXPECT_EQ(lrHigh.issue, ValueIssue::AboveMaximum);
    EXPECT_EQ(lrHigh.limit, 1);
    EXPECT_EQ(lrHigh.message, "--learning_rate: 2 is above the maximum 1");

    const ValueCheck data = checkValue(field("pretrain", "data_path"), "");
    EXPECT_EQ(data.issue, ValueIssue::Required);
    EXPECT_EQ(data.message, "--data_path is required");
    EXPECT_TRUE(checkValue(field("pretrain", "tokenizer"), "").ok()); // optional path

    const Field& dtype = field("pretrain", "dtype");
    EXPECT_TRUE(checkValue(dtype, "bfloat16").ok());
    const ValueCheck fp8 = checkValue(dtype, "fp8");
    EXPECT_EQ(fp8.issue, ValueIssue::NotAChoice);
    EXPECT_EQ(fp8.message, "--dtype: \"fp8\" is not one of auto, float32, bfloat16, float16");

    const Field& moe = field("pretrain", "use_moe");
    EXPECT_TRUE(checkValue(moe, "true").ok());
    EXPECT_EQ(checkValue(moe, "maybe").issue, ValueIssue::NotBoolean);
}

TEST(ConfigRules, ValidateReportsCheckValuesMessages) {
    Values v = valuesOf("pretrain", {{"data_path", "d.jsonl"}, {"epochs", "0"}, {"dtype", "fp8"}});
    const auto problems = validateFields(v);
    ASSERT_EQ(problems.size(), 2u);
    EXPECT_EQ(problems[0].field, "epochs");
    EXPECT_EQ(problems[0].message, "--epochs: 0 is below the minimum 1");
    EXPECT_EQ(problems[1].field, "dtype");
    EXPECT_EQ(problems[1].message, checkValue(field("pretrain", "dtype"), "fp8").message);
}

TEST(ConfigRules, ModelShapeAppliesThePresetToTheSizesLeftUnset) {
    ModelShape shape = modelShapeOf(valuesOf("pretrain", {}));
    EXPECT_TRUE(shape.ok);
    EXPECT_EQ(shape.hiddenSize, 512);
    EXPECT_EQ(shape.numLayers, 8);
    EXPECT_EQ(shape.numHeads, 8);
    EXPECT_EQ(shape.numKvHeads, 2);
    EXPECT_FALSE(shape.useMoe);

    shape = modelShapeOf(valuesOf("pretrain", {{"preset", "minimind2-moe"}, {"num_key_value_heads", "4"}}));
    EXPECT_TRUE(shape.ok);
    EXPECT_EQ(shape.hiddenSize, 640);
    EXPECT_EQ(shape.numLayers, 8);
    EXPECT_EQ(shape.numKvHeads, 4);
    EXPECT_TRUE(shape.useMoe);

    // An explicit size wins over the preset's; the values themselves are not changed.
    const Values given = valuesOf("full_sft", {{"preset", "tiny"}, {"num_hidden_layers", "6"}});
    shape = modelShapeOf(given);
    EXPECT_TRUE(shape.ok);
    EXPECT_EQ(shape.hiddenSize, 128);
    EXPECT_EQ(shape.numLayers, 6);
    EXPECT_EQ(given.getString("hidden_size"), "512");

    // A size that is not an integer is 0, the others still count.
    shape = modelShapeOf(valuesOf("pretrain", {{"num_attention_heads", "x"}, {"hidden_size", "256"}}));
    EXPECT_FALSE(shape.ok);
    EXPECT_EQ(shape.numHeads, 0);
    EXPECT_EQ(shape.hiddenSize, 256);
    // eval has hidden_size and use_moe but no layers or heads.
    shape = modelShapeOf(valuesOf("eval", {{"hidden_size", "768"}, {"use_moe", "1"}}));
    EXPECT_FALSE(shape.ok);
    EXPECT_EQ(shape.hiddenSize, 768);
    EXPECT_EQ(shape.numLayers, 0);
    EXPECT_EQ(shape.numHeads, 8);
    EXPECT_EQ(shape.numKvHeads, 2);
    EXPECT_TRUE(shape.useMoe);
    EXPECT_FALSE(modelShapeOf(valuesOf("data", {})).ok);
}

TEST(ConfigRules, CommandArgsLeaveOutTheSizesThePresetImplies) {
    Values v = valuesOf("pretrain", {{"data_path", "data.jsonl"},
                                     {"preset", "tiny"},
                                     {"hidden_size", "128"},
                                     {"num_hidden_layers", "4"},
                                     {"use_moe", "1"},
                                     {"max_steps", "50"}});
    const std::vector<std::string> expected{"pretrain", "--data_path", "data.jsonl",  "--preset",
                                            "tiny",     "--use_moe",   "--max_steps", "50"};
    EXPECT_EQ(commandArgs(v), expected);
    // Values::toArgs itself keeps every changed field.
    EXPECT_NE(v.toArgs(), expected);
    // A size other than the preset's stays, and the CLI parses the result.
    v.set("hidden_size", "256");
    const auto args = commandArgs(v);
    EXPECT_NE(std::find(args.begin(), args.end(), "256"), args.end());
    const Values parsed = parseArgs(schemaFor("pretrain"), std::vector<std::string>(args.begin() + 1, args.end()));
    Values applied = parsed;
    applyPreset(applied);
    EXPECT_EQ(applied.getInt("hidden_size"), 256);
    EXPECT_EQ(applied.getInt("num_hidden_layers"), 4);
    // Without a preset commandArgs is toArgs.
    const Values plain = valuesOf("dpo", {{"hidden_size", "768"}, {"beta", "0.2"}});
    EXPECT_EQ(commandArgs(plain), plain.toArgs());
}

TEST(ConfigRules, CrossFieldProblemsNameTheirField) {
    Values v = valuesOf("pretrain", {{"hidden_size", "100"}, {"num_attention_heads", "8"}});
    auto problems = applyPresetAndCheckFields(v);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].field, "hidden_size");
    EXPECT_EQ(problems[0].message, "--hidden_size 100 must be divisible by --num_attention_heads 8");

    v = valuesOf("pretrain", {{"hidden_size", "96"}, {"num_attention_heads", "32"}});
    problems = applyPresetAndCheckFields(v);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].field, "hidden_size");
    EXPECT_NE(problems[0].message.find("must be even"), std::string::npos);

    v = valuesOf("pretrain", {{"num_attention_heads", "8"}, {"num_key_value_heads", "3"}});
    problems = applyPresetAndCheckFields(v);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].field, "num_attention_heads");
    EXPECT_EQ(problems[0].message, "--num_attention_heads 8 must be divisible by --num_key_value_heads 3");
    Values again = valuesOf("pretrain", {{"num_attention_heads", "8"}, {"num_key_value_heads", "3"}});
    EXPECT_EQ(applyPresetAndCheck(again), std::vector<std::string>{problems[0].message});

    // The preset fills the sizes first: tiny's 128 with 8 heads is fine.
    v = valuesOf("pretrain", {{"preset", "tiny"}});
    EXPECT_TRUE(applyPresetAndCheckFields(v).empty());
    EXPECT_EQ(v.getInt("hidden_size"), 128);
    EXPECT_FALSE(v.isSet("hidden_size"));
}
