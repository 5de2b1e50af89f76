#include "config/stage_options.h"

#include "config/stages.h"

#include <iterator>
#include <stdexcept>
#include <type_traits>

namespace mm::config {

namespace {

// A member of T or of one of its bases, as a member of T.
template <class T, class B, class M>
Binding<T> bind(const char* name, M B::*p) {
    return Binding<T>{name, static_cast<M T::*>(p)};
}

// The shared fields (addDataFields, addModelFields, addTrainingFields,
// addEvalFields in config/stage_fields.cpp); `parent`: the stage has --from_weight.
template <class T>
std::vector<Binding<T>> trainingBindings(bool parent) {
    using O = TrainingOptions;
    std::vector<Binding<T>> b{
        bind<T>("data_path", &O::dataPath),
        bind<T>("tokenizer", &O::tokenizer),
        bind<T>("skip_bad_lines", &O::skipBadLines),
        bind<T>("preset", &O::preset),
        bind<T>("hidden_size", &O::hiddenSize),
        bind<T>("num_hidden_layers", &O::numHiddenLayers),
        bind<T>("use_moe", &O::useMoe),
        bind<T>("num_attention_heads", &O::numAttentionHeads),
        bind<T>("num_key_value_heads", &O::numKeyValueHeads),
        bind<T>("epochs", &O::epochs),
        bind<T>("batch_size", &O::batchSize),
        bind<T>("learning_rate", &O::learningRate),
        bind<T>("accumulation_steps", &O::accumulationSteps),
        bind<T>("max_seq_len", &O::maxSeqLen),
        bind<T>("grad_clip", &O::gradClip),
        bind<T>("weight_decay", &O::weightDecay),
        bind<T>("warmup_steps", &O::warmupSteps),
        bind<T>("max_steps", &O::maxSteps),
        bind<T>("seed", &O::seed),
        bind<T>("out_dir", &O::outDir),
        bind<T>("device", &O::device),
        bind<T>("dtype", &O::dtype),
        bind<T>("threads", &O::threads),
        bind<T>("nproc_per_node", &O::nprocPerNode),
        bind<T>("log_interval", &O::logInterval),
        bind<T>("save_interval", &O::saveInterval),
        bind<T>("probe_interval", &O::probeInterval),
        bind<T>("probe_prompts", &O::probePrompts),
        bind<T>("probe_max_tokens", &O::probeMaxTokens),
        bind<T>("resume", &O::resume),
        bind<T>("ddp_timeout", &O::ddpTimeout),
        bind<T>("json", &O::json),
        bind<T>("eval_data", &O::evalData),
        bind<T>("eval_split", &O::evalSplit),
        bind<T>("eval_interval", &O::evalInterval),
        bind<T>("eval_max_samples", &O::evalMaxSamples),
    };
    if (parent)
        b.push_back(bind<T>("from_weight", &O::fromWeight));
    return b;
}

template <class T>
std::vector<Binding<T>> plus(std::vector<Binding<T>> a, std::vector<Binding<T>> b) {
    a.insert(a.end(), std::make_move_iterator(b.begin()), std::make_move_iterator(b.end()));
    return a;
}

template <class T>
T fromValues(const Values& v, const std::vector<Binding<T>>& bindings) {
    T o;
    o.stage = v.schema().stage;
    for (const auto& b : bindings)
        std::visit(
            [&](auto m) {
                using M = std::remove_reference_t<decltype(o.*m)>;
                if constexpr (std::is_same_v<M, int64_t>)
                    o.*m = v.getInt(b.name);
                else if constexpr (std::is_same_v<M, double>)
                    o.*m = v.getFloat(b.name);
                else if constexpr (std::is_same_v<M, bool>)
                    o.*m = v.getBool(b.name);
                else
                    o.*m = v.getString(b.name);
            },
            b.member);
    return o;
}

template <class T>
nlohmann::json toJson(const T& o, const std::vector<Binding<T>>& bindings) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& b : bindings)
        std::visit([&](auto m) { j[b.name] = o.*m; }, b.member);
    return j;
}

// 0 int, 1 float, 2 bool, 3 text: the variant index a field's member must have.
size_t kindOf(FieldType t) {
    switch (t) {
    case FieldType::Int: return 0;
    case FieldType::Float: return 1;
    case FieldType::Bool: return 2;
    default: return 3;
    }
}

