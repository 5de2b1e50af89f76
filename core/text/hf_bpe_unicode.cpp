// Hugging Face byte-level BPE: the Unicode classes (\p{L}, \p{N}, \s, \w
// from unicode_tables.inc), UTF-8 validation and lossy repair as Rust's
// from_utf8_lossy does it, and GPT-2's byte alphabet.

#include "text/hf_bpe_internal.h"

#include <algorithm>
#include <iterator>

namespace mm::text::hf_bpe_detail {

namespace {

struct ClassRange {
    uint32_t first, last;
    uint8_t bits;
};

constexpr ClassRange kClassRanges[] = {
#include "unicode_tables.inc"
};

} // namespace

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

const ByteAlphabet& byteAlphabet() {
    static const ByteAlphabet a;
    return a;
}

} // namespace mm::text::hf_bpe_detail
