#pragma once
// A pipeline file (`micromind pipeline --config pipeline.json`): the stages to
// run one after another on the user's own data, each starting from its
// parent's checkpoint in the shared out_dir, as the demo chains them.
//
//   {
//     "name": "my-run",                        // queue name (default: the file's stem)
//     "out_dir": "out",                        // workspace of every stage (default "out")
//     "common": {"preset": "tiny", "max_seq_len": 256},  // given to each stage that has the field
//     "stages": [
//       {"stage": "pretrain", "args": {"data_path": "pretrain.jsonl"}, "processes": 2},
//       {"stage": "full_sft", "args": {"data_path": "sft.jsonl", "epochs": 2}}
//     ]
//   }
//
// Relative paths (out_dir and every path field of a stage) are taken relative
// to the file's folder, so a pipeline and its data move together.

#include <string>
#include <vector>

namespace mm::config {

struct PipelineStage {
    std::string stage;             ///< pretrain, full_sft, dpo, lora, distill_reason, grpo, ...
    std::vector<std::string> args; ///< validated flags, without the stage name
    int processes = 1;             ///< data-parallel processes (--nproc_per_node)
};

struct PipelineSpec {
    std::string name;   ///< queue name in the history
    std::string outDir; ///< absolute
    std::vector<PipelineStage> stages;
};

/// Stages a pipeline may hold (the commands that build or train models).
const std::vector<std::string>& pipelineStageNames();

/// Reads and validates a pipeline file: every problem of every stage (unknown
/// keys with a did-you-mean, values out of range, missing data files) in one
/// InputError that names the file and the stage (`stages[2] (dpo)`).
PipelineSpec loadPipeline(const std::string& path);

} // namespace mm::config
