#include "model/minimind.h"

#include "common/torch_compat.h"
#include "model/fused_ops.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace mm::model {

using torch::Tensor;
namespace F = torch::nn::functional;

LinearImpl::LinearImpl(int64_t in, int64_t out) {
    // torch.nn.Linear's default init; MiniMind::resetParameters re-draws it.
    weight = register_parameter(
        "weight", torch::empty({out, in}).uniform_(-1.0 / std::sqrt(double(in)), 1.0 / std::sqrt(double(in))));
}

void DecodeWeight::update(const std::vector<Tensor>& sources, torch::ScalarType dtype) {
    TORCH_CHECK(dtype == torch::kFloat32 || dtype == torch::kBFloat16 || dtype == torch::kChar,
                "decode weights are float32, bfloat16 or int8");
    std::vector<std::pair<const void*, int64_t>> versions;
    for (const auto& t : sources)
        versions.emplace_back(t.data_ptr(), t._version());
    if (dtype == m_dtype && versions == m_versions && (dtype == torch::kFloat32) != active())
        return;
    m_dtype = dtype;
    m_versions = std::move(versions);
    scale = Tensor();
    if (dtype == torch::kFloat32) {
        w = Tensor();
        return;
    }
    torch::NoGradGuard ng;
    Tensor all = sources.size() == 1 ? sources[0].detach() : torch::cat(sources, 0).detach();
    if (dtype == torch::kBFloat16)
        w = all.to(torch::kBFloat16).contiguous();
    else
        std::tie(w, scale) = ops::quantizeRowsInt8(all);
}

namespace {
bool fewRowsInference(const Tensor& x, int64_t in) {
    return x.is_cpu() && x.numel() <= ops::kFewRows * in && !torch::GradMode::is_enabled();
}
} // namespace

void LinearImpl::setDecodeDtype(torch::ScalarType dtype) { m_dec.update({weight}, dtype); }

torch::Tensor LinearImpl::forward(const torch::Tensor& x) {
    Tensor y = (m_dec.active() && fewRowsInference(x, weight.size(1))) ? ops::linearRows(x, m_dec.w, m_dec.scale)
                                                                       : ops::linear(x, weight);
    if (m_adapter)
        y = y + m_adapter->forward(x);
    return y;
}

void LinearImpl::setAdapter(std::shared_ptr<AdapterImpl> a) {
    clearAdapter();
    m_adapter = register_module("lora", std::move(a));
}

void LinearImpl::clearAdapter() {
    if (m_adapter) {
        unregister_module("lora");
        m_adapter.reset();
    }
}

RMSNormImpl::RMSNormImpl(int64_t dim, double e) : eps(e) { weight = register_parameter("weight", torch::ones({dim})); }

Tensor RMSNormImpl::forward(const Tensor& x) { return ops::rmsNorm(x, weight, eps); }

