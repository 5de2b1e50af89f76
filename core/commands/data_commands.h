#pragma once
// The commands that read training data without training: `train_tokenizer`
// (the BPE tokenizer from jsonl files) and `data` (check and summarise a jsonl
// file, or --guide: where minimind's dataset comes from).

#include "common/console.h"
#include "config/schema.h"

#include <cstdint>
#include <functional>

namespace mm::data {

/// Trains <out_dir>/tokenizer.model on --data_path (comma-separated files).
/// Returns the exit code.
int runTrainTokenizerCommand(const config::Values& cfg, const Console& con);
/// data's flags: the guide, or the file's summary (text, or one JSON line with
/// --json). `progress` gets the tokenizing progress (done, total). Returns the exit code.
int runDataCommand(const config::Values& cfg, const Console& con,
                   const std::function<void(int64_t, int64_t)>& progress);

} // namespace mm::data
