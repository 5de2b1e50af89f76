// GGUF for llama.cpp: the llama.* metadata and tokenizer keys, the Q/K
// row permutation and the Hugging Face <-> GGUF tensor names. See gguf.h for
// the llama.cpp facts it follows.

#include "io/gguf.h"

#include "common/error.h"

#include <cstring>

namespace mm::io {

// ---------------------------------------------------------------------------
// Llama helpers

void addLlamaMetadata(GgufWriter& w, const LlamaGgufSpec& s, const GgufVocab& v) {
    auto bad = [](const std::string& what) { throw InputError("GGUF export: " + what); };
    if (s.vocab <= 0 || s.hidden <= 0 || s.layers <= 0 || s.heads <= 0 || s.kvHeads <= 0 || s.ffn <= 0 ||
        s.contextLength <= 0)
        bad("vocab, hidden, layers, heads, kv heads, ffn and context length must all be positive");
    if (s.hidden % s.heads != 0)
        bad("hidden size " + std::to_string(s.hidden) + " is not a multiple of the head count " +
            std::to_string(s.heads));
    if (s.heads % s.kvHeads != 0)
        bad("head count " + std::to_string(s.heads) + " is not a multiple of the kv head count " +
            std::to_string(s.kvHeads));
    if ((s.hidden / s.heads) % 2 != 0)
        bad("head dimension " + std::to_string(s.hidden / s.heads) + " is odd");
    if (!(s.ropeTheta > 0) || !(s.rmsEps > 0))
        bad("rope theta and rms eps must be positive");
    if (v.model != "gpt2" && v.model != "llama")
        bad("tokenizer model '" + v.model + "' (gpt2 or llama)");
    if (v.tokens.empty())
        bad("the vocabulary is empty");
    if (v.tokens.size() > static_cast<size_t>(s.vocab))
        bad("the tokenizer has " + std::to_string(v.tokens.size()) + " tokens but the model only " +
            std::to_string(s.vocab) + " embeddings");
    if (!v.types.empty() && v.types.size() != v.tokens.size())
        bad(std::to_string(v.types.size()) + " token types for " + std::to_string(v.tokens.size()) + " tokens");
    if (!v.scores.empty() && v.scores.size() != v.tokens.size())
        bad(std::to_string(v.scores.size()) + " token scores for " + std::to_string(v.tokens.size()) + " tokens");
    if (v.model == "llama" && v.scores.empty())
        bad("a SentencePiece (llama) vocabulary needs scores");
    if (v.model == "gpt2" && v.merges.empty())
        bad("a byte-level BPE (gpt2) vocabulary needs merges");
    for (int id : {v.bos, v.eos, v.pad, v.unk})
        if (id < -1 || id >= s.vocab)
            bad("special token id " + std::to_string(id) + " is out of the vocabulary");

    std::vector<std::string> tokens = v.tokens;
    std::vector<int32_t> types = v.types.empty() ? std::vector<int32_t>(tokens.size(), kTokenNormal) : v.types;
    std::vector<float> scores = v.scores;
    for (size_t i = tokens.size(); i < static_cast<size_t>(s.vocab); ++i) {
        tokens.push_back("[PAD" + std::to_string(i) + "]");
        types.push_back(kTokenUnused);
        if (!scores.empty())
            scores.push_back(-10000.0f);
    }

    w.setString("general.architecture", "llama");
    w.setU32("general.quantization_version", 2);
    if (!s.name.empty())
        w.setString("general.name", s.name);
    if (s.fileType >= 0)
        w.setU32("general.file_type", static_cast<uint32_t>(s.fileType));

    w.setU32("llama.vocab_size", static_cast<uint32_t>(s.vocab));
    w.setU32("llama.context_length", static_cast<uint32_t>(s.contextLength));
    w.setU32("llama.embedding_length", static_cast<uint32_t>(s.hidden));
    w.setU32("llama.block_count", static_cast<uint32_t>(s.layers));
    w.setU32("llama.feed_forward_length", static_cast<uint32_t>(s.ffn));
    w.setU32("llama.attention.head_count", static_cast<uint32_t>(s.heads));
    w.setU32("llama.attention.head_count_kv", static_cast<uint32_t>(s.kvHeads));
    w.setF32("llama.rope.freq_base", static_cast<float>(s.ropeTheta));
    w.setU32("llama.rope.dimension_count", static_cast<uint32_t>(s.hidden / s.heads));
    w.setF32("llama.attention.layer_norm_rms_epsilon", static_cast<float>(s.rmsEps));

    w.setString("tokenizer.ggml.model", v.model);
    w.setString("tokenizer.ggml.pre", !v.pre.empty() ? v.pre : (v.model == "gpt2" ? "gpt-2" : "default"));
    w.setStrings("tokenizer.ggml.tokens", std::move(tokens));
    if (!scores.empty())
        w.setF32s("tokenizer.ggml.scores", scores);
    w.setI32s("tokenizer.ggml.token_type", types);
    if (!v.merges.empty())
        w.setStrings("tokenizer.ggml.merges", v.merges);
    if (v.bos >= 0)
        w.setU32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(v.bos));
    if (v.eos >= 0)
        w.setU32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(v.eos));
    if (v.unk >= 0)
        w.setU32("tokenizer.ggml.unknown_token_id", static_cast<uint32_t>(v.unk));
    if (v.pad >= 0)
        w.setU32("tokenizer.ggml.padding_token_id", static_cast<uint32_t>(v.pad));
    w.setBool("tokenizer.ggml.add_bos_token", v.addBos);
    w.setBool("tokenizer.ggml.add_eos_token", v.addEos);
    w.setBool("tokenizer.ggml.add_space_prefix", v.addSpacePrefix);
    if (!v.chatTemplate.empty())
        w.setString("tokenizer.chat_template", v.chatTemplate);
}

