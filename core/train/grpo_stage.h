#pragma once
// GRPO, group relative policy optimisation (Shao et al. 2024, "DeepSeekMath:
// Pushing the Limits of Mathematical Reasoning in Open Language Models",
// section 4.1), as a Stage of the one training loop. Each step samples G
// completions per prompt with the KV-cached group generator, scores them with
// rule-based rewards (grpo_rewards.h), normalises the rewards within each
// group into advantages and minimises the clipped-ratio objective with a k3
// KL penalty towards a frozen reference model (the parent checkpoint).
//
// Where this departs from the paper (and why):
// - One optimisation step per rollout batch (the paper's mu = 1; TRL's default
//   num_iterations = 1). pi_old is then the policy itself at the sampling
//   point: the ratio is exp(logp - logp.detach()), exactly 1 in value with the
//   gradient of logp, so the clip never binds during training. grpoLoss still
//   computes the full clipped objective and is tested with an older policy.
// - Log-probabilities are taken at the sampling temperature (logits / T), as
//   TRL does, so the ratio and the KL refer to the distribution the samples
//   came from; rollouts use plain temperature sampling (no top-k/top-p) for
//   the same reason. The paper does not specify this.
// - The reference stays the parent checkpoint for the whole run; the paper's
//   iterative variant (reference reset to the policy each outer iteration,
//   reward model retrained) is not done.
// - Rewards are rule-based (format, exact match, length, repetition); there is
//   no learned reward model (minimind scores with an InternLM2 reward model).
// - Advantages use the unbiased group std plus 1e-4 (TRL, minimind), so a
//   group whose rewards are all equal gets advantage 0 instead of 0/0.

