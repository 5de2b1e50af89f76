// Hugging Face tokenizer.json byte-level BPE (see hf_bpe.h for the contract).
//
// The steps follow HF tokenizers (Rust) 0.23 closely, because every quirk
// shows in the ids:
//  1. AddedVocabulary::extract_and_normalize: leftmost-longest matches of the
//     non-normalized added tokens over the whole text, then of the normalized
//     ones inside each remaining piece (there is no normalizer, so only the
//     two passes differ), with single_word / lstrip / rstrip as find_matches
//     applies them (\w and \s as Rust's regex crate has them).
//  2. ByteLevel pre-tokenizer per remaining piece: a space is prepended when
//     add_prefix_space and the piece does not start with one; the GPT-2 regex
//     cuts it into words (implemented by hand below, with Oniguruma's leftmost
//     alternation and greedy repetition); every byte maps to one character of
//     the GPT-2 byte alphabet.
//  3. BPE per word: characters to ids (unknown ones to unk_token or dropped),
//     then Word::merge_all's priority queue: lowest rank first, leftmost
//     first, stale entries skipped only when the pair now maps to another id.

#include "text/hf_bpe.h"

#include "common/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <queue>
#include <sstream>
#include <unordered_map>

namespace mm::text {

namespace {

using nlohmann::json;

// ---------------------------------------------------------------- Unicode

struct ClassRange {
    uint32_t first, last;
    uint8_t bits;
};

constexpr ClassRange kClassRanges[] = {
#include "unicode_tables.inc"
};

constexpr uint8_t kLetter = 1, kNumber = 2, kSpace = 4, kWord = 8;

uint8_t lookupBits(uint32_t cp) {
    // Last range whose first <= cp.
    const ClassRange* begin = std::begin(kClassRanges);
    const ClassRange* end = std::end(kClassRanges);
    const ClassRange* it =
        std::upper_bound(begin, end, cp, [](uint32_t v, const ClassRange& r) { return v < r.first; });
    if (it == begin)
        return 0;
    --it;
    return cp <= it->last ? it->bits : 0;
}

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
size_t utf8Sequence(const unsigned char* p, size_t n, size_t* invalidLen) {
    const unsigned char b0 = p[0];
    if (b0 < 0x80)
        return 1;
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2;
        if (b0 == 0xE0)
            lo = 0xA0;
        else if (b0 == 0xED)
            hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3;
        if (b0 == 0xF0)
            lo = 0x90;
        else if (b0 == 0xF4)
            hi = 0x8F;
    } else {
        *invalidLen = 1;
        return 0;
    }
    size_t i = 1;
    for (; i <= need; ++i) {
        if (i >= n) {
            *invalidLen = i;
            return 0;
        }
        const unsigned char b = p[i];
        const unsigned char l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xBF;
        if (b < l || b > h) {
            *invalidLen = i;
            return 0;
        }
    }
    return need + 1;
}

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

void appendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += char(cp);
    } else if (cp < 0x800) {
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    } else {
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
    }
}

bool isValidUtf8(std::string_view s) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            ++i;
            continue;
        }
        size_t bad = 0;
        const size_t len = utf8Sequence(p + i, n - i, &bad);
        if (len == 0)
            return false;
        i += len;
    }
    return true;
}

std::string lossyUtf8(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 8);
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    size_t i = 0;
    while (i < n) {
        if (p[i] < 0x80) {
            out += char(p[i]);
            ++i;
            continue;
        }
        size_t bad = 0;
        const size_t len = utf8Sequence(p + i, n - i, &bad);
        if (len > 0) {
            out.append(s.data() + i, len);
            i += len;
        } else {
            out += "\xEF\xBF\xBD";
            i += bad;
        }
    }
    return out;
}

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

const ByteAlphabet& byteAlphabet() {
    static const ByteAlphabet a;
    return a;
}

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

} // namespace

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

namespace {

bool endsWithWordChar(std::string_view s, size_t end) {
    if (end == 0)
        return false;
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    size_t len = 0;
    return (charBits(decodeValid(p, lastCharStart(p, end), &len)) & kWord) != 0;
}

bool startsWithWordChar(std::string_view s, size_t begin) {
    if (begin >= s.size())
        return false;
    size_t len = 0;
    return (charBits(decodeValid(reinterpret_cast<const unsigned char*>(s.data()), begin, &len)) & kWord) != 0;
}

/// Start of the whitespace run that ends s[0..end).
size_t trailingSpaceStart(std::string_view s, size_t end) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    while (end > 0) {
        const size_t start = lastCharStart(p, end);
        size_t len = 0;
        if (!(charBits(decodeValid(p, start, &len)) & kSpace))
            break;
        end = start;
    }
    return end;
}

