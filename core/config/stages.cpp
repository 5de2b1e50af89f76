#include "config/stages.h"

#include "common/error.h"

#include <map>

namespace mm::config {

namespace {

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
void addEvalFields(
    std::vector<Field>& v,
    const char* dataHelp = "held-out file in the training data's format, measured on rank 0 every "
                           "--eval_interval steps and after the last, logged and stored as val_loss "
                           "(dpo: val_pref_accuracy, val_chosen_logp); training is unchanged",
    const char* samplesHelp = "validation: at most this many texts or conversations of --eval_data (0 = all)",
    const char* samplesDefault = "256") {
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

Schema makePretrain() {
    Schema s{"pretrain",
             "Pretrain a MiniMind model from scratch on {\"text\"} jsonl; writes <out_dir>/pretrain_<hidden>.pth.",
             {}};
    addDataFields(s.fields, true);
    addModelFields(s.fields);
    addTrainingFields(s.fields, "5e-4", "32", "8", "512", "1");
    addEvalFields(s.fields);
    return s;
}

Schema makeTokenizer() {
    Schema s{"train_tokenizer",
             "Train a SentencePiece BPE tokenizer (byte fallback, MiniMind special tokens); writes "
             "<out_dir>/tokenizer.model.",
             {}};
    const char* g = "Tokenizer";
    s.fields.push_back(
        required(f("data_path", FieldType::Path, "", "jsonl file(s), comma-separated; any minimind format", g)));
    s.fields.push_back(
        ranged(f("vocab_size", FieldType::Int, "6400", "vocabulary size incl. 9 specials + 256 bytes", g), 300, 65535));
    s.fields.push_back(
        ranged(f("max_sentences", FieldType::Int, "2000000", "cap on text chunks used for training", g), 100, 1e9));
    s.fields.push_back(ranged(
        f("character_coverage", FieldType::Float, "0",
          "share of characters kept as pieces, 0.98-1; rarer ones use bytes (0 = auto: fit half the vocabulary)", g),
        0, 1));
    s.fields.push_back(f("out_dir", FieldType::Path, "out", "where tokenizer.model is written", g));
    s.fields.push_back(ranged(f("threads", FieldType::Int, "0", "threads (0 = all cores)", g), 0, 1024));
    s.fields.push_back(f("skip_bad_lines", FieldType::Bool, "0", "count and skip malformed lines", g));
    return s;
}

Schema makeData() {
    Schema s{"data",
             "Check a minimind jsonl file and summarise it: documents, tokens, lengths, truncation and padding.",
             {}};
    const char* g = "Data";
    s.fields.push_back(f("data_path", FieldType::Path, "", "jsonl file to check (required unless --guide)", g));
    s.fields.push_back(choice("format", "pretrain", {"pretrain", "sft"}, "record format", g));
    s.fields.push_back(f("guide", FieldType::Bool, "0",
                         "where to get and put minimind's dataset: the files each stage reads, which of them "
                         "<dataset_dir> has, the download command and whether the network reaches it",
                         g));
    s.fields.push_back(f("dataset_dir", FieldType::Path, "dataset", "--guide: the folder minimind's files go to", g));
    s.fields.push_back(f("tokenizer", FieldType::Path, "", kTokenizerHelp, g));
    s.fields.push_back(
        ranged(f("max_seq_len", FieldType::Int, "512", "sequence length for the packing figures", g), 8, 32768));
    s.fields.push_back(f("out_dir", FieldType::Path, "out", "workspace (token cache goes to <out_dir>/cache)", g));
    s.fields.push_back(f("skip_bad_lines", FieldType::Bool, "0", "count and skip malformed lines", g));
    s.fields.push_back(f("json", FieldType::Bool, "0", "print the summary as JSON", g));
    return s;
}

Schema makeBench() {
    Schema s{"bench",
             "Measure training tokens/s and MFU against this machine's GEMM peak, and batch-1 decode tokens/s.",
             {}};
    addModelFields(s.fields);
    s.fields[0].defaultValue = "minimind2-small";
    const char* g = "Benchmark";
    s.fields.push_back(ranged(f("batch_size", FieldType::Int, "8", "training micro-batch", g), 1, 4096));
    s.fields.push_back(ranged(f("max_seq_len", FieldType::Int, "512", "training sequence length", g), 8, 32768));
    s.fields.push_back(
        ranged(f("vocab_size", FieldType::Int, "6400", "vocabulary size of the random model", g), 16, 65536));
    s.fields.push_back(ranged(f("steps", FieldType::Int, "3", "timed training steps", g), 1, 1000));
    s.fields.push_back(ranged(f("warmup", FieldType::Int, "1", "untimed warm-up steps", g), 0, 100));
    s.fields.push_back(ranged(f("decode_tokens", FieldType::Int, "200", "tokens to decode at batch 1", g), 0, 100000));
    s.fields.push_back(ranged(f("prompt_tokens", FieldType::Int, "32", "prompt length before decoding", g), 1, 32768));
    s.fields.push_back(ranged(f("decode_batch", FieldType::Int, "8",
                                "different prompts decoded together for the batched figure (0 or 1 = skip)", g),
                              0, 1024));
    s.fields.push_back(choice("infer_dtype", "float32", {"float32", "bfloat16", "int8"},
                              "weights dtype for the decode benchmarks (bfloat16: half the bytes per token, int8: "
                              "a quarter)",
                              g));
    s.fields.push_back(f("skip_train", FieldType::Bool, "0", "only run the decode benchmark", g));
    s.fields.push_back(f("profile", FieldType::Path, "", "write a chrome trace of one training step to this file", g));
    s.fields.push_back(f("anchor", FieldType::Path, "",
                         "minimind's model/model_minimind.py (commit 561979c): right after micromind's step, time "
                         "minimind's own Python step on the same shapes and threads and print the ratio",
                         g));
    s.fields.push_back(f("anchor_script", FieldType::Path, "",
                         "the anchor timing script (default: shared/anchors/minimind_cpu_bench.py, looked for in "
                         "the working directory, beside the executable and in the folders above)",
                         g));
    s.fields.push_back(f("python", FieldType::Path, "/usr/bin/python3", "Python with torch that runs the anchor", g));
    s.fields.push_back(choice("isa", "auto", {"auto", "avx512", "avx2", "portable"},
                              "CPU code path of the whole run, anchor included: caps micromind's kernels "
                              "(MM_CPU_ISA), ATen (ATEN_CPU_CAPABILITY), OpenBLAS (OPENBLAS_CORETYPE) and oneDNN "
                              "(DNNL_MAX_CPU_ISA), e.g. avx2 to measure an AVX2 machine on an AVX-512 one",
                              g));
    s.fields.push_back(f("device", FieldType::String, "auto", "cpu, cuda:N or auto", "Run"));
    s.fields.push_back(choice("dtype", "auto", {"auto", "float32", "bfloat16", "float16"},
                              "training compute dtype (CPU: float32, or bfloat16 matmuls on avx512_bf16/AMX)", "Run"));
    s.fields.push_back(ranged(f("threads", FieldType::Int, "0", "CPU threads (0 = all cores)", "Run"), 0, 1024));
    s.fields.push_back(f("json", FieldType::Bool, "0", "print results as JSON", "Run"));
    return s;
}

// --- evaluation commands (eval, chat, serve, judge, scores, metrics) ---

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

Schema makeEval() {
    Schema s{"eval",
             "Answer the seed's prompt sets with one model (--model_mode N) and store the answers in the history.",
             {}};
    addEvalModelFields(s.fields, true);
    const char* g = "Prompts";
    s.fields.push_back(f("prompt_set", FieldType::String, "auto",
                         "auto (mode 0: pretrain+eval, chat modes: chat+eval), all, or names: pretrain,chat,eval", g));
    s.fields.push_back(
        f("prompts", FieldType::Path, "", "your own prompt file (.jsonl {\"prompt\"} or one per line)", g));
    s.fields.push_back(f("interactive", FieldType::Bool, "0", "read prompts from stdin, one per line", g));
    s.fields.push_back(ranged(
        f("batch_size", FieldType::Int, "8", "prompts decoded together; 1 streams each answer token by token", g), 1,
        256));
    addSamplingFields(s.fields, "512");
    s.fields.push_back(f("json", FieldType::Bool, "0", "print one JSON object per answer on stdout", "Run"));
    return s;
}

Schema makeChat() {
    Schema s{
        "chat", "Chat with a model in the terminal, tokens streamed (/reset clears the history, /exit quits).", {}};
    addEvalModelFields(s.fields, true);
    addSamplingFields(s.fields, "512");
    s.fields.push_back(ranged(f("history_turns", FieldType::Int, "0",
                                "earlier exchanges sent with each message (minimind's history_cnt / 2)", "Sampling"),
                              0, 100));
    return s;
}

Schema makeServe() {
    Schema s{"serve", "OpenAI-compatible HTTP API (/v1/models, /v1/chat/completions) over the workspace's models.", {}};
    addEvalModelFields(s.fields, false);
    const char* g = "Server";
    s.fields.push_back(
        f("host", FieldType::String, "127.0.0.1", "address to bind (0.0.0.0 exposes it to the network)", g));
    s.fields.push_back(
        ranged(f("port", FieldType::Int, "8998", "TCP port (0 = any free port, printed at start)", g), 0, 65535));
    s.fields.push_back(f("api_key_env", FieldType::String, "",
                         "require \"Authorization: Bearer <key>\" with the key from this environment variable", g));
    s.fields.push_back(
        ranged(f("max_tokens", FieldType::Int, "1024", "largest max_tokens a request may ask for", g), 1, 1e6));
    s.fields.push_back(
        ranged(f("max_body_bytes", FieldType::Int, "1048576", "largest request body accepted", g), 1024, 1e9));
    s.fields.push_back(ranged(f("max_queue", FieldType::Int, "8",
                                "chat completions in flight at once (generating + waiting); more get 429", g),
                              1, 1024));
    s.fields.push_back(ranged(
        f("max_seconds", FieldType::Float, "0", "stop the server after this long (0 = run until Ctrl-C)", g), 0, 1e9));
    addInferDtypeField(s.fields, g);
    return s;
}

Schema makeJudge() {
    Schema s{
        "judge",
        "Score each model's stored answers with an LLM judge over an OpenAI-compatible chat API (0-10 per dimension).",
        {}};
    const char* g = "Judge";
    s.fields.push_back(f("base_url", FieldType::String, "",
                         "endpoint incl. /v1, e.g. https://api.deepseek.com/v1 or http://127.0.0.1:8998/v1 "
                         "(default: <out_dir>/settings.json judge.base_url)",
                         g));
    s.fields.push_back(
        f("judge_model", FieldType::String, "", "model name sent to the endpoint (e.g. deepseek-chat)", g));
    s.fields.push_back(f("api_key_env", FieldType::String, "MICROMIND_JUDGE_API_KEY",
                         "environment variable holding the API key (the key is never stored or logged)", g));
    s.fields.push_back(
        f("model_modes", FieldType::String, "all", "modes to judge: all (those with answers) or 0,1,2", g));
    s.fields.push_back(
        f("prompt_set", FieldType::String, "", "judge only answers of this prompt set (default: all)", g));
    s.fields.push_back(ranged(f("attempts", FieldType::Int, "3", "tries per model before giving up", g), 1, 20));
    s.fields.push_back(
        ranged(f("timeout", FieldType::Float, "120", "seconds allowed per model, retries included", g), 1, 3600));
    s.fields.push_back(
        ranged(f("max_tokens", FieldType::Int, "512", "reply token limit asked of the judge", g), 16, 65536));
    s.fields.push_back(f("out_dir", FieldType::Path, "out", "workspace whose history holds the answers", "Run"));
    s.fields.push_back(f("json", FieldType::Bool, "0", "print one JSON object per model on stdout", "Run"));
    return s;
}

Schema makeMetrics() {
    Schema s{
        "metrics",
        "Objective metrics of one model: perplexity and bits per byte (ppl), C-Eval/CMMLU multiple choice (choice), "
        "exact match (exact).",
        {}};
    addEvalModelFields(s.fields, true);
    const char* g = "Metric";
    s.fields.push_back(
        choice("task", "ppl", {"ppl", "choice", "exact"},
               "ppl: jsonl texts; choice: C-Eval/CMMLU CSV file or folder; exact: jsonl {question, answer}", g));
    s.fields.push_back(required(f("data_path", FieldType::Path, "", "held-out data for the task", g)));
    s.fields.push_back(
        ranged(f("limit", FieldType::Int, "0", "use at most this many records (per CSV file; 0 = all)", g), 0, 1e9));
    s.fields.push_back(ranged(f("max_seq_len", FieldType::Int, "512", "ppl: tokens per scoring window", g), 8, 32768));
    addSamplingFields(s.fields, "256");
    s.fields.push_back(f("json", FieldType::Bool, "0", "print the result as JSON", "Run"));
    return s;
}

Schema makeScores() {
    Schema s{
        "scores",
        "Score tables: `scores export` (Markdown as the seed, CSV, HTML, answer comparison), `scores set` (manual), "
        "`scores list`.",
        {}};
    const char* g = "Scores";
    s.fields.push_back(f("out_dir", FieldType::Path, "out", "workspace whose history holds scores and answers", g));
    s.fields.push_back(f("export_dir", FieldType::Path, "",
                         "export: where scores.md/.csv/.html and compare.md/.html go (default: <out_dir>/reports)", g));
    s.fields.push_back(
        f("judge_model", FieldType::String, "", "export: use only this judge's scores (default: latest)", g));
    s.fields.push_back(ranged(f("model_mode", FieldType::Int, "0", "set: the model's row (0-5)", g), 0, 5));
    s.fields.push_back(ranged(f("language", FieldType::Float, "-1", "set: 语言理解与生成 (0-10)", g), -1, 10));
    s.fields.push_back(ranged(f("knowledge", FieldType::Float, "-1", "set: 知识与推理能力 (0-10)", g), -1, 10));
    s.fields.push_back(ranged(f("efficiency", FieldType::Float, "-1", "set: 效率与资源 (0-10)", g), -1, 10));
    s.fields.push_back(f("note", FieldType::String, "", "set: why (stored with the manual score)", g));
    s.fields.push_back(f("json", FieldType::Bool, "0", "list: print JSON", g));
    return s;
}

// --- post-training stages (full_sft, dpo, lora, distill_reason) and their tools ---

// --from_weight: the parent checkpoint's stem in out_dir (minimind's flag).
void addParentField(std::vector<Field>& v, const std::string& def) {
    v.push_back(
        f("from_weight", FieldType::String, def,
          "parent checkpoint <out_dir>/<from_weight>_<size>.pth (pretrain, full_sft, rlhf, reason; none = random init)",
          "Model"));
}

// Defaults from minimind's trainer/train_*.py (epochs, batch_size,
// learning_rate, max_seq_len); accumulation 1 as there.
Schema makeSftStage(const std::string& name, const std::string& summary, const std::string& lr,
                    const std::string& batch, const std::string& seqLen, const std::string& epochs,
                    const std::string& parent) {
    Schema s{name, summary, {}};
    addDataFields(s.fields, false);
    addModelFields(s.fields);
    addParentField(s.fields, parent);
    addTrainingFields(s.fields, lr, batch, "1", seqLen, epochs);
    return s;
}

Schema makeFullSft() {
    Schema s = makeSftStage("full_sft",
                            "Supervised fine-tuning on {\"conversations\"} jsonl (loss on assistant tokens); reads "
                            "pretrain_<hidden>.pth, writes full_sft_<hidden>.pth.",
                            "1e-5", "16", "768", "2", "pretrain");
    s.fields.push_back(f("lr_scale_with_batch", FieldType::Bool, "0",
                         "scale the learning rate with the batch: k x the default batch 16 (x accumulation) -> k x lr",
                         "Training"));
    addEvalFields(s.fields);
    return s;
}

Schema makeDistillReason() {
    Schema s = makeSftStage("distill_reason",
                            "Reasoning distillation: SFT on <think>...</think><answer>...</answer> answers with extra "
                            "weight on the tags; reads rlhf_<hidden>.pth, writes reason_<hidden>.pth.",
                            "1e-6", "8", "1024", "1", "rlhf");
    s.fields.push_back(ranged(f("tag_weight", FieldType::Float, "10",
                                "loss weight of the <think> </think> <answer> </answer> target positions", "Training"),
                              0, 1e4));
    addEvalFields(s.fields);
    return s;
}

Schema makeLora() {
    Schema s = makeSftStage("lora",
                            "LoRA fine-tuning: base frozen, adapters on the projections; reads full_sft_<hidden>.pth, "
                            "writes only the adapter to lora/<lora_name>_<hidden>.pth.",
                            "1e-4", "32", "340", "10", "full_sft");
    const char* g = "LoRA";
    s.fields.push_back(
        f("lora_name", FieldType::String, "lora_medical", "adapter name: out_dir/lora/<lora_name>_<size>.pth", g));
    s.fields.push_back(ranged(f("lora_rank", FieldType::Int, "8", "adapter rank r", g), 1, 4096));
    s.fields.push_back(ranged(
        f("lora_alpha", FieldType::Float, "0", "scale = alpha / rank (0 = rank: scale 1, as minimind)", g), 0, 1e6));
    s.fields.push_back(f("lora_targets", FieldType::String, "q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj",
                         "comma-separated strings; projections whose name contains one get an adapter", g));
    addEvalFields(s.fields);
    return s;
}

Schema makeDpo() {
    Schema s = makeSftStage("dpo",
                            "Direct Preference Optimization on {\"chosen\",\"rejected\"} jsonl with cached reference "
                            "log-probs; reads full_sft_<hidden>.pth, writes rlhf_<hidden>.pth.",
                            "4e-8", "4", "1024", "1", "full_sft");
    s.fields.push_back(ranged(f("beta", FieldType::Float, "0.1", "DPO temperature beta", "Training"), 1e-6, 100));
    s.fields.push_back(ranged(f("rpo_alpha", FieldType::Float, "0",
                                "adds alpha x the chosen answers' NLL to the loss (RPO), so DPO keeps their "
                                "likelihood; 0 = plain DPO (minimind)",
                                "Training"),
                              0, 100));
    addEvalFields(s.fields);
    return s;
}

Schema makeGrpo() {
    // minimind's train_grpo.py: batch 2, lr 8e-8, prompts of up to 66 tokens,
    // 8 generations of up to 1536 tokens, beta 0.02. Here the prompt limit is
    // larger (chat templates with a system turn) and G and the generation
    // length are sized for a CPU.
    Schema s =
        makeSftStage("grpo",
                     "Group relative policy optimisation: G sampled completions per prompt, rule-based rewards, "
                     "clipped objective with KL to the parent; reads reason_<hidden>.pth, writes grpo_<hidden>.pth.",
                     "8e-8", "2", "256", "1", "reason");
    const char* g = "GRPO";
    s.fields.push_back(ranged(
        f("num_generations", FieldType::Int, "4", "G: completions sampled per prompt (minimind uses 8)", g), 2, 256));
    s.fields.push_back(
        ranged(f("max_gen_len", FieldType::Int, "256", "most tokens generated per completion", g), 1, 32768));
    s.fields.push_back(ranged(f("temperature", FieldType::Float, "0.8",
                                "sampling temperature of the rollouts (log-probs are taken at it too)", g),
                              0.01, 10));
    s.fields.push_back(
        ranged(f("beta", FieldType::Float, "0.02", "weight of the KL penalty to the reference (0 = none)", g), 0, 100));
    s.fields.push_back(ranged(f("clip_eps", FieldType::Float, "0.2", "clip range of the probability ratio", g), 0, 10));
    s.fields.push_back(f("rewards", FieldType::String, "format,exact,repetition",
                         "comma list of rewards, summed: format, exact, length, repetition", g));
    s.fields.push_back(ranged(f("sample_chars", FieldType::Int, "300",
                                "bytes of the sample completion shown per log line (terminal and --json)", g),
                              0, 1e6));
    s.fields.push_back(ranged(f("log_samples", FieldType::Int, "4",
                                "sampled completions with their rewards kept per log step, from different prompts "
                                "of the batch first (the Generations timeline, --json \"samples\")",
                                g),
                              1, 64));
    addEvalFields(s.fields,
                  "held-out prompts in the training data's format, answered greedily (up to --max_gen_len tokens) "
                  "on rank 0 every --eval_interval steps and after the last and scored with --rewards: "
                  "val_reward_mean, val_accuracy, val_format_rate, val_completion_len; training is unchanged",
                  "validation: at most this many prompts of --eval_data (0 = all)", "32");
    for (auto& x : s.fields)
        if (x.name == "data_path")
            x.help = "prompts jsonl: {\"conversations\": [user turn], \"answer\": optional known answer}";
        else if (x.name == "max_seq_len")
            x.help = "longest prompt in tokens (longer ones are skipped)";
        else if (x.name == "batch_size")
            x.help = "prompts per micro-batch (each sampled num_generations times)";
    return s;
}

Schema makeMergeLora() {
    Schema s{"merge_lora",
             "Fold a LoRA adapter into its base: writes <out_dir>/<save_weight>_<hidden>.pth, a full checkpoint.",
             {}};
    addModelFields(s.fields);
    addParentField(s.fields, "full_sft");
    const char* g = "LoRA";
    s.fields.push_back(
        f("lora_name", FieldType::String, "lora_medical", "adapter out_dir/lora/<lora_name>_<size>.pth", g));
    s.fields.push_back(f("save_weight", FieldType::String, "", "output stem (default <from_weight>_<lora_name>)", g));
    s.fields.push_back(f("out_dir", FieldType::Path, "out", "workspace", "Run"));
    s.fields.push_back(f("tokenizer", FieldType::Path, "", kTokenizerHelp, "Run"));
    s.fields.push_back(ranged(f("seed", FieldType::Int, "42", "unused (model construction)", "Run"), 0, 4294967295.0));
    return s;
}

Schema makeHeldout() {
    Schema s{"heldout",
             "Held-out metric of a stage: assistant-token loss, DPO preference accuracy, think/answer format rate or "
             "GRPO mean reward and exact-match accuracy.",
             {}};
    const char* g = "Held-out";
    s.fields.push_back(
        required(f("weights", FieldType::Path, "", "checkpoint to measure (e.g. out/full_sft_512.pth)", g)));
    s.fields.push_back(f("lora_path", FieldType::Path, "", "LoRA adapter applied on top of --weights", g));
    s.fields.push_back(
        required(f("data_path", FieldType::Path, "", "held-out jsonl (conversations or chosen/rejected)", g)));
    s.fields.push_back(
        choice("metric", "loss", {"loss", "preference", "think_format", "reward"},
               "loss: assistant-token cross-entropy; preference: share of pairs whose chosen answer has "
               "the higher mean log-prob; think_format: share of greedy answers in <think>/<answer> form; "
               "reward: mean GRPO reward and exact-match accuracy of generated answers",
               g));
    s.fields.push_back(choice("stage", "auto", {"auto", "full_sft", "lora", "dpo", "distill_reason", "grpo"},
                              "pick the stage's own metric (full_sft/lora: loss, dpo: preference, distill_reason: "
                              "think_format, grpo: reward); auto = --metric",
                              g));
    s.fields.push_back(f("rewards", FieldType::String, "format,exact,repetition",
                         "reward: comma list of rewards, summed (format, exact, length, repetition)", g));
    s.fields.push_back(ranged(f("temperature", FieldType::Float, "0",
                                "reward: 0 = greedy answers; > 0 samples at this temperature with --seed", g),
                              0, 10));
    s.fields.push_back(
        ranged(f("seed", FieldType::Int, "42", "reward: sampling seed (prompt i uses seed + i)", g), 0, 4294967295.0));
    s.fields.push_back(ranged(
        f("max_seq_len", FieldType::Int, "512", "tokens per sequence (loss, preference); longest prompt (reward)", g),
        8, 32768));
    s.fields.push_back(ranged(f("batch_size", FieldType::Int, "8", "sequences per forward pass", g), 1, 4096));
    s.fields.push_back(
        ranged(f("max_samples", FieldType::Int, "0", "use only the first N records (0 = all)", g), 0, 1e9));
    s.fields.push_back(ranged(
        f("max_new_tokens", FieldType::Int, "256", "think_format, reward: tokens generated per prompt", g), 1, 1e6));
    s.fields.push_back(
        ranged(f("repetition_penalty", FieldType::Float, "1.0",
                 "think_format, reward: decoding with this CTRL repetition penalty (>1 breaks loops)", g),
               0.01, 10));
    s.fields.push_back(f("skip_bad_lines", FieldType::Bool, "0", "count and skip malformed lines", g));
    s.fields.push_back(f("out_dir", FieldType::Path, "out", "workspace (tokenizer, token cache)", "Run"));
    s.fields.push_back(f("tokenizer", FieldType::Path, "", kTokenizerHelp, "Run"));
    s.fields.push_back(f("device", FieldType::String, "auto", "cpu, cuda, cuda:N or auto", "Run"));
    s.fields.push_back(ranged(f("threads", FieldType::Int, "0", "CPU threads (0 = all cores)", "Run"), 0, 1024));
    s.fields.push_back(f("json", FieldType::Bool, "0", "print the result as JSON", "Run"));
    return s;
}

Schema makePipeline() {
    Schema s{"pipeline",
             "Run stages one after another on your own data (pretrain -> full_sft -> dpo -> ...), each from its "
             "parent's checkpoint; the queue lives in the history, so a stopped pipeline continues where it was.",
             {}};
    const char* g = "Pipeline";
    s.fields.push_back(f("config", FieldType::Path, "",
                         "pipeline file: {\"out_dir\": ..., \"common\": {flags}, \"stages\": [{\"stage\": "
                         "\"pretrain\", \"args\": {flags}, \"processes\": N}, ...]}; paths relative to the file",
                         g));
    s.fields.push_back(f("queue", FieldType::String, "",
                         "queue name in the history (default: the file's \"name\" or stem; without --config: "
                         "\"workbench\", the workbench's queue)",
                         g));
    s.fields.push_back(
        f("out_dir", FieldType::Path, "", "workspace whose history holds the queue (default: the file's out_dir)", g));
    s.fields.push_back(
        f("fresh", FieldType::Bool, "0", "drop what the queue holds and start the file's stages from the first", g));
    s.fields.push_back(f("list", FieldType::Bool, "0", "print the queue (every queue without a name) and exit", g));
    s.fields.push_back(f("dry_run", FieldType::Bool, "0", "check the file and print the commands; run nothing", g));
    s.fields.push_back(f("json", FieldType::Bool, "0", "stages print JSON events (for programs)", "Run"));
    return s;
}

Schema makeDemo() {
    Schema s{
        "demo",
        "Build a data pack from Debian's fortunes-zh (Tang poems, Song ci, sayings) and train, evaluate and compare "
        "all five models with the tiny preset (~15 min on 2 cores).",
        {}};
    const char* g = "Demo";
    s.fields.push_back(f("workspace", FieldType::Path, "micromind-demo",
                         "demo folder: data/ (the generated data pack), out/ (checkpoints, history), reports/", g));
    s.fields.push_back(f("source", FieldType::Path, "/usr/share/games/fortunes",
                         "folder holding fortunes-zh's tang300, song100 and chinese (apt install fortunes-zh)", g));
    s.fields.push_back(ranged(f("scale", FieldType::Float, "1",
                                "multiplies every stage's training steps (0.5 = half the time, 2 = better models)", g),
                              0.001, 100));
    s.fields.push_back(
        f("quick", FieldType::Bool, "0", "a few steps per stage: checks the pipeline in about a minute", g));
    s.fields.push_back(f("grpo", FieldType::Bool, "1", "also train model 5 with GRPO on the checkable questions", g));
    s.fields.push_back(f("data_only", FieldType::Bool, "0", "write the data pack to <workspace>/data and stop", g));
    s.fields.push_back(
        f("fresh", FieldType::Bool, "0", "retrain every stage (default: stages whose checkpoint exists are kept)", g));
    s.fields.push_back(ranged(f("vocab_size", FieldType::Int, "6400", "tokenizer vocabulary", g), 300, 65535));
    s.fields.push_back(
        ranged(f("max_new_tokens", FieldType::Int, "96", "tokens per answer in the evaluation", g), 1, 4096));
    s.fields.push_back(f(
        "base_url", FieldType::String, "",
        "LLM judge endpoint (OpenAI-compatible, incl. /v1); empty = no judge scores, objective metrics only", "Judge"));
    s.fields.push_back(f("judge_model", FieldType::String, "", "model name sent to the judge endpoint", "Judge"));
    s.fields.push_back(f("api_key_env", FieldType::String, "MICROMIND_JUDGE_API_KEY",
                         "environment variable holding the judge's API key", "Judge"));
    s.fields.push_back(ranged(f("threads", FieldType::Int, "0", "CPU threads (0 = all cores)", "Run"), 0, 1024));
    s.fields.push_back(ranged(f("nproc_per_node", FieldType::Int, "0",
                                "processes per training stage (pretrain, full_sft, distill_reason, lora run data "
                                "parallel with the same global batch); 0 = one per core, at most 8",
                                "Run"),
                              0, 64));
    return s;
}

Schema makeImport() {
    Schema s{"import",
             "Bring in a checkpoint trained elsewhere (minimind's .pth, a transformers folder or .safetensors) as "
             "<out_dir>[/imported/<name>]/<stage>_<hidden>.pth, registered in the history.",
             {}};
    const char* g = "Import";
    s.fields.push_back(required(f("from", FieldType::Path, "",
                                  "a torch.save state dict (.pth/.pt/.bin, zip or legacy format, fp32/fp16/bf16), a "
                                  ".safetensors file, or a transformers folder (config.json + model.safetensors or "
                                  "pytorch_model.bin) of a MiniMind/Llama model",
                                  g)));
    s.fields.push_back(f("name", FieldType::String, "",
                         "put the model in <out_dir>/imported/<name>/ beside your own (compare panel, eval --out_dir); "
                         "empty = straight into <out_dir> (to continue training it there)",
                         g));
    s.fields.push_back(choice("stage", "auto", {"auto", "pretrain", "full_sft", "rlhf", "reason", "grpo"},
                              "checkpoint kind, i.e. the output name <stage>_<hidden>.pth; auto = from the source file "
                              "name (minimind's pretrain_512.pth, full_sft_512.pth, ...), else full_sft",
                              g));
    s.fields.push_back(f("tokenizer", FieldType::Path, "",
                         "the model's tokenizer (.model or tokenizer.json); default: the folder's tokenizer.json, else "
                         "the one already in the destination",
                         g));
    s.fields.push_back(ranged(f("num_attention_heads", FieldType::Int, "8",
                                "attention heads, when the source has no config.json (a state dict does not record it; "
                                "minimind's default is 8)",
                                g),
                              1, 256));
    s.fields.push_back(choice("dtype", "auto", {"auto", "float32", "float16", "bfloat16"},
                              "dtype of the written weights; auto = the source's floating dtype", g));
    s.fields.push_back(
        f("out_dir", FieldType::Path, "out", "workspace: checkpoints, tokenizer, history database", "Run"));
    s.fields.push_back(f("force", FieldType::Bool, "0", "overwrite an existing checkpoint of the same name", "Run"));
    s.fields.push_back(ranged(f("threads", FieldType::Int, "0", "CPU threads (0 = all cores)", "Run"), 0, 1024));
    return s;
}

Schema makeExport() {
    Schema s{"export",
             "Write a checkpoint (LoRA merged) for other tools: a transformers folder (LlamaForCausalLM + tokenizer "
             "files) or a GGUF file for llama.cpp / ollama; --check compares logits and greedy tokens after reading it "
             "back.",
             {}};
    addEvalModelFields(s.fields, true);
    const char* g = "Export";
    s.fields.push_back(choice("format", "hf", {"hf", "gguf"},
                              "hf: a transformers folder (config.json, model.safetensors, tokenizer files); gguf: one "
                              "llama.cpp file with the tokenizer inside",
                              g));
    s.fields.push_back(required(f("output", FieldType::Path, "", "folder (hf) or .gguf file to write", g)));
    s.fields.push_back(choice("dtype", "auto", {"auto", "float32", "float16", "bfloat16", "q8_0"},
                              "stored weights; auto = float16 (hf: bfloat16 too; gguf: also q8_0, 8-bit blocks of 32)",
                              g));
    s.fields.push_back(
        f("check", FieldType::Bool, "1",
          "read the written model back and compare its logits and 64 greedy tokens with the checkpoint's", g));
    s.fields.push_back(f("force", FieldType::Bool, "0", "overwrite an existing output", "Run"));
    return s;
}

} // namespace

const std::vector<Preset>& presets() {
    static const std::vector<Preset> p{
        {"tiny", 128, 4, false, "~1.3M params: CPU demos and tests"},
        {"minimind2-small", 512, 8, false, "25.8M params (minimind2-small)"},
        {"minimind2", 768, 16, false, "104M params (minimind2)"},
        {"minimind2-moe", 640, 8, true, "MoE, 4 routed + 1 shared expert (minimind2-moe)"},
    };
    return p;
}

const Schema& schemaFor(const std::string& name) {
    static const std::map<std::string, Schema> all = [] {
        std::map<std::string, Schema> m;
        for (auto s :
             {makeTokenizer(), makePretrain(),      makeData(),   makeBench(),     makeEval(),    makeChat(),
              makeServe(),     makeJudge(),         makeScores(), makeMetrics(),   makeFullSft(), makeDpo(),
              makeLora(),      makeDistillReason(), makeGrpo(),   makeMergeLora(), makeHeldout(), makePipeline(),
              makeDemo(),      makeImport(),        makeExport()})
            m.emplace(s.stage, s);
        return m;
    }();
    auto it = all.find(name);
    if (it == all.end())
        throw InputError("unknown command \"" + name + "\"; run `micromind --help`");
    return it->second;
}

std::vector<std::string> schemaNames() {
    return {"train_tokenizer", "pretrain", "data",     "bench",  "eval",  "chat",           "serve", "judge",
            "scores",          "metrics",  "full_sft", "dpo",    "lora",  "distill_reason", "grpo",  "merge_lora",
            "heldout",         "pipeline", "demo",     "import", "export"};
}

std::vector<std::string> applyPresetAndCheck(Values& v) {
    std::vector<std::string> problems;
    const std::string& name = v.getString("preset");
    for (const auto& p : presets()) {
        if (p.name != name)
            continue;
        if (!v.isSet("hidden_size"))
            v.set("hidden_size", std::to_string(p.hiddenSize), false);
        if (!v.isSet("num_hidden_layers"))
            v.set("num_hidden_layers", std::to_string(p.numLayers), false);
        if (!v.isSet("use_moe"))
            v.set("use_moe", p.useMoe ? "1" : "0", false);
    }
    long long h = v.getInt("hidden_size"), nh = v.getInt("num_attention_heads"), kv = v.getInt("num_key_value_heads");
    if (h % nh != 0)
        problems.push_back("--hidden_size " + std::to_string(h) + " must be divisible by --num_attention_heads " +
                           std::to_string(nh));
    else if ((h / nh) % 2 != 0)
        problems.push_back("head size hidden_size/num_attention_heads = " + std::to_string(h / nh) +
                           " must be even (RoPE rotates pairs)");
    if (nh % kv != 0)
        problems.push_back("--num_attention_heads " + std::to_string(nh) +
                           " must be divisible by --num_key_value_heads " + std::to_string(kv));
    return problems;
}

} // namespace mm::config
