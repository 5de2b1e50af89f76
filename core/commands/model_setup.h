#pragma once
// What the evaluation commands (eval, chat, metrics, serve, export) share: where
// the prompt resources are, the workspace tokenizer, sampling options and the
// checkpoint of a model mode, read from a command's flags.

#include "config/schema.h"
#include "eval/generator.h"
#include "eval/model_modes.h"
#include "eval/prompts.h"
#include "eval/server.h"
#include "text/tokenizer.h"

#include <string>
#include <vector>

namespace mm::eval {

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
ResolvedModel resolveFromFlags(const config::Values& cfg);

/// A mode's model ready to run: threads and device from the flags, the
/// workspace tokenizer, the resolved files and the loaded weights.
struct LoadedModel {
    text::Tokenizer tok;
    ResolvedModel files;
    model::MiniMind net{nullptr};
};
LoadedModel loadModelFromFlags(const config::Values& cfg);

/// Sampling flags -> generator options (temperature 0 means greedy).
SamplingOptions samplingFromFlags(const config::Values& cfg);
/// --infer_dtype: the weights dtype of decode steps.
torch::ScalarType inferDtypeFromFlags(const config::Values& cfg);

/// The prompt sets named by --prompts / --prompt_set for `mode`.
std::vector<PromptSet> promptSetsFromFlags(const config::Values& cfg, int mode);

/// serve's flags -> server options (threads applied, device resolved, the API
/// key read from --api_key_env).
ServerOptions serverOptionsFromFlags(const config::Values& cfg);
/// The workspace's checkpoints to serve (those of --preset / --hidden_size when
/// given); InputError when there are none.
std::vector<ServedModel> servedModelsFromFlags(const config::Values& cfg);

} // namespace mm::eval