namespace {
Linear linear(int64_t in, int64_t out) { return Linear(in, out); }

// Query positions per block of blockedCausalAttention.
constexpr int64_t kCausalBlock = 128;

// Causal mask for T queries at positions start..start+T-1 against S = start+T
// keys, repeated `rep` times along the query axis (GQA heads are folded into
// the query rows): true = masked.
Tensor causalMask(int64_t T, int64_t start, int64_t rep, const torch::Device& dev) {
    auto q = torch::arange(start, start + T, torch::TensorOptions().dtype(torch::kLong).device(dev)).unsqueeze(1);
    auto k = torch::arange(0, start + T, torch::TensorOptions().dtype(torch::kLong).device(dev)).unsqueeze(0);
    Tensor m = k > q; // (T, S)
    if (rep > 1)
        m = m.unsqueeze(0).expand({rep, T, start + T}).reshape({rep * T, start + T});
    return m;
}

// The causal mask of a left-padded batch, (B, 1, rep*T, S): a query at slot q
// of row b sees keys rowStart[b] <= k <= q. Padding queries (q < rowStart[b])
// see only themselves, so their softmax stays finite (an all-masked row would
// give NaN, and NaN values at padded slots would leak through probs @ V).
Tensor paddedCausalMask(int64_t T, int64_t start, int64_t rep, const std::vector<int64_t>& rowStart,
                        const torch::Device& dev) {
    const int64_t B = int64_t(rowStart.size()), S = start + T;
    auto opts = torch::TensorOptions().dtype(torch::kLong).device(dev);
    Tensor q = torch::arange(start, S, opts).view({1, T, 1});
    Tensor k = torch::arange(0, S, opts).view({1, 1, S});
    Tensor first = torch::tensor(rowStart, torch::kLong).to(dev).view({B, 1, 1});
    Tensor m = (k > q) | ((k < first) & (k != q)); // (B, T, S)
    if (rep > 1)
        m = m.unsqueeze(1).expand({B, rep, T, S}).reshape({B, rep * T, S});
    return m.unsqueeze(1);
}
// Causal attention of a whole sequence (training, prefill without a cache) in
// blocks of kCausalBlock query positions: block i scores only the keys up to
// its last position, so the upper triangle of the T x T scores is mostly never
// computed (for T = 512 in blocks of 128: 62.5 % of the products and of the
// score memory, forward and backward). q: (B,H,T,D) scaled, k, v: (B,KV,T,D);
// returns (B,T,H*D).
Tensor blockedCausalAttention(const Tensor& qh, const Tensor& kh, const Tensor& vh, int64_t rep) {
    const int64_t B = qh.size(0), H = qh.size(1), T = qh.size(2), D = qh.size(3), KV = H / rep;
    Tensor q5 = qh.view({B, KV, rep, T, D});
    std::vector<Tensor> outs;
    for (int64_t s = 0; s < T; s += kCausalBlock) {
        const int64_t len = std::min(kCausalBlock, T - s), end = s + len;
        Tensor qb = q5.narrow(3, s, len).reshape({B, KV, rep * len, D});
        Tensor kb = kh.narrow(2, 0, end), vb = vh.narrow(2, 0, end);
        Tensor scores = ops::matmul(qb, kb.transpose(-1, -2)); // (B,KV,rep*len,end)
        {
            // Outside autograd, as in AttentionImpl::forward.
            torch::NoGradGuard ng;
            scores.masked_fill_(causalMask(len, s, rep, qh.device()), -std::numeric_limits<float>::infinity());
        }
        outs.push_back(ops::matmul(torch::softmax(scores, -1), vb).view({B, KV, rep, len, D}));
    }
    return torch::cat(outs, 3).view({B, H, T, D}).transpose(1, 2).reshape({B, T, H * D});
}

} // namespace

AttentionImpl::AttentionImpl(const ModelConfig& c)
    : m_heads(c.numHeads), m_kvHeads(c.numKvHeads), m_headDim(c.headDim()) {
    q_proj = register_module("q_proj", linear(c.hiddenSize, m_heads * m_headDim));
    k_proj = register_module("k_proj", linear(c.hiddenSize, m_kvHeads * m_headDim));
    v_proj = register_module("v_proj", linear(c.hiddenSize, m_kvHeads * m_headDim));
    o_proj = register_module("o_proj", linear(m_heads * m_headDim, c.hiddenSize));
}

