#pragma once
// The MiniMind decoder (minimind2): pre-norm RMSNorm, RoPE, grouped-query
// attention, SwiGLU or MoE feed-forward, tied embedding / LM head, no biases.
// Module and parameter names follow minimind's PyTorch code, so
// named_parameters() yields "model.layers.0.self_attn.q_proj.weight" etc.
// The model is pure: forward gives logits (and the MoE aux loss); optimisation,
// checkpoints and generation live elsewhere.

#include "model/model_config.h"

#include <torch/torch.h>

#include <vector>

namespace mm::model {

/// Per-layer key/value cache for incremental decoding, preallocated to a
/// capacity so each step writes in place instead of concatenating.
struct KvCache {
    std::vector<torch::Tensor> k, v; ///< (B, kvHeads, capacity, headDim) per layer
    int64_t length = 0;              ///< positions filled
    int64_t capacity = 0;
    /// Left padding for a batch of prompts of different lengths: row b's
    /// sequence starts at slot rowStart[b] and the slots before it are masked
    /// out of attention. Empty = every row starts at slot 0. Positions are the
    /// slot indices; with RoPE only differences of positions enter the
    /// attention scores, so a row shifted right by its padding attends exactly
    /// as it would alone (up to float rounding).
    std::vector<int64_t> rowStart;
    bool empty() const { return k.empty(); }
};

/// A reduced-precision copy of one or more weights stacked along the output
/// axis, for inference on a few rows (KV-cached decoding): bfloat16, or int8
/// with a float32 scale per output row. update() rebuilds it only when the
/// dtype or a source weight changed (tracked by the tensors' version
/// counters, which every in-place update such as an optimizer step bumps), so
/// asking for the same dtype before each generation costs nothing.
struct DecodeWeight {
    torch::Tensor w, scale; ///< undefined when off (float32)
    /// Sets the dtype (float32 = off) for the stacked `sources`.
    void update(const std::vector<torch::Tensor>& sources, torch::ScalarType dtype);
    bool active() const { return w.defined(); }

private:
    torch::ScalarType m_dtype = torch::kFloat32;
    std::vector<std::pair<const void*, int64_t>> m_versions;
};

/// Something added to a projection's output, e.g. a LoRA adapter: y = Wx + a(x).
/// Registered as the submodule "lora" of the projection, so its parameters are
/// named "<proj>.lora.<...>" (minimind's LoRA naming).
class AdapterImpl : public torch::nn::Module {
public:
    virtual torch::Tensor forward(const torch::Tensor& x) = 0;
};

/// A bias-free linear projection (parameter "weight", shape (out, in), as
/// torch.nn.Linear) that can carry an adapter.
class LinearImpl : public torch::nn::Module {
public:
    LinearImpl(int64_t in, int64_t out);
    torch::Tensor forward(const torch::Tensor& x);
    /// Registers `a` as submodule "lora" (replacing any previous adapter).
    void setAdapter(std::shared_ptr<AdapterImpl> a);
    /// Unregisters the adapter.
    void clearAdapter();
    const std::shared_ptr<AdapterImpl>& adapter() const { return m_adapter; }
    /// Keeps a bfloat16 or int8 (per-row scaled) copy of the weight for
    /// inference on a few rows (KV-cached decoding); float32 drops it. Must be
    /// refreshed after the weight changes.
    void setDecodeDtype(torch::ScalarType dtype);
    torch::Tensor weight;

private:
    std::shared_ptr<AdapterImpl> m_adapter;
    DecodeWeight m_dec;
};
TORCH_MODULE(Linear);

class RMSNormImpl : public torch::nn::Module {
public:
    RMSNormImpl(int64_t dim, double eps);
    torch::Tensor forward(const torch::Tensor& x);
    torch::Tensor weight;
    double eps;
};
TORCH_MODULE(RMSNorm);

class AttentionImpl : public torch::nn::Module {
public:
    explicit AttentionImpl(const ModelConfig& c);
    /// x: (B, T, hidden). With a cache, keys/values are appended at cache.length
    /// and attention spans the whole cache; `start` is the first position.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin, int64_t start,
                          KvCache* cache, int layer);
    /// Decode weights (see DecodeWeight) of the four projections, plus q, k
    /// and v stacked into one matrix: one pass over the input per step.
    void setDecodeDtype(torch::ScalarType dtype);
    Linear q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};

