// pipeline: a queue of stages on the user's own data, run by config::runPipeline.

#include "commands.h"
#include "stage_cli.h"

#include "commands/pipeline_run.h"

namespace mm::cli {

int cmdPipeline(const Args& args) {
    return config::runPipeline(config::PipelineRunOptions::from(parseStageArgs("pipeline", args)), terminal());
}

} // namespace mm::cli