Tensor AttentionImpl::forward(const Tensor& x, const Tensor& cos, const Tensor& sin, int64_t start, KvCache* cache,
                              int layer) {
    const int64_t B = x.size(0), T = x.size(1), H = m_heads, KV = m_kvHeads, D = m_headDim, rep = H / KV;
    Tensor q, k, v;
    if (m_qkv.active() && fewRowsInference(x, x.size(-1)) && !q_proj->adapter() && !k_proj->adapter() &&
        !v_proj->adapter()) {
        Tensor qkv = ops::linearRows(x, m_qkv.w, m_qkv.scale); // (B,T,(H+2KV)*D)
        q = qkv.narrow(-1, 0, H * D).contiguous().view({B, T, H, D});
        k = qkv.narrow(-1, H * D, KV * D).contiguous().view({B, T, KV, D});
        v = qkv.narrow(-1, (H + KV) * D, KV * D).view({B, T, KV, D});
    } else {
        q = q_proj(x).view({B, T, H, D});
        k = k_proj(x).view({B, T, KV, D});
        v = v_proj(x).view({B, T, KV, D});
    }
    // The 1/sqrt(D) score scale is folded into q's rotation: T*D multiplies
    // instead of T*S on the scores.
    Tensor qh = ops::ropeTranspose(q, cos, sin, start, 1.0 / std::sqrt(double(D))); // (B,H,T,D)
    Tensor kh = ops::ropeTranspose(k, cos, sin, start, 1.0);                        // (B,KV,T,D)
    Tensor vh = v.transpose(1, 2);                                                  // (B,KV,T,D)

    Tensor kAll = kh, vAll = vh;
    if (cache) {
        cache->k[layer].narrow(2, start, T).copy_(kh);
        cache->v[layer].narrow(2, start, T).copy_(vh);
        if (T == 1 && x.is_cpu() && x.scalar_type() == torch::kFloat32 && !torch::GradMode::is_enabled())
            return o_proj(ops::decodeAttention(qh, cache->k[layer], cache->v[layer], start + 1,
                                               cache->rowStart.empty() ? nullptr : cache->rowStart.data()));
        kAll = cache->k[layer].narrow(2, 0, start + T);
        vAll = cache->v[layer].narrow(2, 0, start + T);
    } else if (x.is_cuda()) {
        // q is already scaled, hence scale 1 for the fused kernel.
        Tensor fused =
            compat::fusedCausalAttention(qh, kh.repeat_interleave(rep, 1), vh.repeat_interleave(rep, 1), 1.0);
        if (fused.defined())
            return o_proj(fused.transpose(1, 2).reshape({B, T, H * D}));
    }
    if (!cache && T >= 2 * kCausalBlock)
        return o_proj(blockedCausalAttention(qh, kh, vh, rep));
    // Grouped-query attention without repeating K/V: the `rep` query heads that
    // share a KV head are stacked along the row axis, so one batched matmul per
    // KV head computes all their scores.
    Tensor qg = qh.view({B, KV, rep * T, D});
    Tensor scores = ops::matmul(qg, kAll.transpose(-1, -2)); // (B,KV,rep*T,S)
    if (cache && !cache->rowStart.empty()) {
        TORCH_CHECK(int64_t(cache->rowStart.size()) == B, "KvCache::rowStart has ", cache->rowStart.size(),
                    " rows for a batch of ", B);
        torch::NoGradGuard ng;
        scores.masked_fill_(paddedCausalMask(T, start, rep, cache->rowStart, x.device()),
                            -std::numeric_limits<float>::infinity());
    } else if (T > 1) {
        // Masked outside autograd: softmax gives exactly zero gradient at masked
        // positions (p = 0 there), so recording the fill would only add a
        // backward pass over the whole score tensor. Safe because nothing saves
        // `scores` for backward (matmul keeps its inputs, softmax its output).
        torch::NoGradGuard ng;
        scores.masked_fill_(causalMask(T, start, rep, x.device()), -std::numeric_limits<float>::infinity());
    }
    Tensor probs = torch::softmax(scores, -1);
    Tensor out = ops::matmul(probs, vAll); // (B,KV,rep*T,D)
    out = out.view({B, H, T, D}).transpose(1, 2).reshape({B, T, H * D});
    return o_proj(out);
}

void AttentionImpl::setDecodeDtype(torch::ScalarType dtype) {
    for (auto* l : {q_proj.get(), k_proj.get(), v_proj.get(), o_proj.get()})
        l->setDecodeDtype(dtype);
    m_qkv.update({q_proj->weight, k_proj->weight, v_proj->weight}, dtype);
}

FeedForwardImpl::FeedForwardImpl(int64_t hidden, int64_t ffn) {
    gate_proj = register_module("gate_proj", linear(hidden, ffn));
    down_proj = register_module("down_proj", linear(ffn, hidden));
    up_proj = register_module("up_proj", linear(hidden, ffn));
}

Tensor FeedForwardImpl::forward(const Tensor& x) {
    if (m_gateUp.active() && fewRowsInference(x, x.size(-1)) && !gate_proj->adapter() && !up_proj->adapter()) {
        const int64_t F = gate_proj->weight.size(0);
        Tensor gu = ops::linearRows(x, m_gateUp.w, m_gateUp.scale); // (..., 2F)
        return down_proj(ops::swiGlu(gu.narrow(-1, 0, F).contiguous(), gu.narrow(-1, F, F).contiguous()));
    }
    return down_proj(ops::swiGlu(gate_proj(x), up_proj(x)));
}