/// End of the whitespace run that starts at s[begin].
size_t leadingSpaceEnd(std::string_view s, size_t begin) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    while (begin < s.size()) {
        size_t len = 0;
        if (!(charBits(decodeValid(p, begin, &len)) & kSpace))
            break;
        begin += len;
    }
    return begin;
}

enum class Cls : uint8_t { Letter, Number, Space, Other };

inline Cls classAt(const unsigned char* p, size_t i, size_t* len) {
    const uint8_t b = charBits(decodeValid(p, i, len));
    if (b & kLetter)
        return Cls::Letter;
    if (b & kNumber)
        return Cls::Number;
    if (b & kSpace)
        return Cls::Space;
    return Cls::Other;
}

/// End of the maximal run of class `c` starting at i (s[i] is of class c).
inline size_t runEnd(const unsigned char* p, size_t n, size_t i, Cls c) {
    while (i < n) {
        size_t len = 0;
        if (classAt(p, i, &len) != c)
            break;
        i += len;
    }
    return i;
}

/// End of the GPT-2 regex match starting at s[pos]:
/// 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
/// Every character is matched by some alternative, so matches tile the text.
size_t gpt2MatchEnd(std::string_view s, size_t pos) {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const size_t n = s.size();
    const unsigned char c0 = p[pos];
    if (c0 == '\'' && pos + 1 < n) {
        const char c1 = char(p[pos + 1]);
        if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd')
            return pos + 2;
        if (pos + 2 < n) {
            const char c2 = char(p[pos + 2]);
            if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l'))
                return pos + 3;
        }
    }
    size_t len0 = 0;
    const Cls k0 = classAt(p, pos, &len0);
    if (c0 == ' ' && pos + 1 < n) {
        size_t len1 = 0;
        const Cls k1 = classAt(p, pos + 1, &len1);
        if (k1 != Cls::Space)
            return runEnd(p, n, pos + 1, k1);
    }
    if (k0 != Cls::Space)
        return runEnd(p, n, pos, k0);
    // \s+(?!\S) takes the whole run at the end of the text and otherwise all
    // but its last character; a lone space before a non-space falls to \s+.
    size_t i = pos, last = pos;
    while (i < n) {
        size_t len = 0;
        if (classAt(p, i, &len) != Cls::Space)
            break;
        last = i;
        i += len;
    }
    if (i == n)
        return n;
    return last > pos ? last : i;
}

struct MergeEntry {
    uint32_t rank;
    uint32_t pos;
    int newId;
};

struct MergeOrder {
    // priority_queue pops the "largest": make that the lowest rank, then the lowest position.
    bool operator()(const MergeEntry& a, const MergeEntry& b) const {
        if (a.rank != b.rank)
            return a.rank > b.rank;
        return a.pos > b.pos;
    }
};

struct Symbol {
    int c;
    int prev;
    int next;
    int len; // 0 = merged away
};

inline uint64_t pairKey(int a, int b) { return (uint64_t(uint32_t(a)) << 32) | uint32_t(b); }

} // namespace

void HfBpe::Impl::findMatches(std::string_view sentence, const TokenTrie& trie, size_t base,
                              std::vector<Split>& out) const {
    // As AddedVocabulary::find_matches (offsets relative to `sentence`, then shifted by base).
    if (sentence.empty())
        return;
    if (trie.empty()) {
        out.push_back({-1, base, base + sentence.size()});
        return;
    }
    size_t startOffset = 0;
    size_t pos = 0;
    while (pos < sentence.size()) {
        int value = -1;
        const size_t matchEnd = trie.longestAt(sentence, pos, &value);
        if (matchEnd == 0) {
            ++pos;
            continue;
        }
        size_t start = pos, stop = matchEnd;
        pos = matchEnd; // the match iterator goes on after the raw match
        const AddedToken& tok = added[size_t(value)];
        if (tok.singleWord) {
            const bool startSpace = start == 0 || !endsWithWordChar(sentence, start);
            const bool stopSpace = stop == sentence.size() || !startsWithWordChar(sentence, stop);
            if (!startSpace || !stopSpace)
                continue;
        }
        if (tok.lstrip)
            start = std::max(trailingSpaceStart(sentence, start), startOffset);
        if (tok.rstrip)
            stop = leadingSpaceEnd(sentence, stop);
        if (startOffset < start)
            out.push_back({-1, base + startOffset, base + start});
        out.push_back({value, base + start, base + stop});
        startOffset = stop;
    }
    if (startOffset < sentence.size())
        out.push_back({-1, base + startOffset, base + sentence.size()});
}

