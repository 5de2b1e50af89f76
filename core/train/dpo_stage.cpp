#include "train/dpo_stage.h"

#include "common/error.h"
#include "common/fs.h"
#include "data/jsonl.h"
#include "text/chat_template.h"
#include "train/pretrain_stage.h"
#include "train/stage_losses.h"

#include <cstring>

namespace mm::train {

using torch::Tensor;

namespace {

constexpr char kRefMagic[8] = {'M', 'M', 'D', 'P', 'O', 'R', 'F', '1'};

// prompt turns + generation header | answer + <|im_end|> (targets) | "\n".
void encodeConversation(const text::Tokenizer& tok, const std::vector<text::Message>& msgs, std::vector<int32_t>& ids,
                        std::vector<uint8_t>& mask) {
    std::vector<text::Message> prompt(msgs.begin(), msgs.end() - 1);
    ids.clear();
    mask.clear();
    auto add = [&](const std::string& s, uint8_t m) {
        for (int id : tok.encode(s)) {
            ids.push_back(id);
            mask.push_back(m);
        }
    };
    add(tok.renderChat(prompt, true), 0);
    add(msgs.back().content, 1);
    ids.push_back(text::special::kImEnd);
    mask.push_back(1);
    add("\n", 0);
}

bool hasTarget(const std::vector<uint8_t>& mask, int seqLen) {
    const size_t n = std::min(mask.size(), size_t(seqLen) + 1);
    for (size_t j = 1; j < n; ++j)
        if (mask[j])
            return true;
    return false;
}

void toExample(const std::vector<int32_t>& ids, const std::vector<uint8_t>& mask, int seqLen, data::Example& ex) {
    const size_t T = size_t(seqLen);
    ex.x.assign(T, text::special::kPad);
    ex.y.assign(T, text::special::kPad);
    ex.w.assign(T, 0.f);
    const size_t n = ids.empty() ? 0 : std::min(ids.size() - 1, T);
    for (size_t j = 0; j < n; ++j) {
        ex.x[j] = ids[j];
        ex.y[j] = ids[j + 1];
        ex.w[j] = mask[j + 1] ? 1.f : 0.f;
    }
}

} // namespace

PreferenceData loadPreferencePairs(const std::string& path, const text::Tokenizer& tok, int seqLen, bool skipBadLines) {
    data::JsonlReader reader(path, skipBadLines);
    PreferenceData d;
    nlohmann::json rec;
    std::vector<int32_t> ci, ri;
    std::vector<uint8_t> cm, rm;
    while (reader.next(rec)) {
        data::PreferencePair p;
        try {
            p = data::preferencePair(rec, reader.where());
        } catch (const InputError& e) {
            reader.reject(e.what());
            continue;
        }
        encodeConversation(tok, p.chosen, ci, cm);
        encodeConversation(tok, p.rejected, ri, rm);
        if (!hasTarget(cm, seqLen) || !hasTarget(rm, seqLen)) {
            ++d.truncatedPairs;
            continue;
        }
        d.tokens.push_back(ci);
        d.mask.push_back(cm);
        d.tokens.push_back(ri);
        d.mask.push_back(rm);
    }
    d.badLines = reader.badLines();
    if (d.pairs() == 0) {
        std::string msg = path + ": no usable preference pairs";
        if (d.truncatedPairs)
            msg += " (" + std::to_string(d.truncatedPairs) + " pairs have prompts longer than --max_seq_len " +
                   std::to_string(seqLen) + "; raise it)";
        else
            msg += " (expected {\"chosen\": [...], \"rejected\": [...]} per line)";
        throw InputError(msg);
    }
    d.key = fs::fileStamp(path) + "|" + tok.fingerprint() + "|" + std::to_string(seqLen) + "|dpo-v1";
    return d;
}

Batch preferenceBatch(const PreferenceData& data, const std::vector<int64_t>& idx, int seqLen) {
    const size_t B = idx.size();
    std::vector<data::Example> ex(2 * B);
    for (size_t i = 0; i < B; ++i) {
        const size_t c = size_t(2 * idx[i]), r = c + 1;
        toExample(data.tokens.at(c), data.mask.at(c), seqLen, ex[i]);
        toExample(data.tokens.at(r), data.mask.at(r), seqLen, ex[B + i]);
    }
    return examplesToBatch(ex);
}

Tensor pairLogProbs(model::MiniMind& model, const PreferenceData& data, int seqLen, int batchSize) {
    torch::NoGradGuard ng;
    const bool wasTraining = model->is_training();
    model->eval();
    const torch::Device dev = model->embed_tokens->weight.device();
    const int64_t n = data.pairs();
    Tensor out = torch::empty({n, 2}, torch::kFloat32);
    std::vector<int64_t> idx;
    for (int64_t i = 0; i < n; i += batchSize) {
        idx.clear();
        for (int64_t k = i; k < std::min(n, i + batchSize); ++k)
            idx.push_back(k);
        Batch b = preferenceBatch(data, idx, seqLen);
        Tensor lp = tokenLogProbs(model->forward(b.x.to(dev)).logits, b.y.to(dev));
        Tensor seq = sequenceMeanLogProbs(lp, b.w.to(dev)).to(torch::kCPU);
        const int64_t B = int64_t(idx.size());
        out.narrow(0, i, B).select(1, 0).copy_(seq.narrow(0, 0, B));
        out.narrow(0, i, B).select(1, 1).copy_(seq.narrow(0, B, B));
    }
    model->train(wasTraining);
    return out;
}

Tensor referenceLogProbs(const std::string& cachePath, const std::string& key, model::MiniMind& model,
                         const PreferenceData& data, int seqLen, int batchSize, bool& computed) {
    const int64_t n = data.pairs();
    if (fs::isFile(cachePath)) {
        // magic | uint32 key length | key | int64 pairs | float32 [pairs][2]
        const std::string raw = fs::readFile(cachePath);
        uint32_t klen = 0;
        int64_t cnt = 0;
        if (raw.size() >= 12 && std::memcmp(raw.data(), kRefMagic, 8) == 0) {
            std::memcpy(&klen, raw.data() + 8, 4);
            if (raw.size() >= 12 + size_t(klen) + 8 && raw.compare(12, klen, key) == 0) {
                std::memcpy(&cnt, raw.data() + 12 + klen, 8);
                const size_t off = 20 + size_t(klen);
                if (cnt == n && raw.size() == off + size_t(n) * 2 * sizeof(float)) {
                    Tensor t = torch::empty({n, 2}, torch::kFloat32);
                    std::memcpy(t.data_ptr<float>(), raw.data() + off, size_t(n) * 2 * sizeof(float));
                    computed = false;
                    return t;
                }
            }
        }
        // Another key or a damaged file: recomputed and replaced below.
    }
    Tensor t = pairLogProbs(model, data, seqLen, batchSize).contiguous();
    std::string raw(kRefMagic, 8);
    const uint32_t klen = uint32_t(key.size());
    raw.append(reinterpret_cast<const char*>(&klen), 4);
    raw += key;
    raw.append(reinterpret_cast<const char*>(&n), 8);
    raw.append(reinterpret_cast<const char*>(t.data_ptr<float>()), size_t(n) * 2 * sizeof(float));
    fs::writeFileAtomic(cachePath, raw);
    computed = true;
    return t;
}

DpoStage::DpoStage(const PreferenceData& data, Tensor reference, int seqLen, double beta, double rpoAlpha)
    : m_data(data), m_ref(std::move(reference)), m_seqLen(seqLen), m_beta(beta), m_rpoAlpha(rpoAlpha) {
    if (m_ref.dim() != 2 || m_ref.size(0) != data.pairs() || m_ref.size(1) != 2)
        throw Error("DpoStage: reference log-probs must be (pairs, 2)");
}

Batch DpoStage::makeBatch(const std::vector<int64_t>& indices) {
    Batch b = preferenceBatch(m_data, indices, m_seqLen);
    b.extra = {m_ref.index_select(0, torch::tensor(indices, torch::kLong))};
    return b;
}

StepOutput DpoStage::step(model::MiniMind& model, const Batch& batch) {
    model::ForwardOutput out = model->forward(batch.x);
    Tensor seq = sequenceMeanLogProbs(tokenLogProbs(out.logits, batch.y), batch.w);
    const int64_t B = seq.size(0) / 2;
    const Tensor& ref = batch.extra.at(0);
    DpoTerms t = dpoLoss(seq.narrow(0, 0, B), seq.narrow(0, B, B), ref.select(1, 0), ref.select(1, 1), m_beta);
    StepOutput s;
    s.loss = model->config().useMoe ? t.loss + out.auxLoss : t.loss;
    s.metrics = {{"reward_margin", t.margin},
                 {"pref_accuracy", t.accuracy},
                 {"chosen_reward", t.chosenReward},
                 {"rejected_reward", t.rejectedReward}};
    if (m_rpoAlpha > 0) {
        // The chosen answers' mean token NLL (the SFT loss on them).
        Tensor nll = -seq.narrow(0, 0, B).mean();
        s.loss = s.loss + m_rpoAlpha * nll;
        s.metrics.emplace_back("chosen_nll", nll.detach());
    }
    return s;
}

} // namespace mm::train
