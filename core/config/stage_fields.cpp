#include "config/stage_fields.h"

namespace mm::config::detail {

// Every --tokenizer takes either backend (text/tokenizer.h).
const char* const kTokenizerHelp =
    "tokenizer: a .model or a Hugging Face tokenizer.json such as minimind's (default: <out_dir>/tokenizer.model, "
    "else <out_dir>/tokenizer.json)";

Field f(std::string name, FieldType t, std::string def, std::string help, std::string group) {
    Field x;
    x.name = std::move(name);
    x.type = t;
    x.defaultValue = std::move(def);
    x.help = std::move(help);
    x.group = std::move(group);
    return x;
}

Field ranged(Field x, std::optional<double> lo, std::optional<double> hi) {
    x.min = lo;
    x.max = hi;
    return x;
}

Field choice(std::string name, std::string def, std::vector<std::string> choices, std::string help, std::string group) {
    Field x = f(std::move(name), FieldType::Choice, std::move(def), std::move(help), std::move(group));
    x.choices = std::move(choices);
    return x;
}

Field required(Field x) {
    x.required = true;
    return x;
}

std::vector<std::string> presetNames() {
    std::vector<std::string> n{"custom"};
    for (const auto& p : presets())
        n.push_back(p.name);
    return n;
}

void addModelFields(std::vector<Field>& v) {
    const char* g = "Model";
    v.push_back(choice("preset", "custom", presetNames(),
                       "model size preset; explicit --hidden_size/--num_hidden_layers/--use_moe win", g));
    v.push_back(ranged(f("hidden_size", FieldType::Int, "512", "model width (checkpoint suffix)", g), 16, 8192));
    v.push_back(ranged(f("num_hidden_layers", FieldType::Int, "8", "transformer blocks", g), 1, 128));
    v.push_back(f("use_moe", FieldType::Bool, "0", "mixture-of-experts FFN (4 routed + 1 shared, top-2)", g));
    v.push_back(ranged(f("num_attention_heads", FieldType::Int, "8", "query heads", g), 1, 128));
    v.push_back(ranged(f("num_key_value_heads", FieldType::Int, "2", "key/value heads (GQA)", g), 1, 128));
}

// Fields every training stage shares: the loop's knobs.
void addTrainingFields(std::vector<Field>& v, const std::string& lr, const std::string& batch, const std::string& accum,
                       const std::string& seqLen, const std::string& epochs) {
    const char* g = "Training";
    v.push_back(ranged(f("epochs", FieldType::Int, epochs, "passes over the data", g), 1, 1000));
    v.push_back(ranged(f("batch_size", FieldType::Int, batch, "sequences per micro-batch", g), 1, 65536));
    v.push_back(ranged(f("learning_rate", FieldType::Float, lr, "peak learning rate (AdamW)", g), 0, 1));
    v.push_back(
        ranged(f("accumulation_steps", FieldType::Int, accum, "micro-batches per optimizer step", g), 1, 65536));
    v.push_back(ranged(f("max_seq_len", FieldType::Int, seqLen, "tokens per training sequence", g), 8, 32768));
    v.push_back(ranged(f("grad_clip", FieldType::Float, "1.0", "clip the global gradient norm (0 = off)", g), 0, 1e6));
    v.push_back(ranged(f("weight_decay", FieldType::Float, "0.01", "AdamW weight decay", g), 0, 1));
    v.push_back(
        ranged(f("warmup_steps", FieldType::Int, "0", "linear warmup steps before the cosine decay (minimind: 0)", g),
               0, 1e9));
    v.push_back(ranged(f("max_steps", FieldType::Int, "0", "stop after this many optimizer steps (0 = all epochs)", g),
                       0, 1e12));
    v.push_back(ranged(f("seed", FieldType::Int, "42", "seed for initialisation and data order", g), 0, 4294967295.0));
    const char* r = "Run";
    v.push_back(f("out_dir", FieldType::Path, "out", "workspace: checkpoints, history database, caches", r));
    v.push_back(f("device", FieldType::String, "auto", "cpu, cuda, cuda:N or auto (cuda:0 when available)", r));
    v.push_back(choice("dtype", "auto", {"auto", "float32", "bfloat16", "float16"},
                       "compute dtype: autocast on CUDA (auto = bfloat16 there); on the CPU float32, or bfloat16 "
                       "matmuls with float32 weights where the CPU has avx512_bf16/AMX",
                       r));
    v.push_back(ranged(f("threads", FieldType::Int, "0", "CPU threads (0 = all cores)", r), 0, 1024));
    v.push_back(ranged(f("nproc_per_node", FieldType::Int, "1",
                         "data-parallel processes on this machine, started by this command as torchrun "
                         "--standalone would (cores shared out; --batch_size is per process)",
                         r),
                       1, 1024));
    v.push_back(ranged(f("log_interval", FieldType::Int, "100", "optimizer steps between log lines", r), 1, 1e9));
    v.push_back(ranged(f("save_interval", FieldType::Int, "100", "optimizer steps between checkpoints", r), 1, 1e9));
    v.push_back(ranged(f("probe_interval", FieldType::Int, "100",
                         "optimizer steps between probes: the model answers a few fixed prompts greedily, shown in "
                         "the log and the workbench's Generations tab (also after the last step; 0 = off)",
                         r),
                       0, 1e9));
    v.push_back(f("probe_prompts", FieldType::Path, "",
                  "probe prompts: .jsonl with {\"prompt\": ...} per line, or a text file with one prompt per line "
                  "(default: the first 3 of the seed's prompt set for the stage)",
                  r));
    v.push_back(
        ranged(f("probe_max_tokens", FieldType::Int, "48", "most tokens generated per probe prompt", r), 1, 4096));
    v.push_back(f("resume", FieldType::Bool, "0", "continue from the stage's resume state in out_dir", r));
    v.push_back(ranged(f("ddp_timeout", FieldType::Int, "300",
                         "multi-process runs (torchrun): seconds to wait for the other ranks at start-up and in each "
                         "collective before failing with the name of the lost rank; must exceed a checkpoint write",
                         r),
                       5, 86400));
    v.push_back(f("json", FieldType::Bool, "0", "print one JSON object per log step on stdout", r));
}

void addDataFields(std::vector<Field>& v, bool withPacking) {
    const char* g = "Data";
    v.push_back(required(f("data_path", FieldType::Path, "", "training data, minimind jsonl", g)));
    v.push_back(f("tokenizer", FieldType::Path, "", kTokenizerHelp, g));
    v.push_back(f("skip_bad_lines", FieldType::Bool, "0", "count and skip malformed lines instead of stopping", g));
    if (withPacking)
        v.push_back(choice("packing", "pack", {"pack", "pad"},
                           "pack: documents back to back, no padding; pad: one document per sample (minimind)", g));
}

/// Validation during training (every training stage).
void addEvalFields(std::vector<Field>& v, const char* dataHelp, const char* samplesHelp, const char* samplesDefault) {
    const char* g = "Data";
    v.push_back(f("eval_data", FieldType::Path, "", dataHelp, g));
    v.push_back(ranged(f("eval_split", FieldType::Float, "0",
                         "instead of --eval_data: hold out this share of --data_path's records for validation "
                         "(spread evenly over the file, written once under out_dir/cache; 0 = off)",
                         g),
                       0, 0.5));
    v.push_back(ranged(
        f("eval_interval", FieldType::Int, "0", "optimizer steps between validations (0 = every --log_interval)", g), 0,
        1e9));
    v.push_back(ranged(f("eval_max_samples", FieldType::Int, samplesDefault, samplesHelp, g), 0, 1e9));
}

// Which weights to load: a model mode's checkpoint in out_dir (suffix from the
// hidden size / MoE flag, automatic when neither is given) or an explicit file.
void addEvalModelFields(std::vector<Field>& v, bool withMode) {
    const char* g = "Model";
    if (withMode) {
        v.push_back(ranged(
            f("model_mode", FieldType::Int, "1", "0 pretrain, 1 full_sft, 2 rlhf, 3 reason, 4 lora+sft, 5 grpo", g), 0,
            5));
        v.push_back(f("lora_name", FieldType::String, "", "adapter <out_dir>/lora/<name>_<size>.pth (mode 4)", g));
        v.push_back(f("checkpoint", FieldType::Path, "",
                      "load this weights file instead of the mode's (the mode still picks the prompt format)", g));
    }
    v.push_back(choice("preset", "custom", presetNames(), "model size preset: picks the checkpoint suffix", g));
    v.push_back(
        ranged(f("hidden_size", FieldType::Int, "512",
                 "checkpoint suffix (pretrain_<hidden_size>.pth); automatic when neither it nor --preset is given", g),
               16, 8192));
    v.push_back(f("use_moe", FieldType::Bool, "0", "MoE checkpoint (suffix _moe)", g));
    v.push_back(f("out_dir", FieldType::Path, "out", "workspace: checkpoints, tokenizer, history database", "Run"));
    v.push_back(f("tokenizer", FieldType::Path, "", kTokenizerHelp, "Run"));
    v.push_back(f("device", FieldType::String, "auto", "cpu, cuda, cuda:N or auto", "Run"));
    v.push_back(ranged(f("threads", FieldType::Int, "0", "CPU threads (0 = all cores)", "Run"), 0, 1024));
}

void addInferDtypeField(std::vector<Field>& v, const char* group) {
    v.push_back(choice("infer_dtype", "float32", {"float32", "bfloat16", "int8"},
                       "weights dtype for CPU decoding: bfloat16 reads half the bytes per token, int8 (scaled per "
                       "row) a quarter; sums stay float32; float32 is exact",
                       group));
}

void addSamplingFields(std::vector<Field>& v, const std::string& maxNew) {
    const char* g = "Sampling";
    v.push_back(ranged(f("max_new_tokens", FieldType::Int, maxNew, "most tokens generated per answer", g), 1, 1e6));
    v.push_back(ranged(f("temperature", FieldType::Float, "0.85", "sampling temperature (0 = greedy)", g), 0, 10));
    v.push_back(ranged(f("top_p", FieldType::Float, "0.85", "nucleus sampling mass (1 = off)", g), 0, 1));
    v.push_back(ranged(f("top_k", FieldType::Int, "0", "sample among the k most likely tokens (0 = off)", g), 0, 1e6));
    v.push_back(ranged(f("repetition_penalty", FieldType::Float, "1.0",
                         "divide logits of tokens already present (>1 discourages repeats)", g),
                       0.01, 10));
    v.push_back(f("greedy", FieldType::Bool, "0", "always take the most likely token (deterministic)", g));
    v.push_back(ranged(f("seed", FieldType::Int, "42", "sampling seed (prompt i uses seed + i)", g), 0, 4294967295.0));
    v.push_back(f("system_prompt", FieldType::String, "", "system turn before the user's (chat modes)", g));
    addInferDtypeField(v, g);
}

// --from_weight: the parent checkpoint's stem in out_dir (minimind's flag).
void addParentField(std::vector<Field>& v, const std::string& def) {
    v.push_back(
        f("from_weight", FieldType::String, def,
          "parent checkpoint <out_dir>/<from_weight>_<size>.pth (pretrain, full_sft, rlhf, reason; none = random init)",
          "Model"));
}

} // namespace mm::config::detail
