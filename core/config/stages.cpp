#include "config/stages.h"

#include "common/error.h"

#include <map>

namespace mm::config {

namespace {

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

Field choice(std::string name, std::string def, std::vector<std::string> choices, std::string help,
             std::string group) {
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
void addTrainingFields(std::vector<Field>& v, const std::string& lr, const std::string& batch,
                       const std::string& accum, const std::string& seqLen, const std::string& epochs) {
    const char* g = "Training";
    v.push_back(ranged(f("epochs", FieldType::Int, epochs, "passes over the data", g), 1, 1000));
    v.push_back(ranged(f("batch_size", FieldType::Int, batch, "sequences per micro-batch", g), 1, 65536));
    v.push_back(ranged(f("learning_rate", FieldType::Float, lr, "peak learning rate (AdamW)", g), 0, 1));
    v.push_back(ranged(f("accumulation_steps", FieldType::Int, accum, "micro-batches per optimizer step", g), 1,
                       65536));
    v.push_back(ranged(f("max_seq_len", FieldType::Int, seqLen, "tokens per training sequence", g), 8, 32768));
    v.push_back(ranged(f("grad_clip", FieldType::Float, "1.0", "clip the global gradient norm (0 = off)", g), 0,
                       1e6));
    v.push_back(ranged(f("weight_decay", FieldType::Float, "0.01", "AdamW weight decay", g), 0, 1));
    v.push_back(ranged(f("warmup_steps", FieldType::Int, "0",
                         "linear warmup steps before the cosine decay (minimind: 0)", g),
                       0, 1e9));
    v.push_back(ranged(f("max_steps", FieldType::Int, "0", "stop after this many optimizer steps (0 = all epochs)", g),
                       0, 1e12));
    v.push_back(ranged(f("seed", FieldType::Int, "42", "seed for initialisation and data order", g), 0, 4294967295.0));
    const char* r = "Run";
    v.push_back(f("out_dir", FieldType::Path, "out", "workspace: checkpoints, history database, caches", r));
    v.push_back(f("device", FieldType::String, "auto", "cpu, cuda, cuda:N or auto (cuda:0 when available)", r));
    v.push_back(choice("dtype", "auto", {"auto", "float32", "bfloat16", "float16"},
                       "compute dtype: autocast on CUDA; CPU trains in float32 (auto = bfloat16 on CUDA)", r));
    v.push_back(ranged(f("threads", FieldType::Int, "0", "CPU threads (0 = all cores)", r), 0, 1024));
    v.push_back(ranged(f("log_interval", FieldType::Int, "100", "optimizer steps between log lines", r), 1, 1e9));
    v.push_back(ranged(f("save_interval", FieldType::Int, "100", "optimizer steps between checkpoints", r), 1, 1e9));
    v.push_back(f("resume", FieldType::Bool, "0", "continue from the stage's resume state in out_dir", r));
    v.push_back(f("json", FieldType::Bool, "0", "print one JSON object per log step on stdout", r));
}

void addDataFields(std::vector<Field>& v, bool withPacking) {
    const char* g = "Data";
    v.push_back(required(f("data_path", FieldType::Path, "", "training data, minimind jsonl", g)));
    v.push_back(f("tokenizer", FieldType::Path, "", "tokenizer .model (default: <out_dir>/tokenizer.model)", g));
    v.push_back(f("skip_bad_lines", FieldType::Bool, "0", "count and skip malformed lines instead of stopping", g));
    if (withPacking)
        v.push_back(choice("packing", "pack", {"pack", "pad"},
                           "pack: documents back to back, no padding; pad: one document per sample (minimind)", g));
}

Schema makePretrain() {
    Schema s{"pretrain", "Pretrain a MiniMind model from scratch on {\"text\"} jsonl; writes <out_dir>/pretrain_<hidden>.pth.", {}};
    addDataFields(s.fields, true);
    addModelFields(s.fields);
    addTrainingFields(s.fields, "5e-4", "32", "8", "512", "1");
    return s;
}

Schema makeTokenizer() {
    Schema s{"train_tokenizer",
             "Train a SentencePiece BPE tokenizer (byte fallback, MiniMind special tokens); writes <out_dir>/tokenizer.model.",
             {}};
    const char* g = "Tokenizer";
    s.fields.push_back(required(f("data_path", FieldType::Path, "",
                                  "jsonl file(s), comma-separated; any minimind format", g)));
    s.fields.push_back(ranged(f("vocab_size", FieldType::Int, "6400", "vocabulary size incl. 9 specials + 256 bytes", g),
                              300, 65535));
    s.fields.push_back(ranged(f("max_sentences", FieldType::Int, "2000000", "cap on text chunks used for training", g),
                              100, 1e9));
    s.fields.push_back(ranged(f("character_coverage", FieldType::Float, "0",
                                "share of characters kept as pieces; rarer ones use bytes (0 = auto: fit half the vocabulary)", g),
                              0, 1));
    s.fields.push_back(f("out_dir", FieldType::Path, "out", "where tokenizer.model is written", g));
    s.fields.push_back(ranged(f("threads", FieldType::Int, "0", "threads (0 = all cores)", g), 0, 1024));
    s.fields.push_back(f("skip_bad_lines", FieldType::Bool, "0", "count and skip malformed lines", g));
    return s;
}

Schema makeData() {
    Schema s{"data", "Check a minimind jsonl file and summarise it: documents, tokens, lengths, truncation and padding.", {}};
    const char* g = "Data";
    s.fields.push_back(required(f("data_path", FieldType::Path, "", "jsonl file to check", g)));
    s.fields.push_back(choice("format", "pretrain", {"pretrain", "sft"}, "record format", g));
    s.fields.push_back(f("tokenizer", FieldType::Path, "", "tokenizer .model (default: <out_dir>/tokenizer.model)", g));
    s.fields.push_back(ranged(f("max_seq_len", FieldType::Int, "512", "sequence length for the packing figures", g), 8,
                              32768));
    s.fields.push_back(f("out_dir", FieldType::Path, "out", "workspace (token cache goes to <out_dir>/cache)", g));
    s.fields.push_back(f("skip_bad_lines", FieldType::Bool, "0", "count and skip malformed lines", g));
    s.fields.push_back(f("json", FieldType::Bool, "0", "print the summary as JSON", g));
    return s;
}

Schema makeBench() {
    Schema s{"bench", "Measure training tokens/s and MFU against this machine's GEMM peak, and batch-1 decode tokens/s.", {}};
    addModelFields(s.fields);
    s.fields[0].defaultValue = "minimind2-small";
    const char* g = "Benchmark";
    s.fields.push_back(ranged(f("batch_size", FieldType::Int, "8", "training micro-batch", g), 1, 4096));
    s.fields.push_back(ranged(f("max_seq_len", FieldType::Int, "512", "training sequence length", g), 8, 32768));
    s.fields.push_back(ranged(f("vocab_size", FieldType::Int, "6400", "vocabulary size of the random model", g), 16,
                              65536));
    s.fields.push_back(ranged(f("steps", FieldType::Int, "3", "timed training steps", g), 1, 1000));
    s.fields.push_back(ranged(f("warmup", FieldType::Int, "1", "untimed warm-up steps", g), 0, 100));
    s.fields.push_back(ranged(f("decode_tokens", FieldType::Int, "200", "tokens to decode at batch 1", g), 0, 100000));
    s.fields.push_back(ranged(f("prompt_tokens", FieldType::Int, "32", "prompt length before decoding", g), 1, 32768));
    s.fields.push_back(choice("infer_dtype", "float32", {"float32", "bfloat16", "float16"},
                              "weights dtype for the decode benchmark", g));
    s.fields.push_back(f("skip_train", FieldType::Bool, "0", "only run the decode benchmark", g));
    s.fields.push_back(f("device", FieldType::String, "auto", "cpu, cuda:N or auto", "Run"));
    s.fields.push_back(choice("dtype", "auto", {"auto", "float32", "bfloat16", "float16"}, "training compute dtype",
                              "Run"));
    s.fields.push_back(ranged(f("threads", FieldType::Int, "0", "CPU threads (0 = all cores)", "Run"), 0, 1024));
    s.fields.push_back(f("json", FieldType::Bool, "0", "print results as JSON", "Run"));
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
        for (auto s : {makeTokenizer(), makePretrain(), makeData(), makeBench()})
            m.emplace(s.stage, s);
        return m;
    }();
    auto it = all.find(name);
    if (it == all.end())
        throw InputError("unknown command \"" + name + "\"; run `micromind --help`");
    return it->second;
}

std::vector<std::string> schemaNames() { return {"train_tokenizer", "pretrain", "data", "bench"}; }

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
        problems.push_back("--num_attention_heads " + std::to_string(nh) + " must be divisible by --num_key_value_heads " +
                           std::to_string(kv));
    return problems;
}

} // namespace mm::config
