#include "common/error.h"
#include "config/stage_options.h"
#include "config/stages.h"

#include <gtest/gtest.h>

using namespace mm;
using namespace mm::config;

TEST(Schema, DefaultsFollowMinimind) {
    Values v = parseArgs(schemaFor("pretrain"), {"--data_path", "x.jsonl"});
    EXPECT_EQ(v.getString("out_dir"), "out");
    EXPECT_EQ(v.getInt("epochs"), 1);
    EXPECT_EQ(v.getInt("batch_size"), 32);
    EXPECT_DOUBLE_EQ(v.getFloat("learning_rate"), 5e-4);
    EXPECT_EQ(v.getInt("accumulation_steps"), 8);
    EXPECT_EQ(v.getInt("max_seq_len"), 512);
    EXPECT_EQ(v.getInt("hidden_size"), 512);
    EXPECT_EQ(v.getInt("num_hidden_layers"), 8);
    EXPECT_FALSE(v.getBool("use_moe"));
    EXPECT_DOUBLE_EQ(v.getFloat("grad_clip"), 1.0);
    EXPECT_TRUE(v.isSet("data_path"));
    EXPECT_FALSE(v.isSet("epochs"));
}

TEST(Schema, ReportsEveryProblemAtOnce) {
    try {
        parseArgs(schemaFor("pretrain"), {"--data_path", "x", "--batch_sise", "4", "--learning_rate", "abc", "--epochs",
                                          "0", "--dtype", "fp8"});
        FAIL() << "expected InputError";
    } catch (const InputError& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("4 problems"), std::string::npos) << m;
        EXPECT_NE(m.find("unknown flag --batch_sise (did you mean --batch_size?)"), std::string::npos) << m;
        EXPECT_NE(m.find("--learning_rate: \"abc\" is not a number"), std::string::npos) << m;
        EXPECT_NE(m.find("--epochs: 0 is below the minimum 1"), std::string::npos) << m;
        EXPECT_NE(m.find("--dtype: \"fp8\" is not one of"), std::string::npos) << m;
    }
}

TEST(Schema, RequiredFieldMissing) {
    try {
        parseArgs(schemaFor("pretrain"), {});
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("--data_path is required"), std::string::npos) << e.what();
    }
}

TEST(Schema, BoolAndEqualsForms) {
    Values v = parseArgs(schemaFor("pretrain"), {"--data_path=a.jsonl", "--json", "--resume", "0", "--use_moe", "1"});
    EXPECT_EQ(v.getString("data_path"), "a.jsonl");
    EXPECT_TRUE(v.getBool("json"));
    EXPECT_FALSE(v.getBool("resume"));
    EXPECT_TRUE(v.getBool("use_moe"));
}

TEST(Schema, PresetFillsOnlyUnsetModelFields) {
    Values v =
        parseArgs(schemaFor("pretrain"), {"--data_path", "a", "--preset", "minimind2", "--num_hidden_layers", "4"});
    EXPECT_TRUE(applyPresetAndCheck(v).empty());
    EXPECT_EQ(v.getInt("hidden_size"), 768);
    EXPECT_EQ(v.getInt("num_hidden_layers"), 4);
}

TEST(Schema, CrossFieldRules) {
    Values v =
        parseArgs(schemaFor("pretrain"), {"--data_path", "a", "--hidden_size", "100", "--num_key_value_heads", "3"});
    auto p = applyPresetAndCheck(v);
    ASSERT_EQ(p.size(), 2u);
    EXPECT_NE(p[0].find("divisible by --num_attention_heads 8"), std::string::npos);
    EXPECT_NE(p[1].find("divisible by --num_key_value_heads 3"), std::string::npos);
}

TEST(Schema, ArgsRoundTripThroughToArgs) {
    Values v = parseArgs(schemaFor("pretrain"), {"--data_path", "a.jsonl", "--batch_size", "4", "--json"});
    auto args = v.toArgs();
    ASSERT_EQ(args.front(), "pretrain");
    Values w = parseArgs(schemaFor("pretrain"), std::vector<std::string>(args.begin() + 1, args.end()));
    EXPECT_EQ(w.toJson(), v.toJson());
}

TEST(Schema, JsonRejectsUnknownKeys) {
    nlohmann::json j{{"data_path", "a"}, {"batch_size", 4}, {"lr", 0.1}};
    EXPECT_THROW(parseJson(schemaFor("pretrain"), j), InputError);
    j.erase("lr");
    Values v = parseJson(schemaFor("pretrain"), j);
    EXPECT_EQ(v.getInt("batch_size"), 4);
}

