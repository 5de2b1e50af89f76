#!/usr/bin/python3
"""Generates core/text/unicode_tables.inc: the character classes that the
Hugging Face byte-level pre-tokenizer (core/text/hf_bpe_unicode.cpp) needs.

    /usr/bin/python3 scripts/gen_unicode_tables.py [--ucd UnicodeData.txt] [-o core/text/unicode_tables.inc]

Classes (one bit each, stored as sorted, non-overlapping code point ranges):
  L  general category L* (Lu Ll Lt Lm Lo)           -> regex \\p{L}
  N  general category N* (Nd Nl No)                 -> regex \\p{N}
  S  White_Space: U+0009..U+000D, U+0085 and the
     categories Zs, Zl, Zp (that is exactly the
     White_Space property of PropList.txt)          -> regex \\s
  W  Rust regex's Unicode \\w: Alphabetic, M*, Nd,
     Pc and Join_Control (U+200C, U+200D)           -> AddedToken single_word

Which Unicode version: HF tokenizers matches the GPT-2 pre-tokenizer regex
with Oniguruma (the `onig` crate) and the single_word test with Rust's regex
crate. tokenizers 0.23.2 (npm) classifies every code point exactly as
Unicode 16.0.0 does (checked code point by code point against its ByteLevel
pre-tokenizer). Python's unicodedata follows the Python release (3.11 has
Unicode 14.0.0), so pass the Unicode 16.0.0 UnicodeData.txt with --ucd
(from the UCD, unicode.org/Public/16.0.0/ucd/UnicodeData.txt) to reproduce
the committed file; without --ucd the tables come from unicodedata and the
header says which version that was.

Alphabetic is Lu Ll Lt Lm Lo Nl plus Other_Alphabetic. Other_Alphabetic is
not in UnicodeData.txt nor in unicodedata; apart from marks (already in \\w
through M*) it holds only the circled and squared Latin letters listed in
OTHER_ALPHABETIC_SYMBOLS below (PropList.txt 15.0 and 16.0).
"""

import argparse
import sys
import unicodedata

# Other_Alphabetic code points whose general category is not M* or L*
# (all are So). From PropList.txt; unchanged from Unicode 6.1 to 16.0.
OTHER_ALPHABETIC_SYMBOLS = [
    (0x24B6, 0x24E9),    # CIRCLED LATIN CAPITAL LETTER A .. CIRCLED LATIN SMALL LETTER Z
    (0x1F130, 0x1F149),  # SQUARED LATIN CAPITAL LETTER A .. Z
    (0x1F150, 0x1F169),  # NEGATIVE CIRCLED LATIN CAPITAL LETTER A .. Z
    (0x1F170, 0x1F189),  # NEGATIVE SQUARED LATIN CAPITAL LETTER A .. Z
]

WHITE_SPACE_CONTROLS = {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85}

BIT_L, BIT_N, BIT_S, BIT_W = 1, 2, 4, 8


def categories_from_ucd(path):
    """Reads UnicodeData.txt: returns (list of 0x110000 categories, version note)."""
    cats = ["Cn"] * 0x110000
    first = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            fields = line.split(";")
            cp = int(fields[0], 16)
            name, cat = fields[1], fields[2]
            if name.endswith(", First>"):
                first = cp
                continue
            if name.endswith(", Last>"):
                for c in range(first, cp + 1):
                    cats[c] = cat
                first = None
                continue
            cats[cp] = cat
    return cats


def categories_from_unicodedata():
    return [unicodedata.category(chr(c)) for c in range(0x110000)]


def flags_of(cp, cat):
    f = 0
    major = cat[0]
    if major == "L":
        f |= BIT_L
    if major == "N":
        f |= BIT_N
    if cat in ("Zs", "Zl", "Zp") or cp in WHITE_SPACE_CONTROLS:
        f |= BIT_S
    if major in ("L", "M") or cat in ("Nd", "Nl", "Pc") or cp in (0x200C, 0x200D):
        f |= BIT_W
    return f


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ucd", help="UnicodeData.txt to read instead of Python's unicodedata")
    ap.add_argument("--ucd-version", default="16.0.0", help="version of the --ucd file, for the header")
    ap.add_argument("-o", "--output", default="core/text/unicode_tables.inc")
    args = ap.parse_args()

    if args.ucd:
        cats = categories_from_ucd(args.ucd)
        source = "UnicodeData.txt of Unicode %s (--ucd)" % args.ucd_version
    else:
        cats = categories_from_unicodedata()
        source = "Python %s unicodedata, Unicode %s" % (sys.version.split()[0], unicodedata.unidata_version)
        if unicodedata.unidata_version != "16.0.0":
            print("warning: unicodedata is Unicode %s; HF tokenizers 0.23.2 uses 16.0.0 (pass --ucd)"
                  % unicodedata.unidata_version, file=sys.stderr)

    other_alpha = set()
    for lo, hi in OTHER_ALPHABETIC_SYMBOLS:
        other_alpha.update(range(lo, hi + 1))

    # Surrogates never reach the tables (the decoder rejects them); give them 0.
    ranges = []  # (lo, hi, flags), flags != 0, maximal runs
    cur = None
    for cp in range(0x110000):
        f = 0 if 0xD800 <= cp <= 0xDFFF else flags_of(cp, cats[cp])
        if cp in other_alpha:
            f |= BIT_W
        if cur is not None and cur[2] == f and cur[1] == cp - 1:
            cur[1] = cp
            continue
        if cur is not None and cur[2] != 0:
            ranges.append(tuple(cur))
        cur = [cp, cp, f]
    if cur is not None and cur[2] != 0:
        ranges.append(tuple(cur))

    counts = {b: 0 for b in (BIT_L, BIT_N, BIT_S, BIT_W)}
    for lo, hi, f in ranges:
        for b in counts:
            if f & b:
                counts[b] += hi - lo + 1

    out = []
    out.append("// Generated by scripts/gen_unicode_tables.py from %s. Do not edit." % source)
    out.append("// Regenerate: /usr/bin/python3 scripts/gen_unicode_tables.py --ucd <Unicode 16.0.0 UnicodeData.txt>")
    out.append("// Character classes of the Hugging Face byte-level pre-tokenizer regex and of")
    out.append("// AddedToken single_word (see the script). Bits: 1 = \\p{L}, 2 = \\p{N},")
    out.append("// 4 = \\s (White_Space), 8 = \\w (Rust regex). Code points in no range have none.")
    out.append("// Counts: L %d, N %d, S %d, W %d code points; %d ranges."
               % (counts[BIT_L], counts[BIT_N], counts[BIT_S], counts[BIT_W], len(ranges)))
    out.append("// Each entry: {first, last, bits}, sorted by first, non-overlapping.")
    line = ""
    for lo, hi, f in ranges:
        item = "{0x%X,0x%X,%d}," % (lo, hi, f)
        if len(line) + len(item) > 110:
            out.append(line.rstrip())
            line = ""
        line += item + " "
    if line:
        out.append(line.rstrip())
    with open(args.output, "w", encoding="ascii", newline="\n") as f:
        f.write("\n".join(out) + "\n")
    print("wrote %s: %d ranges (%s)" % (args.output, len(ranges), source))


if __name__ == "__main__":
    main()
