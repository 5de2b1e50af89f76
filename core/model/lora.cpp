#include "model/lora.h"

#include "common/error.h"

#include <cctype>

namespace mm::model {

using torch::Tensor;

namespace {

const char* kPrefix = "model.";

// Every adapter-capable projection with its module name.
std::vector<std::pair<std::string, std::shared_ptr<LinearImpl>>> projections(MiniMind& model) {
    std::vector<std::pair<std::string, std::shared_ptr<LinearImpl>>> out;
    for (const auto& item : model->named_modules("", /*include_self=*/false)) {
        auto lin = std::dynamic_pointer_cast<LinearImpl>(item.value());
        if (lin)
            out.emplace_back(item.key(), lin);
    }
    return out;
}

} // namespace

nlohmann::json LoraOptions::toJson() const { return {{"rank", rank}, {"alpha", alpha}, {"targets", targets}}; }

LoraOptions LoraOptions::fromJson(const nlohmann::json& j) {
    LoraOptions o;
    try {
        o.rank = j.at("rank").get<int>();
        o.alpha = j.value("alpha", double(o.rank));
        if (j.contains("targets"))
            o.targets = j["targets"].get<std::vector<std::string>>();
    } catch (const std::exception& e) {
        throw InputError(std::string("LoRA options: ") + e.what());
    }
    if (o.rank < 1)
        throw InputError("LoRA rank must be at least 1 (got " + std::to_string(o.rank) + ")");
    return o;
}

LoraAdapterImpl::LoraAdapterImpl(int64_t in, int64_t out, int rank, double s) : scale(s) {
    A = register_module("A", Linear(in, rank));
    B = register_module("B", Linear(rank, out));
}

Tensor LoraAdapterImpl::forward(const Tensor& x) {
    Tensor y = B(A(x));
    return scale == 1.0 ? y : y * scale;
}

Tensor LoraAdapterImpl::delta() const { return torch::matmul(B->weight, A->weight) * scale; }

std::vector<std::string> attachLora(MiniMind& model, const LoraOptions& opts, uint64_t seed) {
    if (opts.rank < 1)
        throw InputError("--lora_rank must be at least 1");
    torch::NoGradGuard ng;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
    std::vector<std::string> names, all;
    for (auto& [name, lin] : projections(model)) {
        all.push_back(name);
        bool match = false;
        for (const auto& t : opts.targets)
            match = match || (!t.empty() && name.find(t) != std::string::npos);
        if (!match)
            continue;
        const int64_t out = lin->weight.size(0), in = lin->weight.size(1);
        auto a = std::make_shared<LoraAdapterImpl>(in, out, opts.rank, opts.alpha / opts.rank);
        // minimind: A ~ N(0, 0.02), B = 0 (the adapter starts as a no-op).
        a->A->weight.copy_(at::normal(0.0, 0.02, a->A->weight.sizes(), gen));
        a->B->weight.zero_();
        a->to(lin->weight.device(), lin->weight.scalar_type());
        lin->setAdapter(a);
        names.push_back(name);
    }
    if (names.empty()) {
        std::string msg = "--lora_targets matched no projection; the model's projections are named like";
        for (size_t i = 0; i < all.size() && i < 8; ++i)
            msg += " " + all[i];
        throw InputError(msg);
    }
    return names;
}

std::vector<Tensor> loraParameters(MiniMind& model) {
    std::vector<Tensor> out;
    for (auto& [name, lin] : projections(model))
        if (lin->adapter())
            for (auto& p : lin->adapter()->parameters())
                out.push_back(p);
    return out;
}

std::map<std::string, Tensor> loraStateDict(MiniMind& model) {
    std::map<std::string, Tensor> sd;
    for (auto& [name, lin] : projections(model)) {
        if (!lin->adapter())
            continue;
        for (const auto& p : lin->adapter()->named_parameters())
            sd[kPrefix + name + ".lora." + p.key()] = p.value().detach().to(torch::kCPU, torch::kFloat32).contiguous();
    }
    return sd;
}

LoraOptions loadLoraStateDict(MiniMind& model, const std::map<std::string, Tensor>& sd, const nlohmann::json& side,
                              const std::string& path) {
    std::map<std::string, std::shared_ptr<LinearImpl>> byName;
    for (auto& [name, lin] : projections(model))
        byName[name] = lin;
    LoraOptions opts;
    opts.targets.clear();
    bool haveAlpha = side.contains("lora") && side["lora"].contains("alpha");
    torch::NoGradGuard ng;
    for (const auto& [key, value] : sd) {
        const std::string suffix = ".lora.A.weight";
        if (key.size() <= suffix.size() || key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        std::string proj = key.substr(0, key.size() - suffix.size());
        if (proj.rfind(kPrefix, 0) == 0)
            proj = proj.substr(6);
        auto it = byName.find(proj);
        auto bIt = sd.find(key.substr(0, key.size() - 8) + "B.weight");
        if (it == byName.end())
            throw InputError("LoRA adapter " + path + " has " + key + " but the model has no projection " + proj +
                             "; the adapter belongs to another model shape");
        if (bIt == sd.end())
            throw InputError("LoRA adapter " + path + " has " + key + " without its B weight; the file is incomplete");
        const Tensor& W = it->second->weight;
        const Tensor& A = value;
        const Tensor& B = bIt->second;
        if (A.dim() != 2 || B.dim() != 2 || A.size(1) != W.size(1) || B.size(0) != W.size(0) || A.size(0) != B.size(1))
            throw InputError("LoRA adapter " + path + ": " + key + " does not fit the base projection " + proj +
                             " (base weight " + std::to_string(W.size(0)) + "x" + std::to_string(W.size(1)) +
                             "); use the base model the adapter was trained on");
        const int rank = int(A.size(0));
        opts.rank = rank;
        opts.alpha = haveAlpha ? side["lora"]["alpha"].get<double>() : double(rank);
        auto a = std::make_shared<LoraAdapterImpl>(W.size(1), W.size(0), rank, opts.alpha / rank);
        a->A->weight.copy_(A);
        a->B->weight.copy_(B);
        a->to(W.device(), W.scalar_type());
        it->second->setAdapter(a);
        opts.targets.push_back(proj);
    }
    if (opts.targets.empty())
        throw InputError("LoRA adapter " + path + " holds no \"*.lora.A.weight\" tensors; it is not a LoRA adapter");
    return opts;
}

void mergeLora(MiniMind& model) {
    torch::NoGradGuard ng;
    for (auto& [name, lin] : projections(model)) {
        auto a = std::dynamic_pointer_cast<LoraAdapterImpl>(lin->adapter());
        if (!a)
            continue;
        lin->weight.add_(a->delta().to(lin->weight.scalar_type()));
        lin->clearAdapter();
    }
}

bool validLoraName(const std::string& name) {
    if (name.empty() || name.size() > 100 || name[0] == '.')
        return false;
    for (unsigned char c : name)
        if (!(std::isalnum(c) || c == '_' || c == '-' || c == '.'))
            return false;
    return true;
}

} // namespace mm::model
