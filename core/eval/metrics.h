#pragma once
// Objective metrics beside the judge:
//  - perplexity and bits per byte on held-out text (bits per byte divides the
//    summed negative log-likelihood by the UTF-8 bytes, so models with
//    different tokenizers are comparable);
//  - multiple-choice accuracy on C-Eval / CMMLU CSVs (id,question,A,B,C,D,
//    answer[,explanation]), choosing the option letter with the highest
//    log-likelihood after the question, reported with the chance level;
//  - exact match for question sets with known answers (GSM8K-style
//    "#### 18" references or plain answers), comparing the last number (or
//    the trimmed text) of a greedy answer.

#include "model/minimind.h"
#include "text/tokenizer.h"

#include <functional>
#include <string>
#include <vector>

namespace mm::eval {

struct PerplexityResult {
    int64_t documents = 0;
    int64_t tokens = 0; ///< predicted tokens
    int64_t bytes = 0;  ///< UTF-8 bytes of the texts
    double nll = 0;     ///< summed negative log-likelihood (nats)
    double perplexity() const;
    double bitsPerByte() const;
};

/// Scores texts as the pretrain samples look (<|im_start|> + text +
/// <|im_end|>), in windows of at most `window` tokens.
PerplexityResult perplexity(model::MiniMind& m, const text::Tokenizer& tok, const std::vector<std::string>& texts,
                            int window);

/// One multiple-choice question.
struct ChoiceQuestion {
    std::string question;
    std::vector<std::string> options; ///< A, B, C, D ...
    int answer = -1;                  ///< index of the right option
};

/// Reads a C-Eval/CMMLU CSV (header with question, A..D, answer columns;
/// RFC 4180 quoting, newlines inside quotes). Throws InputError naming
/// file:line for malformed rows.
std::vector<ChoiceQuestion> readChoiceCsv(const std::string& path);

struct ChoiceResult {
    int64_t questions = 0;
    int64_t correct = 0;
    double chance = 0; ///< mean of 1 / options
    double accuracy() const { return questions ? double(correct) / double(questions) : 0.0; }
};

/// Picks, per question, the option letter whose first token is most likely
/// after "<question>\nA. ..\nB. ..\n答案：" (chat-formatted when `chat`).
ChoiceResult multipleChoice(model::MiniMind& m, const text::Tokenizer& tok, const std::vector<ChoiceQuestion>& qs,
                            bool chat);

/// The reference of a GSM8K answer ("... #### 18" -> "18"), else the trimmed text.
std::string referenceAnswer(const std::string& answer);
/// True when the prediction matches: the last number in it equals a numeric
/// reference (commas ignored), or the trimmed texts are equal.
bool exactMatch(const std::string& prediction, const std::string& reference);

} // namespace mm::eval
