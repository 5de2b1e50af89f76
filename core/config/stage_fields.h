#pragma once
// Internal to core/config: the field builders and shared field blocks the
// schema tables are made of (stage_fields.cpp), and the table of each command
// (stages_training.cpp, stages_tools.cpp). config/stages.cpp puts the tables
// together; everything else reads them through config/stages.h.

#include "config/stages.h"

#include <optional>
#include <string>
#include <vector>

namespace mm::config::detail {

/// Every --tokenizer takes either backend (text/tokenizer.h).
extern const char* const kTokenizerHelp;

Field f(std::string name, FieldType t, std::string def, std::string help, std::string group);
Field ranged(Field x, std::optional<double> lo, std::optional<double> hi);
Field choice(std::string name, std::string def, std::vector<std::string> choices, std::string help, std::string group);
Field required(Field x);
/// "custom" and every preset's name.
std::vector<std::string> presetNames();

/// --preset, sizes and heads of a model to train.
void addModelFields(std::vector<Field>& v);
/// Fields every training stage shares: the loop's knobs.
void addTrainingFields(std::vector<Field>& v, const std::string& lr, const std::string& batch, const std::string& accum,
                       const std::string& seqLen, const std::string& epochs);
void addDataFields(std::vector<Field>& v, bool withPacking);
/// Validation during training (every training stage).
void addEvalFields(
    std::vector<Field>& v,
    const char* dataHelp = "held-out file in the training data's format, measured on rank 0 every "
                           "--eval_interval steps and after the last, logged and stored as val_loss "
                           "(dpo: val_pref_accuracy, val_chosen_logp); training is unchanged",
    const char* samplesHelp = "validation: at most this many texts or conversations of --eval_data (0 = all)",
    const char* samplesDefault = "256");
/// Which weights an evaluation command loads.
void addEvalModelFields(std::vector<Field>& v, bool withMode);
void addInferDtypeField(std::vector<Field>& v, const char* group);
void addSamplingFields(std::vector<Field>& v, const std::string& maxNew);
/// --from_weight: the parent checkpoint's stem in out_dir (minimind's flag).
void addParentField(std::vector<Field>& v, const std::string& def);

// Training commands (stages_training.cpp).
Schema makeTokenizer();
Schema makePretrain();
Schema makeData();
Schema makeBench();
Schema makeFullSft();
Schema makeDpo();
Schema makeLora();
Schema makeDistillReason();
Schema makeGrpo();
Schema makeMergeLora();
Schema makeHeldout();

// Evaluation commands and workspace tools (stages_tools.cpp).
Schema makeEval();
Schema makeChat();
Schema makeServe();
Schema makeJudge();
Schema makeScores();
Schema makeMetrics();
Schema makePipeline();
Schema makeDemo();
Schema makeImport();
Schema makeExport();

} // namespace mm::config::detail
