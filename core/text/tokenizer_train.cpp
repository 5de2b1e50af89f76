// Training a SentencePiece BPE tokenizer with minimind's special tokens and
// byte fallback: the text chunker that feeds SentencePiece, the automatic
// character coverage and the explanation of a failed training.

#include "text/tokenizer.h"
#include "text/tokenizer_internal.h"

#include "common/error.h"
#include "common/fs.h"

#include "text/spm_backend.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <thread>
#include <unordered_map>

namespace mm::text {

using namespace tokenizer_detail;

namespace {

/// Length of the chunk to cut from the front of `rest`: whole if it fits, else
/// preferably after a line break or before a space in the second half of the
/// window (keeps words whole), else at the last UTF-8 character boundary.
size_t chunkLength(std::string_view rest, size_t maxBytes) {
    if (rest.size() <= maxBytes)
        return rest.size();
    const size_t half = maxBytes / 2;
    const size_t nl = rest.rfind('\n', maxBytes - 1);
    if (nl != std::string_view::npos && nl >= half)
        return nl + 1;
    // Cut before the space: pieces start with their whitespace, so the space
    // belongs to the next word.
    const size_t space = rest.rfind(' ', maxBytes - 1);
    if (space != std::string_view::npos && space >= half)
        return space;
    size_t cut = maxBytes;
    while (cut > 0 && (static_cast<unsigned char>(rest[cut]) & 0xC0) == 0x80)
        --cut;
    return cut > 0 ? cut : maxBytes;
}

/// Cuts whole texts (newlines included) into training chunks for SentencePiece
/// instead of letting it read file lines. An exception thrown by the source ends
/// the iteration and is kept for trainTokenizer to rethrow: it must not unwind
/// through SentencePiece.
class TextChunker {
public:
    TextChunker(const TextSource& source, size_t maxChunkBytes, int64_t maxChunks)
        : m_source(source), m_maxChunkBytes(maxChunkBytes), m_maxChunks(maxChunks) {}

    /// Next chunk into `out`; false at the end or after an error. Never throws.
    bool next(std::string& out) noexcept {
        if (m_error)
            return false;
        try {
            if (!nextChunk())
                return false;
            out.swap(m_value);
            return true;
        } catch (...) {
            m_error = std::current_exception();
            return false;
        }
    }

    std::exception_ptr error() const { return m_error; }
    int64_t textCount() const { return m_texts; }

private:
    bool nextChunk() {
        if (m_maxChunks > 0 && m_chunks >= m_maxChunks)
            return false;
        while (m_offset >= m_text.size()) {
            m_text.clear();
            m_offset = 0;
            if (!m_source(m_text))
                return false;
            if (!m_text.empty())
                ++m_texts;
        }
        std::string_view rest(m_text);
        rest.remove_prefix(m_offset);
        const size_t n = chunkLength(rest, m_maxChunkBytes);
        if (m_offset == 0 && n == m_text.size()) {
            // The common case, a text that fits whole: hand it over without a copy.
            m_value.swap(m_text);
            m_text.clear();
        } else {
            m_value.assign(rest.substr(0, n));
            m_offset += n;
        }
        for (size_t p = m_value.find(kTrainerUnkChar); p != std::string::npos; p = m_value.find(kTrainerUnkChar, p + 1))
            m_value.replace(p, kTrainerUnkChar.size(), 1, kTrainerBoundary);
        ++m_chunks;
        return true;
    }

