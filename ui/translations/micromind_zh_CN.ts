<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>mm::ui::ChartPanel</name>
    <message>
        <location filename="../chart_panel.cpp" line="+79"/>
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
        <location line="+36"/>
        <source>Loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Gradient norm</source>
        <translation>梯度范数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tokens per second</source>
        <translation>每秒词元数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>DPO reward margin</source>
        <translation>DPO 奖励差</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Preference accuracy</source>
        <translation>偏好准确率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Chosen reward</source>
        <translation>优选回答奖励</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rejected reward</source>
        <translation>劣选回答奖励</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GRPO reward</source>
        <translation>GRPO 奖励</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GRPO reward spread within groups</source>
        <translation>GRPO 组内奖励标准差</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>KL to the reference</source>
        <translation>与参考模型的 KL 散度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Completion length (tokens)</source>
        <translation>生成长度（词元）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Exact-answer accuracy</source>
        <translation>答案完全正确率</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clipped ratio share</source>
        <translation>被裁剪比率占比</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reward: %1</source>
        <translation>奖励：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Token loss</source>
        <translation>词元损失</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>MoE auxiliary loss</source>
        <translation>MoE 辅助损失</translation>
    </message>
    <message>
        <location line="+93"/>
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
        <location filename="../compare_panel.cpp" line="+52"/>
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
        <location line="+39"/>
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
        <location filename="../compare_render.cpp" line="+68"/>
        <source>Prompt:</source>
        <translation>问题：</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>(thinking…)</source>
        <translation>（思考中…）</translation>
    </message>
    <message>
        <location line="+1"/>
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
        <location line="+8"/>
        <source>generating…</source>
        <translation>生成中…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 tokens · %2 tokens/s</source>
        <translation>%1 个 token · %2 tokens/秒</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>token limit reached</source>
        <translation>达到 token 上限</translation>
    </message>
    <message>
        <location line="+2"/>
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
        <location line="+12"/>
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
        <location line="+36"/>
        <source>Loading %1…</source>
        <translation>正在加载 %1…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No tokenizer.model in the workspace %1 — train one with `micromind train_tokenizer`.</source>
        <translation>工作区 %1 中没有 tokenizer.model —— 请用 `micromind train_tokenizer` 训练一个。</translation>
    </message>
</context>
<context>
    <name>mm::ui::ConfigDiffWidget</name>
    <message>
        <location filename="../history_panel.cpp" line="+242"/>
        <source>Differences only</source>
        <translation>仅显示差异</translation>
    </message>
</context>
<context>
    <name>mm::ui::Estimator</name>
    <message>
        <location filename="../estimator.cpp" line="+123"/>
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
        <location line="+11"/>
        <source>measuring training speed…</source>
        <translation>正在测量训练速度…</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>%1 failed: %2</source>
        <translation>%1 失败：%2</translation>
    </message>
</context>
<context>
    <name>mm::ui::HistoryPanel</name>
    <message>
        <location filename="../history_panel.cpp" line="-181"/>
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
        <location line="+23"/>
        <location line="+8"/>
        <source>Delete runs</source>
        <translation>删除运行</translation>
    </message>
    <message numerus="yes">
        <location line="-7"/>
        <source>Delete %n run(s) with their metrics and the checkpoint files no other run wrote?</source>
        <translation>
            <numerusform>删除 %n 个运行及其指标，以及没有其他运行写入过的检查点文件？</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>mm::ui::JudgeDialog</name>
    <message>
        <location filename="../judge_dialog.cpp" line="+17"/>
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
        <location filename="../judge_runner.cpp" line="+74"/>
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
        <location filename="../lineage_view.cpp" line="+19"/>
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
        <location line="+41"/>
        <source> (file missing)</source>
        <translation>（文件缺失）</translation>
    </message>
</context>
<context>
    <name>mm::ui::MainWindow</name>
    <message>
        <location filename="../main_window.cpp" line="+33"/>
        <source>MicroMind Workbench</source>
        <translation>MicroMind 工作台</translation>
    </message>
    <message>
        <location line="+13"/>
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
        <location line="+3"/>
        <location line="+210"/>
        <source>No workspace open</source>
        <translation>未打开工作区</translation>
    </message>
    <message>
        <location line="-170"/>
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
        <location line="+0"/>
        <source>Compare</source>
        <translation>对比</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Scores</source>
        <translation>评分</translation>
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
        <location line="+3"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location line="+1"/>
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
        <location line="+9"/>
        <source>Open workspace</source>
        <translation>打开工作区</translation>
    </message>
    <message numerus="yes">
        <location line="+11"/>
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
        <location line="+24"/>
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
        <location line="+14"/>
        <source>About MicroMind Workbench</source>
        <translation>关于 MicroMind 工作台</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&lt;h3&gt;MicroMind Workbench %1&lt;/h3&gt;&lt;p&gt;Train a tiny chat LLM from scratch and compare what each stage did.&lt;/p&gt;&lt;p&gt;Qt %2 (built with %3)&lt;br&gt;Training core: %4&lt;/p&gt;&lt;p&gt;Command line: &lt;code&gt;%5&lt;/code&gt;&lt;/p&gt;</source>
        <translation>&lt;h3&gt;MicroMind 工作台 %1&lt;/h3&gt;&lt;p&gt;从零训练一个小型对话大模型，并比较每个训练阶段带来的变化。&lt;/p&gt;&lt;p&gt;Qt %2（编译时版本 %3）&lt;br&gt;训练核心：%4&lt;/p&gt;&lt;p&gt;命令行程序：&lt;code&gt;%5&lt;/code&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>micromind not found</source>
        <translation>未找到 micromind</translation>
    </message>
    <message>
        <location line="+8"/>
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
        <location line="+4"/>
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
        <location filename="../chart_view.cpp" line="+220"/>
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
        <location line="+133"/>
        <location line="+10"/>
        <location line="+14"/>
        <source>could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
