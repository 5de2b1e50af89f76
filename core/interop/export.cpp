#include "interop/export.h"

#include "common/error.h"
#include "common/fs.h"
#include "model/raw_tensor.h"
#include "io/gguf.h"
#include "io/safetensors.h"
#include "text/hf_bpe.h"
#include "weights/state_dict.h"

#include <unistd.h>

#include <filesystem>

namespace mm::interop {

namespace stdfs = std::filesystem;

namespace {

torch::ScalarType dtypeFromName(const std::string& name) {
    if (name == "float32")
        return torch::kFloat32;
    if (name == "float16")
        return torch::kFloat16;
    if (name == "bfloat16")
        return torch::kBFloat16;
    throw InputError("--dtype " + name + " is not available for --format hf; use float32, float16 or bfloat16");
}

void refuseMoe(const model::ModelConfig& c, const char* format) {
    if (c.useMoe)
        throw InputError(std::string("--format ") + format +
                         ": MoE models have no Llama equivalent (routed experts); minimind's own MiniMindForCausalLM "
                         "reads the .pth checkpoint directly (torch.load + load_state_dict)");
}

/// Writes a folder's files under <dir>.tmp-<pid> and renames it into place.
class FolderTxn {
public:
    FolderTxn(const std::string& dir, bool force) : m_dir(dir) {
        std::error_code ec;
        if (stdfs::exists(dir, ec)) {
            if (!force)
                throw InputError(dir + " exists; pass --force to replace it or choose another --output");
            if (!stdfs::is_directory(dir, ec))
                throw InputError(dir + " exists and is not a folder; choose another --output");
        }
        m_tmp = dir + ".tmp-" + std::to_string(::getpid());
        stdfs::remove_all(m_tmp, ec);
        stdfs::create_directories(m_tmp);
    }
    ~FolderTxn() {
        if (!m_done) {
            std::error_code ec;
            stdfs::remove_all(m_tmp, ec);
        }
    }
    std::string file(const std::string& name) {
        m_files.push_back((stdfs::path(m_dir) / name).string());
        return (stdfs::path(m_tmp) / name).string();
    }
    std::vector<std::string> commit() {
        std::error_code ec;
        const std::string old = m_dir + ".old-" + std::to_string(::getpid());
        const bool had = stdfs::exists(m_dir, ec);
        if (had)
            stdfs::rename(m_dir, old);
        stdfs::rename(m_tmp, m_dir);
        if (had)
            stdfs::remove_all(old, ec);
        m_done = true;
        return m_files;
    }

private:
    std::string m_dir, m_tmp;
    std::vector<std::string> m_files;
    bool m_done = false;
};

nlohmann::json addedTokensDecoder(const text::Tokenizer& tok) {
    nlohmann::json out = nlohmann::json::object();
    for (int id = 0; id < tok.vocabSize(); ++id) {
        if (tok.pieceKind(id) != 1)
            continue;
        out[std::to_string(id)] = {{"content", tok.idToPiece(id)}, {"lstrip", false},
                                   {"normalized", false},          {"rstrip", false},
                                   {"single_word", false},         {"special", true}};
    }
    return out;
}

} // namespace

std::string exportChatTemplate(const text::Tokenizer& tok) {
    if (!tok.chatTemplate().empty())
        return tok.chatTemplate();
    return "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + "
           "'<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif "
           "%}";
}

ExportResult exportHf(model::MiniMind& m, const text::Tokenizer& tok, const std::string& dir, const std::string& dtype,
                      bool force, const nlohmann::json& provenance) {
    const model::ModelConfig& c = m->config();
    refuseMoe(c, "hf");
    if (tok.vocabSize() != c.vocabSize)
        throw InputError("tokenizer " + tok.path() + " has " + std::to_string(tok.vocabSize()) + " tokens, the model " +
                         std::to_string(c.vocabSize) + "; pass the model's --tokenizer");
    const torch::ScalarType st = dtypeFromName(dtype);
    FolderTxn txn(dir, force);
    ExportResult res;
    res.path = dir;

    nlohmann::json config{{"architectures", {"LlamaForCausalLM"}},
                          {"model_type", "llama"},
                          {"vocab_size", c.vocabSize},
                          {"hidden_size", c.hiddenSize},
                          {"intermediate_size", c.ffnSize()},
                          {"num_hidden_layers", c.numLayers},
                          {"num_attention_heads", c.numHeads},
                          {"num_key_value_heads", c.numKvHeads},
                          {"head_dim", c.headDim()},
                          {"hidden_act", "silu"},
                          {"max_position_embeddings", c.maxPositions},
                          {"rms_norm_eps", c.rmsEps},
                          {"rope_theta", c.ropeTheta},
                          {"rope_scaling", nullptr},
                          {"attention_bias", false},
                          {"attention_dropout", 0.0},
                          {"mlp_bias", false},
                          {"tie_word_embeddings", true},
                          {"initializer_range", 0.02},
                          {"pretraining_tp", 1},
                          {"use_cache", true},
                          {"bos_token_id", text::special::kImStart},
                          {"eos_token_id", text::special::kImEnd},
                          {"pad_token_id", text::special::kPad},
                          {"torch_dtype", dtype},
                          {"micromind", provenance}};
    fs::writeFileAtomic(txn.file("config.json"), config.dump(2) + "\n");
    nlohmann::json gen{{"bos_token_id", text::special::kImStart},
                       {"eos_token_id", text::special::kImEnd},
                       {"pad_token_id", text::special::kPad},
                       {"do_sample", true},
                       {"temperature", 0.85},
                       {"top_p", 0.85}};
    fs::writeFileAtomic(txn.file("generation_config.json"), gen.dump(2) + "\n");

    std::vector<io::RawTensor> tensors;
    for (const auto& [name, t] : weights::stateDict(m, st))
        if (name != "lm_head.weight") // tie_word_embeddings: transformers ties it to the embedding
            tensors.push_back(model::fromTorch(name, t));
    io::writeSafetensors(txn.file("model.safetensors"), tensors, {{"format", "pt"}});

    // Tokenizer files and the chat template.
    nlohmann::json tcfg;
    if (tok.kind() == text::Tokenizer::Kind::HuggingFaceBpe) {
        fs::writeFileAtomic(txn.file("tokenizer.json"), fs::readFile(tok.path()));
        const std::string orig = (stdfs::path(tok.path()).parent_path() / "tokenizer_config.json").string();
        if (fs::isFile(orig)) {
            fs::writeFileAtomic(txn.file("tokenizer_config.json"), fs::readFile(orig));
        } else {
            tcfg = {{"tokenizer_class", "PreTrainedTokenizerFast"},
                    {"add_bos_token", false},
                    {"add_eos_token", false},
                    {"add_prefix_space", false},
                    {"clean_up_tokenization_spaces", false}};
        }
    } else {
        fs::writeFileAtomic(txn.file("tokenizer.model"), fs::readFile(tok.path()));
        tcfg = {{"tokenizer_class", "LlamaTokenizer"},
                {"add_bos_token", false},
                {"add_eos_token", false},
                {"add_prefix_space", false},
                {"legacy", false},
                {"clean_up_tokenization_spaces", false},
                {"sp_model_kwargs", nlohmann::json::object()}};
        res.notes.push_back("tokenizer.model is MicroMind's SentencePiece model (no dummy prefix, no normalisation); "
                            "transformers reads it with LlamaTokenizer (slow, sentencepiece installed)");
    }
    if (!tcfg.is_null()) {
        tcfg["bos_token"] = "<|im_start|>";
        tcfg["eos_token"] = "<|im_end|>";
        tcfg["pad_token"] = "<|endoftext|>";
        tcfg["unk_token"] = "<|endoftext|>";
        tcfg["model_max_length"] = c.maxPositions;
        tcfg["spaces_between_special_tokens"] = false;
        tcfg["added_tokens_decoder"] = addedTokensDecoder(tok);
        tcfg["chat_template"] = exportChatTemplate(tok);
        fs::writeFileAtomic(txn.file("tokenizer_config.json"), tcfg.dump(2) + "\n");
    }
    nlohmann::json stm{{"bos_token", "<|im_start|>"},
                       {"eos_token", "<|im_end|>"},
                       {"pad_token", "<|endoftext|>"},
                       {"unk_token", "<|endoftext|>"}};
    fs::writeFileAtomic(txn.file("special_tokens_map.json"), stm.dump(2) + "\n");
    res.files = txn.commit();
    return res;
}

} // namespace mm::interop