TEST(Schema, HelpListsFlagsWithDefaults) {
    std::string h = helpText(schemaFor("pretrain"));
    EXPECT_NE(h.find("--learning_rate <float>"), std::string::npos);
    EXPECT_NE(h.find("default 5e-4"), std::string::npos);
    EXPECT_NE(h.find("--json"), std::string::npos);
}

// Typed options (config/stage_options.h): every field of every training
// stage's schema is bound to exactly one member of the right type, so the
// schema and the structs cannot drift apart.
TEST(StageOptions, EveryTrainingFieldIsBound) {
    for (const char* stage : {"pretrain", "full_sft", "distill_reason", "lora", "dpo", "grpo"}) {
        const std::vector<std::string> drift = unboundFields(stage);
        std::string all;
        for (const auto& d : drift)
            all += " " + d;
        EXPECT_TRUE(drift.empty()) << stage << ":" << all;
    }
}

TEST(StageOptions, CommandLineGivesTypedValues) {
    Values v = parseArgs(schemaFor("lora"), {"--data_path", "d.jsonl", "--batch_size", "3", "--learning_rate", "2e-4",
                                             "--lora_rank", "4", "--lora_targets", "q_proj", "--resume", "--device",
                                             "cpu", "--eval_interval", "0", "--log_interval", "7"});
    const SftOptions o = sftOptions(v);
    EXPECT_EQ(o.stage, "lora");
    EXPECT_EQ(o.dataPath, "d.jsonl");
    EXPECT_EQ(o.batchSize, 3);
    EXPECT_DOUBLE_EQ(o.learningRate, 2e-4);
    EXPECT_EQ(o.loraRank, 4);
    EXPECT_EQ(o.loraName, "lora_medical");
    EXPECT_EQ(o.loraTargets, "q_proj");
    EXPECT_TRUE(o.resume);
    EXPECT_FALSE(o.json);
    EXPECT_EQ(o.device, "cpu");
    EXPECT_EQ(o.fromWeight, "full_sft");
    EXPECT_EQ(o.epochs, 10);
    EXPECT_EQ(o.effectiveEvalInterval(), 7);
    // The typed options give back the history's JSON exactly.
    EXPECT_EQ(optionsJson(o), v.toJson());

    Values g = parseArgs(schemaFor("grpo"), {"--data_path", "p.jsonl", "--num_generations", "6", "--beta", "0",
                                             "--rewards", "format,exact", "--log_samples", "2"});
    const GrpoStageOptions go = grpoOptions(g);
    EXPECT_EQ(go.numGenerations, 6);
    EXPECT_DOUBLE_EQ(go.beta, 0.0);
    EXPECT_DOUBLE_EQ(go.temperature, 0.8);
    EXPECT_EQ(go.rewards, "format,exact");
    EXPECT_EQ(go.logSamples, 2);
    EXPECT_EQ(go.evalMaxSamples, 32);
    EXPECT_EQ(optionsJson(go), g.toJson());

    Values p = parseArgs(schemaFor("pretrain"), {"--data_path", "t.jsonl", "--packing", "pad", "--use_moe"});
    const PretrainOptions po = pretrainOptions(p);
    EXPECT_EQ(po.packing, "pad");
    EXPECT_TRUE(po.useMoe);
    EXPECT_EQ(po.accumulationSteps, 8);
    EXPECT_EQ(optionsJson(po), p.toJson());
    EXPECT_DOUBLE_EQ(dpoOptions(parseArgs(schemaFor("dpo"), {"--data_path", "x", "--rpo_alpha", "0.5"})).rpoAlpha, 0.5);
    EXPECT_DOUBLE_EQ(sftOptions(parseArgs(schemaFor("distill_reason"), {"--data_path", "x"})).tagWeight, 10.0);
}

TEST(StageOptions, ValidateNamesTheField) {
    Values v = parseArgs(schemaFor("dpo"), {"--data_path", "x"});
    v.set("beta", "0");
    v.set("epochs", "abc");
    const std::vector<Problem> p = validateFields(v);
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[0].field, "epochs");
    EXPECT_EQ(p[0].message, "--epochs: \"abc\" is not an integer");
    EXPECT_EQ(p[1].field, "beta");
    EXPECT_EQ(validate(v), (std::vector<std::string>{p[0].message, p[1].message}));
}
