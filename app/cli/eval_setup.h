#pragma once
// What the evaluation commands (eval, chat, serve, judge, scores) share: flag
// parsing, where the prompt resources are, the tokenizer, sampling options
// and the checkpoint of a model mode.

#include "commands.h"

#include "config/schema.h"
#include "eval/generator.h"
#include "eval/model_modes.h"
#include "text/tokenizer.h"

#include <string>

namespace mm::cli {

/// Parses a command's flags against its schema (InputError lists problems).
config::Values parseCommand(const std::string& name, const Args& args);

/// The resources root (holding prompts/): beside an installed binary
/// (<prefix>/share/micromind), the source tree of a build, or the configured
/// install prefix. Throws InputError naming the places searched.
std::string resourceDir();

/// --tokenizer or <out_dir>/tokenizer.model; InputError says how to get one.
text::Tokenizer loadWorkspaceTokenizer(const config::Values& cfg);

/// Checkpoint suffix implied by --preset / --hidden_size / --use_moe, or ""
/// (automatic) when none of them was given.
std::string suffixFromFlags(const config::Values& cfg);

/// The mode's files (or --checkpoint) in the workspace.
eval::ResolvedModel resolveFromFlags(const config::Values& cfg);

/// A mode's model ready to run: threads and device from the flags, the
/// workspace tokenizer, the resolved files and the loaded weights.
struct LoadedModel {
    text::Tokenizer tok;
    eval::ResolvedModel files;
    model::MiniMind net{nullptr};
};
LoadedModel loadModelFromFlags(const config::Values& cfg);

/// Sampling flags -> generator options (temperature 0 means greedy).
eval::SamplingOptions samplingFromFlags(const config::Values& cfg);
/// --infer_dtype: the weights dtype of decode steps.
torch::ScalarType inferDtypeFromFlags(const config::Values& cfg);

} // namespace mm::cli
