#pragma once
// A Hugging Face `tokenizer.json` byte-level BPE tokenizer (GPT-2 style, as
// minimind's model/tokenizer.json), torch-free and id-for-id equal to HF
// `tokenizers` (checked against tokenizers 0.23.2; see
// scripts/interop/make_hf_tokenizer_fixture.mjs and tests/core/test_hf_bpe.cpp).
//
// What is read: model.type "BPE" (vocab, merges as "a b" strings or ["a","b"]
// pairs, unk_token, fuse_unk, ignore_merges), a ByteLevel pre_tokenizer
// (add_prefix_space, use_regex; also a Sequence holding only ByteLevel), a
// ByteLevel decoder, added_tokens (single_word, lstrip, rstrip, normalized,
// special). Anything that would change the ids and is not implemented here
// is refused with InputError (a normalizer, another pre-tokenizer or model,
// a template post-processor, truncation/padding, byte_fallback, dropout,
// continuing_subword_prefix, end_of_word_suffix), never silently ignored.
//
// encode(text) == HF tokenizer.encode(text, add_special_tokens=True).ids and
// decode(ids) == HF tokenizer.decode(ids, skip_special_tokens=False):
//  - Added tokens are split out first (leftmost-longest, non-normalized ones
//    first, then normalized ones in the gaps, single_word/lstrip/rstrip as
//    HF applies them); the rest goes through the ByteLevel pre-tokenizer (the
//    GPT-2 regex, Unicode 16.0 classes as HF's Oniguruma has them) and BPE.
//  - Text that is not valid UTF-8 (a Rust string never is) is first made
//    valid the way Rust's String::from_utf8_lossy does: each maximal invalid
//    subsequence becomes U+FFFD. So encode(s) == HF encode(lossy(s)) and
//    decode(encode(s)) == lossy(s), which is s for valid UTF-8 (when the
//    vocabulary has the 256 byte-level characters, as every GPT-2 style
//    tokenizer has).
//  - decode drops ids that are neither in the vocabulary nor added tokens
//    (as HF does), maps each token through the ByteLevel decoder (a token
//    with a character outside the byte alphabet keeps its UTF-8 bytes; added
//    tokens too) and turns invalid UTF-8 in the joined bytes into U+FFFD
//    (String::from_utf8_lossy).
//
// Thread-safe: all const methods may run concurrently (the per-word cache is
// mutex-protected). Copies share the same immutable tables.

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mm::text {

class HfBpe {
public:
    struct AddedToken {
        int id = -1;
        std::string content;
        bool special = false;
        bool singleWord = false, lstrip = false, rstrip = false, normalized = false;
    };

    /// Reads a tokenizer.json file. Throws InputError naming the path when it
    /// cannot be read or is not a supported tokenizer (see fromJson).
    static HfBpe loadFile(const std::string& path);
    /// Parses tokenizer.json text; `nameForErrors` (usually the path) starts
    /// every error message. Throws InputError naming the offending field and
    /// what to do; never anything else, whatever the bytes.
    static HfBpe fromJson(std::string_view jsonText, const std::string& nameForErrors);

    HfBpe(const HfBpe&);
    HfBpe(HfBpe&&) noexcept;
    HfBpe& operator=(const HfBpe&);
    HfBpe& operator=(HfBpe&&) noexcept;
    ~HfBpe();

    /// Token ids of `text`, as HF encode(text, add_special_tokens=True).ids
    /// (no post-processor adds tokens: files with one are refused at load).
    std::vector<int> encode(std::string_view text) const;
    /// Text of `ids`, as HF decode(ids, skip_special_tokens=False); unknown
    /// ids are skipped, invalid UTF-8 becomes U+FFFD.
    std::string decode(const std::vector<int>& ids) const;
    /// The token string of `id` (byte-level form, e.g. "Ġthe"; an added
    /// token's content). "" for an id that has no token.
    std::string idToPiece(int id) const;
    /// Max id + 1 over the vocabulary and the added tokens.
    int vocabSize() const;
    /// Id of an added token or vocabulary entry with exactly this string
    /// (added tokens first, as HF token_to_id), -1 if none.
    int tokenId(std::string_view content) const;
    /// True for an added token marked special.
    bool isSpecial(int id) const;
    /// id -> token string ("" where an id has no token); size vocabSize().
    const std::vector<std::string>& pieces() const;
    /// The merges in rank order (file order), as (left, right).
    const std::vector<std::pair<std::string, std::string>>& merges() const;
    /// The added tokens in file order.
    const std::vector<AddedToken>& addedTokens() const;

    /// Rust's String::from_utf8_lossy: valid UTF-8 is returned unchanged,
    /// each maximal invalid subsequence becomes U+FFFD.
    static std::string toValidUtf8(std::string_view bytes);

private:
    struct Impl;
    explicit HfBpe(std::shared_ptr<const Impl> impl);
    std::shared_ptr<const Impl> m_impl;
};

} // namespace mm::text
