#pragma once
// SentencePiece BPE tokenizer with byte fallback and MiniMind's special tokens.
//
// Special tokens are single ids fixed by contract (checkpoints depend on them):
//   0 <|endoftext|> (also padding; SentencePiece's unk piece renamed)
//   1 <|im_start|>  2 <|im_end|>  3 <think>  4 </think>  5 <answer>  6 </answer>
//   7 <tool_call>   8 </tool_call>
// They are user-defined symbols, so they are recognised inside plain text and a
// rendered ChatML template encodes to these ids. Normalisation, the dummy prefix
// and whitespace folding are off: decode(encode(s)) == s for any UTF-8 string.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "text/chat_template.h"

namespace mm::text::spm {
class Processor;
}

namespace mm::text {

/// Fixed ids of the special tokens.
namespace special {
inline constexpr int kEndOfText = 0;
inline constexpr int kPad = 0;
inline constexpr int kImStart = 1;
inline constexpr int kImEnd = 2;
inline constexpr int kThinkOpen = 3;
inline constexpr int kThinkClose = 4;
inline constexpr int kAnswerOpen = 5;
inline constexpr int kAnswerClose = 6;
inline constexpr int kToolCallOpen = 7;
inline constexpr int kToolCallClose = 8;
inline constexpr int kCount = 9;
} // namespace special

/// The special token strings in id order (index == id).
const std::vector<std::string>& specialTokenStrings();

/// The tokenizer file of a folder: tokenizer.model (MicroMind's) or
/// tokenizer.json (minimind's / Hugging Face), in that order unless
/// `preferJson`; "" when it holds neither.
std::string tokenizerFileIn(const std::string& dir, bool preferJson = false);

/// Options of `micromind train_tokenizer`.
struct TokenizerTrainOptions {
    int vocabSize = 6400;              ///< total vocabulary including specials and 256 byte pieces
    int64_t maxSentences = 2000000;    ///< cap on training "sentences" (text chunks) sampled
    int maxSentenceBytes = 16384;      ///< longer texts are cut into chunks of at most this many bytes
    int threads = 0;                   ///< 0 = hardware concurrency
    double characterCoverage = 0.9995; ///< SentencePiece character_coverage; rarer chars use bytes
};

/// Supplies training texts one at a time; returns false at the end.
using TextSource = std::function<bool(std::string& text)>;

/// Reads `source` to the end and returns the character coverage at which the
/// distinct characters SentencePiece must keep fit in half of the learnable
/// vocabulary (CJK corpora have thousands of characters; a 6400-token
/// vocabulary cannot hold them all and still learn merges). Rarer characters
/// then fall back to byte pieces. 0.9995 when everything fits.
double autoCharacterCoverage(const TextSource& source, int vocabSize);

/// Trains a tokenizer from `source` and writes `outPath` (a SentencePiece .model
/// file) atomically. Texts are passed to SentencePiece as whole strings (newlines
/// kept), never re-read as lines. Throws InputError when there is too little text
/// for the vocabulary, IoError when the file cannot be written.
void trainTokenizer(const TextSource& source, const std::string& outPath, const TokenizerTrainOptions& opts);

class HfBpe;

/// A loaded tokenizer. Thread-safe for concurrent encode/decode.
///
/// Two backends: MicroMind's own SentencePiece model (`micromind
/// train_tokenizer`, a .model file) and a Hugging Face byte-level BPE
/// `tokenizer.json` such as minimind's own (model/tokenizer.json), with its
/// tokenizer_config.json beside it when present. Both must put
/// <|endoftext|>, <|im_start|> and <|im_end|> at ids 0, 1 and 2, which the
/// data pipeline relies on. minimind's tokenizer has no single-token
/// <think>/<answer> tags: specialId() says -1 for them and tagIds() lists
/// the ids their spellings encode to (what minimind's distillation weights).
class Tokenizer {
public:
    enum class Kind { SentencePiece, HuggingFaceBpe };

    /// Loads a SentencePiece .model, a tokenizer.json, or a directory holding
    /// one of them (tokenizer.json first). Throws InputError if it is missing,
    /// unreadable, of an unsupported type or lacks the special tokens at their
    /// fixed ids.
    static Tokenizer load(const std::string& modelPath);

    Tokenizer(Tokenizer&&) noexcept;
    Tokenizer& operator=(Tokenizer&&) noexcept;
    ~Tokenizer();

    std::vector<int> encode(std::string_view text) const;
    /// Exact inverse of encode for any ids produced by it (byte pieces are joined
    /// back into UTF-8; an incomplete UTF-8 tail decodes to U+FFFD).
    std::string decode(const std::vector<int>& ids) const;
    /// Piece string of one id (for debugging / token-by-token views).
    std::string idToPiece(int id) const;
    int vocabSize() const;
    /// Content hash of the model file: cache keys and checkpoint compatibility.
    const std::string& fingerprint() const { return m_fingerprint; }
    const std::string& path() const { return m_path; }
    Kind kind() const { return m_hf ? Kind::HuggingFaceBpe : Kind::SentencePiece; }

    /// Id of special token `which` (special::kThinkOpen, ...) when the
    /// vocabulary has it as one token, else -1.
    int specialId(int which) const;
    /// Target ids the distill_reason loss weights: the four tags when they
    /// are single tokens, else every id their spellings encode to (minimind).
    const std::vector<int>& tagIds() const { return m_tagIds; }
    /// The system prompt the tokenizer's chat template adds when a
    /// conversation has none ("" for MicroMind's own tokenizers; minimind's
    /// template adds "You are a helpful assistant").
    const std::string& defaultSystemPrompt() const { return m_defaultSystem; }
    /// The chat template text from tokenizer_config.json ("" when none).
    const std::string& chatTemplate() const { return m_chatTemplate; }
    /// ChatML rendering as this tokenizer's template does it (the default
    /// system prompt first when the messages have no system turn).
    std::string renderChat(const std::vector<Message>& messages, bool addGenerationPrompt) const;

    /// The backends, for exporters (null when the other backend is loaded).
    const HfBpe* hfBpe() const { return m_hf.get(); }
    /// SentencePiece piece score of `id` (0 for the HF backend).
    float pieceScore(int id) const;
    /// Piece kind for exporters: 0 normal, 1 control (special), 2 byte piece.
    int pieceKind(int id) const;

private:
    Tokenizer();
    void finishSpecials();
    std::unique_ptr<spm::Processor> m_sp;
    std::unique_ptr<HfBpe> m_hf;
    std::string m_fingerprint;
    std::string m_path;
    std::vector<int> m_tagIds;
    std::vector<int> m_specialIds;
    std::string m_defaultSystem;
    std::string m_chatTemplate;
};

} // namespace mm::text
