// The schemas of the training commands: tokenizer, data, bench, pretrain and
// the post-training stages (full_sft, distill_reason, lora, dpo, grpo) with
// their tools (merge_lora, heldout).

#include "config/stage_fields.h"

namespace mm::config::detail {

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

} // namespace mm::config::detail
