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

// This file holds steps 1 to 3 (encoding); loading is in hf_bpe_load.cpp.

#include "text/hf_bpe_internal.h"

#include <algorithm>
#include <functional>
#include <mutex>
#include <queue>

namespace mm::text {

using namespace hf_bpe_detail;

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

} // namespace mm::text
