#pragma once
// `micromind import` and `micromind export`: checkpoints in from minimind /
// Hugging Face, out to transformers and llama.cpp, each followed by a parity
// check; what was read and written is reported through the console.

#include "common/console.h"
#include "config/schema.h"

namespace mm::interop {

/// import's flags: reads --from, writes a workspace checkpoint. Returns the exit code.
int runImportCommand(const config::Values& cfg, const Console& con);
/// export's flags: writes --output and (with --check) compares it with the
/// checkpoint; NumericError when float32 does not reproduce it. Returns the exit code.
int runExportCommand(const config::Values& cfg, const Console& con);

} // namespace mm::interop
