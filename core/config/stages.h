#pragma once
// The schemas of every `micromind` command that takes a config. Training stages
// share one block of fields (trainingFields) so that a flag means the same thing
// in every stage.

#include "config/schema.h"

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

/// Applies --preset to the model fields the user did not set, then checks the
/// cross-field rules (heads divide hidden size, ...). Returns problems.
std::vector<std::string> applyPresetAndCheck(Values& values);

} // namespace mm::config