namespace {

std::vector<float> permuteRows(const float* w, int64_t rows, int64_t cols, int nHead, bool toGguf) {
    if (nHead <= 0 || rows <= 0 || cols <= 0 || rows % nHead != 0 || (rows / nHead) % 2 != 0)
        throw InputError("q/k permutation: " + std::to_string(rows) + " rows do not split into " +
                         std::to_string(nHead) + " heads of even size");
    const int64_t hd = rows / nHead, half = hd / 2;
    std::vector<float> out(static_cast<size_t>(rows * cols));
    for (int64_t h = 0; h < nHead; ++h)
        for (int64_t s = 0; s < 2; ++s)
            for (int64_t i = 0; i < half; ++i) {
                const int64_t hf = h * hd + s * half + i; // HF rotate_half row
                const int64_t gg = h * hd + 2 * i + s;    // GGUF interleaved row
                const int64_t src = toGguf ? hf : gg, dst = toGguf ? gg : hf;
                std::memcpy(out.data() + dst * cols, w + src * cols, static_cast<size_t>(cols) * sizeof(float));
            }
    return out;
}

struct NamePair {
    const char* hf;
    const char* gguf;
};
const NamePair kLayerNames[] = {
    {"input_layernorm.weight", "attn_norm.weight"},    {"self_attn.q_proj.weight", "attn_q.weight"},
    {"self_attn.k_proj.weight", "attn_k.weight"},      {"self_attn.v_proj.weight", "attn_v.weight"},
    {"self_attn.o_proj.weight", "attn_output.weight"}, {"post_attention_layernorm.weight", "ffn_norm.weight"},
    {"mlp.gate_proj.weight", "ffn_gate.weight"},       {"mlp.up_proj.weight", "ffn_up.weight"},
    {"mlp.down_proj.weight", "ffn_down.weight"},
};
const NamePair kGlobalNames[] = {
    {"model.embed_tokens.weight", "token_embd.weight"},
    {"model.norm.weight", "output_norm.weight"},
    {"lm_head.weight", "output.weight"},
};

/// Splits "<prefix><digits>.<rest>"; false when it does not match.
bool splitLayer(const std::string& name, const std::string& prefix, std::string& index, std::string& rest) {
    if (name.compare(0, prefix.size(), prefix) != 0)
        return false;
    size_t i = prefix.size();
    const size_t start = i;
    while (i < name.size() && name[i] >= '0' && name[i] <= '9')
        ++i;
    if (i == start || i - start > 6 || i >= name.size() || name[i] != '.')
        return false;
    index = name.substr(start, i - start);
    rest = name.substr(i + 1);
    return true;
}

} // namespace

std::vector<float> permuteQkForGguf(const float* w, int64_t rows, int64_t cols, int nHead) {
    return permuteRows(w, rows, cols, nHead, true);
}

std::vector<float> unpermuteQkFromGguf(const float* w, int64_t rows, int64_t cols, int nHead) {
    return permuteRows(w, rows, cols, nHead, false);
}

std::string ggufNameForHf(const std::string& hfName) {
    for (const auto& p : kGlobalNames)
        if (hfName == p.hf)
            return p.gguf;
    std::string idx, rest;
    if (!splitLayer(hfName, "model.layers.", idx, rest))
        return "";
    for (const auto& p : kLayerNames)
        if (rest == p.hf)
            return "blk." + idx + "." + p.gguf;
    return "";
}

std::string hfNameForGguf(const std::string& ggufName) {
    for (const auto& p : kGlobalNames)
        if (ggufName == p.gguf)
            return p.hf;
    std::string idx, rest;
    if (!splitLayer(ggufName, "blk.", idx, rest))
        return "";
    for (const auto& p : kLayerNames)
        if (rest == p.gguf)
            return "model.layers." + idx + "." + p.hf;
    return "";
}

GgmlType llamaTensorType(const std::string& ggufName, const std::vector<int64_t>& shape, GgmlType fileType) {
    const std::string suffix = "_norm.weight";
    const bool isNorm = ggufName.size() >= suffix.size() &&
                        ggufName.compare(ggufName.size() - suffix.size(), suffix.size(), suffix) == 0;
    if (shape.size() <= 1 || isNorm)
        return GgmlType::F32;
    return fileType;
}

} // namespace mm::io