void HfBpe::Impl::encodePlain(std::string_view piece, std::vector<int>& out) const {
    std::string withSpace;
    std::string_view s = piece;
    if (addPrefixSpace && s[0] != ' ') {
        withSpace.reserve(s.size() + 1);
        withSpace += ' ';
        withSpace.append(s.data(), s.size());
        s = withSpace;
    }
    if (!useRegex) {
        bpeWord(s, out);
        return;
    }
    size_t pos = 0;
    while (pos < s.size()) {
        const size_t end = gpt2MatchEnd(s, pos);
        bpeWord(s.substr(pos, end - pos), out);
        pos = end;
    }
}

void HfBpe::Impl::bpeWord(std::string_view word, std::vector<int>& out) const {
    if (word.empty())
        return;
    if (ignoreMerges) {
        const ByteAlphabet& a = byteAlphabet();
        std::string mapped;
        mapped.reserve(word.size() * 2);
        for (unsigned char b : word)
            mapped += a.utf8Of[b];
        auto it = vocab.find(mapped);
        if (it != vocab.end()) {
            out.push_back(it->second);
            return;
        }
    }
    if (word.size() >= kCacheMaxWordBytes) {
        mergeWord(word, out);
        return;
    }
    const std::string key(word);
    CacheShard& shard = cache[std::hash<std::string>{}(key) % kCacheShards];
    {
        std::lock_guard<std::mutex> lock(shard.mutex);
        auto it = shard.words.find(key);
        if (it != shard.words.end()) {
            out.insert(out.end(), it->second.begin(), it->second.end());
            return;
        }
    }
    const size_t before = out.size();
    mergeWord(word, out);
    std::lock_guard<std::mutex> lock(shard.mutex);
    if (shard.words.size() < kCacheShardCapacity)
        shard.words.emplace(key, std::vector<int>(out.begin() + std::ptrdiff_t(before), out.end()));
}

void HfBpe::Impl::mergeWord(std::string_view word, std::vector<int>& out) const {
    // BPE::merge_word: one symbol per byte-level character (= per byte).
    std::vector<Symbol> symbols;
    symbols.reserve(word.size());
    auto addSymbol = [&](int c, int len) {
        const int index = int(symbols.size());
        if (!symbols.empty())
            symbols.back().next = index;
        symbols.push_back({c, index - 1, -1, len});
    };
    int unkPendingLen = 0; // > 0: an unk symbol waits to be added
    for (unsigned char b : word) {
        const int id = byteId[b];
        if (id >= 0) {
            if (unkPendingLen > 0) {
                addSymbol(unkId, unkPendingLen);
                unkPendingLen = 0;
            }
            addSymbol(id, 1);
        } else if (unkId >= 0) {
            if (unkPendingLen > 0 && fuseUnk) {
                ++unkPendingLen;
            } else {
                if (unkPendingLen > 0)
                    addSymbol(unkId, unkPendingLen);
                unkPendingLen = 1;
            }
        }
        // else: HF drops a character that is neither in the vocab nor unk.
    }
    if (unkPendingLen > 0)
        addSymbol(unkId, unkPendingLen);

    // Word::merge_all.
    if (symbols.size() > 1 && !mergeMap.empty()) {
        std::vector<MergeEntry> heapStore;
        heapStore.reserve(symbols.size() * 2);
        std::priority_queue<MergeEntry, std::vector<MergeEntry>, MergeOrder> queue(MergeOrder{}, std::move(heapStore));
        for (size_t i = 0; i + 1 < symbols.size(); ++i) {
            auto it = mergeMap.find(pairKey(symbols[i].c, symbols[i + 1].c));
            if (it != mergeMap.end())
                queue.push({it->second.first, uint32_t(i), int(it->second.second)});
        }
        while (!queue.empty()) {
            const MergeEntry top = queue.top();
            queue.pop();
            Symbol& cur = symbols[top.pos];
            if (cur.len == 0 || cur.next == -1)
                continue;
            const int nextPos = cur.next;
            const Symbol right = symbols[size_t(nextPos)];
            auto target = mergeMap.find(pairKey(cur.c, right.c));
            if (target == mergeMap.end() || int(target->second.second) != top.newId)
                continue;
            cur.c = top.newId;
            cur.len += right.len;
            cur.next = right.next;
            symbols[size_t(nextPos)].len = 0;
            if (right.next > -1 && size_t(right.next) < symbols.size())
                symbols[size_t(right.next)].prev = int(top.pos);
            if (cur.prev >= 0) {
                auto it = mergeMap.find(pairKey(symbols[size_t(cur.prev)].c, cur.c));
                if (it != mergeMap.end())
                    queue.push({it->second.first, uint32_t(cur.prev), int(it->second.second)});
            }
            if (cur.next >= 0 && size_t(cur.next) < symbols.size()) {
                auto it = mergeMap.find(pairKey(cur.c, symbols[size_t(cur.next)].c));
                if (it != mergeMap.end())
                    queue.push({it->second.first, top.pos, int(it->second.second)});
            }
        }
    }
    for (const Symbol& s : symbols)
        if (s.len != 0)
            out.push_back(s.c);
}

