#include "train/pretrain_stage.h"

#include "common/error.h"
#include "train/losses.h"

#include <cstring>

namespace mm::train {

Batch examplesToBatch(const std::vector<data::Example>& ex) {
    const int64_t B = int64_t(ex.size()), fullT = int64_t(ex.at(0).x.size());
    // Dynamic padding: columns after the last weighted target of every row are
    // cut. With causal attention they cannot influence any weighted position,
    // so the loss and gradients are exactly those of the full-length batch,
    // while short conversations (SFT, DPO) stop paying for --max_seq_len.
    int64_t T = 0;
    for (int64_t i = 0; i < B && T < fullT; ++i)
        for (int64_t t = fullT - 1; t >= T; --t)
            if (ex[i].w[size_t(t)] != 0.f) {
                T = t + 1;
                break;
            }
    if (T == 0)
        T = fullT; // nothing to learn: reported below
    Batch b;
    b.x = torch::empty({B, T}, torch::kLong);
    b.y = torch::empty({B, T}, torch::kLong);
    torch::Tensor w = torch::empty({B, T}, torch::kFloat32);
    int64_t* xp = b.x.data_ptr<int64_t>();
    int64_t* yp = b.y.data_ptr<int64_t>();
    float* wp = w.data_ptr<float>();
    bool allOnes = true;
    int64_t targets = 0;
    for (int64_t i = 0; i < B; ++i) {
        std::memcpy(xp + i * T, ex[i].x.data(), sizeof(int64_t) * T);
        std::memcpy(yp + i * T, ex[i].y.data(), sizeof(int64_t) * T);
        std::memcpy(wp + i * T, ex[i].w.data(), sizeof(float) * T);
        for (int64_t t = 0; t < T; ++t) {
            const float v = ex[i].w[t];
            allOnes = allOnes && v == 1.f;
            targets += v != 0.f;
        }
    }
    if (targets == 0)
        throw InputError("a training batch has no loss targets (every position is masked); check that the data has "
                         "non-empty texts/answers and that --max_seq_len is not shorter than the prompts");
    // All-ones weights take the cheaper unweighted cross-entropy path.
    if (!allOnes)
        b.w = w;
    b.tokens = B * T;
    b.targets = targets;
    return b;
}

Batch PretrainStage::makeBatch(const std::vector<int64_t>& indices) {
    m_buf.resize(indices.size());
    for (size_t i = 0; i < indices.size(); ++i)
        m_ds.get(indices[i], m_buf[i]);
    Batch b = examplesToBatch(m_buf);
    b.lossDenominator = double(b.targets); // weights are 0/1: sum(w) = targets (languageModelStep's mean)
    return b;
}

StepOutput PretrainStage::step(model::MiniMind& model, const Batch& batch) { return languageModelStep(model, batch); }

} // namespace mm::train