</context>
<context>
    <name>mm::ui::RunController</name>
    <message>
        <location filename="../run_controller.cpp" line="+167"/>
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
        <location line="+90"/>
        <source>stopped by the user</source>
        <translation>已由用户停止</translation>
    </message>
    <message>
        <location line="+104"/>
        <source>killed on request</source>
        <translation>已按要求强制结束</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the training process crashed or was killed (out of memory?); last output: %1</source>
        <translation>训练进程崩溃或被结束（内存不足？）；最后输出：%1</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>saved at step %1; resume continues from there</source>
        <translation>已在第 %1 步保存；继续运行将从此处开始</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>exit status %1: %2</source>
        <translation>退出状态 %1：%2</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>could not start %1: %2</source>
        <translation>无法启动 %1：%2</translation>
    </message>
</context>
<context>
    <name>mm::ui::RunManager</name>
    <message>
        <location filename="../run_manager.cpp" line="+112"/>
        <source>queue cancelled</source>
        <translation>队列已取消</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>stage %1 of %2: %3</source>
        <translation>第 %1/%2 个阶段：%3</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>queue ended: %1 %2 (%3)</source>
        <translation>队列结束：%1 %2（%3）</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>queue finished: every stage completed</source>
        <translation>队列完成：所有阶段均已完成</translation>
    </message>
</context>
<context>
    <name>mm::ui::RunsModel</name>
    <message>
        <location filename="../history_model.cpp" line="+143"/>
        <source>running</source>
        <translation>运行中</translation>
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
        <location line="+1"/>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location line="+1"/>
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
        <location filename="../runs_panel.cpp" line="+26"/>
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
        <location line="+11"/>
        <source>Runs of this session</source>
        <translation>本次会话的运行</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Output of the selected run (stderr)</source>
        <translation>所选运行的输出（stderr）</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Step</source>
        <translation>步数</translation>
    </message>
    <message>
        <location line="+0"/>
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
        <location line="+5"/>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Generations</source>
        <translation>生成记录</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Queue: %1</source>
        <translation>队列：%1</translation>
    </message>
    <message>
        <location line="+67"/>
        <source> (re-attached)</source>
        <translation>（已重新连接）</translation>
    </message>
    <message>
        <location line="+14"/>
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
        <location line="+92"/>
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
        <location line="+23"/>
        <source>Judge</source>
        <translation>评审模型</translation>
    </message>
    <message>
        <location line="+24"/>
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
        <location line="+17"/>
        <source>Cannot create the folder %1.</source>
        <translation>无法创建文件夹 %1。</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <location line="+49"/>
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
        <location line="+5"/>
        <source>Export the scores to</source>
        <translation>将评分导出到</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Wrote %1 files to %2.</source>
        <translation>已将 %1 个文件写入 %2。</translation>
    </message>
</context>
<context>
    <name>mm::ui::StageForm</name>
    <message>
        <location filename="../stage_form.cpp" line="+63"/>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Data</source>
        <translation>数据</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tokenizer</source>
        <translation>分词器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>LoRA</source>
        <translation>LoRA</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Prompts</source>
        <translation>提示词</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sampling</source>
        <translation>采样</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>GRPO</source>
        <translation>GRPO</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>range: %1 … %2</source>
        <translation>范围：%1 … %2</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>default: %1</source>
        <translation>默认值：%1</translation>
    </message>
    <message>
        <location line="+37"/>
        <location line="+20"/>
        <location line="+91"/>
        <source>required</source>
        <translation>必填</translation>
    </message>
    <message>
        <location line="-107"/>
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
        <location line="+108"/>
        <source>&quot;%1&quot; is not a whole number</source>
        <translation>“%1”不是整数</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&quot;%1&quot; is not a number</source>
        <translation>“%1”不是数字</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 is below the minimum %2</source>
        <translation>%1 小于最小值 %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 is above the maximum %2</source>
        <translation>%1 大于最大值 %2</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>choose one of the listed values</source>
        <translation>请从列表中选择一个值</translation>
    </message>
    <message>
        <location line="+109"/>
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
        <location line="+11"/>
        <source>parent checkpoint has hidden_size %1 and %2 layers, this form %3 and %4</source>
        <translation>父检查点的 hidden_size 为 %1、层数为 %2，而本表单为 %3 和 %4</translation>
    </message>
    <message>
        <location line="+10"/>
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
        <location line="+21"/>
        <source>&quot;%1&quot; is not a valid preset name (letters, digits, space, - _ .)</source>
        <translation>“%1”不是有效的预设名（可用字母、数字、空格、- _ .）</translation>
    </message>
    <message>
        <location line="+11"/>
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
        <location line="+14"/>
        <source>could not delete %1: %2</source>
        <translation>无法删除 %1：%2</translation>
    </message>
</context>
<context>
    <name>mm::ui::TrainPage</name>
    <message>
        <location filename="../train_page.cpp" line="+88"/>
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
        <location line="+1"/>
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
        <location line="+37"/>
        <source>measured</source>
        <translation>已测量</translation>
    </message>
    <message>
        <location line="+69"/>
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
        <location line="+19"/>
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
        <source>the folder %1 is not writable: %2</source>
        <translation>文件夹 %1 不可写：%2</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>could not open the history of %1: %2</source>
        <translation>无法打开 %1 的历史记录：%2</translation>
    </message>
</context>
</TS>
