<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>SchemaGroup</name>
    <message>
        <location filename="../schema_strings.cpp" line="+13"/>
        <source>Tokenizer</source>
        <extracomment>train_tokenizer</extracomment>
        <translation>分词器</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Data</source>
        <extracomment>pretrain, full_sft, dpo, lora, ... (6 in all)</extracomment>
        <translation>数据</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Model</source>
        <extracomment>pretrain, full_sft, dpo, lora, ... (7 in all)</extracomment>
        <translation>模型</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Training</source>
        <extracomment>pretrain, full_sft, dpo, lora, ... (6 in all)</extracomment>
        <translation>训练</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Run</source>
        <extracomment>pretrain, full_sft, dpo, lora, ... (7 in all)</extracomment>
        <translation>运行</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>LoRA</source>
        <extracomment>lora</extracomment>
        <translation>LoRA</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>GRPO</source>
        <extracomment>grpo</extracomment>
        <translation>GRPO</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Prompts</source>
        <extracomment>eval</extracomment>
        <translation>提示词</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Sampling</source>
        <extracomment>eval</extracomment>
        <translation>采样</translation>
    </message>
</context>
<context>
    <name>SchemaHelp</name>
    <message>
        <location line="+39"/>
        <source>jsonl file(s), comma-separated; any minimind format</source>
        <extracomment>train_tokenizer.data_path</extracomment>
        <translation>jsonl 文件，多个文件用逗号分隔；任意 minimind 数据格式均可</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>vocabulary size incl. 9 specials + 256 bytes</source>
        <extracomment>train_tokenizer.vocab_size</extracomment>
        <translation>词表大小，含 9 个特殊词元和 256 个字节词元</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>cap on text chunks used for training</source>
        <extracomment>train_tokenizer.max_sentences</extracomment>
        <translation>参与训练的文本片段数上限</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>share of characters kept as pieces, 0.98-1; rarer ones use bytes (0 = auto: fit half the vocabulary)</source>
        <extracomment>train_tokenizer.character_coverage</extracomment>
        <translation>作为独立词片保留的字符所占比例，取 0.98–1；更罕见的字符退回字节表示（0 = 自动：让单字词片约占词表的一半）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>where tokenizer.model is written</source>
        <extracomment>train_tokenizer.out_dir</extracomment>
        <translation>tokenizer.model 的输出目录</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>threads (0 = all cores)</source>
        <extracomment>train_tokenizer.threads</extracomment>
        <translation>线程数（0 = 使用全部核心）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>count and skip malformed lines</source>
        <extracomment>train_tokenizer.skip_bad_lines</extracomment>
        <translation>统计并跳过格式错误的行</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>training data, minimind jsonl</source>
        <extracomment>pretrain.data_path, full_sft.data_path, dpo.data_path, lora.data_path, ... (5 in all)</extracomment>
        <translation>训练数据，minimind 格式的 jsonl</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>tokenizer: a .model or a Hugging Face tokenizer.json such as minimind&apos;s (default: &lt;out_dir&gt;/tokenizer.model, else &lt;out_dir&gt;/tokenizer.json)</source>
        <extracomment>pretrain.tokenizer, full_sft.tokenizer, dpo.tokenizer, lora.tokenizer, ... (7 in all)</extracomment>
        <translation>分词器：.model 文件，或 minimind 那样的 Hugging Face tokenizer.json（默认：&lt;out_dir&gt;/tokenizer.model，没有时用 &lt;out_dir&gt;/tokenizer.json）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>count and skip malformed lines instead of stopping</source>
        <extracomment>pretrain.skip_bad_lines, full_sft.skip_bad_lines, dpo.skip_bad_lines, lora.skip_bad_lines, ... (6 in all)</extracomment>
        <translation>统计并跳过格式错误的行，而不是中止运行</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>pack: documents back to back, no padding; pad: one document per sample (minimind)</source>
        <extracomment>pretrain.packing</extracomment>
        <translation>pack：文档首尾相接拼成序列，不填充；pad：每个样本一篇文档并填充（minimind 的做法）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>model size preset; explicit --hidden_size/--num_hidden_layers/--use_moe win</source>
        <extracomment>pretrain.preset, full_sft.preset, dpo.preset, lora.preset, ... (6 in all)</extracomment>
        <translation>模型规模预设；显式给出的 --hidden_size/--num_hidden_layers/--use_moe 优先于预设</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>model width (checkpoint suffix)</source>
        <extracomment>pretrain.hidden_size, full_sft.hidden_size, dpo.hidden_size, lora.hidden_size, ... (6 in all)</extracomment>
        <translation>模型宽度，即隐藏层维度（也是检查点文件名的后缀）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>transformer blocks</source>
        <extracomment>pretrain.num_hidden_layers, full_sft.num_hidden_layers, dpo.num_hidden_layers, lora.num_hidden_layers, ... (6 in all)</extracomment>
        <translation>Transformer 块（层）数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>mixture-of-experts FFN (4 routed + 1 shared, top-2)</source>
        <extracomment>pretrain.use_moe, full_sft.use_moe, dpo.use_moe, lora.use_moe, ... (6 in all)</extracomment>
        <translation>混合专家（MoE）前馈网络（4 个路由专家 + 1 个共享专家，top-2 路由）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>query heads</source>
        <extracomment>pretrain.num_attention_heads, full_sft.num_attention_heads, dpo.num_attention_heads, lora.num_attention_heads, ... (6 in all)</extracomment>
        <translation>查询（Q）注意力头数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>key/value heads (GQA)</source>
        <extracomment>pretrain.num_key_value_heads, full_sft.num_key_value_heads, dpo.num_key_value_heads, lora.num_key_value_heads, ... (6 in all)</extracomment>
        <translation>键/值（KV）头数（分组查询注意力 GQA）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>passes over the data</source>
        <extracomment>pretrain.epochs, full_sft.epochs, dpo.epochs, lora.epochs, ... (6 in all)</extracomment>
        <translation>遍历训练数据的轮数（epoch）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>sequences per micro-batch</source>
        <extracomment>pretrain.batch_size, full_sft.batch_size, dpo.batch_size, lora.batch_size, ... (5 in all)</extracomment>
        <translation>每个微批次的序列数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>peak learning rate (AdamW)</source>
        <extracomment>pretrain.learning_rate, full_sft.learning_rate, dpo.learning_rate, lora.learning_rate, ... (6 in all)</extracomment>
        <translation>峰值学习率（AdamW）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>micro-batches per optimizer step</source>
        <extracomment>pretrain.accumulation_steps, full_sft.accumulation_steps, dpo.accumulation_steps, lora.accumulation_steps, ... (6 in all)</extracomment>
        <translation>每个优化器步累积的微批次数（梯度累积）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>tokens per training sequence</source>
        <extracomment>pretrain.max_seq_len, full_sft.max_seq_len, dpo.max_seq_len, lora.max_seq_len, ... (5 in all)</extracomment>
        <translation>每条训练序列的词元数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>clip the global gradient norm (0 = off)</source>
        <extracomment>pretrain.grad_clip, full_sft.grad_clip, dpo.grad_clip, lora.grad_clip, ... (6 in all)</extracomment>
        <translation>全局梯度范数的裁剪阈值（0 = 不裁剪）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>AdamW weight decay</source>
        <extracomment>pretrain.weight_decay, full_sft.weight_decay, dpo.weight_decay, lora.weight_decay, ... (6 in all)</extracomment>
        <translation>AdamW 权重衰减</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>linear warmup steps before the cosine decay (minimind: 0)</source>
        <extracomment>pretrain.warmup_steps, full_sft.warmup_steps, dpo.warmup_steps, lora.warmup_steps, ... (6 in all)</extracomment>
        <translation>余弦衰减之前的线性预热步数（minimind：0）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>stop after this many optimizer steps (0 = all epochs)</source>
        <extracomment>pretrain.max_steps, full_sft.max_steps, dpo.max_steps, lora.max_steps, ... (6 in all)</extracomment>
        <translation>达到该优化器步数后停止（0 = 跑完全部轮次）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>seed for initialisation and data order</source>
        <extracomment>pretrain.seed, full_sft.seed, dpo.seed, lora.seed, ... (6 in all)</extracomment>
        <translation>参数初始化和数据顺序的随机种子</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>workspace: checkpoints, history database, caches</source>
        <extracomment>pretrain.out_dir, full_sft.out_dir, dpo.out_dir, lora.out_dir, ... (6 in all)</extracomment>
        <translation>工作区：检查点、历史数据库和缓存</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>cpu, cuda, cuda:N or auto (cuda:0 when available)</source>
        <extracomment>pretrain.device, full_sft.device, dpo.device, lora.device, ... (6 in all)</extracomment>
        <translation>计算设备：cpu、cuda、cuda:N 或 auto（有 GPU 时用 cuda:0）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>compute dtype: autocast on CUDA (auto = bfloat16 there); on the CPU float32, or bfloat16 matmuls with float32 weights where the CPU has avx512_bf16/AMX</source>
        <extracomment>pretrain.dtype, full_sft.dtype, dpo.dtype, lora.dtype, ... (6 in all)</extracomment>
        <translation>计算精度：CUDA 上通过 autocast 生效（auto = 在 CUDA 上用 bfloat16）；CPU 上为 float32，或在支持 avx512_bf16/AMX 的 CPU 上以 bfloat16 做矩阵乘法、权重保持 float32</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>CPU threads (0 = all cores)</source>
        <extracomment>pretrain.threads, full_sft.threads, dpo.threads, lora.threads, ... (7 in all)</extracomment>
        <translation>CPU 线程数（0 = 使用全部核心）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>optimizer steps between log lines</source>
        <extracomment>pretrain.log_interval, full_sft.log_interval, dpo.log_interval, lora.log_interval, ... (6 in all)</extracomment>
        <translation>每隔多少个优化器步输出一行日志</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>optimizer steps between checkpoints</source>
        <extracomment>pretrain.save_interval, full_sft.save_interval, dpo.save_interval, lora.save_interval, ... (6 in all)</extracomment>
        <translation>每隔多少个优化器步保存一次检查点</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>optimizer steps between probes: the model answers a few fixed prompts greedily, shown in the log and the workbench&apos;s Generations tab (also after the last step; 0 = off)</source>
        <extracomment>pretrain.probe_interval, full_sft.probe_interval, dpo.probe_interval, lora.probe_interval, ... (6 in all)</extracomment>
        <translation>每隔多少个优化器步做一次探测：模型用贪心解码回答几个固定的提示词，结果显示在日志和工作台的 Generations（生成）页中（最后一步之后也会探测一次；0 = 关闭）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>probe prompts: .jsonl with {&quot;prompt&quot;: ...} per line, or a text file with one prompt per line (default: the first 3 of the seed&apos;s prompt set for the stage)</source>
        <extracomment>pretrain.probe_prompts, full_sft.probe_prompts, dpo.probe_prompts, lora.probe_prompts, ... (6 in all)</extracomment>
        <translation>探测用的提示词：每行一个 {&quot;prompt&quot;: ...} 的 .jsonl，或每行一个提示词的文本文件（默认：种子文档中该阶段问题集的前 3 个）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>most tokens generated per probe prompt</source>
        <extracomment>pretrain.probe_max_tokens, full_sft.probe_max_tokens, dpo.probe_max_tokens, lora.probe_max_tokens, ... (6 in all)</extracomment>
        <translation>每个探测提示词最多生成的词元数</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>multi-process runs (torchrun): seconds to wait for the other ranks at start-up and in each collective before failing with the name of the lost rank; must exceed a checkpoint write</source>
        <extracomment>pretrain.ddp_timeout, full_sft.ddp_timeout, dpo.ddp_timeout, lora.ddp_timeout, ... (6 in all)</extracomment>
        <translation>多进程运行（torchrun）：启动时和每次集合通信中等待其他 rank 的秒数，超时即报错并指出失联的 rank；必须长于写一次检查点的时间</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>held-out file in the training data&apos;s format, measured on rank 0 every --eval_interval steps and after the last, logged and stored as val_loss (dpo: val_pref_accuracy, val_chosen_logp); training is unchanged</source>
        <extracomment>pretrain.eval_data, full_sft.eval_data, dpo.eval_data, lora.eval_data, ... (5 in all)</extracomment>
        <translation>与训练数据同格式的留出文件：每 --eval_interval 步及最后一步在 rank 0 上测量，记录并存为 val_loss（dpo：val_pref_accuracy、val_chosen_logp）；训练本身不变</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>instead of --eval_data: hold out this share of --data_path&apos;s records for validation (spread evenly over the file, written once under out_dir/cache; 0 = off)</source>
        <extracomment>pretrain.eval_split, full_sft.eval_split, dpo.eval_split, lora.eval_split, ... (6 in all)</extracomment>
        <translation>代替 --eval_data：从 --data_path 中留出这一比例的记录用于验证（均匀分布于整个文件，只在 out_dir/cache 下写一次；0 = 关闭）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>optimizer steps between validations (0 = every --log_interval)</source>
        <extracomment>pretrain.eval_interval, full_sft.eval_interval, dpo.eval_interval, lora.eval_interval, ... (6 in all)</extracomment>
        <translation>两次验证之间的优化步数（0 = 每 --log_interval 步）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>validation: at most this many texts or conversations of --eval_data (0 = all)</source>
        <extracomment>pretrain.eval_max_samples, full_sft.eval_max_samples, dpo.eval_max_samples, lora.eval_max_samples, ... (5 in all)</extracomment>
        <translation>验证：最多使用 --eval_data 中这么多条文本或对话（0 = 全部）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>parent checkpoint &lt;out_dir&gt;/&lt;from_weight&gt;_&lt;size&gt;.pth (pretrain, full_sft, rlhf, reason; none = random init)</source>
        <extracomment>full_sft.from_weight, dpo.from_weight, lora.from_weight, distill_reason.from_weight, ... (5 in all)</extracomment>
        <translation>父检查点 &lt;out_dir&gt;/&lt;from_weight&gt;_&lt;size&gt;.pth（pretrain、full_sft、rlhf、reason；none = 随机初始化）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>scale the learning rate with the batch: k x the default batch 16 (x accumulation) -&gt; k x lr</source>
        <extracomment>full_sft.lr_scale_with_batch</extracomment>
        <translation>随批大小线性缩放学习率：批大小（× 累积步数）为默认值 16 的 k 倍时，学习率也乘以 k</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>DPO temperature beta</source>
        <extracomment>dpo.beta</extracomment>
        <translation>DPO 的温度系数 beta</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>adds alpha x the chosen answers&apos; NLL to the loss (RPO), so DPO keeps their likelihood; 0 = plain DPO (minimind)</source>
        <extracomment>dpo.rpo_alpha</extracomment>
        <translation>在损失中加上 alpha × 优选回答的负对数似然（RPO），使 DPO 保住其似然；0 = 原始 DPO（minimind）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>adapter name: out_dir/lora/&lt;lora_name&gt;_&lt;size&gt;.pth</source>
        <extracomment>lora.lora_name</extracomment>
        <translation>适配器名称：保存为 out_dir/lora/&lt;lora_name&gt;_&lt;size&gt;.pth</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>adapter rank r</source>
        <extracomment>lora.lora_rank</extracomment>
        <translation>适配器的秩 r</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>scale = alpha / rank (0 = rank: scale 1, as minimind)</source>
        <extracomment>lora.lora_alpha</extracomment>
        <translation>缩放系数 = alpha / rank（0 表示 alpha 取 rank，即缩放为 1，与 minimind 相同）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>comma-separated strings; projections whose name contains one get an adapter</source>
        <extracomment>lora.lora_targets</extracomment>
        <translation>逗号分隔的字符串；名称中包含其中任一字符串的投影层会加上适配器</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>loss weight of the &lt;think&gt; &lt;/think&gt; &lt;answer&gt; &lt;/answer&gt; target positions</source>
        <extracomment>distill_reason.tag_weight</extracomment>
        <translation>&lt;think&gt; &lt;/think&gt; &lt;answer&gt; &lt;/answer&gt; 标签所在目标位置的损失权重</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>prompts jsonl: {&quot;conversations&quot;: [user turn], &quot;answer&quot;: optional known answer}</source>
        <extracomment>grpo.data_path</extracomment>
        <translation>提示词 jsonl：{&quot;conversations&quot;: [用户轮次], &quot;answer&quot;: 可选的已知答案}</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>prompts per micro-batch (each sampled num_generations times)</source>
        <extracomment>grpo.batch_size</extracomment>
        <translation>每个微批次的提示词数（每个提示词采样 num_generations 次）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>longest prompt in tokens (longer ones are skipped)</source>
        <extracomment>grpo.max_seq_len</extracomment>
        <translation>提示词的最大词元数（更长的提示词会被跳过）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>G: completions sampled per prompt (minimind uses 8)</source>
        <extracomment>grpo.num_generations</extracomment>
        <translation>G：每个提示词采样的补全数（minimind 用 8）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>most tokens generated per completion</source>
        <extracomment>grpo.max_gen_len</extracomment>
        <translation>每个补全最多生成的词元数</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>sampling temperature of the rollouts (log-probs are taken at it too)</source>
        <extracomment>grpo.temperature</extracomment>
        <translation>rollout 的采样温度（对数概率也在该温度下计算）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>weight of the KL penalty to the reference (0 = none)</source>
        <extracomment>grpo.beta</extracomment>
        <translation>相对参考模型的 KL 惩罚权重（0 = 不加惩罚）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>clip range of the probability ratio</source>
        <extracomment>grpo.clip_eps</extracomment>
        <translation>新旧策略概率比的裁剪范围</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>comma list of rewards, summed: format, exact, length, repetition</source>
        <extracomment>grpo.rewards</extracomment>
        <translation>逗号分隔的奖励项，各项相加：format、exact、length、repetition</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>bytes of the sample completion shown per log line (terminal and --json)</source>
        <extracomment>grpo.sample_chars</extracomment>
        <translation>每行日志中展示的示例补全的字节数（终端输出和 --json）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>sampled completions with their rewards kept per log step, from different prompts of the batch first (the Generations timeline, --json &quot;samples&quot;)</source>
        <extracomment>grpo.log_samples</extracomment>
        <translation>每个日志步保留的采样补全及其奖励，优先取自批次中不同的提示（生成时间线，--json &quot;samples&quot;）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>held-out prompts in the training data&apos;s format, answered greedily (up to --max_gen_len tokens) on rank 0 every --eval_interval steps and after the last and scored with --rewards: val_reward_mean, val_accuracy, val_format_rate, val_completion_len; training is unchanged</source>
        <extracomment>grpo.eval_data</extracomment>
        <translation>训练数据格式的留出提示词：在 rank 0 上每隔 --eval_interval 步及最后一步贪心生成回答（最多 --max_gen_len 个词元），用 --rewards 打分：val_reward_mean、val_accuracy、val_format_rate、val_completion_len；不影响训练</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>validation: at most this many prompts of --eval_data (0 = all)</source>
        <extracomment>grpo.eval_max_samples</extracomment>
        <translation>验证：最多使用 --eval_data 中的这么多条提示词（0 = 全部）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>0 pretrain, 1 full_sft, 2 rlhf, 3 reason, 4 lora+sft, 5 grpo</source>
        <extracomment>eval.model_mode</extracomment>
        <translation>模型模式：0 pretrain、1 full_sft、2 rlhf、3 reason、4 lora+sft、5 grpo</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>adapter &lt;out_dir&gt;/lora/&lt;name&gt;_&lt;size&gt;.pth (mode 4)</source>
        <extracomment>eval.lora_name</extracomment>
        <translation>适配器 &lt;out_dir&gt;/lora/&lt;name&gt;_&lt;size&gt;.pth（模式 4）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>load this weights file instead of the mode&apos;s (the mode still picks the prompt format)</source>
        <extracomment>eval.checkpoint</extracomment>
        <translation>加载此权重文件，而不是该模式对应的检查点（提示格式仍由模式决定）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>model size preset: picks the checkpoint suffix</source>
        <extracomment>eval.preset</extracomment>
        <translation>模型规模预设：决定检查点文件名的后缀</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>checkpoint suffix (pretrain_&lt;hidden_size&gt;.pth); automatic when neither it nor --preset is given</source>
        <extracomment>eval.hidden_size</extracomment>
        <translation>检查点文件名后缀（pretrain_&lt;hidden_size&gt;.pth）；它和 --preset 都未给出时自动确定</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>MoE checkpoint (suffix _moe)</source>
        <extracomment>eval.use_moe</extracomment>
        <translation>MoE 检查点（后缀 _moe）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>workspace: checkpoints, tokenizer, history database</source>
        <extracomment>eval.out_dir</extracomment>
        <translation>工作区：检查点、分词器和历史数据库</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>cpu, cuda, cuda:N or auto</source>
        <extracomment>eval.device</extracomment>
        <translation>计算设备：cpu、cuda、cuda:N 或 auto</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>auto (mode 0: pretrain+eval, chat modes: chat+eval), all, or names: pretrain,chat,eval</source>
        <extracomment>eval.prompt_set</extracomment>
        <translation>auto（模式 0：pretrain+eval；对话模式：chat+eval）、all，或问题集名称：pretrain,chat,eval</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>your own prompt file (.jsonl {&quot;prompt&quot;} or one per line)</source>
        <extracomment>eval.prompts</extracomment>
        <translation>自定义问题文件（.jsonl 的 {&quot;prompt&quot;}，或每行一个问题）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>read prompts from stdin, one per line</source>
        <extracomment>eval.interactive</extracomment>
        <translation>从标准输入读取问题，每行一个</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>prompts decoded together; 1 streams each answer token by token</source>
        <extracomment>eval.batch_size</extracomment>
        <translation>同时解码的问题数；1 表示逐个词元流式输出每个回答</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>most tokens generated per answer</source>
        <extracomment>eval.max_new_tokens</extracomment>
        <translation>每个回答最多生成的词元数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>sampling temperature (0 = greedy)</source>
        <extracomment>eval.temperature</extracomment>
        <translation>采样温度（0 = 贪心解码）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>nucleus sampling mass (1 = off)</source>
        <extracomment>eval.top_p</extracomment>
        <translation>核采样（top-p）的累积概率阈值（1 = 关闭）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>sample among the k most likely tokens (0 = off)</source>
        <extracomment>eval.top_k</extracomment>
        <translation>只在概率最高的 k 个词元中采样（0 = 关闭）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>divide logits of tokens already present (&gt;1 discourages repeats)</source>
        <extracomment>eval.repetition_penalty</extracomment>
        <translation>已出现过的词元的 logit 除以该值（&gt;1 抑制重复）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>always take the most likely token (deterministic)</source>
        <extracomment>eval.greedy</extracomment>
        <translation>总是取概率最大的词元（结果确定）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>sampling seed (prompt i uses seed + i)</source>
        <extracomment>eval.seed</extracomment>
        <translation>采样随机种子（第 i 个问题使用 seed + i）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>system turn before the user&apos;s (chat modes)</source>
        <extracomment>eval.system_prompt</extracomment>
        <translation>用户消息之前的系统提示（对话模式）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>weights dtype for CPU decoding: bfloat16 reads half the bytes per token, int8 (scaled per row) a quarter; sums stay float32; float32 is exact</source>
        <extracomment>eval.infer_dtype</extracomment>
        <translation>CPU 解码时的权重精度：bfloat16 每生成一个词元读取的字节数减半，int8（按行缩放）只需四分之一；累加仍用 float32；float32 结果精确</translation>
    </message>
