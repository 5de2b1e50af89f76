#pragma once
// Models out to the tools people run them with.
//
// hf: a transformers folder that LlamaForCausalLM (and minimind's own
//   MiniMindForCausalLM, whose config fields are Llama's) loads: config.json,
//   generation_config.json, model.safetensors (tied head: no lm_head.weight),
//   and the tokenizer files (tokenizer.json + tokenizer_config.json for a
//   byte-level BPE such as minimind's; tokenizer.model + a LlamaTokenizer
//   tokenizer_config.json for MicroMind's SentencePiece tokenizer), chat
//   template included. vLLM reads the same folder.
// gguf: one llama.cpp file (general.architecture "llama"), q/k rows permuted
//   to llama.cpp's rotary layout, the tokenizer inside ("gpt2" byte-level BPE
//   or "llama" SentencePiece), f32 / f16 / q8_0; ollama imports it with a
//   Modelfile `FROM ./model.gguf`.
// Every file is written under a temporary name and renamed; a folder is
// assembled beside the destination and renamed into place.

#include "model/minimind.h"
#include "text/tokenizer.h"

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mm::interop {

struct ExportResult {
    std::string path;               ///< folder or file written
    std::vector<std::string> files; ///< what was written
    std::vector<std::string> notes; ///< tensors kept at higher precision, ...
};

/// `dtype`: float32, float16 or bfloat16. `provenance` goes into config.json
/// under "micromind" (source checkpoint, stage, version).
ExportResult exportHf(model::MiniMind& m, const text::Tokenizer& tok, const std::string& dir, const std::string& dtype,
                      bool force, const nlohmann::json& provenance);

/// `type`: f32, f16 or q8_0 (a tensor whose rows are not a multiple of 32
/// stays f16; said in notes).
ExportResult exportGguf(model::MiniMind& m, const text::Tokenizer& tok, const std::string& file,
                        const std::string& type, bool force, const std::string& modelName);

/// Reads a GGUF file written by exportGguf (or any llama-architecture GGUF of
/// this shape) back into a MiniMind: dequantised, q/k un-permuted. For
/// parity checks.
model::MiniMind readGgufModel(const std::string& file);

/// The chat template written into exports: the tokenizer's own when it has
/// one, else ChatML as MicroMind renders it (no default system prompt).
std::string exportChatTemplate(const text::Tokenizer& tok);

} // namespace mm::interop