// ------------------------------------------------------------- loading

namespace {

[[noreturn]] void fail(const std::string& name, const std::string& message) { throw InputError(name + ": " + message); }

std::string shown(std::string_view s) {
    // For messages: at most 60 bytes, cut on a character boundary, escapes for control bytes.
    std::string out = "\"";
    size_t i = 0;
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    while (i < s.size()) {
        if (i >= 60) {
            out += "...";
            break;
        }
        const unsigned char c = p[i];
        if (c < 0x20 || c == 0x7F) {
            static const char* hex = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
            ++i;
        } else if (c == '"' || c == '\\') {
            out += '\\';
            out += char(c);
            ++i;
        } else if (c < 0x80) {
            out += char(c);
            ++i;
        } else {
            size_t bad = 0;
            const size_t len = utf8Sequence(p + i, s.size() - i, &bad);
            if (len == 0) {
                out += "\\ufffd";
                i += bad;
            } else {
                out.append(s.data() + i, len);
                i += len;
            }
        }
    }
    out += "\"";
    return out;
}

const char* typeName(const json& v) { return v.type_name(); }

const json* member(const json& obj, const char* key) {
    if (!obj.is_object())
        return nullptr;
    auto it = obj.find(key);
    return it == obj.end() ? nullptr : &*it;
}

bool isNullOrAbsent(const json* v) { return v == nullptr || v->is_null(); }

/// Optional boolean field: null/absent -> fallback.
bool optBool(const std::string& name, const json& obj, const char* key, const std::string& path, bool fallback) {
    const json* v = member(obj, key);
    if (isNullOrAbsent(v))
        return fallback;
    if (!v->is_boolean())
        fail(name, path + "." + key + " is " + typeName(*v) + ", not true/false");
    return v->get<bool>();
}

std::string typeOf(const std::string& name, const json& obj, const std::string& path) {
    const json* t = member(obj, "type");
    if (t == nullptr)
        fail(name, path + ".type is missing");
    if (!t->is_string())
        fail(name, path + ".type is " + typeName(*t) + ", not a string");
    return t->get<std::string>();
}

/// The ByteLevel component of `v` (ByteLevel itself, or a Sequence whose
/// only element under `listKey` is ByteLevel), or null.
const json* singleByteLevel(const std::string& name, const json& v, const std::string& path, const char* listKey,
                            std::string* typeSeen) {
    if (!v.is_object())
        fail(name, path + " is " + typeName(v) + ", not an object");
    const std::string t = typeOf(name, v, path);
    *typeSeen = t;
    if (t == "ByteLevel")
        return &v;
    if (t == "Sequence") {
        const json* list = member(v, listKey);
        if (list == nullptr || !list->is_array())
            fail(name, path + "." + listKey + " is missing or not a list");
        if (list->size() == 1) {
            const json& only = (*list)[0];
            if (only.is_object()) {
                const json* ot = member(only, "type");
                if (ot != nullptr && ot->is_string() && ot->get<std::string>() == "ByteLevel")
                    return &only;
            }
        }
        *typeSeen = "Sequence (of " + std::to_string(list->size()) + " parts, not just ByteLevel)";
        return nullptr;
    }
    return nullptr;
}

int64_t idValue(const std::string& name, const json& v, const std::string& path) {
    if (!v.is_number_integer())
        fail(name, path + " is " + std::string(typeName(v)) + ", not an integer id");
    if (v.is_number_unsigned()) {
        const uint64_t u = v.get<uint64_t>();
        if (u >= uint64_t(kMaxId))
            fail(name, path + " is " + std::to_string(u) + ", out of range (ids must be below " +
                           std::to_string(kMaxId) + ")");
        return int64_t(u);
    }
    const int64_t i = v.get<int64_t>();
    if (i < 0 || i >= kMaxId)
        fail(name, path + " is " + std::to_string(i) + ", out of range (ids must be 0 .. " +
                       std::to_string(kMaxId - 1) + ")");
    return i;
}

void checkNull(const std::string& name, const json& root, const char* key, const std::string& what) {
    const json* v = member(root, key);
    if (!isNullOrAbsent(v))
        fail(name, std::string(key) + " is set (" + typeName(*v) + "); " + what);
}

} // namespace

