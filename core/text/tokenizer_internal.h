// Private to the tokenizer (tokenizer.cpp, tokenizer_train.cpp): the fixed
// layout of the vocabulary, SentencePiece's special characters and the UTF-8
// check they share. Not part of the public API (see tokenizer.h).
#pragma once

#include "text/tokenizer.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace mm::text::tokenizer_detail {

constexpr int kBytePieces = 256;
// Byte pieces follow the special tokens (SentencePiece places them right after
// the meta pieces); load() verifies this, so encode/decode can map bytes to ids
// by arithmetic instead of string lookups.
constexpr int kFirstByteId = special::kCount;
// Beyond the fixed pieces a vocabulary needs room for at least the common
// characters of a corpus and some merges, or the tokenizer is useless.
constexpr int kMinVocabSize = special::kCount + kBytePieces + 64;
// SentencePiece rejects sentences shorter than this limit, and a chunk must hold
// at least one 4-byte character.
constexpr int kMinSentenceBytes = 16;
// SentencePiece refuses input_sentence_size values in 1..100.
constexpr int64_t kMinSampledSentences = 101;

constexpr std::string_view kEndOfText = "<|endoftext|>";
// SentencePiece's whitespace symbol U+2581. The normaliser turns spaces into it
// and the decoder turns it back into a space, so a literal U+2581 in the input
// must bypass SentencePiece (encode spells it as byte pieces).
constexpr std::string_view kSpaceSymbol = "\xE2\x96\x81";
// SentencePiece's training-time unknown marker U+2585: LoadSentences silently
// drops every sentence containing it.
constexpr std::string_view kTrainerUnkChar = "\xE2\x96\x85";
// The trainer treats a tab as a piece boundary and never merges across it, so a
// U+2585 replaced by a tab costs nothing but the one character.
constexpr char kTrainerBoundary = '\t';
// U+FFFD, what a byte run that is not valid UTF-8 decodes to.
constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";

/// Length of the valid UTF-8 sequence at the front of `s`, or 0 when it is
/// invalid or incomplete (overlongs, surrogates and code points past U+10FFFF
/// are invalid).
size_t validUtf8Length(std::string_view s);

} // namespace mm::text::tokenizer_detail