void FeedForwardImpl::setDecodeDtype(torch::ScalarType dtype) {
    for (auto* l : {gate_proj.get(), up_proj.get(), down_proj.get()})
        l->setDecodeDtype(dtype);
    m_gateUp.update({gate_proj->weight, up_proj->weight}, dtype);
}

MoEFeedForwardImpl::MoEFeedForwardImpl(const ModelConfig& c) : m_c(c) {
    experts = register_module("experts", torch::nn::ModuleList());
    for (int i = 0; i < c.numRoutedExperts; ++i)
        experts->push_back(FeedForward(c.hiddenSize, c.ffnSize()));
    auto gate = register_module("gate", linear(c.hiddenSize, c.numRoutedExperts));
    gateWeight = gate->weight;
    shared_experts = register_module("shared_experts", torch::nn::ModuleList());
    for (int i = 0; i < c.numSharedExperts; ++i)
        shared_experts->push_back(FeedForward(c.hiddenSize, c.ffnSize()));
}

Tensor MoEFeedForwardImpl::forward(const Tensor& x) {
    const int64_t B = x.size(0), T = x.size(1), Hd = x.size(2), E = m_c.numRoutedExperts, K = m_c.expertsPerToken;
    Tensor flat = x.reshape({B * T, Hd});
    Tensor scores = torch::softmax(F::linear(flat, gateWeight), -1); // (N,E)
    auto [topW, topI] = torch::topk(scores, K, -1, true, false);
    if (m_c.normTopkProb && K > 1)
        topW = topW / (topW.sum(-1, true) + 1e-20);
    Tensor y = torch::zeros_like(flat);
    for (int64_t e = 0; e < E; ++e) {
        Tensor hit = topI.eq(e);                       // (N,K)
        Tensor rows = hit.any(-1).nonzero().flatten(); // tokens routed to e
        if (rows.numel() == 0)
            continue;
        Tensor w = (topW * hit.to(topW.scalar_type())).sum(-1).index_select(0, rows).unsqueeze(-1);
        Tensor out = experts[e]->as<FeedForward>()->forward(flat.index_select(0, rows)) * w;
        y = y.index_add(0, rows, out);
    }
    for (const auto& m : *shared_experts)
        y = y + m->as<FeedForward>()->forward(flat);
    if (is_training() && m_c.auxLossAlpha > 0) {
        // Sequence-level balance loss: per sequence, fraction of routing slots
        // each expert received (scaled so uniform = 1) times its mean gate score.
        Tensor load = torch::zeros({B, E}, scores.options())
                          .scatter_add_(1, topI.view({B, T * K}), torch::ones({B, T * K}, scores.options()))
                          .div_(double(T * K) / double(E));
        auxLoss = (load * scores.view({B, T, E}).mean(1)).sum(1).mean() * m_c.auxLossAlpha;
    } else {
        auxLoss = torch::zeros({}, scores.options());
    }
    return y.view({B, T, Hd});
}

BlockImpl::BlockImpl(const ModelConfig& c) {
    self_attn = register_module("self_attn", Attention(c));
    input_layernorm = register_module("input_layernorm", RMSNorm(c.hiddenSize, c.rmsEps));
    post_attention_layernorm = register_module("post_attention_layernorm", RMSNorm(c.hiddenSize, c.rmsEps));
    // minimind names both kinds of feed-forward "mlp".
    if (c.useMoe)
        moe = register_module("mlp", MoEFeedForward(c));
    else
        mlp = register_module("mlp", FeedForward(c.hiddenSize, c.ffnSize()));
}

Tensor BlockImpl::forward(const Tensor& x, const Tensor& cos, const Tensor& sin, int64_t start, KvCache* cache,
                          int layer) {
    Tensor h = x + self_attn->forward(input_layernorm->forward(x), cos, sin, start, cache, layer);
    Tensor n = post_attention_layernorm->forward(h);
    return h + (moe ? moe->forward(n) : mlp->forward(n));
}