HfBpe HfBpe::fromJson(std::string_view jsonText, const std::string& nameForErrors) {
    const std::string& name = nameForErrors;
    std::shared_ptr<Impl> impl;
    try {
        json root;
        try {
            root = json::parse(jsonText.begin(), jsonText.end());
        } catch (const json::exception& e) {
            fail(name, std::string("is not valid JSON (") + e.what() +
                           "); expected a Hugging Face tokenizer.json (tokenizers' Tokenizer.save output)");
        }
        impl = std::make_shared<Impl>();
        Impl& m = *impl;
        m.name = name;
        if (!root.is_object())
            fail(name, std::string("top level is ") + typeName(root) +
                           ", not an object; expected a Hugging Face tokenizer.json");

        if (const json* v = member(root, "version"); !isNullOrAbsent(v)) {
            if (!v->is_string() || v->get<std::string>() != "1.0")
                fail(name, "version is " + (v->is_string() ? shown(v->get<std::string>()) : std::string(typeName(*v))) +
                               "; HF tokenizers reads only version \"1.0\"");
        }
        checkNull(name, root, "truncation",
                  "MicroMind encodes whole texts and cuts sequences itself; set \"truncation\": null");
        checkNull(name, root, "padding", "MicroMind pads batches itself; set \"padding\": null");
        if (const json* v = member(root, "normalizer"); !isNullOrAbsent(v)) {
            std::string t = "a " + std::string(typeName(*v));
            if (v->is_object()) {
                const json* vt = member(*v, "type");
                if (vt != nullptr && vt->is_string())
                    t = shown(vt->get<std::string>());
            }
            fail(name, "normalizer.type is " + t +
                           "; MicroMind reads byte-level BPE tokenizers without a normalizer (\"normalizer\": null)");
        }

        // ---- model
        const json* model = member(root, "model");
        if (model == nullptr || model->is_null())
            fail(name, "model is missing; expected a byte-level BPE tokenizer.json with model.vocab and model.merges");
        if (!model->is_object())
            fail(name, std::string("model is ") + typeName(*model) + ", not an object");
        if (const json* t = member(*model, "type"); t != nullptr) {
            if (!t->is_string())
                fail(name, std::string("model.type is ") + typeName(*t) + ", not a string");
            if (t->get<std::string>() != "BPE")
                fail(name, "model.type is " + shown(t->get<std::string>()) +
                               "; MicroMind reads byte-level BPE tokenizers (model.type \"BPE\" with a ByteLevel "
                               "pre-tokenizer)");
        }
        if (const json* d = member(*model, "dropout"); !isNullOrAbsent(d)) {
            if (!d->is_number())
                fail(name, std::string("model.dropout is ") + typeName(*d) + ", not a number");
            const double p = d->get<double>();
            if (!(p >= 0.0 && p <= 1.0))
                fail(name, "model.dropout must be between 0 and 1");
            if (p > 0.0)
                fail(name, "model.dropout is set; BPE dropout (random merges) is unsupported, set it to null");
        }
        for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
            const json* v = member(*model, key);
            if (isNullOrAbsent(v))
                continue;
            if (!v->is_string())
                fail(name, std::string("model.") + key + " is " + typeName(*v) + ", not a string");
            if (!v->get<std::string>().empty())
                fail(name, std::string("model.") + key + " is " + shown(v->get<std::string>()) +
                               "; unsupported (byte-level BPE uses none), set it to null");
        }
        if (optBool(name, *model, "byte_fallback", "model", false))
            fail(name, "model.byte_fallback is true; unsupported (byte-level BPE needs no byte fallback), set it to "
                       "false");
        m.fuseUnk = optBool(name, *model, "fuse_unk", "model", false);
        m.ignoreMerges = optBool(name, *model, "ignore_merges", "model", false);

        const json* vocab = member(*model, "vocab");
        if (vocab == nullptr || vocab->is_null())
            fail(name, "model.vocab is missing; a BPE tokenizer.json maps token strings to ids there");
        if (!vocab->is_object())
            fail(name, std::string("model.vocab is ") + typeName(*vocab) + ", not an object of token -> id");
        const json* merges = member(*model, "merges");
        if (merges == nullptr || merges->is_null())
            fail(name, "model.merges is missing; a BPE tokenizer.json lists its merges there");
        if (!merges->is_array())
            fail(name, std::string("model.merges is ") + typeName(*merges) + ", not a list");

        // Vocabulary: ids unique, bounded.
        const size_t vocabCount = vocab->size();
        int64_t maxId = -1;
        std::unordered_map<int64_t, std::string> tokenOfId;
        tokenOfId.reserve(vocabCount);
        m.vocab.reserve(vocabCount);
        for (auto it = vocab->begin(); it != vocab->end(); ++it) {
            const int64_t id = idValue(name, it.value(), "model.vocab[" + shown(it.key()) + "]");
            auto [pos, inserted] = tokenOfId.emplace(id, it.key());
            if (!inserted)
                fail(name, "model.vocab has id " + std::to_string(id) + " twice (" + shown(pos->second) + " and " +
                               shown(it.key()) + "); every token needs its own id");
            m.vocab.emplace(it.key(), int(id));
            maxId = std::max(maxId, id);
        }

        // Added tokens: ids as HF assigns them (vocab id when the content is a
        // vocab entry, else the next id after the vocabulary, in file order).
        if (const json* list = member(root, "added_tokens"); !isNullOrAbsent(list)) {
            if (!list->is_array())
                fail(name, std::string("added_tokens is ") + typeName(*list) + ", not a list");
            int64_t nextId = int64_t(vocabCount);
            for (size_t i = 0; i < list->size(); ++i) {
                const json& e = (*list)[i];
                const std::string path = "added_tokens[" + std::to_string(i) + "]";
                if (!e.is_object())
                    fail(name, path + " is " + typeName(e) + ", not an object");
                const json* content = member(e, "content");
                if (content == nullptr || !content->is_string())
                    fail(name, path + ".content is missing or not a string");
                const json* idv = member(e, "id");
                if (idv == nullptr)
                    fail(name, path + ".id is missing");
                AddedToken tok;
                tok.id = int(idValue(name, *idv, path + ".id"));
                tok.content = content->get<std::string>();
                if (tok.content.empty())
                    fail(name, path + ".content is empty; remove that entry");
                tok.special = optBool(name, e, "special", path, false);
                tok.singleWord = optBool(name, e, "single_word", path, false);
                tok.lstrip = optBool(name, e, "lstrip", path, false);
                tok.rstrip = optBool(name, e, "rstrip", path, false);
                tok.normalized = optBool(name, e, "normalized", path, !tok.special);
                if (m.addedByContent.count(tok.content))
                    fail(name, path + ".content " + shown(tok.content) + " is listed twice in added_tokens");
                int64_t expected;
                auto inVocab = m.vocab.find(tok.content);
                if (inVocab != m.vocab.end()) {
                    expected = inVocab->second;
                } else {
                    expected = nextId++;
                    auto clash = tokenOfId.find(expected);
                    if (clash != tokenOfId.end())
                        fail(name, path + " " + shown(tok.content) + " gets id " + std::to_string(expected) +
                                       ", which model.vocab gives to " + shown(clash->second) +
                                       "; ids must be unique (HF gives added tokens that are not in the vocab the "
                                       "ids after the " +
                                       std::to_string(vocabCount) + " vocab entries)");
                }
                if (tok.id != expected)
                    fail(name, path + ".id is " + std::to_string(tok.id) + ", but HF tokenizers gives " +
                                   shown(tok.content) + " id " + std::to_string(expected) +
                                   (inVocab != m.vocab.end()
                                        ? " (its id in model.vocab)"
                                        : " (added tokens not in model.vocab get consecutive ids after the " +
                                              std::to_string(vocabCount) + " vocab entries, in file order)") +
                                   "; fix the id");
                if (expected >= kMaxId)
                    fail(name, path + ".id is out of range");
                maxId = std::max(maxId, expected);
                m.addedByContent.emplace(tok.content, tok.id);
                m.added.push_back(std::move(tok));
            }
        }
        const size_t tokenCount = vocabCount + m.added.size();
        if (maxId >= int64_t(2 * tokenCount + 65536))
            fail(name, "ids go up to " + std::to_string(maxId) + " for only " + std::to_string(tokenCount) +
                           " tokens; such a sparse id space is not supported (renumber the vocabulary densely)");
        m.size = int(maxId + 1);

        // id tables.
        const ByteAlphabet& alphabet = byteAlphabet();
        m.pieces.assign(size_t(m.size), std::string());
        m.present.assign(size_t(m.size), 0);
        m.addedIndexById.assign(size_t(m.size), -1);
        for (const auto& [token, id] : m.vocab) {
            m.pieces[size_t(id)] = token;
            m.present[size_t(id)] = 1;
        }
        for (size_t i = 0; i < m.added.size(); ++i) {
            const AddedToken& tok = m.added[i];
            m.pieces[size_t(tok.id)] = tok.content; // HF decodes an added id to its content first
            m.present[size_t(tok.id)] = 1;
            m.addedIndexById[size_t(tok.id)] = int(i);
            (tok.normalized ? m.normalizedTrie : m.plainTrie).add(tok.content, int(i));
        }
        m.decodedBytes.assign(size_t(m.size), std::string());
        for (size_t id = 0; id < m.pieces.size(); ++id) {
            const std::string& t = m.pieces[id];
            if (t.empty())
                continue;
            // ByteLevel decoder: every character must be in the byte alphabet, else the raw UTF-8 stays.
            std::string bytes;
            bytes.reserve(t.size());
            const auto* p = reinterpret_cast<const unsigned char*>(t.data());
            size_t i = 0;
            bool all = true;
            while (i < t.size()) {
                size_t len = 0;
                const uint32_t cp = decodeValid(p, i, &len);
                auto b = alphabet.byteOf.find(cp);
                if (b == alphabet.byteOf.end()) {
                    all = false;
                    break;
                }
                bytes += char(b->second);
                i += len;
            }
            m.decodedBytes[id] = all ? std::move(bytes) : t;
        }

        bool allBytes = true;
        for (int b = 0; b < 256; ++b) {
            auto it = m.vocab.find(alphabet.utf8Of[size_t(b)]);
            m.byteId[size_t(b)] = it == m.vocab.end() ? -1 : it->second;
            allBytes = allBytes && it != m.vocab.end();
        }
        if (const json* unk = member(*model, "unk_token"); !isNullOrAbsent(unk)) {
            if (!unk->is_string())
                fail(name, std::string("model.unk_token is ") + typeName(*unk) + ", not a string");
            auto it = m.vocab.find(unk->get<std::string>());
            if (it != m.vocab.end())
                m.unkId = it->second;
            else if (!allBytes)
                fail(name, "model.unk_token " + shown(unk->get<std::string>()) +
                               " is not in model.vocab, and the vocab lacks some of the 256 byte-level characters, so "
                               "HF would fail to encode them; add the token to model.vocab or set unk_token to null");
        }

        // Merges: both file formats; rank = position; a repeated pair keeps its last rank (HF collects a map).
        m.mergeList.reserve(merges->size());
        bool sawString = false, sawPair = false;
        for (size_t i = 0; i < merges->size(); ++i) {
            const json& e = (*merges)[i];
            const std::string path = "model.merges[" + std::to_string(i) + "]";
            if (e.is_string()) {
                sawString = true;
                const std::string& line = e.get_ref<const std::string&>();
                if (line.rfind("#version", 0) == 0)
                    continue; // HF skips a merges.txt version line
                const size_t sp = line.find(' ');
                if (sp == std::string::npos || line.find(' ', sp + 1) != std::string::npos)
                    fail(name,
                         path + " is " + shown(line) +
                             ", not two tokens separated by one space (\"a b\"); or write the pair as [\"a\", \"b\"]");
                m.mergeList.emplace_back(line.substr(0, sp), line.substr(sp + 1));
            } else if (e.is_array()) {
                sawPair = true;
                if (e.size() != 2 || !e[0].is_string() || !e[1].is_string())
                    fail(name, path + " is a list but not a pair of two strings [\"a\", \"b\"]");
                m.mergeList.emplace_back(e[0].get<std::string>(), e[1].get<std::string>());
            } else {
                fail(name, path + " is " + typeName(e) + "; merges are \"a b\" strings or [\"a\", \"b\"] pairs");
            }
            if (sawString && sawPair)
                fail(name, "model.merges mixes \"a b\" strings and [\"a\", \"b\"] pairs; use one format");
        }
        m.mergeMap.reserve(m.mergeList.size());
        for (size_t rank = 0; rank < m.mergeList.size(); ++rank) {
            const auto& [a, b] = m.mergeList[rank];
            const std::string path = "model.merges[" + std::to_string(rank) + "]";
            auto ia = m.vocab.find(a);
            if (ia == m.vocab.end())
                fail(name, path + " part " + shown(a) + " is not in model.vocab; every merge part must be a token");
            auto ib = m.vocab.find(b);
            if (ib == m.vocab.end())
                fail(name, path + " part " + shown(b) + " is not in model.vocab; every merge part must be a token");
            auto ir = m.vocab.find(a + b);
            if (ir == m.vocab.end())
                fail(name,
                     path + " result " + shown(a + b) + " is not in model.vocab; every merge result must be a token");
            m.mergeMap[pairKey(ia->second, ib->second)] = {uint32_t(rank), uint32_t(ir->second)};
        }

        // ---- pre-tokenizer, decoder, post-processor
        const json* pre = member(root, "pre_tokenizer");
        if (isNullOrAbsent(pre))
            fail(name, "pre_tokenizer is null; MicroMind reads byte-level BPE tokenizers (model.type \"BPE\" with a "
                       "ByteLevel pre-tokenizer)");
        std::string seen;
        const json* bl = singleByteLevel(name, *pre, "pre_tokenizer", "pretokenizers", &seen);
        if (bl == nullptr)
            fail(name, "pre_tokenizer.type is " + shown(seen) +
                           "; MicroMind reads byte-level BPE tokenizers (a ByteLevel pre-tokenizer, GPT-2 style)");
        m.addPrefixSpace = optBool(name, *bl, "add_prefix_space", "pre_tokenizer", true);
        m.useRegex = optBool(name, *bl, "use_regex", "pre_tokenizer", true);

        const json* dec = member(root, "decoder");
        if (isNullOrAbsent(dec))
            fail(name, "decoder is null; MicroMind decodes byte-level BPE with the ByteLevel decoder (\"decoder\": "
                       "{\"type\": \"ByteLevel\"})");
        if (singleByteLevel(name, *dec, "decoder", "decoders", &seen) == nullptr)
            fail(name,
                 "decoder.type is " + shown(seen) + "; MicroMind decodes byte-level BPE with the ByteLevel decoder");

        if (const json* post = member(root, "post_processor"); !isNullOrAbsent(post)) {
            if (singleByteLevel(name, *post, "post_processor", "processors", &seen) == nullptr)
                fail(name, "post_processor.type is " + shown(seen) +
                               "; MicroMind adds no template tokens when encoding (it renders the chat template "
                               "itself): use a file with \"post_processor\": null or ByteLevel");
        }
    } catch (const mm::Error&) {
        throw;
    } catch (const json::exception& e) {
        fail(name, std::string("unexpected JSON content (") + e.what() + ")");
    } catch (const std::bad_alloc&) {
        fail(name, "too large to load");
    } catch (const std::length_error&) {
        fail(name, "too large to load");
    }
    return HfBpe(std::move(impl));
}

