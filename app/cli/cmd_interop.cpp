// import and export: checkpoints in from minimind / Hugging Face, out to
// transformers and llama.cpp (interop/interop_run.h).

#include "commands.h"
#include "eval_setup.h"

#include "commands/interop_run.h"

namespace mm::cli {

int cmdImport(const Args& args) { return interop::runImportCommand(parseCommand("import", args), terminal()); }
int cmdExport(const Args& args) { return interop::runExportCommand(parseCommand("export", args), terminal()); }

} // namespace mm::cli
