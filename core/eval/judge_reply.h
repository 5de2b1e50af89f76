#pragma once
// Reading the scores out of an LLM judge's reply (see judge.h). Torch- and
// network-free, so that scripts/fuzz.sh fuzzes it alone.

#include <array>
#include <optional>
#include <string>

namespace mm::eval {

/// Scores read from a judge reply, in scoreDimensions() order.
struct JudgeScores {
    std::array<std::optional<double>, 3> values;
    std::string comment;
};

/// Result of parsing one reply.
struct JudgeParse {
    bool ok = false;
    JudgeScores scores;
    std::string error; ///< why not ok: no scores, a dimension missing, out of range
};

/// Reads the three scores from a reply: a JSON object (possibly inside a code
/// fence, after the <think> block a reply may open with, with trailing commas
/// or Chinese keys, values as numbers or strings like "7/10"), or failing that
/// "key: number" text (a reply cut off mid-JSON still yields the scores it
/// contains). ok only when all three are present and within 0-10; otherwise
/// error says why. Never throws; time and memory stay linear in the reply.
JudgeParse parseJudgeReply(const std::string& reply);

} // namespace mm::eval