</context>
<context>
    <name>SchemaSummary</name>
    <message>
        <location line="-253"/>
        <source>Train a SentencePiece BPE tokenizer (byte fallback, MiniMind special tokens); writes &lt;out_dir&gt;/tokenizer.model.</source>
        <extracomment>train_tokenizer</extracomment>
        <translation>训练 SentencePiece BPE 分词器（支持字节回退，含 MiniMind 的特殊词元）；写入 &lt;out_dir&gt;/tokenizer.model。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Pretrain a MiniMind model from scratch on {&quot;text&quot;} jsonl; writes &lt;out_dir&gt;/pretrain_&lt;hidden&gt;.pth.</source>
        <extracomment>pretrain</extracomment>
        <translation>在 {&quot;text&quot;} 格式的 jsonl 上从零预训练 MiniMind 模型；写入 &lt;out_dir&gt;/pretrain_&lt;hidden&gt;.pth。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Supervised fine-tuning on {&quot;conversations&quot;} jsonl (loss on assistant tokens); reads pretrain_&lt;hidden&gt;.pth, writes full_sft_&lt;hidden&gt;.pth.</source>
        <extracomment>full_sft</extracomment>
        <translation>在 {&quot;conversations&quot;} 格式的 jsonl 上做全参数监督微调（只对助手回复的词元计算损失）；读取 pretrain_&lt;hidden&gt;.pth，写入 full_sft_&lt;hidden&gt;.pth。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Direct Preference Optimization on {&quot;chosen&quot;,&quot;rejected&quot;} jsonl with cached reference log-probs; reads full_sft_&lt;hidden&gt;.pth, writes rlhf_&lt;hidden&gt;.pth.</source>
        <extracomment>dpo</extracomment>
        <translation>在 {&quot;chosen&quot;,&quot;rejected&quot;} 格式的 jsonl 上做直接偏好优化（DPO），参考模型的对数概率预先算好并缓存；读取 full_sft_&lt;hidden&gt;.pth，写入 rlhf_&lt;hidden&gt;.pth。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>LoRA fine-tuning: base frozen, adapters on the projections; reads full_sft_&lt;hidden&gt;.pth, writes only the adapter to lora/&lt;lora_name&gt;_&lt;hidden&gt;.pth.</source>
        <extracomment>lora</extracomment>
        <translation>LoRA 微调：冻结基座模型，只在各投影层上训练适配器；读取 full_sft_&lt;hidden&gt;.pth，只把适配器写入 lora/&lt;lora_name&gt;_&lt;hidden&gt;.pth。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Reasoning distillation: SFT on &lt;think&gt;...&lt;/think&gt;&lt;answer&gt;...&lt;/answer&gt; answers with extra weight on the tags; reads rlhf_&lt;hidden&gt;.pth, writes reason_&lt;hidden&gt;.pth.</source>
        <extracomment>distill_reason</extracomment>
        <translation>推理蒸馏：在 &lt;think&gt;...&lt;/think&gt;&lt;answer&gt;...&lt;/answer&gt; 形式的回答上做 SFT，并加大标签位置的损失权重；读取 rlhf_&lt;hidden&gt;.pth，写入 reason_&lt;hidden&gt;.pth。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Group relative policy optimisation: G sampled completions per prompt, rule-based rewards, clipped objective with KL to the parent; reads reason_&lt;hidden&gt;.pth, writes grpo_&lt;hidden&gt;.pth.</source>
        <extracomment>grpo</extracomment>
        <translation>组相对策略优化（GRPO）：每个提示词采样 G 个补全，按规则计算奖励，优化带裁剪的目标并加上相对父模型的 KL 惩罚；读取 reason_&lt;hidden&gt;.pth，写入 grpo_&lt;hidden&gt;.pth。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Answer the seed&apos;s prompt sets with one model (--model_mode N) and store the answers in the history.</source>
        <extracomment>eval</extracomment>
        <translation>用一个模型（--model_mode N）回答种子文档的问题集，并把回答存入历史记录。</translation>
    </message>