#include "model/minimind.h"
#include "text/chat_template.h"
#include "text/tokenizer.h"
#include "train/grpo_rewards.h"
#include "train/trainer.h"

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mm::train {

/// One GRPO record: the prompt turns and the optional known answer.
struct GrpoRecord {
    std::vector<text::Message> turns; ///< [system], user, assistant, ..., user
    std::string answer;               ///< "" = none
};

/// Validates a record {"conversations": [...], "answer": "..."}: turns with
/// string role/content, an optional system turn first, then user/assistant
/// alternating from user; a trailing assistant turn is dropped (minimind's RL
/// format, whose last assistant turn is a placeholder), after which the last
/// turn must be a non-empty user turn. "answer" is optional: a string or a
/// number. Throws InputError "<where>: <problem>".
GrpoRecord grpoRecord(const nlohmann::json& record, const std::string& where);

/// Tokenized prompts of a GRPO jsonl.
struct GrpoData {
    std::vector<std::vector<int>> prompts; ///< ChatML rendering incl. the generation header
    std::vector<std::string> answers;      ///< per prompt; "" = none
    std::vector<std::string> questions;    ///< the last user turn (for sample display)
    int64_t withAnswer = 0;                ///< prompts that have a known answer
    int64_t badLines = 0;                  ///< skipped by --skip_bad_lines
    int64_t tooLong = 0;                   ///< dropped: prompt longer than the limit
    std::string key;                       ///< file stamp + tokenizer + limit (resume check)
    int64_t size() const { return int64_t(prompts.size()); }
};

/// Reads a GRPO jsonl. Bad records throw InputError naming file:line unless
/// skipBadLines; prompts over maxPromptTokens are dropped and counted, and
/// InputError says to raise --max_seq_len when none is left. maxItems > 0 stops
/// after that many prompts.
GrpoData loadGrpoData(const std::string& path, const text::Tokenizer& tok, int maxPromptTokens, bool skipBadLines,
                      int64_t maxItems = 0);

/// Group-normalised advantages: rewards (N) in consecutive groups of
/// `groupSize`, A = (r - group mean) / (group std + eps), unbiased std.
torch::Tensor groupAdvantages(const torch::Tensor& rewards, int64_t groupSize, double eps = 1e-4);

/// Terms of the GRPO objective.
struct GrpoTerms {
    torch::Tensor loss;         ///< scalar to minimise
    torch::Tensor kl;           ///< scalar: mean per-token k3 KL (0 without a reference)
    torch::Tensor clipFraction; ///< scalar: share of completion tokens where the clipped term was taken
};

/// The GRPO loss (DeepSeekMath eq. 3 with the k3 KL estimator of eq. 4):
///   per token  l_t = -( min(rho_t A, clip(rho_t, 1-eps, 1+eps) A) - beta * KL_t )
///   rho_t = exp(logp - oldLogp),  KL_t = exp(ref - logp) - (ref - logp) - 1
///   loss = mean over sequences of (sum_t mask * l_t / sum_t mask)
/// logp, oldLogp, refLogp, mask: (N, T); advantages: (N). refLogp may be
/// undefined (no KL term, kl = 0).
GrpoTerms grpoLoss(const torch::Tensor& logp, const torch::Tensor& oldLogp, const torch::Tensor& refLogp,
                   const torch::Tensor& advantages, const torch::Tensor& mask, double beta, double clipEps);

struct GrpoOptions {
    int numGenerations = 4;   ///< G, completions per prompt (>= 2)
    int maxGenLen = 256;      ///< tokens generated per completion at most
    double temperature = 0.8; ///< sampling temperature (> 0)
    double beta = 0.02;       ///< KL weight
    double clipEps = 0.2;     ///< ratio clip range
    uint64_t seed = 42;       ///< rollout seed
    int logSamples = 4;       ///< completions kept per step for display (>= 1)
};

/// One sampled completion, for display.
struct GrpoSample {
    std::string question, completion, answer;
    double reward = 0;
    std::vector<std::pair<std::string, double>> components; ///< per reward
    bool valid = false;
};

class GrpoStage : public Stage {
public:
    /// `reference`: the frozen reference model (its parameters are set not to
    /// require gradients); may be null when opts.beta == 0. `tok` decodes the
    /// completions for the rewards and must outlive the stage, as must `data`.
    GrpoStage(const GrpoData& data, model::MiniMind reference, RewardSet rewards, const text::Tokenizer& tok,
              GrpoOptions opts);
    std::string name() const override { return "grpo"; }
    int64_t numSamples() const override { return m_data.size(); }
    /// x: (B, P) prompt ids, right-padded; y: (B) the prompts' sample indices.
    /// tokens counts prompt tokens times G (generated tokens are only known in
    /// step(); the completion_len metric reports them).
    Batch makeBatch(const std::vector<int64_t>& indices) override;
    /// Rollout (no grad, eval mode), rewards, advantages, then the loss on the
    /// policy in training mode. Metrics: reward_mean, reward_std (mean within-
    /// group std), accuracy (exact matches among completions whose prompt has
    /// an answer), kl, completion_len, clip_frac, and reward_<name> per reward.
    StepOutput step(model::MiniMind& model, const Batch& batch) override;
    /// The first completion of the latest step's first prompt.
    const GrpoSample& lastSample() const { return m_samples.front(); }
    /// The latest step's completions kept for display (opts.logSamples at
    /// most): the first completion of each prompt of the batch in turn, then
    /// their second ones, so different prompts come first. Empty before the
    /// first step.
    const std::vector<GrpoSample>& lastSamples() const { return m_samples; }
    /// The rewards summed into each completion's score.
    const RewardSet& rewards() const { return m_rewards; }
    /// The frozen reference (null when beta == 0).
    model::MiniMind& reference() { return m_ref; }

private:
    const GrpoData& m_data;
    model::MiniMind m_ref;
    RewardSet m_rewards;
    const text::Tokenizer& m_tok;
    GrpoOptions m_o;
    std::vector<GrpoSample> m_samples{1};
};

} // namespace mm::train
