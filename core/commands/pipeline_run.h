#pragma once
// `micromind pipeline`: a queue of stages on the user's own data, run one after
// another as child processes of this binary (the commands a user would type,
// printed before each one), each starting from its parent's checkpoint in the
// shared out_dir. The queue lives in the workspace's history (queue_items), so
// a stopped or failed pipeline continues where it was when run again, and the
// workbench shows and edits the same queue.

#include "common/console.h"
#include "config/pipeline.h"
#include "config/schema.h"

#include <string>

namespace mm::config {

struct PipelineRunOptions {
    std::string config; ///< pipeline.json ("" = the queue already in the history)
    std::string outDir; ///< "" = the file's, else "out"
    std::string queue;  ///< "" = the file's name, else "workbench" (every queue with `list`)
    bool list = false, dryRun = false, fresh = false, json = false;

    /// The pipeline command's flags.
    static PipelineRunOptions from(const Values& v);
};

/// Lists, checks (dry run) or runs the queue; returns the exit code (130 when
/// the user stopped it). Throws InputError / Error with the message to show.
int runPipeline(const PipelineRunOptions& o, const Console& con);

} // namespace mm::config