</context>
<context>
    <name>mm::ui::ChartPanel</name>
    <message>
        <location filename="../chart_panel.cpp" line="+153"/>
        <source>Smoothing:</source>
        <translation>平滑：</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>EMA weight of the bold curve; the raw values stay faint behind it</source>
        <translation>粗线的指数滑动平均权重；原始数值以浅色显示在其后</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>X axis:</source>
        <translation>横轴：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Step</source>
        <translation>步数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tokens</source>
        <translation>词元</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wall time</source>
        <translation>实际用时</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Log y</source>
        <translation>对数纵轴</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Write every chart as PNG, SVG and CSV into a folder</source>
        <translation>将每张图表以 PNG、SVG 和 CSV 格式写入文件夹</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No metrics yet: start a run or open one from the history.</source>
        <translation>暂无指标：请启动一次训练，或从历史记录中打开。</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Validation loss (--eval_data)</source>
        <translation>验证损失（--eval_data）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Validation bits per byte</source>
        <translation>验证集每字节比特数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Validation preference accuracy</source>
        <translation>验证偏好准确率</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Validation: chosen answers&apos; mean log-prob</source>
        <translation>验证：优选回答的平均对数概率</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Gradient norm</source>
        <translation>梯度范数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Tokens per second</source>
        <translation>每秒词元数</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>DPO reward margin</source>
        <translation>DPO 奖励差</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Preference accuracy</source>
        <translation>偏好准确率</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Chosen reward</source>
        <translation>优选回答奖励</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Rejected reward</source>
        <translation>劣选回答奖励</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>GRPO reward</source>
        <translation>GRPO 奖励</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>GRPO reward spread within groups</source>
        <translation>GRPO 组内奖励标准差</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>KL to the reference</source>
        <translation>与参考模型的 KL 散度</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Completion length (tokens)</source>
        <translation>生成长度（词元）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Exact-answer accuracy</source>
        <translation>答案完全正确率</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Clipped ratio share</source>
        <translation>被裁剪比率占比</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reward: %1</source>
        <translation>奖励：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Token loss</source>
        <translation>词元损失</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>MoE auxiliary loss</source>
        <translation>MoE 辅助损失</translation>
    </message>
    <message>
        <location line="+84"/>
        <source>could not create %1</source>
        <translation>无法创建 %1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Export charts to folder</source>
        <translation>导出图表到文件夹</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Export failed</source>
        <translation>导出失败</translation>
    </message>
