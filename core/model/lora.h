#pragma once
// LoRA (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models"):
// a projection y = W x becomes y = W x + (alpha / r) * B A x with A (r x in)
// drawn small, B (out x r) zero-initialised, so training starts exactly at the
// base model. Implemented as an explicit adapter module registered on
// model::Linear (submodule "lora"), never by patching forward.
//
// Parameter names follow minimind's model_lora.py: "<proj>.lora.A.weight" and
// "<proj>.lora.B.weight", so an adapter file is a state dict Python can load.
// Departure from minimind: minimind has no alpha (its scale is 1) and wraps
// only square projections; here alpha/rank is configurable (alpha = rank
// reproduces minimind) and the targets are chosen by name.

#include "model/minimind.h"

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mm::model {

struct LoraOptions {
    int rank = 8;
    double alpha = 8; ///< scale = alpha / rank
    /// A projection is wrapped when its module name (e.g.
    /// "layers.0.self_attn.q_proj") contains one of these strings.
    std::vector<std::string> targets{"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
    nlohmann::json toJson() const;
    /// Throws InputError naming the bad field.
    static LoraOptions fromJson(const nlohmann::json& j);
};

/// The adapter: forward(x) = scale * B(A(x)).
class LoraAdapterImpl : public AdapterImpl {
public:
    LoraAdapterImpl(int64_t in, int64_t out, int rank, double scale);
    torch::Tensor forward(const torch::Tensor& x) override;
    /// scale * B @ A, shape (out, in): what merging adds to the base weight.
    torch::Tensor delta() const;
    Linear A{nullptr}, B{nullptr};
    double scale;
};

/// Attaches fresh adapters (A ~ N(0, 0.02) seeded, B = 0) to every matching
/// projection; returns their module names. Throws InputError when nothing
/// matches (the message lists the projection names).
std::vector<std::string> attachLora(MiniMind& model, const LoraOptions& opts, uint64_t seed);

/// Parameters of all attached adapters (what LoRA training optimises).
std::vector<torch::Tensor> loraParameters(MiniMind& model);

/// Adapter weights under minimind's names ("model.<proj>.lora.A.weight"),
/// float32 on the CPU.
std::map<std::string, torch::Tensor> loraStateDict(MiniMind& model);

/// Attaches adapters for the projections named in an adapter state dict (the
/// inverse of loraStateDict) and loads them. The rank comes from the tensor
/// shapes, alpha from `sidecar`'s "lora" object (rank when absent, as
/// minimind). Throws InputError naming `source` (the file) and the key when the
/// tensors do not fit the model. Reading and writing adapter files:
/// weights/lora_adapter.h.
LoraOptions loadLoraStateDict(MiniMind& model, const std::map<std::string, torch::Tensor>& sd,
                              const nlohmann::json& sidecar, const std::string& source);

/// Folds every adapter into its base weight (W += scale * B A) and removes the
/// adapters: the merged model computes the same function without them.
void mergeLora(MiniMind& model);

/// True for names usable as --lora_name (a plain file name: letters, digits,
/// '_', '-', '.', not starting with '.').
bool validLoraName(const std::string& name);

} // namespace mm::model