template <class T>
std::vector<std::string> drift(const std::string& stage, const std::vector<Binding<T>>& bindings) {
    const Schema& s = schemaFor(stage);
    std::vector<std::string> out;
    for (const auto& f : s.fields) {
        size_t n = 0;
        for (const auto& b : bindings)
            if (b.name == f.name) {
                ++n;
                if (b.member.index() != kindOf(f.type))
                    out.push_back(f.name + " (member type does not fit the field type)");
            }
        if (n == 0)
            out.push_back(f.name);
        else if (n > 1)
            out.push_back(f.name + " (bound " + std::to_string(n) + " times)");
    }
    for (const auto& b : bindings)
        if (!s.find(b.name))
            out.push_back(b.name + " (bound, but not in the schema)");
    return out;
}

} // namespace

const std::vector<Binding<PretrainOptions>>& pretrainBindings() {
    static const auto b =
        plus(trainingBindings<PretrainOptions>(false), {bind<PretrainOptions>("packing", &PretrainOptions::packing)});
    return b;
}

const std::vector<Binding<SftOptions>>& sftBindings(const std::string& stage) {
    using O = SftOptions;
    static const auto full = plus(trainingBindings<O>(true), {bind<O>("lr_scale_with_batch", &O::lrScaleWithBatch)});
    static const auto reason = plus(trainingBindings<O>(true), {bind<O>("tag_weight", &O::tagWeight)});
    static const auto lora = plus(trainingBindings<O>(true),
                                  {bind<O>("lora_name", &O::loraName), bind<O>("lora_rank", &O::loraRank),
                                   bind<O>("lora_alpha", &O::loraAlpha), bind<O>("lora_targets", &O::loraTargets)});
    if (stage == "full_sft")
        return full;
    if (stage == "distill_reason")
        return reason;
    if (stage == "lora")
        return lora;
    throw std::logic_error("sftBindings: \"" + stage + "\" is not an SFT stage");
}

const std::vector<Binding<DpoOptions>>& dpoBindings() {
    using O = DpoOptions;
    static const auto b =
        plus(trainingBindings<O>(true), {bind<O>("beta", &O::beta), bind<O>("rpo_alpha", &O::rpoAlpha)});
    return b;
}

const std::vector<Binding<GrpoStageOptions>>& grpoBindings() {
    using O = GrpoStageOptions;
    static const auto b = plus(trainingBindings<O>(true),
                               {bind<O>("num_generations", &O::numGenerations), bind<O>("max_gen_len", &O::maxGenLen),
                                bind<O>("temperature", &O::temperature), bind<O>("beta", &O::beta),
                                bind<O>("clip_eps", &O::clipEps), bind<O>("rewards", &O::rewards),
                                bind<O>("sample_chars", &O::sampleChars), bind<O>("log_samples", &O::logSamples)});
    return b;
}

PretrainOptions pretrainOptions(const Values& v) { return fromValues(v, pretrainBindings()); }
SftOptions sftOptions(const Values& v) { return fromValues(v, sftBindings(v.schema().stage)); }
DpoOptions dpoOptions(const Values& v) { return fromValues(v, dpoBindings()); }
GrpoStageOptions grpoOptions(const Values& v) { return fromValues(v, grpoBindings()); }

nlohmann::json optionsJson(const PretrainOptions& o) { return toJson(o, pretrainBindings()); }
nlohmann::json optionsJson(const SftOptions& o) { return toJson(o, sftBindings(o.stage)); }
nlohmann::json optionsJson(const DpoOptions& o) { return toJson(o, dpoBindings()); }
nlohmann::json optionsJson(const GrpoStageOptions& o) { return toJson(o, grpoBindings()); }

std::vector<std::string> unboundFields(const std::string& stage) {
    if (stage == "pretrain")
        return drift(stage, pretrainBindings());
    if (stage == "full_sft" || stage == "distill_reason" || stage == "lora")
        return drift(stage, sftBindings(stage));
    if (stage == "dpo")
        return drift(stage, dpoBindings());
    if (stage == "grpo")
        return drift(stage, grpoBindings());
    throw std::logic_error("unboundFields: \"" + stage + "\" is not a training stage");
}

} // namespace mm::config