    const TextSource& m_source;
    const size_t m_maxChunkBytes;
    const int64_t m_maxChunks;
    std::string m_text;
    size_t m_offset = 0;
    std::string m_value;
    std::exception_ptr m_error;
    int64_t m_texts = 0;
    int64_t m_chunks = 0;
};

/// A double in its shortest round-trip form ("0.9995", not "0.999500").
std::string formatDouble(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    for (int precision = 1; precision < 17; ++precision) {
        char shorter[32];
        std::snprintf(shorter, sizeof shorter, "%.*g", precision, v);
        if (std::strtod(shorter, nullptr) == v)
            return shorter;
    }
    return buf;
}

/// The run of digits right after `marker` in `text`, or "" when absent.
std::string numberAfter(const std::string& text, const std::string& marker) {
    std::string digits;
    const size_t p = text.find(marker);
    if (p != std::string::npos)
        for (size_t i = p + marker.size(); i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
            digits += text[i];
    return digits;
}

std::string joinSpecials(size_t from) {
    std::string out;
    const auto& s = specialTokenStrings();
    for (size_t i = from; i < s.size(); ++i) {
        if (!out.empty())
            out += ',';
        out += s[i];
    }
    return out;
}

/// Turns a failed SentencePiece training status into a message that says what
/// to change.
std::string explainTrainFailure(const std::string& spMessage, const TokenizerTrainOptions& opts, int64_t texts) {
    const std::string vocab = std::to_string(opts.vocabSize);
    if (texts == 0 || spMessage.find("!sentences_.empty()") != std::string::npos)
        return "no training text: the input gave no usable non-empty texts (check the data path and its format)";
    if (spMessage.find("Vocabulary size too high") != std::string::npos) {
        const std::string limit = numberAfter(spMessage, "<= ");
        return "not enough text for --vocab_size " + vocab +
               (limit.empty() ? "" : " (this text yields at most " + limit + " pieces)") +
               ": give more data or a smaller --vocab_size";
    }
    if (spMessage.find("smaller than required_chars") != std::string::npos) {
        const std::string needed = numberAfter(spMessage, " vs ");
        return "--vocab_size " + vocab + " is too small for this text: " +
               (needed.empty() ? "its characters" : "its characters alone need " + needed + " entries") +
               " at --character_coverage " + formatDouble(opts.characterCoverage) +
               "; use a larger --vocab_size or a lower --character_coverage (rarer characters then fall back to bytes)";
    }
    return "tokenizer training failed: " + spMessage + " (with --vocab_size " + vocab + " on " + std::to_string(texts) +
           " texts)";
}

} // namespace

double autoCharacterCoverage(const TextSource& source, int vocabSize) {
    // Count code points (invalid bytes count as themselves: they become byte
    // pieces either way).
    std::unordered_map<uint32_t, int64_t> freq;
    std::string text;
    int64_t total = 0;
    while (source(text)) {
        std::string_view s(text);
        while (!s.empty()) {
            size_t n = validUtf8Length(s);
            uint32_t cp = 0;
            if (n == 0) {
                cp = 0x80000000u | static_cast<unsigned char>(s[0]);
                n = 1;
            } else {
                for (size_t i = 0; i < n; ++i)
                    cp = (cp << 8) | static_cast<unsigned char>(s[i]);
            }
            ++freq[cp];
            ++total;
            s.remove_prefix(n);
        }
    }
    if (total == 0)
        return 0.9995;
    std::vector<int64_t> counts;
    counts.reserve(freq.size());
    for (const auto& kv : freq)
        counts.push_back(kv.second);
    std::sort(counts.begin(), counts.end(), std::greater<>());
    // Half of the learnable vocabulary may go to single characters; the rest is
    // left for merges. Rarer characters are spelled with byte pieces.
    const size_t budget = static_cast<size_t>(std::max(1, (vocabSize - special::kCount - kBytePieces) / 2));
    if (counts.size() <= budget)
        return 0.9995;
    int64_t kept = 0;
    for (size_t i = 0; i < budget; ++i)
        kept += counts[i];
    // Just below the share of the kept characters, so SentencePiece needs at
    // most `budget` of them; never above its usual default.
    const double coverage = double(kept) / double(total) - 1e-6;
    // SentencePiece accepts 0.98 to 1.
    return std::clamp(coverage, 0.98, 0.9995);
}

void trainTokenizer(const TextSource& source, const std::string& outPath, const TokenizerTrainOptions& opts) {
    if (opts.vocabSize < kMinVocabSize)
        throw InputError("--vocab_size " + std::to_string(opts.vocabSize) +
                         " is too small: the vocabulary always holds " + std::to_string(special::kCount) +
                         " special tokens and " + std::to_string(kBytePieces) + " byte pieces, so it needs at least " +
                         std::to_string(kMinVocabSize) + " entries (minimind uses 6400)");
    if (!(opts.characterCoverage >= 0.98 && opts.characterCoverage <= 1.0))
        throw InputError("--character_coverage " + formatDouble(opts.characterCoverage) +
                         " is out of range: use 0.98 to 1 (characters outside the coverage fall back to bytes)");
    if (opts.maxSentenceBytes < kMinSentenceBytes)
        throw InputError("--max_sentence_bytes " + std::to_string(opts.maxSentenceBytes) +
                         " is too small: use at least " + std::to_string(kMinSentenceBytes));
    if (opts.threads < 0)
        throw InputError("--threads must be 0 (all cores) or positive, got " + std::to_string(opts.threads));

    int threads = opts.threads > 0 ? opts.threads : static_cast<int>(std::thread::hardware_concurrency());
    threads = std::clamp(threads, 1, 128); // SentencePiece's accepted range

    // Caps of 101 and more are a uniform reservoir sample over the whole corpus,
    // done by SentencePiece; smaller ones (it refuses them) simply take the first
    // texts. 0 or less means no cap.
    const bool sample = opts.maxSentences >= kMinSampledSentences;
    const int64_t iteratorCap = !sample && opts.maxSentences > 0 ? opts.maxSentences : 0;

    const std::unordered_map<std::string, std::string> args = {
        {"model_type", "bpe"},
        {"vocab_size", std::to_string(opts.vocabSize)},
        {"hard_vocab_limit", "true"}, // the model's embedding size is the vocab size: be exact
        {"byte_fallback", "true"},
        {"character_coverage", formatDouble(opts.characterCoverage)},
        {"split_digits", "true"},
        {"unk_id", "0"},
        {"unk_piece", std::string(kEndOfText)},
        {"unk_surface", std::string(kEndOfText)},
        {"bos_id", "-1"},
        {"eos_id", "-1"},
        {"pad_id", "-1"},
        {"user_defined_symbols", joinSpecials(1)},
        {"normalization_rule_name", "identity"},
        {"add_dummy_prefix", "false"},
        {"remove_extra_whitespaces", "false"},
        {"allow_whitespace_only_pieces", "true"},
        {"max_sentence_length", std::to_string(opts.maxSentenceBytes)},
        {"input_sentence_size", sample ? std::to_string(opts.maxSentences) : "0"},
        {"shuffle_input_sentence", "true"},
        {"num_threads", std::to_string(threads)},
        // Its INFO and WARNING output is noise for a CLI; errors come back in
        // the returned status and are reported from there.
        {"minloglevel", "2"},
    };

    TextChunker texts(source, static_cast<size_t>(opts.maxSentenceBytes), iteratorCap);
    std::string modelProto, error;
    const bool ok = spm::api().train(
        args, [&texts](std::string& chunk) { return texts.next(chunk); }, &modelProto, &error);
    if (texts.error())
        std::rethrow_exception(texts.error());
    if (!ok)
        throw InputError(explainTrainFailure(error, opts, texts.textCount()));
    if (modelProto.empty())
        throw Error("tokenizer training produced an empty model");
    fs::writeFileAtomic(outPath, modelProto);
}

} // namespace mm::text