private:
    int64_t m_heads, m_kvHeads, m_headDim;
    DecodeWeight m_qkv;
};
TORCH_MODULE(Attention);

class FeedForwardImpl : public torch::nn::Module {
public:
    FeedForwardImpl(int64_t hidden, int64_t ffn);
    torch::Tensor forward(const torch::Tensor& x);
    /// Decode weights of the projections, gate and up stacked into one.
    void setDecodeDtype(torch::ScalarType dtype);
    Linear gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};

private:
    DecodeWeight m_gateUp;
};
TORCH_MODULE(FeedForward);

/// DeepSeek-style MoE: routed experts picked per token by a softmax gate (top-k,
/// weights renormalised) plus always-on shared experts. The auxiliary
/// load-balancing loss is minimind's sequence-level variant (alpha * sum over
/// experts of load * mean score, per sequence).
class MoEFeedForwardImpl : public torch::nn::Module {
public:
    explicit MoEFeedForwardImpl(const ModelConfig& c);
    torch::Tensor forward(const torch::Tensor& x);
    torch::Tensor auxLoss; ///< set by forward in training mode
    torch::nn::ModuleList experts{nullptr}, shared_experts{nullptr};
    torch::Tensor gateWeight; ///< "gate.weight", (experts, hidden)

private:
    ModelConfig m_c;
};
TORCH_MODULE(MoEFeedForward);

class BlockImpl : public torch::nn::Module {
public:
    BlockImpl(const ModelConfig& c);
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin, int64_t start,
                          KvCache* cache, int layer);
    Attention self_attn{nullptr};
    RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
    FeedForward mlp{nullptr};
    MoEFeedForward moe{nullptr};
};
TORCH_MODULE(Block);

/// Output of a forward pass.
struct ForwardOutput {
    torch::Tensor logits;  ///< (B, T', vocab)
    torch::Tensor auxLoss; ///< scalar (zero without MoE)
};

class MiniMindImpl : public torch::nn::Module {
public:
    explicit MiniMindImpl(const ModelConfig& c);

    /// ids: (B, T) int64. `lastOnly` returns logits of the last position only
    /// (generation). With a cache, positions continue from cache->length.
    ForwardOutput forward(const torch::Tensor& ids, KvCache* cache = nullptr, bool lastOnly = false);
    /// Final hidden states (B, T, hidden) before the LM head.
    torch::Tensor hidden(const torch::Tensor& ids, KvCache* cache, torch::Tensor* auxLoss);
    /// Projects hidden states to logits with the tied embedding.
    torch::Tensor lmHead(const torch::Tensor& h) const;

    /// A cache for `batch` sequences of up to `capacity` positions, on the
    /// model's device and dtype.
    KvCache makeCache(int64_t batch, int64_t capacity) const;

    /// Decoding weights in bfloat16 or int8 (see LinearImpl::setDecodeDtype);
    /// float32 = off (exact).
    void setDecodeDtype(torch::ScalarType dtype);

    /// Initialises weights as minimind (normal std 0.02 for linear/embedding).
    void resetParameters(uint64_t seed);

    const ModelConfig& config() const { return m_c; }

    torch::nn::Embedding embed_tokens{nullptr};
    torch::nn::ModuleList layers{nullptr};
    RMSNorm norm{nullptr};

private:
    ModelConfig m_c;
    torch::Tensor m_cos, m_sin; // RoPE tables, buffers (not saved)
    DecodeWeight m_head;        // LM head for decoding (bfloat16 / int8)
};
TORCH_MODULE(MiniMind);

} // namespace mm::model