HfBpe HfBpe::loadFile(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        fail(path, "is a directory; pass the tokenizer.json file inside it");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        fail(path, std::string("cannot open the tokenizer file (") + std::strerror(errno) + ")");
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad())
        fail(path, "cannot read the tokenizer file");
    return fromJson(ss.str(), path);
}

// ------------------------------------------------------------ interface

HfBpe::HfBpe(std::shared_ptr<const Impl> impl) : m_impl(std::move(impl)) {}
HfBpe::HfBpe(const HfBpe&) = default;
HfBpe::HfBpe(HfBpe&&) noexcept = default;
HfBpe& HfBpe::operator=(const HfBpe&) = default;
HfBpe& HfBpe::operator=(HfBpe&&) noexcept = default;
HfBpe::~HfBpe() = default;

std::vector<int> HfBpe::encode(std::string_view text) const {
    const Impl& m = *m_impl;
    std::vector<int> out;
    if (text.empty())
        return out;
    std::string repaired;
    if (!isValidUtf8(text)) {
        repaired = lossyUtf8(text);
        text = repaired;
    }
    out.reserve(text.size() / 2 + 4);
    std::vector<Split> first;
    m.findMatches(text, m.plainTrie, 0, first);
    std::vector<Split> second;
    for (const Split& s : first) {
        if (s.added >= 0) {
            out.push_back(m.added[size_t(s.added)].id);
            continue;
        }
        second.clear();
        m.findMatches(text.substr(s.begin, s.end - s.begin), m.normalizedTrie, s.begin, second);
        for (const Split& t : second) {
            if (t.added >= 0)
                out.push_back(m.added[size_t(t.added)].id);
            else if (t.end > t.begin)
                m.encodePlain(text.substr(t.begin, t.end - t.begin), out);
        }
    }
    return out;
}

