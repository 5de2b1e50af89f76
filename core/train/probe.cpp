#include "train/probe.h"

#include "common/error.h"
#include "eval/generator.h"
#include "eval/prompts.h"
#include "eval/text_stream.h"

#include <filesystem>

namespace mm::train {

namespace stdfs = std::filesystem;

bool probeUsesRawPrompts(const std::string& stage) { return stage == "pretrain"; }

std::string defaultProbeSetName(const std::string& stage) {
    if (stage == "pretrain")
        return "pretrain";
    if (stage == "distill_reason" || stage == "grpo")
        return "eval";
    return "chat";
}

ProbeSet defaultProbeSet(const std::string& stage, const std::string& resourceDir, size_t n) {
    if (resourceDir.empty())
        throw InputError("the seed's prompt sets (share/micromind/prompts) were not found for the default probes; "
                         "pass --probe_prompts FILE or --probe_interval 0");
    const eval::PromptSet ps = eval::loadPromptSet(eval::promptSetPath(resourceDir, defaultProbeSetName(stage)));
    ProbeSet set;
    set.raw = probeUsesRawPrompts(stage);
    set.source = ps.path;
    for (size_t i = 0; i < ps.prompts.size() && i < n; ++i)
        set.prompts.push_back(ps.prompts[i].text);
    return set;
}

ProbeSet loadProbeFile(const std::string& path, const std::string& stage) {
    if (!stdfs::is_regular_file(path))
        throw InputError("--probe_prompts " + path +
                         ": no such file; give a .jsonl file with {\"prompt\": ...} per line or a text file with one "
                         "prompt per line");
    const eval::PromptSet ps = eval::loadPromptSet(path);
    ProbeSet set;
    set.raw = probeUsesRawPrompts(stage);
    set.source = path;
    for (const auto& p : ps.prompts)
        set.prompts.push_back(p.text);
    return set;
}

Prober::Prober(const text::Tokenizer& tok, ProbeSet set, int maxNewTokens, int64_t maxPositions,
               double repetitionPenalty)
    : m_tok(tok), m_set(std::move(set)), m_maxNew(maxNewTokens), m_penalty(repetitionPenalty) {
    for (size_t i = 0; i < m_set.prompts.size(); ++i) {
        m_ids.push_back(eval::promptIds(tok, m_set.prompts[i], m_set.raw));
        if (int64_t(m_ids.back().size()) + 1 > maxPositions)
            throw InputError(m_set.source + ": probe prompt " + std::to_string(i + 1) + " is " +
                             std::to_string(m_ids.back().size()) + " tokens, more than the model's " +
                             std::to_string(maxPositions) + " positions; shorten it");
    }
}

std::vector<ProbeSample> Prober::run(model::MiniMind& model) const {
    const bool wasTraining = model->is_training();
    eval::SamplingOptions o;
    o.greedy = true;
    o.maxNewTokens = m_maxNew;
    o.repetitionPenalty = m_penalty;
    o.stopIds = {text::special::kImEnd};
    std::vector<ProbeSample> out;
    {
        // Generator switches the model to eval mode and decodes under
        // InferenceMode; greedy decoding draws no random numbers.
        eval::Generator gen(model);
        for (size_t i = 0; i < m_ids.size(); ++i) {
            const eval::GenerationResult r = gen.generate(m_ids[i], o);
            ProbeSample s;
            s.prompt = m_set.prompts[i];
            s.completion = m_tok.decode(r.tokens);
            s.tokens = int64_t(r.tokens.size());
            s.stopped = r.hitStop;
            out.push_back(std::move(s));
        }
    }
    model->train(wasTraining);
    return out;
}

} // namespace mm::train
