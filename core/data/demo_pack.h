#pragma once
// The embedded demo's data pack, built from Debian's fortunes-zh corpus
// (tang300: 300 Tang poems, song100: 100 Song ci, chinese: ~5,000 sayings;
// GPL-3.0+, installed by apt under /usr/share/games/fortunes, never copied into
// the repository). Every file of the pipeline is derived here:
//
//   pretrain.jsonl      {"text"}: every poem (title, author, body) several times,
//                       three sentences stating its author, a sample of the
//                       sayings, and the questions post-training asks about
//                       the training poems as plain "question\nanswer" text
//                       (instruction data mixed into pretraining; a held-out
//                       poem's questions never appear anywhere in training)
//   sft.jsonl           conversations on Tang poems: title -> author, a line ->
//                       the next line (one answer in five ends in chatbot
//                       boilerplate, as scraped dialogue data does); who are you
//   dpo.jsonl           {"chosen","rejected"}: the true answer vs a wrong line /
//                       author, an echo of the question, the quoted line or
//                       title, or the answer with boilerplate; "who are you"
//                       with the self-introduction cut short as the rejected one
//   reason.jsonl        the same questions answered as <think>…</think><answer>…</answer>
//   lora_songci.jsonl   the same tasks on Song ci, which no chat stage sees (the
//                       LoRA's new domain)
//   grpo.jsonl          {"conversations":[user], "answer"}: each training poem's
//                       author question and one of its next-line questions
//   train_qa.jsonl      a sample of the trained questions (memorisation)
//   heldout_*.jsonl     the same tasks on poems kept out of every post-training
//                       set (their text is in pretraining: closed-book recall);
//                       heldout_author_qa.jsonl holds their author questions,
//                       heldout_dpo_<kind>.jsonl their pairs by kind
//
// The split is by poem and deterministic (a hash of title + author), so the
// held-out questions never appear in SFT/DPO/reasoning/GRPO data.

#include <cstdint>
#include <string>
#include <vector>

namespace mm::data {

/// One poem of tang300 / song100.
struct Poem {
    std::string title;
    std::string author;
    std::string body;                 ///< lines joined with '\n'
    std::vector<std::string> phrases; ///< body split at ，。？！；
    bool ci = false;                  ///< Song ci (song100) rather than a Tang poem
    bool heldOut = false;
};

/// Strips ANSI colour sequences (ESC [ ... m).
std::string stripAnsi(const std::string& s);

/// Splits a fortune file into records (separated by lines holding only "%"),
/// ANSI codes stripped, each record trimmed; empty records dropped.
std::vector<std::string> splitFortunes(const std::string& text);

/// Parses a poem record ("《title》" line, "作者：name（dates）" line, body).
/// Returns false when the record has no title/author header.
bool parsePoem(const std::string& record, bool ci, Poem& out);

struct DemoPackOptions {
    std::string sourceDir = "/usr/share/games/fortunes";
    std::string outDir;          ///< <workspace>/data
    double heldOutShare = 0.12;  ///< share of poems kept out of post-training
    int poemRepeats = 4;         ///< copies of each poem in pretraining
    int maxSayings = 150;        ///< sayings in pretraining (-1 = all ~5,000): prose beside the verse
    bool qaInPretraining = true; ///< the training poems' questions also as plain text in pretraining
    int maxPoemChars = 80;       ///< poems with longer bodies (code points) are left out (0 = keep all)
    int maxPairsPerPoem = 6;     ///< next-line questions per poem
    uint64_t seed = 7;
};

struct DemoPackSummary {
    int64_t poems = 0, ci = 0, sayings = 0, heldOutPoems = 0;
    int64_t pretrainDocs = 0, sft = 0, dpo = 0, reason = 0, lora = 0, grpo = 0;
    int64_t sayingsUsed = 0;      ///< sayings put into pretraining
    int64_t longPoemsSkipped = 0; ///< poems over maxPoemChars, left out
    int64_t pretrainQa = 0;       ///< question/answer documents in pretraining (training poems only)
    int64_t heldoutQa = 0, heldoutSft = 0, heldoutDpo = 0, heldoutLora = 0, trainQa = 0, heldoutAuthorQa = 0;
    /// Exact-match chance baselines: the share of the most frequent reference
    /// answer (what answering that one string to every question would score).
    double heldoutChance = 0, trainChance = 0, heldoutAuthorChance = 0;
    std::string heldoutChanceAnswer, trainChanceAnswer, heldoutAuthorChanceAnswer;
};

/// The file names inside the data folder.
namespace demo_files {
inline const char* pretrain = "pretrain.jsonl";
inline const char* sft = "sft.jsonl";
inline const char* dpo = "dpo.jsonl";
inline const char* reason = "reason.jsonl";
inline const char* lora = "lora_songci.jsonl";
inline const char* grpo = "grpo.jsonl";
inline const char* heldoutQa = "heldout_qa.jsonl";         ///< {"question","answer"} (metrics --task exact)
inline const char* heldoutSft = "heldout_sft.jsonl";       ///< conversations (heldout --metric loss)
inline const char* heldoutDpo = "heldout_dpo.jsonl";       ///< pairs (heldout --metric preference)
inline const char* heldoutReason = "heldout_reason.jsonl"; ///< reasoning conversations (think_format)
inline const char* heldoutLora = "heldout_songci.jsonl";   ///< Song ci conversations (LoRA domain loss)
inline const char* heldoutGrpo = "heldout_grpo.jsonl";     ///< checkable questions (GRPO reward)
inline const char* trainQa = "train_qa.jsonl";             ///< {"question","answer"} sample of the trained questions
inline const char* heldoutAuthorQa = "heldout_author_qa.jsonl"; ///< the author questions of heldoutQa
/// heldout_dpo_<kind>.jsonl: the held-out pairs of one kind (see dpoPairKinds()).
std::string heldoutDpoKind(const std::string& kind);
} // namespace demo_files

/// The kinds of DPO pair (each a quarter of the pairs): a wrong fact, an echo
/// of the question, what the question quotes, the answer with boilerplate.
const std::vector<std::string>& dpoPairKinds();

/// Reads tang300, song100 and chinese from `sourceDir` and writes every file
/// (temp + rename). Throws InputError naming the missing file and the apt
/// command when the corpus is not installed.
DemoPackSummary buildDemoPack(const DemoPackOptions& opts);

} // namespace mm::data