</context>
<context>
    <name>mm::ui::CompareColumn</name>
    <message>
        <location filename="../compare_column.cpp" line="+30"/>
        <source>Model mode, as `micromind eval --model_mode N`</source>
        <translation>模型模式，同 `micromind eval --model_mode N`</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Checkpoint of the workspace this column answers with</source>
        <translation>本列用来回答的工作区检查点</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Answer this column&apos;s prompts again with the next seed</source>
        <translation>用下一个随机种子重新回答本列的问题</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>%1 · %2M parameters</source>
        <translation>%1 · %2M 参数</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>%1 tokens/s</source>
        <translation>%1 tokens/秒</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Choose a workspace first.</source>
        <translation>请先选择工作区。</translation>
    </message>
    <message numerus="yes">
        <location line="+10"/>
        <source>%n checkpoint(s) found</source>
        <translation>
            <numerusform>找到 %n 个检查点</numerusform>
        </translation>
    </message>
    <message>
        <location line="+19"/>
        <source>stored answer of %1, %2</source>
        <translation>%1 的已保存回答，%2</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Cannot read the history: %1</source>
        <translation>无法读取历史记录：%1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No checkpoint selected.</source>
        <translation>未选择检查点。</translation>
    </message>
</context>
<context>
    <name>mm::ui::ComparePanel</name>
    <message>
        <location filename="../compare_panel.cpp" line="+51"/>
        <source>eval — the seed&apos;s three evaluation questions</source>
        <translation>eval — 种子文档的三个评测问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>chat — the seed&apos;s SFT questions</source>
        <translation>chat — 种子文档的 SFT 问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>pretrain — the seed&apos;s continuation prompts</source>
        <translation>pretrain — 种子文档的续写提示</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Answer the set</source>
        <translation>回答整组问题</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Every column answers the selected prompt set</source>
        <translation>每一列都回答所选的问题集</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Or type your own prompt and press Enter…</source>
        <translation>或输入自己的问题并按回车…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ask all</source>
        <translation>全部提问</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Answer the last prompts again in every column with the next seed</source>
        <translation>用下一个随机种子在每一列重新回答上次的问题</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rescan checkpoints</source>
        <translation>重新扫描检查点</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Export comparison…</source>
        <translation>导出对比…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Write compare.md and compare.html: the stored answers side by side</source>
        <translation>写出 compare.md 和 compare.html：并排展示已保存的回答</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Greedy</source>
        <translation>贪心解码</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Always take the most likely token (ignores temperature, top-p and top-k)</source>
        <translation>总是选概率最大的 token（忽略温度、top-p 和 top-k）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Prompt set:</source>
        <translation>问题集：</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Max new tokens:</source>
        <translation>最大新 token 数：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Temperature:</source>
        <translation>温度：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Top-p:</source>
        <translation>Top-p：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Top-k:</source>
        <translation>Top-k：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Repetition penalty:</source>
        <translation>重复惩罚：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Done. The answers are stored in the workspace history (Scores tab, `micromind scores export`).</source>
        <translation>完成。回答已保存到工作区历史记录（见“评分”页、`micromind scores export`）。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Column %1 answers again with seed %2.</source>
        <translation>第 %1 列用随机种子 %2 重新回答。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Export the comparison to</source>
        <translation>将对比导出到</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Wrote compare.md and compare.html to %1.</source>
        <translation>已将 compare.md 和 compare.html 写入 %1。</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>No workspace.</source>
        <translation>没有工作区。</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Workspace: %1</source>
        <translation>工作区：%1</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>The prompt sets (share/micromind/prompts) were not found; reinstall MicroMind or use the free prompt box.</source>
        <translation>找不到问题集（share/micromind/prompts）；请重新安装 MicroMind，或使用自由提问框。</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Type a prompt first.</source>
        <translation>请先输入问题。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Still answering; stop first.</source>
        <translation>仍在回答中；请先停止。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Choose a workspace first.</source>
        <translation>请先选择工作区。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No column has a checkpoint to run; train the models first (see each column).</source>
        <translation>没有任何一列有可运行的检查点；请先训练模型（见各列说明）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 column(s) answering %2 prompt(s), seed %3…</source>
        <translation>%1 列正在回答 %2 个问题，随机种子 %3…</translation>
    </message>
</context>
<context>
    <name>mm::ui::CompareView</name>
    <message>
        <location filename="../compare_render.cpp" line="+69"/>
        <source>Prompt:</source>
        <translation>问题：</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>(thinking…)</source>
        <translation>（思考中…）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Hide reasoning</source>
        <translation>收起思考过程</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>Show reasoning (%n characters)</source>
        <translation>
            <numerusform>展开思考过程（%n 个字符）</numerusform>
        </translation>
    </message>
    <message>
        <location line="+12"/>
        <source>generating…</source>
        <translation>生成中…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 tokens · %2 tokens/s</source>
        <translation>%1 个 token · %2 tokens/秒</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>token limit reached</source>
        <translation>达到 token 上限</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>empty: the model ended its answer at once</source>
        <translation>空：模型立即结束了回答</translation>
    </message>