MiniMindImpl::MiniMindImpl(const ModelConfig& c) : m_c(c) {
    embed_tokens = register_module("embed_tokens", torch::nn::Embedding(c.vocabSize, c.hiddenSize));
    layers = register_module("layers", torch::nn::ModuleList());
    for (int i = 0; i < c.numLayers; ++i)
        layers->push_back(Block(c));
    norm = register_module("norm", RMSNorm(c.hiddenSize, c.rmsEps));
    // RoPE tables (rotate-half layout: [cos(f), cos(f)]) as non-trainable buffers
    // so they follow .to(device); the checkpoint layer leaves them out, as
    // minimind registers them non-persistent.
    const int64_t D = c.headDim();
    Tensor inv = 1.0 / torch::pow(c.ropeTheta, torch::arange(0, D, 2, torch::kFloat64) / double(D));
    Tensor t = torch::arange(0, c.maxPositions, torch::kFloat64);
    Tensor fr = torch::outer(t, inv);
    m_cos = register_buffer("rope_cos", torch::cat({fr.cos(), fr.cos()}, -1).to(torch::kFloat32));
    m_sin = register_buffer("rope_sin", torch::cat({fr.sin(), fr.sin()}, -1).to(torch::kFloat32));
}

void MiniMindImpl::resetParameters(uint64_t seed) {
    torch::NoGradGuard ng;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    for (auto& p : named_parameters()) {
        Tensor& w = p.value();
        if (w.dim() == 1) {
            w.fill_(1.0); // RMSNorm gains
        } else {
            Tensor tmp = at::normal(0.0, 0.02, w.sizes(), gen, torch::TensorOptions().dtype(torch::kFloat32));
            w.copy_(tmp);
        }
    }
}

Tensor MiniMindImpl::lmHead(const Tensor& h) const {
    if (m_head.active() && fewRowsInference(h, m_c.hiddenSize))
        return ops::linearRows(h, m_head.w, m_head.scale);
    return ops::linear(h, embed_tokens->weight);
}

void MiniMindImpl::setDecodeDtype(torch::ScalarType dtype) {
    for (auto& m : modules(false)) {
        if (auto* a = m->as<AttentionImpl>())
            a->setDecodeDtype(dtype);
        else if (auto* f = m->as<FeedForwardImpl>())
            f->setDecodeDtype(dtype);
        else if (auto* lin = m->as<LinearImpl>())
            lin->setDecodeDtype(dtype); // e.g. the MoE gate; projections above are set twice, harmlessly
    }
    m_head.update({embed_tokens->weight}, dtype);
}

Tensor MiniMindImpl::hidden(const Tensor& ids, KvCache* cache, Tensor* auxLoss) {
    const int64_t T = ids.size(1);
    const int64_t start = cache ? cache->length : 0;
    TORCH_CHECK(start + T <= m_c.maxPositions, "sequence of ", start + T, " positions exceeds max_position_embeddings ",
                m_c.maxPositions);
    if (cache)
        TORCH_CHECK(start + T <= cache->capacity, "KV cache capacity ", cache->capacity, " exceeded");
    Tensor h = embed_tokens->forward(ids);
    Tensor aux;
    int i = 0;
    for (const auto& l : *layers) {
        auto* blk = l->as<Block>();
        h = blk->forward(h, m_cos, m_sin, start, cache, i++);
        if (blk->moe && auxLoss)
            aux = aux.defined() ? aux + blk->moe->auxLoss : blk->moe->auxLoss;
    }
    if (cache)
        cache->length = start + T;
    if (auxLoss)
        *auxLoss = aux.defined() ? aux : torch::zeros({}, h.options());
    return norm->forward(h);
}

ForwardOutput MiniMindImpl::forward(const Tensor& ids, KvCache* cache, bool lastOnly) {
    ForwardOutput out;
    Tensor h = hidden(ids, cache, &out.auxLoss);
    if (lastOnly)
        h = h.narrow(1, h.size(1) - 1, 1);
    out.logits = lmHead(h);
    return out;
}

KvCache MiniMindImpl::makeCache(int64_t batch, int64_t capacity) const {
    KvCache c;
    c.capacity = std::min<int64_t>(capacity, m_c.maxPositions);
    auto opts = embed_tokens->weight.options().requires_grad(false);
    for (int i = 0; i < m_c.numLayers; ++i) {
        c.k.push_back(torch::empty({batch, m_c.numKvHeads, c.capacity, m_c.headDim()}, opts));
        c.v.push_back(torch::empty({batch, m_c.numKvHeads, c.capacity, m_c.headDim()}, opts));
    }
    return c;
}

} // namespace mm::model