std::string HfBpe::decode(const std::vector<int>& ids) const {
    const Impl& m = *m_impl;
    std::string bytes;
    for (int id : ids)
        if (id >= 0 && id < m.size && m.present[size_t(id)])
            bytes += m.decodedBytes[size_t(id)];
    if (isValidUtf8(bytes))
        return bytes;
    return lossyUtf8(bytes);
}

std::string HfBpe::idToPiece(int id) const {
    const Impl& m = *m_impl;
    return id >= 0 && id < m.size ? m.pieces[size_t(id)] : std::string();
}

int HfBpe::vocabSize() const { return m_impl->size; }

int HfBpe::tokenId(std::string_view content) const {
    const Impl& m = *m_impl;
    const std::string key(content);
    if (auto it = m.addedByContent.find(key); it != m.addedByContent.end())
        return it->second;
    if (auto it = m.vocab.find(key); it != m.vocab.end())
        return it->second;
    return -1;
}

bool HfBpe::isSpecial(int id) const {
    const Impl& m = *m_impl;
    if (id < 0 || id >= m.size)
        return false;
    const int i = m.addedIndexById[size_t(id)];
    return i >= 0 && m.added[size_t(i)].special;
}

const std::vector<std::string>& HfBpe::pieces() const { return m_impl->pieces; }

const std::vector<std::pair<std::string, std::string>>& HfBpe::merges() const { return m_impl->mergeList; }

const std::vector<HfBpe::AddedToken>& HfBpe::addedTokens() const { return m_impl->added; }

std::string HfBpe::toValidUtf8(std::string_view bytes) {
    return isValidUtf8(bytes) ? std::string(bytes) : lossyUtf8(bytes);
}

} // namespace mm::text