</context>
<context>
    <name>mm::ui::CompareWorker</name>
    <message>
        <location filename="../compare_worker.cpp" line="+53"/>
        <source>Unknown model mode %1.</source>
        <translation>未知的模型模式 %1。</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>No %1_*.pth in the workspace %2 — train it with `micromind %3`.</source>
        <translation>工作区 %2 中没有 %1_*.pth —— 请用 `micromind %3` 训练。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>No LoRA adapter (lora/*.pth) in the workspace %1 — train one with `micromind lora --lora_name lora_medical`.</source>
        <translation>工作区 %1 中没有 LoRA 适配器（lora/*.pth）—— 请用 `micromind lora --lora_name lora_medical` 训练一个。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The LoRA adapters in %1/lora have no full_sft checkpoint of the same size — train it with `micromind full_sft`.</source>
        <translation>%1/lora 中的 LoRA 适配器没有同尺寸的 full_sft 检查点 —— 请用 `micromind full_sft` 训练。</translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No tokenizer.model in the workspace %1 — train one with `micromind train_tokenizer`.</source>
        <translation>工作区 %1 中没有 tokenizer.model —— 请用 `micromind train_tokenizer` 训练一个。</translation>
    </message>
</context>
<context>
    <name>mm::ui::ConfigDiffWidget</name>
    <message>
        <location filename="../history_panel.cpp" line="+222"/>
        <source>Differences only</source>
        <translation>仅显示差异</translation>
    </message>
</context>
<context>
    <name>mm::ui::DemoPanel</name>
    <message>
        <location filename="../demo_panel.cpp" line="+20"/>
        <source>exact match, trained questions</source>
        <translation>精确匹配（训练过的问题）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>exact match, held-out</source>
        <translation>精确匹配（留出）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>held-out authors</source>
        <translation>作者（留出诗）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>held-out answer loss</source>
        <translation>留出回答损失</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Song ci held-out loss</source>
        <translation>宋词留出损失</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>DPO preference accuracy</source>
        <translation>DPO 偏好准确率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>think/answer format</source>
        <translation>think/answer 格式</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>held-out reward</source>
        <translation>留出奖励</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>No demo report in this workspace. Workspace → Open demo workspace… trains the five models on Debian&apos;s fortunes-zh and shows here what each stage did.</source>
        <translation>此工作区没有演示报告。“工作区 → 打开演示工作区…”会在 Debian 的 fortunes-zh 上训练五个模型，并在这里显示每个阶段的作用。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The demo report cannot be read: %1</source>
        <translation>无法读取演示报告：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>What each stage did, measured by `micromind demo` in %1 (%2):</source>
        <translation>每个阶段的作用，由 `micromind demo` 测得，见 %1（%2）：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 min %2 s</source>
        <translation>%1 分 %2 秒</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>mode</source>
        <translation>编号</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>chance</source>
        <translation>随机基线</translation>
    </message>
</context>
<context>
    <name>mm::ui::Estimator</name>
    <message>
        <location filename="../estimator.cpp" line="+138"/>
        <source>could not start %1: %2</source>
        <translation>无法启动 %1：%2</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>no data file to count tokens in</source>
        <translation>没有可统计词元的数据文件</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>counting tokens in %1…</source>
        <translation>正在统计 %1 中的词元…</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>measuring training speed…</source>
        <translation>正在测量训练速度…</translation>
    </message>
    <message>
        <location line="+52"/>
        <source>%1 failed: %2</source>
        <translation>%1 失败：%2</translation>
    </message>
</context>
<context>
    <name>mm::ui::HistoryPanel</name>
    <message>
        <location filename="../history_panel.cpp" line="-183"/>
        <source>Filter: stage, checkpoint, config…</source>
        <translation>筛选：阶段、检查点、配置…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Open charts</source>
        <translation>打开图表</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Overlay the curves of the selected runs</source>
        <translation>叠加显示所选运行的曲线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Compare configs</source>
        <translation>比较配置</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location line="+102"/>
        <source>Compare run configs</source>
        <translation>比较运行配置</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>could not delete %1</source>
        <translation>无法删除 %1</translation>
    </message>
    <message>
        <location line="+24"/>
        <location line="+9"/>
        <source>Delete runs</source>
        <translation>删除运行</translation>
    </message>
    <message numerus="yes">
        <location line="-8"/>
        <source>Delete %n run(s) with their metrics and the checkpoint files no other run wrote?</source>
        <translation>
            <numerusform>删除 %n 个运行及其指标，以及没有其他运行写入过的检查点文件？</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>mm::ui::InteropDialog</name>
    <message>
        <location filename="../interop_dialog.cpp" line="+37"/>
        <source>Import a model</source>
        <translation>导入模型</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Export a model</source>
        <translation>导出模型</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>File…</source>
        <translation>文件…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Checkpoint to import</source>
        <translation>要导入的检查点</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checkpoints (*.pth *.pt *.bin *.safetensors);;All files (*)</source>
        <translation>检查点 (*.pth *.pt *.bin *.safetensors);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Transformers model folder</source>
        <translation>Transformers 模型文件夹</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>minimind&apos;s full_sft_512.pth, a .safetensors file or a transformers folder</source>
        <translation>minimind 的 full_sft_512.pth、.safetensors 文件或 transformers 文件夹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Source:</source>
        <translation>来源：</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The model goes to &lt;workspace&gt;/imported/&lt;name&gt;/ with its tokenizer, beside your own models; the compare columns list it as &lt;name&gt;/&lt;checkpoint&gt;.</source>
        <translation>模型连同它的分词器放到 &lt;工作区&gt;/imported/&lt;名称&gt;/，与你自己的模型并列；对比面板的各栏以 &lt;名称&gt;/&lt;检查点&gt; 列出它。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Checkpoint kind (its file name); auto reads it from minimind&apos;s file name.</source>
        <translation>检查点类型（决定文件名）；auto 从 minimind 的文件名推断。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stage:</source>
        <translation>阶段：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>tokenizer.json beside the source (minimind: model/tokenizer.json)</source>
        <translation>来源旁边的 tokenizer.json（minimind：model/tokenizer.json）</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+35"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location line="-33"/>
        <source>Tokenizer</source>
        <translation>分词器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tokenizers (tokenizer.json *.model);;All files (*)</source>
        <translation>分词器 (tokenizer.json *.model);;所有文件 (*)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Tokenizer:</source>
        <translation>分词器：</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>0 pretrain</source>
        <translation>0 预训练</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>1 full_sft</source>
        <translation>1 全量 SFT</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>2 rlhf</source>
        <translation>2 RLHF</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>3 reason</source>
        <translation>3 推理</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>4 lora+sft</source>
        <translation>4 LoRA+SFT</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>5 grpo</source>
        <translation>5 GRPO</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Model:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>LoRA adapter name (mode 4), e.g. lora_medical</source>
        <translation>LoRA 适配器名称（模式 4），例如 lora_medical</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>LoRA:</source>
        <translation>LoRA：</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>transformers folder (LlamaForCausalLM, vLLM)</source>
        <translation>transformers 文件夹（LlamaForCausalLM、vLLM）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GGUF file (llama.cpp, ollama)</source>
        <translation>GGUF 文件（llama.cpp、ollama）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Format:</source>
        <translation>格式：</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Weights:</source>
        <translation>权重：</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>GGUF file</source>
        <translation>GGUF 文件</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>GGUF (*.gguf)</source>
        <translation>GGUF (*.gguf)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Folder to write</source>
        <translation>输出文件夹</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Output:</source>
        <translation>输出：</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>&amp;Import</source>
        <translation>导入(&amp;I)</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <location line="+81"/>
        <source>Could not start %1.</source>
        <translation>无法启动 %1。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Imported. The compare columns and the history list it now.</source>
        <translation>已导入。对比面板和历史中现在可以看到它。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Exported. The check line above compares it with the checkpoint.</source>
        <translation>已导出。上面的 check 一行是它与原检查点的对比结果。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Failed (exit %1): %2</source>
        <translation>失败（退出码 %1）：%2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Running…</source>
        <translation>正在运行…</translation>
    </message>
</context>
<context>
    <name>mm::ui::JudgeDialog</name>
    <message>
        <location filename="../judge_dialog.cpp" line="+16"/>
        <source>LLM judge</source>
        <translation>大模型评审</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>empty for a local endpoint without a key</source>
        <translation>本地无密钥的服务可留空</translation>
    </message>
    <message>
        <location line="+7"/>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>all prompt sets</source>
        <translation>全部问题集</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>all (every model with stored answers) or a list such as 0,1,2</source>
        <translation>all（所有有已保存回答的模型）或列表，如 0,1,2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Endpoint URL:</source>
        <translation>服务地址：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Judge model:</source>
        <translation>评审模型：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>API key:</source>
        <translation>API 密钥：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Attempts per model:</source>
        <translation>每个模型的尝试次数：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Time limit per model:</source>
        <translation>每个模型的时间上限：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reply token limit:</source>
        <translation>回复 token 上限：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Prompt set:</source>
        <translation>问题集：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Models:</source>
        <translation>模型：</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Any OpenAI-compatible chat-completions endpoint: DeepSeek, OpenAI, Ollama (http://127.0.0.1:11434/v1) or `micromind serve`. The URL and model are saved in the workspace&apos;s settings.json; the key is kept in memory for this session only and passed to the judge process in its environment.</source>
        <translation>任何兼容 OpenAI chat-completions 的服务：DeepSeek、OpenAI、Ollama（http://127.0.0.1:11434/v1）或 `micromind serve`。地址和模型名保存在工作区的 settings.json 中；密钥只在本次会话的内存中保存，并通过环境变量传给评审进程。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Run judge</source>
        <translation>开始评审</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>An http:// or https:// URL, e.g. https://api.deepseek.com/v1</source>
        <translation>http:// 或 https:// 地址，例如 https://api.deepseek.com/v1</translation>
    </message>
</context>
<context>
    <name>mm::ui::JudgeRunner</name>
    <message>
        <location filename="../judge_runner.cpp" line="+87"/>
        <source>The judge is already running.</source>
        <translation>评审已在运行。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The judge needs a workspace, an endpoint URL and a model name.</source>
        <translation>评审需要工作区、服务地址和模型名。</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Could not start %1: %2</source>
        <translation>无法启动 %1：%2</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Judge stopped; %1 model(s) judged before.</source>
        <translation>评审已停止；此前已评审 %1 个模型。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The judge process crashed.</source>
        <translation>评审进程崩溃了。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 model(s) judged.</source>
        <translation>已评审 %1 个模型。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 model(s) judged, %2 failed (see the log).</source>
        <translation>已评审 %1 个模型，%2 个失败（见日志）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The judge failed: %1</source>
        <translation>评审失败：%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>$ micromind %1</source>
        <translation>$ micromind %1</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>; raw reply: %1</source>
        <translation>；原始回复：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>model %1: FAILED after %2 attempt(s): %3</source>
        <translation>模型 %1：尝试 %2 次后失败（FAILED）：%3</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>model %1: language %2, knowledge %3, efficiency %4</source>
        <translation>模型 %1：语言 %2，知识 %3，效率 %4</translation>
    </message>
</context>
<context>
    <name>mm::ui::LineageView</name>
    <message>
        <location filename="../lineage_view.cpp" line="+20"/>
        <source>Checkpoint</source>
        <translation>检查点</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Final loss</source>
        <translation>最终损失</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Key config</source>
        <translation>关键配置</translation>
    </message>
    <message>
        <location line="+43"/>
        <source> (file missing)</source>
        <translation>（文件缺失）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>imported · %1</source>
        <translation>导入 · %1</translation>
    </message>
</context>
<context>
    <name>mm::ui::MainWindow</name>
    <message>
        <location filename="../main_window.cpp" line="+36"/>
        <source>MicroMind Workbench</source>
        <translation>MicroMind 工作台</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>&amp;Train</source>
        <translation>训练(&amp;T)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Runs</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;History</source>
        <translation>历史(&amp;H)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Lineage</source>
        <translation>谱系(&amp;L)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Compare</source>
        <translation>对比(&amp;C)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Scores</source>
        <translation>评分(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Demo</source>
        <translation>演示(&amp;D)</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+271"/>
        <source>No workspace open</source>
        <translation>未打开工作区</translation>
    </message>
    <message>
        <location line="-257"/>
        <source>Cannot queue the stages</source>
        <translation>无法将阶段加入队列</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>&amp;Workspace</source>
        <translation>工作区(&amp;W)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Open workspace…</source>
        <translation>打开工作区(&amp;O)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;New workspace…</source>
        <translation>新建工作区(&amp;N)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open &amp;demo workspace…</source>
        <translation>打开演示工作区(&amp;D)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Recent workspaces</source>
        <translation>最近的工作区(&amp;R)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Import a model (minimind, transformers)…</source>
        <translation>导入模型（minimind、transformers）(&amp;I)…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>E&amp;xport a model (transformers, GGUF)…</source>
        <translation>导出模型（transformers、GGUF）(&amp;X)…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Launch current stage</source>
        <translation>启动当前阶段(&amp;L)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Train &amp;all five models</source>
        <translation>训练全部五个模型(&amp;A)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Copy command</source>
        <translation>复制命令(&amp;C)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Estimate</source>
        <translation>估算(&amp;E)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Pause run</source>
        <translation>暂停运行(&amp;P)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Res&amp;ume run</source>
        <translation>继续运行(&amp;U)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Stop run</source>
        <translation>停止运行(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel &amp;queue</source>
        <translation>取消队列(&amp;Q)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Runs</source>
        <translation>运行</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Lineage</source>
        <translation>谱系</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Scores</source>
        <translation>评分</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Demo</source>
        <translation>演示</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Refresh &amp;history</source>
        <translation>刷新历史(&amp;H)</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>System default</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>&amp;Theme</source>
        <translation>主题(&amp;T)</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;About MicroMind Workbench</source>
        <translation>关于 MicroMind 工作台(&amp;A)</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>About &amp;Qt</source>
        <translation>关于 &amp;Qt</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Open workspace</source>
        <translation>打开工作区</translation>
    </message>
    <message numerus="yes">
        <location line="+12"/>
        <source>Re-attached to %n running run(s)</source>
        <translation>
            <numerusform>已重新连接 %n 个正在进行的运行</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>MicroMind Workbench — %1</source>
        <translation>MicroMind 工作台 — %1</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Create or choose an empty folder for the new workspace</source>
        <translation>为新工作区创建或选择一个空文件夹</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Open workspace folder</source>
        <translation>打开工作区文件夹</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Folder for the demo workspace</source>
        <translation>演示工作区所在文件夹</translation>
    </message>
    <message>
        <location line="+53"/>
        <source>Welcome to MicroMind Workbench</source>
        <translation>欢迎使用 MicroMind 工作台</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A workspace is a folder that holds checkpoints, the run history and presets.</source>
        <translation>工作区是一个文件夹，存放检查点、运行历史和预设。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The demo workspace builds a small corpus from Debian&apos;s fortunes-zh and trains all five models (pretrain, full_sft, rlhf, reason, lora) on this machine.</source>
        <translation>演示工作区会用 Debian 的 fortunes-zh 构建一个小语料，并在本机训练全部五个模型（pretrain、full_sft、rlhf、reason、lora）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Create the demo workspace</source>
        <translation>创建演示工作区</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open a folder…</source>
        <translation>打开文件夹…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Later</source>
        <translation>稍后</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>About MicroMind Workbench</source>
        <translation>关于 MicroMind 工作台</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&lt;h3&gt;MicroMind Workbench %1&lt;/h3&gt;&lt;p&gt;Train a tiny chat LLM from scratch and compare what each stage did.&lt;/p&gt;&lt;p&gt;Qt %2 (built with %3)&lt;br&gt;Training core: %4&lt;/p&gt;&lt;p&gt;Command line: &lt;code&gt;%5&lt;/code&gt;&lt;/p&gt;</source>
        <translation>&lt;h3&gt;MicroMind 工作台 %1&lt;/h3&gt;&lt;p&gt;从零训练一个小型对话大模型，并比较每个训练阶段带来的变化。&lt;/p&gt;&lt;p&gt;Qt %2（编译时版本 %3）&lt;br&gt;训练核心：%4&lt;/p&gt;&lt;p&gt;命令行程序：&lt;code&gt;%5&lt;/code&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>micromind not found</source>
        <translation>未找到 micromind</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>The language changes when the workbench restarts.</source>
        <translation>语言将在工作台重启后生效。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>The theme changes when the workbench restarts.</source>
        <translation>主题将在工作台重启后生效。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Workspace: %1</source>
        <translation>工作区：%1</translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%n run(s) going</source>
        <translation>
            <numerusform>%n 个运行进行中</numerusform>
        </translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Runs are going</source>
        <translation>仍有运行在进行</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n run(s) are still training.</source>
        <translation>
            <numerusform>%n 个运行仍在训练。</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Leave them running (the workbench re-attaches to them when you reopen this workspace), or save and stop them now?</source>
        <translation>让它们继续运行（重新打开此工作区时工作台会重新连接），还是现在保存并停止？</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Leave running</source>
        <translation>继续运行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save and stop</source>
        <translation>保存并停止</translation>
    </message>
</context>
<context>
    <name>mm::ui::MetricChart</name>
    <message>
        <location filename="../chart_view.cpp" line="+286"/>
        <source>step</source>
        <translation>步数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>tokens</source>
        <translation>词元</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>wall time (s)</source>
        <translation>实际用时（秒）</translation>
    </message>
    <message>
        <location line="+200"/>
        <location line="+10"/>
        <location line="+14"/>
        <source>could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
</context>
<context>
    <name>mm::ui::QueueView</name>
    <message>
        <location filename="../queue_view.cpp" line="+19"/>
        <source>waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>#</source>
        <translation>#</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The queue lives in the workspace&apos;s history: it is still here after the workbench is closed, and `micromind pipeline --out_dir WORKSPACE` runs it headless</source>
        <translation>队列保存在工作区的历史数据库中：关闭工作台后依然存在，也可以用 `micromind pipeline --out_dir WORKSPACE` 在无界面环境下运行</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Up</source>
        <translation>上移</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Run the selected waiting stage earlier</source>
        <translation>让选中的等待阶段提前运行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Down</source>
        <translation>下移</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Run the selected waiting stage later</source>
        <translation>让选中的等待阶段推后运行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove</source>
        <translation>移除</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Take the selected stage out of the queue</source>
        <translation>将选中的阶段移出队列</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run queue</source>
        <translation>运行队列</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run the waiting stages in order: a stopped stage continues from its checkpoint, a failed one is tried again</source>
        <translation>按顺序运行等待中的阶段：已停止的阶段从检查点继续，失败的阶段重新尝试</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Clear finished</source>
        <translation>清除已结束</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Drop the completed, failed and stopped stages from the list</source>
        <translation>从列表中移除已完成、失败和已停止的阶段</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Queue</source>
        <translation>队列</translation>
    </message>
    <message>
        <location line="+79"/>
        <source>Queue: %1</source>
        <translation>队列：%1</translation>
    </message>
</context>
<context>
    <name>mm::ui::RunController</name>
    <message>
        <location filename="../run_controller.cpp" line="+77"/>
        <source>waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>pausing</source>
        <translation>正在暂停</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>stopping</source>
        <translation>正在停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../run_process.cpp" line="+208"/>
        <source>stopped by the user</source>
        <translation>已由用户停止</translation>
    </message>
    <message numerus="yes">
        <location filename="../run_events.cpp" line="+57"/>
        <source> … [line cut: %n more byte(s)]</source>
        <translation>
            <numerusform> …［此行已截断：另有 %n 字节］</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../run_process.cpp" line="+51"/>
        <source>killed on request (signal %1)</source>
        <translation>已按要求强制结束（信号 %1）</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>: another program or the kernel&apos;s out-of-memory killer ended it</source>
        <translation>：被其他程序或内核的内存不足（OOM）机制结束</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>; last output: %1</source>
        <translation>；最后输出：%1</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>saved at step %1; resume continues from there</source>
        <translation>已在第 %1 步保存；继续运行将从此处开始</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>exit status %1: %2</source>
        <translation>退出状态 %1：%2</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>segmentation fault</source>
        <translation>段错误</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>bus error</source>
        <translation>总线错误</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>illegal instruction</source>
        <translation>非法指令</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>arithmetic exception</source>
        <translation>算术异常</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>aborted</source>
        <translation>异常中止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>trace trap</source>
        <translation>跟踪陷阱</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>bad system call</source>
        <translation>错误的系统调用</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>terminated</source>
        <translation>被终止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>hang-up</source>
        <translation>挂断</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>broken pipe</source>
        <translation>管道断开</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>file size limit exceeded</source>
        <translation>超出文件大小限制</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>CPU time limit exceeded</source>
        <translation>超出 CPU 时间限制</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>killed (signal %1)</source>
        <translation>被强制结束（信号 %1）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>crashed: %1 (signal %2)</source>
        <translation>崩溃：%1（信号 %2）</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>killed: %1 (signal %2)</source>
        <translation>被结束：%1（信号 %2）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>killed by signal %1</source>
        <translation>被信号 %1 结束</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>could not start %1: %2</source>
        <translation>无法启动 %1：%2</translation>
    </message>
</context>
<context>
    <name>mm::ui::RunManager</name>
    <message>
        <location filename="../run_manager.cpp" line="+242"/>
        <source>queue cancelled</source>
        <translation>队列已取消</translation>
    </message>
    <message>
        <location line="-32"/>
        <source>stage %1 of %2: %3</source>
        <translation>第 %1/%2 个阶段：%3</translation>
    </message>
    <message>
        <location line="-66"/>
        <source>the queue is running; stop its stage or wait for it before queueing others</source>
        <translation>队列正在运行；请先停止当前阶段或等待其结束，再加入其他阶段</translation>
    </message>
    <message numerus="yes">
        <location line="+20"/>
        <source>%n stage(s) queued</source>
        <translation>
            <numerusform>已加入 %n 个阶段</numerusform>
        </translation>
    </message>
    <message>
        <location line="+33"/>
        <source>queue ended: %1</source>
        <translation>队列结束：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>the queue is empty</source>
        <translation>队列为空</translation>
    </message>
    <message>
        <location line="+62"/>
        <source>queue ended: %1 %2 (%3)</source>
        <translation>队列结束：%1 %2（%3）</translation>
    </message>
    <message>
        <location line="+45"/>
        <source>following %1, started before the workbench was closed</source>
        <translation>正在跟踪 %1（在工作台关闭前启动）</translation>
    </message>
    <message>
        <location line="-107"/>
        <source>queue finished: every stage completed</source>
        <translation>队列完成：所有阶段均已完成</translation>
    </message>
</context>
<context>
    <name>mm::ui::RunsModel</name>
    <message>
        <location filename="../history_model.cpp" line="+180"/>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stage</source>
        <translation>阶段</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Parent</source>
        <translation>父检查点</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Key config</source>
        <translation>关键配置</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Final loss</source>
        <translation>最终损失</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tokens</source>
        <translation>词元</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Steps</source>
        <translation>步数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
</context>
<context>
    <name>mm::ui::RunsPanel</name>
    <message>
        <location filename="../runs_panel.cpp" line="+29"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save a checkpoint and stop; Resume continues from it</source>
        <translation>保存检查点并停止；“继续”将从该检查点接着训练</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Save and stop for good; press again to kill the process</source>
        <translation>保存并彻底停止；再按一次将强制结束进程</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove from list</source>
        <translation>从列表移除</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Runs of this session</source>
        <translation>本次会话的运行</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Output of the selected run (stderr)</source>
        <translation>所选运行的输出（stderr）</translation>
    </message>
    <message>
        <location line="+9"/>
        <location line="+6"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location line="-6"/>
        <location line="+6"/>
        <source>Step</source>
        <translation>步数</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Prompt</source>
        <translation>提示词</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Generation</source>
        <translation>生成内容</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reward</source>
        <translation>奖励</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The runs&apos; health monitor: a loss or gradient norm above 5x its moving average, GRPO groups whose rewards are all equal (nothing to learn from) for several logs</source>
        <translation>运行健康监测：损失或梯度范数超过其滑动平均的 5 倍；GRPO 中各组奖励全部相同（无可学习信号）并持续多次日志</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Generations</source>
        <translation>生成记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Health</source>
        <translation>健康</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Queue: %1</source>
        <translation>队列：%1</translation>
    </message>
    <message numerus="yes">
        <location line="+76"/>
        <source> · ⚠ %n warning(s)</source>
        <translation>
            <numerusform> · ⚠ %n 条警告</numerusform>
        </translation>
    </message>
    <message>
        <location line="+2"/>
        <source> · step %1</source>
        <translation> · 步骤 %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> (part of %1)</source>
        <translation>（属于 %1）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> (re-attached)</source>
        <translation>（已重新连接）</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>No run selected. Launch one from the Train tab.</source>
        <translation>未选择运行。请在“训练”页启动一次运行。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source> · step %1 of %2</source>
        <translation> · 第 %1/%2 步</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> · weights %1</source>
        <translation> · 权重 %1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>rank %1 running (pid %2)</source>
        <translation>rank %1 运行中（pid %2）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>rank %1 killed</source>
        <translation>rank %1 已被强制终止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>rank %1 exited %2</source>
        <translation>rank %1 已退出（退出码 %2）</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n process(es): </source>
        <translation>
            <numerusform>%n 个进程：</numerusform>
        </translation>
    </message>
    <message>
        <location line="+52"/>
        <source>Reward %1 = %2</source>
        <translation>奖励 %1 = %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Known answer: %1</source>
        <translation>已知答案：%1</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Probe: the model&apos;s greedy answer to a fixed prompt at this step (no reward)</source>
        <translation>探测：模型在这一步对固定提示词的贪心解码回答（不计奖励）</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Health (%1)</source>
        <translation>健康 (%1)</translation>
    </message>
</context>
<context>
    <name>mm::ui::ScoreTableModel</name>
    <message>
        <location filename="../scores_model.cpp" line="+58"/>
        <source>A score is a number from 0 to 10.</source>
        <translation>分数是 0 到 10 之间的数字。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Choose a workspace first.</source>
        <translation>请先选择工作区。</translation>
    </message>
    <message>
        <location line="+91"/>
        <source>Entered by hand (overrides the judge). Double-click to change.</source>
        <translation>手动输入（覆盖评审分数）。双击修改。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Judge %1. Double-click to correct it by hand.

%2</source>
        <translation>评审模型 %1。双击可手动修正。

%2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Double-click to enter a score (0-10) by hand.</source>
        <translation>双击手动输入分数（0-10）。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Judge</source>
        <translation>评审模型</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>&quot;%1&quot; is not a number; a score is from 0 to 10.</source>
        <translation>“%1”不是数字；分数在 0 到 10 之间。</translation>
    </message>
</context>
<context>
    <name>mm::ui::ScoresExport</name>
    <message>
        <location filename="../scores_export.cpp" line="+22"/>
        <source>No history at %1: answer the prompts in the Compare tab (or run `micromind eval`) first.</source>
        <translation>%1 处没有历史记录：请先在“对比”页回答问题（或运行 `micromind eval`）。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Cannot create the folder %1.</source>
        <translation>无法创建文件夹 %1。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <location line="+39"/>
        <source>The history holds no answers yet: answer the prompts in the Compare tab first.</source>
        <translation>历史记录中还没有回答：请先在“对比”页回答问题。</translation>
    </message>
</context>
<context>
    <name>mm::ui::ScoresPanel</name>
    <message>
        <location filename="../scores_panel.cpp" line="+29"/>
        <source>Run judge…</source>
        <translation>运行评审…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Score every model&apos;s stored answers with an LLM judge</source>
        <translation>用大模型评审为每个模型的已保存回答打分</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stop judge</source>
        <translation>停止评审</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Reload</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Copy Markdown</source>
        <translation>复制 Markdown</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Copy the table in the seed&apos;s Markdown layout</source>
        <translation>按种子文档的 Markdown 格式复制表格</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Write scores.md, scores.csv, scores.html, compare.md and compare.html</source>
        <translation>写出 scores.md、scores.csv、scores.html、compare.md 和 compare.html</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The judge&apos;s progress appears here.</source>
        <translation>评审进度显示在这里。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Scores 0-10 per dimension; double-click a cell to enter or correct a score by hand (shown in italics, it overrides the judge).</source>
        <translation>每个维度 0-10 分；双击单元格可手动输入或修正分数（以斜体显示，覆盖评审分数）。</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Copied the score table (Markdown).</source>
        <translation>已复制评分表（Markdown）。</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>No workspace.</source>
        <translation>没有工作区。</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Workspace: %1</source>
        <translation>工作区：%1</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Judging with %1 at %2…</source>
        <translation>正在用 %2 上的 %1 评审…</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Wrote the score table; no comparison: %1</source>
        <translation>已写出评分表；未生成对比：%1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Choose a workspace first.</source>
        <translation>请先选择工作区。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Could not remember the endpoint: %1</source>
        <translation>无法保存服务设置：%1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Export the scores to</source>
        <translation>将评分导出到</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Wrote %1 files to %2.</source>
        <translation>已将 %1 个文件写入 %2。</translation>
    </message>
</context>
<context>
    <name>mm::ui::StageForm</name>
    <message>
        <location filename="../stage_form.cpp" line="+103"/>
        <source>range: %1 … %2</source>
        <translation>范围：%1 … %2</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>default: %1</source>
        <translation>默认值：%1</translation>
    </message>
    <message>
        <location line="+49"/>
        <location line="+20"/>
        <location line="+97"/>
        <source>required</source>
        <translation>必填</translation>
    </message>
    <message>
        <location line="-113"/>
        <source>Browse</source>
        <translation>浏览</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Choose a folder</source>
        <translation>选择文件夹</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose a file</source>
        <translation>选择文件</translation>
    </message>
    <message>
        <location line="+109"/>
        <source>&quot;%1&quot; is not a whole number</source>
        <translation>“%1”不是整数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&quot;%1&quot; is not a number</source>
        <translation>“%1”不是数字</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 is below the minimum %2</source>
        <translation>%1 小于最小值 %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 is above the maximum %2</source>
        <translation>%1 大于最大值 %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>choose one of the listed values</source>
        <translation>请从列表中选择一个值</translation>
    </message>
    <message>
        <location line="+88"/>
        <source>no such file: %1</source>
        <translation>文件不存在：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>cannot read %1</source>
        <translation>无法读取 %1</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>no tokenizer at %1; train one first (train_tokenizer) or choose a .model file</source>
        <translation>%1 处没有分词器；请先训练一个（train_tokenizer）或选择一个 .model 文件</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>parent checkpoint %1 does not exist; train the %2 stage first with the same model size</source>
        <translation>父检查点 %1 不存在；请先用相同的模型尺寸训练 %2 阶段</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>parent checkpoint has hidden_size %1 and %2 layers, this form %3 and %4</source>
        <translation>父检查点的 hidden_size 为 %1、层数为 %2，而本表单为 %3 和 %4</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>batch_size %1 is not divisible by num_generations %2</source>
        <translation>batch_size %1 不能被 num_generations %2 整除</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is a file, not a folder</source>
        <translation>%1 是文件，不是文件夹</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>folder %1 is not writable</source>
        <translation>文件夹 %1 不可写</translation>
    </message>
    <message>
        <location filename="../preset_store.cpp" line="+32"/>
        <source>&quot;%1&quot; is not a valid preset name (letters, digits, space, - _ .)</source>
        <translation>“%1”不是有效的预设名（可用字母、数字、空格、- _ .）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>could not read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 is not a preset file: %2</source>
        <translation>%1 不是预设文件：%2</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>could not delete %1: %2</source>
        <translation>无法删除 %1：%2</translation>
    </message>
</context>
<context>
    <name>mm::ui::TrainPage</name>
    <message>
        <location filename="../train_page.cpp" line="+95"/>
        <source>The equivalent command; the workbench adds --json to read its progress</source>
        <translation>等效命令；工作台会额外加上 --json 以读取进度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy command</source>
        <translation>复制命令</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Load</source>
        <translation>载入</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save preset…</source>
        <translation>保存预设…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Estimate</source>
        <translation>估算</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tokens</source>
        <translation>词元</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>FLOPs (6·N·D)</source>
        <translation>计算量 FLOPs（6·N·D）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Memory</source>
        <translation>内存</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ETA</source>
        <translation>预计用时</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Measure</source>
        <translation>测量</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Count the data&apos;s tokens and time a short training micro-benchmark</source>
        <translation>统计数据的词元数，并计时一次简短的训练微基准</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Launch</source>
        <translation>启动</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Validate the form and start the run (Ctrl+R)</source>
        <translation>校验表单并启动运行（Ctrl+R）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Data-parallel processes on this machine (c10d/Gloo); each takes --batch_size samples, so the global batch is processes x batch_size</source>
        <translation>本机上的数据并行进程数（c10d/Gloo）；每个进程取 --batch_size 个样本，因此全局批大小 = 进程数 × batch_size</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Train all five models</source>
        <translation>训练全部五个模型</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Queue pretrain → full_sft → dpo → distill_reason, then lora on full_sft</source>
        <translation>依次排队 pretrain → full_sft → dpo → distill_reason，然后在 full_sft 上训练 lora</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Preset:</source>
        <translation>预设：</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Command:</source>
        <translation>命令：</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Processes:</source>
        <translation>进程数：</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>measured</source>
        <translation>已测量</translation>
    </message>
    <message>
        <location line="+67"/>
        <source>no estimate for this command</source>
        <translation>此命令无估算</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Measure counts the tokens and times a micro-benchmark</source>
        <translation>“测量”会统计词元数并计时一次微基准</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 (vocabulary %2)</source>
        <translation>%1（词表 %2）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 in the data%2, %3 trained</source>
        <translation>数据中 %1%2，训练 %3</translation>
    </message>
    <message>
        <location line="+2"/>
        <source> (from the file size)</source>
        <translation>（按文件大小估计）</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 at %2 tokens/s</source>
        <translation>%1（每秒 %2 词元）</translation>
    </message>
    <message>
        <location line="+24"/>
        <location line="+6"/>
        <source>Save preset</source>
        <translation>保存预设</translation>
    </message>
    <message>
        <location line="-6"/>
        <source>Preset name:</source>
        <translation>预设名称：</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Load preset</source>
        <translation>载入预设</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Delete preset</source>
        <translation>删除预设</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Cannot launch %1</source>
        <translation>无法启动 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+20"/>
        <source>Fix the fields marked in red:
%1</source>
        <translation>请修正标红的字段：
%1</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Cannot queue %1</source>
        <translation>无法加入队列：%1</translation>
    </message>
</context>
<context>
    <name>mm::ui::Workspace</name>
    <message>
        <location filename="../workspace.cpp" line="+26"/>
        <source>could not create the folder %1</source>
        <translation>无法创建文件夹 %1</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The workspace folder %1 is not writable (%2). MicroMind keeps the run history (micromind.db), checkpoints and logs there: make the folder writable, or open another one.</source>
        <translation>工作区文件夹 %1 不可写（%2）。MicroMind 在其中保存运行历史（micromind.db）、检查点和日志：请让该文件夹可写，或打开其他文件夹。</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>%1 is read-only. MicroMind records every run in it and needs write access to the file and to the folder %2: make them writable, or copy the workspace to a writable place. The file was left untouched.</source>
        <translation>%1 是只读的。MicroMind 会把每次运行记录在其中，需要对该文件和文件夹 %2 有写权限：请让它们可写，或把工作区复制到可写的位置。文件未被改动。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>%1 was written by a newer MicroMind (history schema %2; this build knows up to %3). Upgrade MicroMind to open this workspace, or open another one. The file was left untouched.</source>
        <translation>%1 由更新版本的 MicroMind 写入（历史结构版本 %2；本版本最高支持 %3）。请升级 MicroMind 后再打开此工作区，或打开其他工作区。文件未被改动。</translation>
    </message>
    <message>
        <location line="+5"/>
        <location line="+23"/>
        <source>Details: %1</source>
        <translation>详细信息：%1</translation>
    </message>
    <message>
        <location line="-18"/>
        <source>%1 is locked: another process kept it busy for more than a few seconds. Let that process finish or close it (see the details), then open the workspace again. Nothing was changed.</source>
        <translation>%1 已被锁定：另一个进程占用它超过了数秒。请等待该进程结束或将其关闭（见详细信息），然后重新打开工作区。未做任何改动。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>%1 is damaged or is not a MicroMind history. Move it aside (for example, rename it to micromind.db.broken) and open the workspace again to start a new history. The file was left untouched.</source>
        <translation>%1 已损坏，或不是 MicroMind 的历史数据库。请将其移开（例如重命名为 micromind.db.broken），然后重新打开工作区以新建历史。文件未被改动。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The disk that holds %1 is full. Free some space, then open the workspace again.</source>
        <translation>存放 %1 的磁盘已满。请释放一些空间，然后重新打开工作区。</translation>
    </message>
    <message>
        <location line="+8"/>
        <location line="+2"/>
        <source>could not open the history of %1: %2</source>
        <translation>无法打开 %1 的历史记录：%2</translation>
    </message>
</context>
</TS>
