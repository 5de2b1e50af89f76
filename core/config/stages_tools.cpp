// The schemas of the evaluation commands (eval, chat, serve, judge, metrics,
// scores) and of the workspace tools (pipeline, demo, import, export).

#include "config/stage_fields.h"

namespace mm::config::detail {

// --- evaluation commands (eval, chat, serve, judge, scores, metrics) ---

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

} // namespace mm::config::detail
