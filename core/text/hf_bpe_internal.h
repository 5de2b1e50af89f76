// Private to the Hugging Face byte-level BPE (hf_bpe.cpp, hf_bpe_unicode.cpp,
// hf_bpe_encode.cpp, hf_bpe_load.cpp): the Unicode classes and UTF-8 helpers,
// the GPT-2 byte alphabet, the added-token trie and HfBpe::Impl. Not part of
// the public API (see hf_bpe.h).
#pragma once

#include "text/hf_bpe.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace mm::text {

namespace hf_bpe_detail {

// ---------------------------------------------------------------- Unicode

constexpr uint8_t kLetter = 1, kNumber = 2, kSpace = 4, kWord = 8;

uint8_t lookupBits(uint32_t cp);

struct AsciiBits {
    std::array<uint8_t, 128> bits{};
    AsciiBits() {
        for (uint32_t c = 0; c < 128; ++c)
            bits[c] = lookupBits(c);
    }
};

inline uint8_t charBits(uint32_t cp) {
    static const AsciiBits ascii;
    return cp < 128 ? ascii.bits[cp] : lookupBits(cp);
}

/// Length of the valid UTF-8 sequence at p[0..n) (n >= 1), or 0 when it is
/// invalid; then *invalidLen is the length of its maximal subpart (what
/// Rust's from_utf8_lossy replaces by one U+FFFD), at least 1.
size_t utf8Sequence(const unsigned char* p, size_t n, size_t* invalidLen);

/// Decodes the code point at s[i] of valid UTF-8; *len receives its length.
inline uint32_t decodeValid(const unsigned char* s, size_t i, size_t* len) {
    const unsigned char b0 = s[i];
    if (b0 < 0x80) {
        *len = 1;
        return b0;
    }
    if (b0 < 0xE0) {
        *len = 2;
        return (uint32_t(b0 & 0x1F) << 6) | (s[i + 1] & 0x3F);
    }
    if (b0 < 0xF0) {
        *len = 3;
        return (uint32_t(b0 & 0x0F) << 12) | (uint32_t(s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F);
    }
    *len = 4;
    return (uint32_t(b0 & 0x07) << 18) | (uint32_t(s[i + 1] & 0x3F) << 12) | (uint32_t(s[i + 2] & 0x3F) << 6) |
           (s[i + 3] & 0x3F);
}

/// Start of the last character of valid UTF-8 s[0..end), end > 0.
inline size_t lastCharStart(const unsigned char* s, size_t end) {
    size_t i = end - 1;
    while (i > 0 && (s[i] & 0xC0) == 0x80 && end - i < 4)
        --i;
    return i;
}

void appendUtf8(std::string& out, uint32_t cp);

bool isValidUtf8(std::string_view s);

std::string lossyUtf8(std::string_view s);

// ---------------------------------------------------------- byte alphabet

/// GPT-2's bytes_to_unicode: printable Latin-1 bytes map to themselves, the
/// other 68 to U+0100.. in byte order.
struct ByteAlphabet {
    std::array<uint32_t, 256> charOf{};
    std::array<std::string, 256> utf8Of;
    std::unordered_map<uint32_t, uint8_t> byteOf;
    ByteAlphabet() {
        uint32_t n = 0;
        for (uint32_t b = 0; b < 256; ++b) {
            const bool keep = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            charOf[b] = keep ? b : 256 + n++;
            appendUtf8(utf8Of[b], charOf[b]);
            byteOf.emplace(charOf[b], uint8_t(b));
        }
    }
};

const ByteAlphabet& byteAlphabet();

// ------------------------------------------------------ added-token trie

/// Byte trie of added-token contents; longestAt() gives the leftmost-longest
/// semantics of HF's Aho-Corasick (MatchKind::LeftmostLongest) when called at
/// increasing positions.
class TokenTrie {
public:
    TokenTrie() { m_nodes.emplace_back(); }
    bool empty() const { return m_count == 0; }
    void add(std::string_view s, int value) {
        int node = 0;
        for (unsigned char c : s) {
            auto& next = m_nodes[size_t(node)].next;
            auto it =
                std::lower_bound(next.begin(), next.end(), c,
                                 [](const std::pair<unsigned char, int>& e, unsigned char v) { return e.first < v; });
            if (it != next.end() && it->first == c) {
                node = it->second;
            } else {
                const int created = int(m_nodes.size());
                next.insert(it, {c, created});
                m_nodes.emplace_back();
                node = created;
            }
        }
        m_nodes[size_t(node)].value = value;
        m_first[static_cast<unsigned char>(s[0])] = true;
        ++m_count;
    }
    /// Longest content matching at s[pos..]: its end, or 0 (value in *value).
    size_t longestAt(std::string_view s, size_t pos, int* value) const {
        if (!m_first[static_cast<unsigned char>(s[pos])])
            return 0;
        size_t best = 0;
        int node = 0;
        for (size_t i = pos; i < s.size(); ++i) {
            const auto& next = m_nodes[size_t(node)].next;
            const unsigned char c = static_cast<unsigned char>(s[i]);
            auto it =
                std::lower_bound(next.begin(), next.end(), c,
                                 [](const std::pair<unsigned char, int>& e, unsigned char v) { return e.first < v; });
            if (it == next.end() || it->first != c)
                break;
            node = it->second;
            if (m_nodes[size_t(node)].value >= 0) {
                best = i + 1;
                *value = m_nodes[size_t(node)].value;
            }
        }
        return best;
    }

private:
    struct Node {
        std::vector<std::pair<unsigned char, int>> next;
        int value = -1;
    };
    std::vector<Node> m_nodes;
    std::array<bool, 256> m_first{};
    size_t m_count = 0;
};

struct Split {
    int added; ///< index into addedTokens, -1 for plain text
    size_t begin, end;
};

// Limits that keep hostile files from making huge tables.
constexpr int64_t kMaxId = int64_t(1) << 24;
constexpr size_t kCacheMaxWordBytes = 256; // HF's MAX_LENGTH
constexpr size_t kCacheShardCapacity = 2048;
constexpr size_t kCacheShards = 16;

inline uint64_t pairKey(int a, int b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }

} // namespace hf_bpe_detail

using hf_bpe_detail::kCacheShards;
using hf_bpe_detail::Split;
using hf_bpe_detail::TokenTrie;

// ------------------------------------------------------------------ Impl

struct HfBpe::Impl {
    std::string name;
    std::vector<std::string> pieces;            // id -> token ("" for holes)
    std::vector<uint8_t> present;               // id has a token
    std::vector<std::string> decodedBytes;      // id -> bytes the ByteLevel decoder gives
    std::vector<int> addedIndexById;            // id -> index into added, -1
    std::unordered_map<std::string, int> vocab; // model vocabulary
    std::unordered_map<std::string, int> addedByContent;
    std::vector<std::pair<std::string, std::string>> mergeList;
    std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>> mergeMap; // (a,b) -> (rank, new id)
    std::vector<AddedToken> added;
    TokenTrie plainTrie;      // added tokens with normalized == false
    TokenTrie normalizedTrie; // normalized == true
    std::array<int, 256> byteId{};
    int unkId = -1;
    bool fuseUnk = false;
    bool ignoreMerges = false;
    bool addPrefixSpace = true;
    bool useRegex = true;
    int size = 0;

    struct CacheShard {
        std::mutex mutex;
        std::unordered_map<std::string, std::vector<int>> words;
    };
    mutable std::array<CacheShard, kCacheShards> cache;

    void findMatches(std::string_view sentence, const TokenTrie& trie, size_t base, std::vector<Split>& out) const;
    void encodePlain(std::string_view piece, std::vector<int>& out) const;
    void bpeWord(std::string_view word, std::vector<int>& out) const;
    void mergeWord(std::string_view word, std::vector<int>& out) const;
};

} // namespace mm::text
