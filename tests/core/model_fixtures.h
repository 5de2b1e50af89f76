#pragma once
// Torch-side fixtures shared by the stage tests: the fixture tokenizer, loaded
// once, and a tiny seeded model sized to its vocabulary.

#include "fixtures.h"
#include "model/minimind.h"
#include "text/tokenizer.h"

#include <cstdint>

namespace mm::test {

inline const text::Tokenizer& stageTokenizer() {
    static text::Tokenizer tok = text::Tokenizer::load(fixtureTokenizer());
    return tok;
}

/// 2 layers, hidden 32, 4 query / 2 key-value heads, 256 positions.
inline model::MiniMind tinyStageModel(uint64_t seed = 5) {
    model::ModelConfig c;
    c.vocabSize = stageTokenizer().vocabSize();
    c.hiddenSize = 32;
    c.numLayers = 2;
    c.numHeads = 4;
    c.numKvHeads = 2;
    c.maxPositions = 256;
    model::MiniMind m(c);
    m->resetParameters(seed);
    return m;
}

} // namespace mm::test
