#pragma once
// The schemas of every `micromind` command that takes a config. Training stages
// share one block of fields (trainingFields) so that a flag means the same thing
// in every stage.

#include "config/schema.h"

#include <optional>
#include <string>
#include <vector>

namespace mm::config {

/// Schema for a command name; throws InputError for an unknown one.
const Schema& schemaFor(const std::string& name);
/// Every command with a schema, in pipeline order.
std::vector<std::string> schemaNames();

/// Model presets named after minimind's models (and a tiny one for CPU demos and
/// tests): they set hidden_size, num_hidden_layers and use_moe unless those flags
/// are given explicitly.
struct Preset {
    std::string name;
    int hiddenSize;
    int numLayers;
    bool useMoe;
    std::string help;
};
const std::vector<Preset>& presets();

/// Applies --preset to the model fields the user did not set (hidden_size,
/// num_hidden_layers, use_moe); no-op for "custom" or a schema without --preset.
void applyPreset(Values& values);

/// Applies --preset, then checks the cross-field rules (heads divide hidden
/// size, ...). Each problem names the field it concerns (hidden_size or
/// num_attention_heads).
std::vector<Problem> applyPresetAndCheckFields(Values& values);
/// applyPresetAndCheckFields' messages alone.
std::vector<std::string> applyPresetAndCheck(Values& values);

/// The shape of the model a stage's values describe.
struct ModelShape {
    int hiddenSize = 0; ///< 0 when the schema lacks it or it is not an integer
    int numLayers = 0;  ///< 0 when the schema lacks it or it is not an integer
    int numHeads = 8;   ///< 8 when the schema has no num_attention_heads
    int numKvHeads = 2; ///< 2 when the schema has no num_key_value_heads
    bool useMoe = false;
    /// False when the schema has no hidden_size or num_hidden_layers, or a
    /// size is not an integer (that size is 0).
    bool ok = true;
};
/// The model shape of `values` with --preset applied as applyPreset does
/// (`values` is not changed).
ModelShape modelShapeOf(const Values& values);

/// The equivalent command line "<stage> --flag value ..." (Values::toArgs),
/// without the model sizes that equal those the chosen --preset sets: the
/// preset implies them.
std::vector<std::string> commandArgs(const Values& values);

} // namespace mm::config