namespace mm::interop {

namespace {

io::GgufVocab ggufVocab(const text::Tokenizer& tok) {
    io::GgufVocab v;
    const int n = tok.vocabSize();
    v.tokens.reserve(n);
    v.types.reserve(n);
    if (const text::HfBpe* hf = tok.hfBpe()) {
        v.model = "gpt2";
        v.pre = "gpt-2"; // minimind's ByteLevel(use_regex) split is GPT-2's (see io/gguf.h)
        for (int id = 0; id < n; ++id) {
            v.tokens.push_back(hf->idToPiece(id));
            v.types.push_back(hf->isSpecial(id) ? io::kTokenControl : io::kTokenNormal);
        }
        for (const auto& [a, b] : hf->merges())
            v.merges.push_back(a + " " + b);
    } else {
        v.model = "llama";
        v.pre = "default";
        v.scores.reserve(n);
        for (int id = 0; id < n; ++id) {
            v.tokens.push_back(tok.idToPiece(id));
            v.scores.push_back(tok.pieceScore(id));
            const int kind = tok.pieceKind(id);
            v.types.push_back(kind == 1 ? io::kTokenControl : kind == 2 ? io::kTokenByte : io::kTokenNormal);
        }
        v.addSpacePrefix = false; // MicroMind's tokenizers have no dummy prefix
    }
    v.bos = text::special::kImStart;
    v.eos = text::special::kImEnd;
    v.pad = text::special::kPad;
    v.unk = text::special::kEndOfText;
    v.addBos = false;
    v.addEos = false;
    v.chatTemplate = exportChatTemplate(tok);
    return v;
}

} // namespace

ExportResult exportGguf(model::MiniMind& m, const text::Tokenizer& tok, const std::string& file,
                        const std::string& type, bool force, const std::string& modelName) {
    const model::ModelConfig& c = m->config();
    refuseMoe(c, "gguf");
    if (tok.vocabSize() != c.vocabSize)
        throw InputError("tokenizer " + tok.path() + " has " + std::to_string(tok.vocabSize()) + " tokens, the model " +
                         std::to_string(c.vocabSize) + "; pass the model's --tokenizer");
    io::GgmlType fileType;
    int fileTypeId;
    if (type == "f32") {
        fileType = io::GgmlType::F32;
        fileTypeId = 0;
    } else if (type == "f16") {
        fileType = io::GgmlType::F16;
        fileTypeId = 1;
    } else if (type == "q8_0") {
        fileType = io::GgmlType::Q8_0;
        fileTypeId = 7;
    } else {
        throw InputError("--dtype " + type + " is not a GGUF type written here; use float32, float16 or q8_0");
    }
    std::error_code ec;
    if (stdfs::exists(file, ec) && !force)
        throw InputError(file + " exists; pass --force to replace it or choose another --output");
    if (stdfs::is_directory(file, ec))
        throw InputError(file + " is a folder; --output takes a .gguf file name for --format gguf");

    io::GgufWriter w;
    io::LlamaGgufSpec spec;
    spec.vocab = c.vocabSize;
    spec.hidden = c.hiddenSize;
    spec.layers = c.numLayers;
    spec.heads = c.numHeads;
    spec.kvHeads = c.numKvHeads;
    spec.ffn = c.ffnSize();
    spec.contextLength = c.maxPositions;
    spec.ropeTheta = c.ropeTheta;
    spec.rmsEps = c.rmsEps;
    spec.name = modelName;
    spec.fileType = fileTypeId;
    io::addLlamaMetadata(w, spec, ggufVocab(tok));
    // <|im_end|> ends a turn; without the key llama.cpp guesses <|endoftext|>.
    w.setU32("tokenizer.ggml.eot_token_id", uint32_t(text::special::kImEnd));
    for (const auto& [name, t] : weights::stateDict(m, torch::kFloat32)) {
        if (name == "lm_head.weight")
            continue; // tied: llama.cpp falls back to token_embd.weight
        const std::string gname = io::ggufNameForHf(name);
        if (gname.empty())
            throw Error("no GGUF name for tensor " + name);
        torch::Tensor f = t.contiguous();
        std::vector<int64_t> shape = f.sizes().vec();
        const float* data = f.data_ptr<float>();
        std::vector<float> permuted;
        const bool isQ = name.find("self_attn.q_proj.weight") != std::string::npos;
        const bool isK = name.find("self_attn.k_proj.weight") != std::string::npos;
        if (isQ || isK) {
            permuted = io::permuteQkForGguf(data, shape[0], shape[1], isQ ? c.numHeads : c.numKvHeads);
            data = permuted.data();
        }
        w.addTensor(gname, shape, data, io::llamaTensorType(gname, shape, fileType));
    }
    if (!stdfs::path(file).parent_path().empty())
        stdfs::create_directories(stdfs::path(file).parent_path());
    w.write(file);
    ExportResult res;
    res.path = file;
    res.files = {file};
    res.notes = w.notes();
    return res;
}

model::MiniMind readGgufModel(const std::string& file) {
    const io::GgufFile g = io::GgufFile::open(file);
    if (g.getString("general.architecture") != "llama")
        throw InputError(file + ": general.architecture is \"" + g.getString("general.architecture") +
                         "\"; MicroMind reads llama-architecture GGUF files");
    model::ModelConfig c;
    c.hiddenSize = int(g.getInt("llama.embedding_length"));
    c.numLayers = int(g.getInt("llama.block_count"));
    c.numHeads = int(g.getInt("llama.attention.head_count"));
    c.numKvHeads =
        g.find("llama.attention.head_count_kv") ? int(g.getInt("llama.attention.head_count_kv")) : c.numHeads;
    c.intermediateSize = int(g.getInt("llama.feed_forward_length"));
    c.maxPositions = int(g.getInt("llama.context_length"));
    c.ropeTheta = g.find("llama.rope.freq_base") ? g.getDouble("llama.rope.freq_base") : 10000.0;
    c.rmsEps = g.getDouble("llama.attention.layer_norm_rms_epsilon");
    const io::GgufTensorInfo* emb = g.findTensor("token_embd.weight");
    if (!emb)
        throw InputError(file + ": no token_embd.weight tensor");
    c.vocabSize = int(emb->shape.at(0));
    // llama.cpp keeps rope theta as f32: round-trip our double through it.
    c.ropeTheta = double(float(c.ropeTheta));
    weights::StateDict sd;
    for (const auto& t : g.tensors()) {
        std::string name = io::hfNameForGguf(t.name);
        if (name.empty())
            throw InputError(file + ": tensor " + t.name + " has no MiniMind counterpart");
        std::vector<float> data = g.readFloat(t);
        const bool isQ = t.name.find("attn_q.weight") != std::string::npos;
        const bool isK = t.name.find("attn_k.weight") != std::string::npos;
        if ((isQ || isK) && t.shape.size() == 2)
            data = io::unpermuteQkFromGguf(data.data(), t.shape[0], t.shape[1], isQ ? c.numHeads : c.numKvHeads);
        torch::Tensor tensor = torch::from_blob(data.data(), t.shape, torch::kFloat32).clone();
        sd.emplace(std::move(name), std::move(tensor));
    }
    if (sd.count("lm_head.weight")) {
        if (!torch::equal(sd.at("lm_head.weight"), sd.at("model.embed_tokens.weight")))
            throw InputError(file + ": output.weight differs from token_embd.weight; MicroMind's models tie them");
    } else {
        sd["lm_head.weight"] = sd.at("model.embed_tokens.weight");
    }
    model::MiniMind m(c);
    weights::loadInto(m, sd, file);
    m->eval();
    return m;
}

} // namespace mm::interop
