<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>SchemaGroup</name>
    <message>
        <location filename="../schema_strings.cpp" line="+13"/>
        <source>Tokenizer</source>
        <extracomment>train_tokenizer</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Data</source>
        <extracomment>pretrain, full_sft, dpo, lora, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Model</source>
        <extracomment>pretrain, full_sft, dpo, lora, ... (7 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Training</source>
        <extracomment>pretrain, full_sft, dpo, lora, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run</source>
        <extracomment>pretrain, full_sft, dpo, lora, ... (7 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>LoRA</source>
        <extracomment>lora</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>GRPO</source>
        <extracomment>grpo</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Prompts</source>
        <extracomment>eval</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sampling</source>
        <extracomment>eval</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SchemaHelp</name>
    <message>
        <location line="+39"/>
        <source>jsonl file(s), comma-separated; any minimind format</source>
        <extracomment>train_tokenizer.data_path</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>vocabulary size incl. 9 specials + 256 bytes</source>
        <extracomment>train_tokenizer.vocab_size</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>cap on text chunks used for training</source>
        <extracomment>train_tokenizer.max_sentences</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>share of characters kept as pieces, 0.98-1; rarer ones use bytes (0 = auto: fit half the vocabulary)</source>
        <extracomment>train_tokenizer.character_coverage</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>where tokenizer.model is written</source>
        <extracomment>train_tokenizer.out_dir</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>threads (0 = all cores)</source>
        <extracomment>train_tokenizer.threads</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>count and skip malformed lines</source>
        <extracomment>train_tokenizer.skip_bad_lines</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>training data, minimind jsonl</source>
        <extracomment>pretrain.data_path, full_sft.data_path, dpo.data_path, lora.data_path, ... (5 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>tokenizer: a .model or a Hugging Face tokenizer.json such as minimind&apos;s (default: &lt;out_dir&gt;/tokenizer.model, else &lt;out_dir&gt;/tokenizer.json)</source>
        <extracomment>pretrain.tokenizer, full_sft.tokenizer, dpo.tokenizer, lora.tokenizer, ... (7 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>count and skip malformed lines instead of stopping</source>
        <extracomment>pretrain.skip_bad_lines, full_sft.skip_bad_lines, dpo.skip_bad_lines, lora.skip_bad_lines, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>pack: documents back to back, no padding; pad: one document per sample (minimind)</source>
        <extracomment>pretrain.packing</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>model size preset; explicit --hidden_size/--num_hidden_layers/--use_moe win</source>
        <extracomment>pretrain.preset, full_sft.preset, dpo.preset, lora.preset, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>model width (checkpoint suffix)</source>
        <extracomment>pretrain.hidden_size, full_sft.hidden_size, dpo.hidden_size, lora.hidden_size, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>transformer blocks</source>
        <extracomment>pretrain.num_hidden_layers, full_sft.num_hidden_layers, dpo.num_hidden_layers, lora.num_hidden_layers, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>mixture-of-experts FFN (4 routed + 1 shared, top-2)</source>
        <extracomment>pretrain.use_moe, full_sft.use_moe, dpo.use_moe, lora.use_moe, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>query heads</source>
        <extracomment>pretrain.num_attention_heads, full_sft.num_attention_heads, dpo.num_attention_heads, lora.num_attention_heads, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>key/value heads (GQA)</source>
        <extracomment>pretrain.num_key_value_heads, full_sft.num_key_value_heads, dpo.num_key_value_heads, lora.num_key_value_heads, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>passes over the data</source>
        <extracomment>pretrain.epochs, full_sft.epochs, dpo.epochs, lora.epochs, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>sequences per micro-batch</source>
        <extracomment>pretrain.batch_size, full_sft.batch_size, dpo.batch_size, lora.batch_size, ... (5 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>peak learning rate (AdamW)</source>
        <extracomment>pretrain.learning_rate, full_sft.learning_rate, dpo.learning_rate, lora.learning_rate, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>micro-batches per optimizer step</source>
        <extracomment>pretrain.accumulation_steps, full_sft.accumulation_steps, dpo.accumulation_steps, lora.accumulation_steps, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>tokens per training sequence</source>
        <extracomment>pretrain.max_seq_len, full_sft.max_seq_len, dpo.max_seq_len, lora.max_seq_len, ... (5 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>clip the global gradient norm (0 = off)</source>
        <extracomment>pretrain.grad_clip, full_sft.grad_clip, dpo.grad_clip, lora.grad_clip, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>AdamW weight decay</source>
        <extracomment>pretrain.weight_decay, full_sft.weight_decay, dpo.weight_decay, lora.weight_decay, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>linear warmup steps before the cosine decay (minimind: 0)</source>
        <extracomment>pretrain.warmup_steps, full_sft.warmup_steps, dpo.warmup_steps, lora.warmup_steps, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>stop after this many optimizer steps (0 = all epochs)</source>
        <extracomment>pretrain.max_steps, full_sft.max_steps, dpo.max_steps, lora.max_steps, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>seed for initialisation and data order</source>
        <extracomment>pretrain.seed, full_sft.seed, dpo.seed, lora.seed, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>workspace: checkpoints, history database, caches</source>
        <extracomment>pretrain.out_dir, full_sft.out_dir, dpo.out_dir, lora.out_dir, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>cpu, cuda, cuda:N or auto (cuda:0 when available)</source>
        <extracomment>pretrain.device, full_sft.device, dpo.device, lora.device, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>compute dtype: autocast on CUDA (auto = bfloat16 there); on the CPU float32, or bfloat16 matmuls with float32 weights where the CPU has avx512_bf16/AMX</source>
        <extracomment>pretrain.dtype, full_sft.dtype, dpo.dtype, lora.dtype, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>CPU threads (0 = all cores)</source>
        <extracomment>pretrain.threads, full_sft.threads, dpo.threads, lora.threads, ... (7 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>optimizer steps between log lines</source>
        <extracomment>pretrain.log_interval, full_sft.log_interval, dpo.log_interval, lora.log_interval, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>optimizer steps between checkpoints</source>
        <extracomment>pretrain.save_interval, full_sft.save_interval, dpo.save_interval, lora.save_interval, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>optimizer steps between probes: the model answers a few fixed prompts greedily, shown in the log and the workbench&apos;s Generations tab (also after the last step; 0 = off)</source>
        <extracomment>pretrain.probe_interval, full_sft.probe_interval, dpo.probe_interval, lora.probe_interval, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>probe prompts: .jsonl with {&quot;prompt&quot;: ...} per line, or a text file with one prompt per line (default: the first 3 of the seed&apos;s prompt set for the stage)</source>
        <extracomment>pretrain.probe_prompts, full_sft.probe_prompts, dpo.probe_prompts, lora.probe_prompts, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>most tokens generated per probe prompt</source>
        <extracomment>pretrain.probe_max_tokens, full_sft.probe_max_tokens, dpo.probe_max_tokens, lora.probe_max_tokens, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>multi-process runs (torchrun): seconds to wait for the other ranks at start-up and in each collective before failing with the name of the lost rank; must exceed a checkpoint write</source>
        <extracomment>pretrain.ddp_timeout, full_sft.ddp_timeout, dpo.ddp_timeout, lora.ddp_timeout, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>held-out file in the training data&apos;s format, measured on rank 0 every --eval_interval steps and after the last, logged and stored as val_loss (dpo: val_pref_accuracy, val_chosen_logp); training is unchanged</source>
        <extracomment>pretrain.eval_data, full_sft.eval_data, dpo.eval_data, lora.eval_data, ... (5 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>instead of --eval_data: hold out this share of --data_path&apos;s records for validation (spread evenly over the file, written once under out_dir/cache; 0 = off)</source>
        <extracomment>pretrain.eval_split, full_sft.eval_split, dpo.eval_split, lora.eval_split, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>optimizer steps between validations (0 = every --log_interval)</source>
        <extracomment>pretrain.eval_interval, full_sft.eval_interval, dpo.eval_interval, lora.eval_interval, ... (6 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>validation: at most this many texts or conversations of --eval_data (0 = all)</source>
        <extracomment>pretrain.eval_max_samples, full_sft.eval_max_samples, dpo.eval_max_samples, lora.eval_max_samples, ... (5 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>parent checkpoint &lt;out_dir&gt;/&lt;from_weight&gt;_&lt;size&gt;.pth (pretrain, full_sft, rlhf, reason; none = random init)</source>
        <extracomment>full_sft.from_weight, dpo.from_weight, lora.from_weight, distill_reason.from_weight, ... (5 in all)</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>scale the learning rate with the batch: k x the default batch 16 (x accumulation) -&gt; k x lr</source>
        <extracomment>full_sft.lr_scale_with_batch</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>DPO temperature beta</source>
        <extracomment>dpo.beta</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>adds alpha x the chosen answers&apos; NLL to the loss (RPO), so DPO keeps their likelihood; 0 = plain DPO (minimind)</source>
        <extracomment>dpo.rpo_alpha</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>adapter name: out_dir/lora/&lt;lora_name&gt;_&lt;size&gt;.pth</source>
        <extracomment>lora.lora_name</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>adapter rank r</source>
        <extracomment>lora.lora_rank</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>scale = alpha / rank (0 = rank: scale 1, as minimind)</source>
        <extracomment>lora.lora_alpha</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>comma-separated strings; projections whose name contains one get an adapter</source>
        <extracomment>lora.lora_targets</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>loss weight of the &lt;think&gt; &lt;/think&gt; &lt;answer&gt; &lt;/answer&gt; target positions</source>
        <extracomment>distill_reason.tag_weight</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>prompts jsonl: {&quot;conversations&quot;: [user turn], &quot;answer&quot;: optional known answer}</source>
        <extracomment>grpo.data_path</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>prompts per micro-batch (each sampled num_generations times)</source>
        <extracomment>grpo.batch_size</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>longest prompt in tokens (longer ones are skipped)</source>
        <extracomment>grpo.max_seq_len</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>G: completions sampled per prompt (minimind uses 8)</source>
        <extracomment>grpo.num_generations</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>most tokens generated per completion</source>
        <extracomment>grpo.max_gen_len</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>sampling temperature of the rollouts (log-probs are taken at it too)</source>
        <extracomment>grpo.temperature</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>weight of the KL penalty to the reference (0 = none)</source>
        <extracomment>grpo.beta</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>clip range of the probability ratio</source>
        <extracomment>grpo.clip_eps</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>comma list of rewards, summed: format, exact, length, repetition</source>
        <extracomment>grpo.rewards</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>bytes of the sample completion shown per log line (terminal and --json)</source>
        <extracomment>grpo.sample_chars</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>sampled completions with their rewards kept per log step, from different prompts of the batch first (the Generations timeline, --json &quot;samples&quot;)</source>
        <extracomment>grpo.log_samples</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>held-out prompts in the training data&apos;s format, answered greedily (up to --max_gen_len tokens) on rank 0 every --eval_interval steps and after the last and scored with --rewards: val_reward_mean, val_accuracy, val_format_rate, val_completion_len; training is unchanged</source>
        <extracomment>grpo.eval_data</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>validation: at most this many prompts of --eval_data (0 = all)</source>
        <extracomment>grpo.eval_max_samples</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>0 pretrain, 1 full_sft, 2 rlhf, 3 reason, 4 lora+sft, 5 grpo</source>
        <extracomment>eval.model_mode</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>adapter &lt;out_dir&gt;/lora/&lt;name&gt;_&lt;size&gt;.pth (mode 4)</source>
        <extracomment>eval.lora_name</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>load this weights file instead of the mode&apos;s (the mode still picks the prompt format)</source>
        <extracomment>eval.checkpoint</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>model size preset: picks the checkpoint suffix</source>
        <extracomment>eval.preset</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>checkpoint suffix (pretrain_&lt;hidden_size&gt;.pth); automatic when neither it nor --preset is given</source>
        <extracomment>eval.hidden_size</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>MoE checkpoint (suffix _moe)</source>
        <extracomment>eval.use_moe</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>workspace: checkpoints, tokenizer, history database</source>
        <extracomment>eval.out_dir</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>cpu, cuda, cuda:N or auto</source>
        <extracomment>eval.device</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>auto (mode 0: pretrain+eval, chat modes: chat+eval), all, or names: pretrain,chat,eval</source>
        <extracomment>eval.prompt_set</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>your own prompt file (.jsonl {&quot;prompt&quot;} or one per line)</source>
        <extracomment>eval.prompts</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>read prompts from stdin, one per line</source>
        <extracomment>eval.interactive</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>prompts decoded together; 1 streams each answer token by token</source>
        <extracomment>eval.batch_size</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>most tokens generated per answer</source>
        <extracomment>eval.max_new_tokens</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>sampling temperature (0 = greedy)</source>
        <extracomment>eval.temperature</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>nucleus sampling mass (1 = off)</source>
        <extracomment>eval.top_p</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>sample among the k most likely tokens (0 = off)</source>
        <extracomment>eval.top_k</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>divide logits of tokens already present (&gt;1 discourages repeats)</source>
        <extracomment>eval.repetition_penalty</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>always take the most likely token (deterministic)</source>
        <extracomment>eval.greedy</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>sampling seed (prompt i uses seed + i)</source>
        <extracomment>eval.seed</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>system turn before the user&apos;s (chat modes)</source>
        <extracomment>eval.system_prompt</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>weights dtype for CPU decoding: bfloat16 reads half the bytes per token, int8 (scaled per row) a quarter; sums stay float32; float32 is exact</source>
        <extracomment>eval.infer_dtype</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SchemaSummary</name>
    <message>
        <location line="-253"/>
        <source>Train a SentencePiece BPE tokenizer (byte fallback, MiniMind special tokens); writes &lt;out_dir&gt;/tokenizer.model.</source>
        <extracomment>train_tokenizer</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Pretrain a MiniMind model from scratch on {&quot;text&quot;} jsonl; writes &lt;out_dir&gt;/pretrain_&lt;hidden&gt;.pth.</source>
        <extracomment>pretrain</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Supervised fine-tuning on {&quot;conversations&quot;} jsonl (loss on assistant tokens); reads pretrain_&lt;hidden&gt;.pth, writes full_sft_&lt;hidden&gt;.pth.</source>
        <extracomment>full_sft</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Direct Preference Optimization on {&quot;chosen&quot;,&quot;rejected&quot;} jsonl with cached reference log-probs; reads full_sft_&lt;hidden&gt;.pth, writes rlhf_&lt;hidden&gt;.pth.</source>
        <extracomment>dpo</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>LoRA fine-tuning: base frozen, adapters on the projections; reads full_sft_&lt;hidden&gt;.pth, writes only the adapter to lora/&lt;lora_name&gt;_&lt;hidden&gt;.pth.</source>
        <extracomment>lora</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Reasoning distillation: SFT on &lt;think&gt;...&lt;/think&gt;&lt;answer&gt;...&lt;/answer&gt; answers with extra weight on the tags; reads rlhf_&lt;hidden&gt;.pth, writes reason_&lt;hidden&gt;.pth.</source>
        <extracomment>distill_reason</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Group relative policy optimisation: G sampled completions per prompt, rule-based rewards, clipped objective with KL to the parent; reads reason_&lt;hidden&gt;.pth, writes grpo_&lt;hidden&gt;.pth.</source>
        <extracomment>grpo</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Answer the seed&apos;s prompt sets with one model (--model_mode N) and store the answers in the history.</source>
        <extracomment>eval</extracomment>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::ChartPanel</name>
    <message>
        <location filename="../chart_panel.cpp" line="+153"/>
        <source>Smoothing:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>EMA weight of the bold curve; the raw values stay faint behind it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>X axis:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wall time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Log y</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Export…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Write every chart as PNG, SVG and CSV into a folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No metrics yet: start a run or open one from the history.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Validation loss (--eval_data)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Validation bits per byte</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Validation preference accuracy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Validation: chosen answers&apos; mean log-prob</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Learning rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Gradient norm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Tokens per second</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>DPO reward margin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Preference accuracy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Chosen reward</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Rejected reward</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>GRPO reward</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>GRPO reward spread within groups</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>KL to the reference</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Completion length (tokens)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Exact-answer accuracy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Clipped ratio share</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reward: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Token loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>MoE auxiliary loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+84"/>
        <source>could not create %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+11"/>
        <source>could not write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Export charts to folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Export failed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::CompareColumn</name>
    <message>
        <location filename="../compare_column.cpp" line="+30"/>
        <source>Model mode, as `micromind eval --model_mode N`</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Checkpoint of the workspace this column answers with</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Regenerate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Answer this column&apos;s prompts again with the next seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+29"/>
        <source>%1 · %2M parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+27"/>
        <source>%1 tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Choose a workspace first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+10"/>
        <source>%n checkpoint(s) found</source>
        <translation>
            <numerusform>%n checkpoint found</numerusform>
            <numerusform>%n checkpoints found</numerusform>
        </translation>
    </message>
    <message>
        <location line="+19"/>
        <source>stored answer of %1, %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot read the history: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No checkpoint selected.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::ComparePanel</name>
    <message>
        <location filename="../compare_panel.cpp" line="+51"/>
        <source>eval — the seed&apos;s three evaluation questions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>chat — the seed&apos;s SFT questions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>pretrain — the seed&apos;s continuation prompts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Answer the set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Every column answers the selected prompt set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Or type your own prompt and press Enter…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ask all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Regenerate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Answer the last prompts again in every column with the next seed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rescan checkpoints</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export comparison…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Write compare.md and compare.html: the stored answers side by side</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Greedy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Always take the most likely token (ignores temperature, top-p and top-k)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Prompt set:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Max new tokens:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Temperature:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Top-p:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Top-k:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Repetition penalty:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seed:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Done. The answers are stored in the workspace history (Scores tab, `micromind scores export`).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Column %1 answers again with seed %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Export the comparison to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Wrote compare.md and compare.html to %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+17"/>
        <source>No workspace.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Workspace: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+32"/>
        <source>The prompt sets (share/micromind/prompts) were not found; reinstall MicroMind or use the free prompt box.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Type a prompt first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Still answering; stop first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Choose a workspace first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No column has a checkpoint to run; train the models first (see each column).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 column(s) answering %2 prompt(s), seed %3…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::CompareView</name>
    <message>
        <location filename="../compare_render.cpp" line="+69"/>
        <source>Prompt:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+10"/>
        <source>(thinking…)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Hide reasoning</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>Show reasoning (%n characters)</source>
        <translation>
            <numerusform>Show reasoning (%n character)</numerusform>
            <numerusform>Show reasoning (%n characters)</numerusform>
        </translation>
    </message>
    <message>
        <location line="+12"/>
        <source>generating…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 tokens · %2 tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>token limit reached</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>empty: the model ended its answer at once</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::CompareWorker</name>
    <message>
        <location filename="../compare_worker.cpp" line="+53"/>
        <source>Unknown model mode %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+21"/>
        <source>No %1_*.pth in the workspace %2 — train it with `micromind %3`.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+22"/>
        <source>No LoRA adapter (lora/*.pth) in the workspace %1 — train one with `micromind lora --lora_name lora_medical`.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The LoRA adapters in %1/lora have no full_sft checkpoint of the same size — train it with `micromind full_sft`.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Loading %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No tokenizer.model in the workspace %1 — train one with `micromind train_tokenizer`.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::ConfigDiffWidget</name>
    <message>
        <location filename="../history_panel.cpp" line="+222"/>
        <source>Differences only</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::DemoPanel</name>
    <message>
        <location filename="../demo_panel.cpp" line="+20"/>
        <source>exact match, trained questions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>exact match, held-out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>held-out authors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>held-out answer loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Song ci held-out loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>DPO preference accuracy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>think/answer format</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>held-out reward</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+43"/>
        <source>No demo report in this workspace. Workspace → Open demo workspace… trains the five models on Debian&apos;s fortunes-zh and shows here what each stage did.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The demo report cannot be read: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>What each stage did, measured by `micromind demo` in %1 (%2):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 min %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+11"/>
        <source>mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>chance</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::Estimator</name>
    <message>
        <location filename="../estimator.cpp" line="+138"/>
        <source>could not start %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+14"/>
        <source>no data file to count tokens in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+8"/>
        <source>counting tokens in %1…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+18"/>
        <source>measuring training speed…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+52"/>
        <source>%1 failed: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::HistoryPanel</name>
    <message>
        <location filename="../history_panel.cpp" line="-183"/>
        <source>Filter: stage, checkpoint, config…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>All statuses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Open charts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Overlay the curves of the selected runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Compare configs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+102"/>
        <source>Compare run configs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+28"/>
        <source>could not delete %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+24"/>
        <location line="+9"/>
        <source>Delete runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="-8"/>
        <source>Delete %n run(s) with their metrics and the checkpoint files no other run wrote?</source>
        <translation>
            <numerusform>Delete %n run with its metrics and the checkpoint files no other run wrote?</numerusform>
            <numerusform>Delete %n runs with their metrics and the checkpoint files no other run wrote?</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>mm::ui::InteropDialog</name>
    <message>
        <location filename="../interop_dialog.cpp" line="+37"/>
        <source>Import a model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Export a model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>File…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Checkpoint to import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checkpoints (*.pth *.pt *.bin *.safetensors);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Transformers model folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>minimind&apos;s full_sft_512.pth, a .safetensors file or a transformers folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Source:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The model goes to &lt;workspace&gt;/imported/&lt;name&gt;/ with its tokenizer, beside your own models; the compare columns list it as &lt;name&gt;/&lt;checkpoint&gt;.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Checkpoint kind (its file name); auto reads it from minimind&apos;s file name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stage:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>tokenizer.json beside the source (minimind: model/tokenizer.json)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+35"/>
        <source>Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-33"/>
        <source>Tokenizer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tokenizers (tokenizer.json *.model);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Tokenizer:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+11"/>
        <source>0 pretrain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>1 full_sft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>2 rlhf</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>3 reason</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>4 lora+sft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>5 grpo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>LoRA adapter name (mode 4), e.g. lora_medical</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>LoRA:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>transformers folder (LlamaForCausalLM, vLLM)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GGUF file (llama.cpp, ollama)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Format:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Weights:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>GGUF file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>GGUF (*.gguf)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Folder to write</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Output:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+18"/>
        <source>&amp;Import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+81"/>
        <source>Could not start %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Imported. The compare columns and the history list it now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Exported. The check line above compares it with the checkpoint.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Failed (exit %1): %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Running…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::JudgeDialog</name>
    <message>
        <location filename="../judge_dialog.cpp" line="+16"/>
        <source>LLM judge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+11"/>
        <source>empty for a local endpoint without a key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>all prompt sets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>all (every model with stored answers) or a list such as 0,1,2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Endpoint URL:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Judge model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>API key:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Attempts per model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time limit per model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reply token limit:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Prompt set:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Models:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Any OpenAI-compatible chat-completions endpoint: DeepSeek, OpenAI, Ollama (http://127.0.0.1:11434/v1) or `micromind serve`. The URL and model are saved in the workspace&apos;s settings.json; the key is kept in memory for this session only and passed to the judge process in its environment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Run judge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+23"/>
        <source>An http:// or https:// URL, e.g. https://api.deepseek.com/v1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::JudgeRunner</name>
    <message>
        <location filename="../judge_runner.cpp" line="+87"/>
        <source>The judge is already running.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The judge needs a workspace, an endpoint URL and a model name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Could not start %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Judge stopped; %1 model(s) judged before.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The judge process crashed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 model(s) judged.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 model(s) judged, %2 failed (see the log).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The judge failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>$ micromind %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+42"/>
        <source>; raw reply: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>model %1: FAILED after %2 attempt(s): %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>model %1: language %2, knowledge %3, efficiency %4</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::LineageView</name>
    <message>
        <location filename="../lineage_view.cpp" line="+20"/>
        <source>Checkpoint</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Final loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Key config</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+43"/>
        <source> (file missing)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>imported · %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::MainWindow</name>
    <message>
        <location filename="../main_window.cpp" line="+36"/>
        <source>MicroMind Workbench</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+14"/>
        <source>&amp;Train</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;History</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Lineage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Compare</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Scores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Demo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+271"/>
        <source>No workspace open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-257"/>
        <source>Cannot queue the stages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+37"/>
        <source>&amp;Workspace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open workspace…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;New workspace…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open &amp;demo workspace…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Recent workspaces</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Import a model (minimind, transformers)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E&amp;xport a model (transformers, GGUF)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Launch current stage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Train &amp;all five models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Copy command</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Estimate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Pause run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Res&amp;ume run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Stop run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel &amp;queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Train</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>History</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Lineage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Compare</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Scores</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Demo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Refresh &amp;history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>System default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Theme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Follow the system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Light</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;About MicroMind Workbench</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>About &amp;Qt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Open workspace</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+12"/>
        <source>Re-attached to %n running run(s)</source>
        <translation>
            <numerusform>Re-attached to %n running run</numerusform>
            <numerusform>Re-attached to %n running runs</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>MicroMind Workbench — %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+11"/>
        <source>(none)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Create or choose an empty folder for the new workspace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Open workspace folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Folder for the demo workspace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+53"/>
        <source>Welcome to MicroMind Workbench</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A workspace is a folder that holds checkpoints, the run history and presets.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The demo workspace builds a small corpus from Debian&apos;s fortunes-zh and trains all five models (pretrain, full_sft, rlhf, reason, lora) on this machine.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Create the demo workspace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open a folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Later</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+15"/>
        <source>About MicroMind Workbench</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&lt;h3&gt;MicroMind Workbench %1&lt;/h3&gt;&lt;p&gt;Train a tiny chat LLM from scratch and compare what each stage did.&lt;/p&gt;&lt;p&gt;Qt %2 (built with %3)&lt;br&gt;Training core: %4&lt;/p&gt;&lt;p&gt;Command line: &lt;code&gt;%5&lt;/code&gt;&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>micromind not found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>The language changes when the workbench restarts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Theme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>The theme changes when the workbench restarts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Workspace: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%n run(s) going</source>
        <translation>
            <numerusform>%n run going</numerusform>
            <numerusform>%n runs going</numerusform>
        </translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Runs are going</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n run(s) are still training.</source>
        <translation>
            <numerusform>%n run is still training.</numerusform>
            <numerusform>%n runs are still training.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Leave them running (the workbench re-attaches to them when you reopen this workspace), or save and stop them now?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Leave running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save and stop</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::MetricChart</name>
    <message>
        <location filename="../chart_view.cpp" line="+286"/>
        <source>step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>wall time (s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+200"/>
        <location line="+10"/>
        <location line="+14"/>
        <source>could not write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::QueueView</name>
    <message>
        <location filename="../queue_view.cpp" line="+19"/>
        <source>waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+9"/>
        <source>#</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Stage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The queue lives in the workspace&apos;s history: it is still here after the workbench is closed, and `micromind pipeline --out_dir WORKSPACE` runs it headless</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Run the selected waiting stage earlier</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Run the selected waiting stage later</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Take the selected stage out of the queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run the waiting stages in order: a stopped stage continues from its checkpoint, a failed one is tried again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Clear finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Drop the completed, failed and stopped stages from the list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+79"/>
        <source>Queue: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::RunController</name>
    <message>
        <location filename="../run_controller.cpp" line="+77"/>
        <source>waiting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>pausing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>stopping</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../run_process.cpp" line="+208"/>
        <source>stopped by the user</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location filename="../run_events.cpp" line="+57"/>
        <source> … [line cut: %n more byte(s)]</source>
        <translation>
            <numerusform> … [line cut: %n more byte]</numerusform>
            <numerusform> … [line cut: %n more bytes]</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../run_process.cpp" line="+51"/>
        <source>killed on request (signal %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+8"/>
        <source>: another program or the kernel&apos;s out-of-memory killer ended it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>; last output: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+9"/>
        <source>saved at step %1; resume continues from there</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>exit status %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+21"/>
        <source>segmentation fault</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>bus error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>illegal instruction</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>arithmetic exception</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>aborted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>trace trap</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>bad system call</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>terminated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>interrupted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>hang-up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>broken pipe</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>file size limit exceeded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CPU time limit exceeded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>killed (signal %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>crashed: %1 (signal %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>killed: %1 (signal %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>killed by signal %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>could not start %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::RunManager</name>
    <message>
        <location filename="../run_manager.cpp" line="+242"/>
        <source>queue cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-32"/>
        <source>stage %1 of %2: %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-66"/>
        <source>the queue is running; stop its stage or wait for it before queueing others</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+20"/>
        <source>%n stage(s) queued</source>
        <translation>
            <numerusform>%n stage queued</numerusform>
            <numerusform>%n stages queued</numerusform>
        </translation>
    </message>
    <message>
        <location line="+33"/>
        <source>queue ended: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>the queue is empty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+62"/>
        <source>queue ended: %1 %2 (%3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+45"/>
        <source>following %1, started before the workbench was closed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-107"/>
        <source>queue finished: every stage completed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::RunsModel</name>
    <message>
        <location filename="../history_model.cpp" line="+180"/>
        <source>running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>completed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>interrupted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+51"/>
        <source>Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Parent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Key config</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Final loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Steps</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Duration</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Started</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::RunsPanel</name>
    <message>
        <location filename="../runs_panel.cpp" line="+29"/>
        <source>Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save a checkpoint and stop; Resume continues from it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save and stop for good; press again to kill the process</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove from list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Runs of this session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Output of the selected run (stderr)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+6"/>
        <source>Run</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-6"/>
        <location line="+6"/>
        <source>Step</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Prompt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Generation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reward</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The runs&apos; health monitor: a loss or gradient norm above 5x its moving average, GRPO groups whose rewards are all equal (nothing to learn from) for several logs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Output</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Generations</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Health</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Queue: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+76"/>
        <source> · ⚠ %n warning(s)</source>
        <translation>
            <numerusform> · ⚠ %n warning</numerusform>
            <numerusform> · ⚠ %n warnings</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source> · step %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source> (part of %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source> (re-attached)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+16"/>
        <source>No run selected. Launch one from the Train tab.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source> · step %1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source> · weights %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>rank %1 running (pid %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>rank %1 killed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>rank %1 exited %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n process(es): </source>
        <translation>
            <numerusform>%n process: </numerusform>
            <numerusform>%n processes: </numerusform>
        </translation>
    </message>
    <message>
        <location line="+52"/>
        <source>Reward %1 = %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Known answer: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Probe: the model&apos;s greedy answer to a fixed prompt at this step (no reward)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Health (%1)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::ScoreTableModel</name>
    <message>
        <location filename="../scores_model.cpp" line="+58"/>
        <source>A score is a number from 0 to 10.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Choose a workspace first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+91"/>
        <source>Entered by hand (overrides the judge). Double-click to change.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Judge %1. Double-click to correct it by hand.

%2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Double-click to enter a score (0-10) by hand.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Judge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+23"/>
        <source>&quot;%1&quot; is not a number; a score is from 0 to 10.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::ScoresExport</name>
    <message>
        <location filename="../scores_export.cpp" line="+22"/>
        <source>No history at %1: answer the prompts in the Compare tab (or run `micromind eval`) first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Cannot create the folder %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+39"/>
        <source>The history holds no answers yet: answer the prompts in the Compare tab first.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::ScoresPanel</name>
    <message>
        <location filename="../scores_panel.cpp" line="+29"/>
        <source>Run judge…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Score every model&apos;s stored answers with an LLM judge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop judge</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Copy Markdown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Copy the table in the seed&apos;s Markdown layout</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Write scores.md, scores.csv, scores.html, compare.md and compare.html</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The judge&apos;s progress appears here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Scores 0-10 per dimension; double-click a cell to enter or correct a score by hand (shown in italics, it overrides the judge).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Copied the score table (Markdown).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+20"/>
        <source>No workspace.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Workspace: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Judging with %1 at %2…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Wrote the score table; no comparison: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Choose a workspace first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Could not remember the endpoint: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Export the scores to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Wrote %1 files to %2.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::StageForm</name>
    <message>
        <location filename="../stage_form.cpp" line="+103"/>
        <source>range: %1 … %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>default: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+49"/>
        <location line="+20"/>
        <location line="+97"/>
        <source>required</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-113"/>
        <source>Browse</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Choose a folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+109"/>
        <source>&quot;%1&quot; is not a whole number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&quot;%1&quot; is not a number</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 is below the minimum %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 is above the maximum %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>choose one of the listed values</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+88"/>
        <source>no such file: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>cannot read %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+10"/>
        <source>no tokenizer at %1; train one first (train_tokenizer) or choose a .model file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+8"/>
        <source>parent checkpoint %1 does not exist; train the %2 stage first with the same model size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+12"/>
        <source>parent checkpoint has hidden_size %1 and %2 layers, this form %3 and %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+13"/>
        <source>batch_size %1 is not divisible by num_generations %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is a file, not a folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>folder %1 is not writable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../preset_store.cpp" line="+32"/>
        <source>&quot;%1&quot; is not a valid preset name (letters, digits, space, - _ .)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>could not write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+10"/>
        <source>could not read %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 is not a preset file: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+10"/>
        <source>could not delete %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::TrainPage</name>
    <message>
        <location filename="../train_page.cpp" line="+95"/>
        <source>The equivalent command; the workbench adds --json to read its progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy command</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Load</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save preset…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Estimate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Parameters</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tokens</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FLOPs (6·N·D)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ETA</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Measure</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Count the data&apos;s tokens and time a short training micro-benchmark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Launch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Validate the form and start the run (Ctrl+R)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Data-parallel processes on this machine (c10d/Gloo); each takes --batch_size samples, so the global batch is processes x batch_size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Train all five models</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Queue pretrain → full_sft → dpo → distill_reason, then lora on full_sft</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Preset:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Command:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Processes:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+35"/>
        <source>measured</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+67"/>
        <source>no estimate for this command</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Measure counts the tokens and times a micro-benchmark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 (vocabulary %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 in the data%2, %3 trained</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source> (from the file size)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 at %2 tokens/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+24"/>
        <location line="+6"/>
        <source>Save preset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Preset name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Load preset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Delete preset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Cannot launch %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+20"/>
        <source>Fix the fields marked in red:
%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Cannot queue %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>mm::ui::Workspace</name>
    <message>
        <location filename="../workspace.cpp" line="+26"/>
        <source>could not create the folder %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The workspace folder %1 is not writable (%2). MicroMind keeps the run history (micromind.db), checkpoints and logs there: make the folder writable, or open another one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1 is read-only. MicroMind records every run in it and needs write access to the file and to the folder %2: make them writable, or copy the workspace to a writable place. The file was left untouched.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+13"/>
        <source>%1 was written by a newer MicroMind (history schema %2; this build knows up to %3). Upgrade MicroMind to open this workspace, or open another one. The file was left untouched.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+23"/>
        <source>Details: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-18"/>
        <source>%1 is locked: another process kept it busy for more than a few seconds. Let that process finish or close it (see the details), then open the workspace again. Nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is damaged or is not a MicroMind history. Move it aside (for example, rename it to micromind.db.broken) and open the workspace again to start a new history. The file was left untouched.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The disk that holds %1 is full. Free some space, then open the workspace again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+2"/>
        <source>could not open the history of %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
