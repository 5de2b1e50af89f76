#pragma once
// Typed options of the training stages. The schema (config/stages*.cpp) says what
// a field is (type, default, range, help); the tables here say which struct
// member holds it. Each field is bound once, so `Values -> options` is one loop
// per stage and a test checks that no schema field lacks a member.

#include "config/schema.h"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace mm::config {

/// Fields every training stage has: data, model shape, loop, run, validation.
struct TrainingOptions {
    std::string stage; ///< schema name ("pretrain", "full_sft", ...)
    // Data
    std::string dataPath, tokenizer;
    bool skipBadLines = false;
    // Model
    std::string preset = "custom";
    int64_t hiddenSize = 512, numHiddenLayers = 8, numAttentionHeads = 8, numKeyValueHeads = 2;
    bool useMoe = false;
    std::string fromWeight; ///< parent checkpoint stem (post-training stages; "none" = random init)
    // Training
    int64_t epochs = 1, batchSize = 32, accumulationSteps = 1, maxSeqLen = 512, warmupSteps = 0, maxSteps = 0,
            seed = 42;
    double learningRate = 5e-4, gradClip = 1.0, weightDecay = 0.01;
    // Run
    std::string outDir = "out", device = "auto", dtype = "auto", probePrompts;
    int64_t threads = 0, nprocPerNode = 1, logInterval = 100, saveInterval = 100, probeInterval = 100,
            probeMaxTokens = 48, ddpTimeout = 300;
    bool resume = false, json = false;
    // Validation
    std::string evalData;
    double evalSplit = 0;
    int64_t evalInterval = 0, evalMaxSamples = 256;

    /// Steps between validations: --eval_interval, else --log_interval.
    int64_t effectiveEvalInterval() const { return evalInterval > 0 ? evalInterval : logInterval; }
};

struct PretrainOptions : TrainingOptions {
    std::string packing = "pack";
};

/// full_sft, distill_reason and lora: one struct, each stage binds its own fields.
struct SftOptions : TrainingOptions {
    bool lrScaleWithBatch = false; ///< full_sft
    double tagWeight = 0;          ///< distill_reason (0 = plain SFT loss)
    // lora
    std::string loraName, loraTargets;
    int64_t loraRank = 8;
    double loraAlpha = 0;
};

struct DpoOptions : TrainingOptions {
    double beta = 0.1, rpoAlpha = 0;
};

struct GrpoStageOptions : TrainingOptions {
    int64_t numGenerations = 4, maxGenLen = 256, sampleChars = 300, logSamples = 4;
    double temperature = 0.8, beta = 0.02, clipEps = 0.2;
    std::string rewards;
};

/// One schema field bound to a member of options struct T.
template <class T>
struct Binding {
    std::string name;
    std::variant<int64_t T::*, double T::*, bool T::*, std::string T::*> member;
};

/// The bindings of a training stage: every field of its schema, once.
const std::vector<Binding<PretrainOptions>>& pretrainBindings();
/// For "full_sft", "distill_reason" or "lora".
const std::vector<Binding<SftOptions>>& sftBindings(const std::string& stage);
const std::vector<Binding<DpoOptions>>& dpoBindings();
const std::vector<Binding<GrpoStageOptions>>& grpoBindings();

/// Values -> typed options (the values are parsed and validated already).
PretrainOptions pretrainOptions(const Values& v);
SftOptions sftOptions(const Values& v);
DpoOptions dpoOptions(const Values& v);
GrpoStageOptions grpoOptions(const Values& v);

/// The options as the JSON object Values::toJson gives for the same values
/// (typed members, every schema field): what the run history stores.
nlohmann::json optionsJson(const PretrainOptions& o);
nlohmann::json optionsJson(const SftOptions& o);
nlohmann::json optionsJson(const DpoOptions& o);
nlohmann::json optionsJson(const GrpoStageOptions& o);

/// Names of the fields of `stage`'s schema that have no member (empty = all
/// bound), and of bound names whose member type does not fit the field type or
/// that the schema lacks. For the drift test.
std::vector<std::string> unboundFields(const std::string& stage);

} // namespace mm::config
