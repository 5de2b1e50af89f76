#pragma once
// GGUF (v3) writer and reader, torch-free: the file format of llama.cpp,
// ollama and everything built on ggml.
//
// ============================================================================
// What llama.cpp needs from a general.architecture = "llama" file
// ----------------------------------------------------------------------------
// Read from llama.cpp release v0.5.0 (the source node-llama-cpp 3.22.1 ships
// as llama/gitRelease.bundle, the build of its prebuilt binaries); paths are
// in that tree, line numbers at that version.
//
// Container (ggml/docs/gguf.md; ggml/src/gguf.cpp)
// - "GGUF", u32 version 3, u64 tensor_count, u64 kv_count, the key/values,
//   the tensor infos {string name, u32 n_dims, u64 ne[n_dims], u32 type,
//   u64 offset}, zero padding to the alignment, then the data. Strings are
//   {u64 len, bytes} without NUL. Little-endian.
// - general.alignment is optional (default 32) but must be a u32 and a power
//   of two (gguf.cpp:621-636). Nested arrays are rejected (gguf.cpp:605-610).
// - Tensor offsets are relative to the data section and must be exactly the
//   running sum of the previous tensors' sizes, each padded to the alignment
//   (gguf.cpp:782-800): tensors are laid out in info order, padded. Names are
//   at most 63 bytes (GGML_MAX_NAME 64, gguf.cpp:655), at most 4 dims.
// - ne[0] is the innermost (contiguous) dimension: a torch [rows, cols]
//   weight is written with ne = {cols, rows}; the bytes are the same
//   row-major bytes (convert_hf_to_gguf: conversion/base.py "reverse shape").
// - Q8_0 block (ggml/src/ggml-common.h:251-256): {ggml_half d; int8 qs[32]},
//   34 bytes for 32 values along ne[0]. quantize_row_q8_0_ref
//   (ggml/src/ggml-quants.c:276): amax = max|x|, d = amax / 127, id = d ? 1/d
//   : 0, qs = roundf(x * id) (half away from zero), d stored as fp16 (RNE).
//   gguf-py/gguf/quants.py:379-394 is bit-exact with it (np_roundf, l.44-48).
// - A tensor whose ne[0] is not a multiple of the block size cannot be Q8_0:
//   convert_hf_to_gguf catches QuantError and falls back to F16
//   (conversion/base.py:1126-1131; quants.py:185-193). It also keeps 1-D
//   tensors and every "*_norm.weight" in F32 (conversion/base.py:1047-1049).
// - general.quantization_version u32 = 2 (GGML_QUANT_VERSION,
//   gguf-py/gguf/constants.py:13; written always, conversion/base.py:1186);
//   general.file_type u32: 0 all F32, 1 mostly F16, 7 mostly Q8_0
//   (constants.py:5732-5740).
//
// Key types are checked strictly: get_key() throws "key %s has wrong type"
// unless the stored type is exactly the expected one
// (src/llama-model-loader.cpp:119-171). The writer in gguf-py uses u32 for
// counts and ids, f32 for floats, i32 for token types, f32 for scores
// (gguf-py/gguf/gguf_writer.py:688-781, 980, 1136-1146, 1220-1269).
//
// Hyper-parameters (src/llama-model.cpp load_hparams, 1231-1411; and
// src/models/llama.cpp load_arch_hparams, 3-8):
//   llama.context_length                   u32  required (llama-model.cpp:1254)
//   llama.embedding_length                 u32  required (:1255)
//   llama.block_count                      u32  required (:1259)
//   llama.feed_forward_length              u32  (:1327)
//   llama.attention.head_count             u32  (:1328)
//   llama.attention.head_count_kv          u32  optional, default head_count (:1333-1336)
//   llama.rope.freq_base                   f32  optional, default 10000 (:1346-1347) -> write 1e6
//   llama.rope.dimension_count             u32  optional; for llama it must equal
//                                               the head dim or loading fails (:1378-1386)
//   llama.attention.layer_norm_rms_epsilon f32  required (models/llama.cpp:7)
//   llama.vocab_size                       u32  optional, else the token count (models/llama.cpp:5)
// convert_hf_to_gguf writes exactly these for LlamaForCausalLM
// (conversion/base.py:1392-1470; conversion/llama.py:164-173).
//
// Tensor names (src/llama-arch.cpp:434-450; shapes in ne order from
// src/models/llama.cpp:36-66):
//   token_embd.weight   {n_embd, n_vocab}    <- model.embed_tokens.weight
//   output_norm.weight  {n_embd}             <- model.norm.weight
//   output.weight       {n_embd, n_vocab}    optional: absent = tied to token_embd
//                                            (TENSOR_NOT_REQUIRED then TENSOR_DUPLICATED, :41-46)
//   blk.N.attn_norm.weight   <- model.layers.N.input_layernorm.weight
//   blk.N.attn_q.weight      <- self_attn.q_proj.weight   (permuted, below)
//   blk.N.attn_k.weight      <- self_attn.k_proj.weight   (permuted, below)
//   blk.N.attn_v.weight      <- self_attn.v_proj.weight
//   blk.N.attn_output.weight <- self_attn.o_proj.weight
//   blk.N.ffn_norm.weight    <- model.layers.N.post_attention_layernorm.weight
//   blk.N.ffn_gate.weight / ffn_up.weight / ffn_down.weight <- mlp.{gate,up,down}_proj.weight
//
// RoPE layout: llama.cpp runs arch "llama" with LLAMA_ROPE_TYPE_NORM, which
// rotates adjacent pairs (x[2i], x[2i+1]) (src/llama-model.cpp:2928-2941),
// while HF Llama's rotate_half pairs x[i] with x[i + d/2]. convert_hf_to_gguf
// therefore permutes the rows of q_proj (n_head) and k_proj (n_head_kv)
// (conversion/llama.py:175-181, applied at 260-264):
//   w.reshape(n_head, 2, rows // n_head // 2, cols).swapaxes(1, 2).reshape(rows, cols)
// i.e. with head dim hd, for head h, half s in {0,1}, i < hd/2:
//   out_row[h*hd + 2*i + s] = in_row[h*hd + s*hd/2 + i]
// (see permuteQkForGguf; unpermuteQkFromGguf is its inverse).
//
// Tokenizer, byte-level BPE (src/llama-vocab.cpp impl::load, 1939-):
//   tokenizer.ggml.model  string "gpt2" (:1993); merges are then required
//   tokenizer.ggml.pre    string; "gpt-2" selects LLAMA_VOCAB_PRE_TYPE_GPT2
//       (:2217-2227), the plain GPT-2 split 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+|
//       ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S) (:372-380) whose hand-written
//       matcher also has GPT-2's final |\s+ (src/unicode.cpp:215-330). That is
//       HF's ByteLevel(use_regex=true) as in minimind's tokenizer.json, and
//       what convert_hf_to_gguf writes for openai-community/gpt2
//       (conversion/base.py:1699-1701). Missing = "default" with a warning;
//       an unknown value fails the load (:2423). One cosmetic difference:
//       BPE vocabularies detokenize with clean_spaces on (" ?" -> "?", " ,"
//       -> ",", :2158, applied at :3835-3860), HF's
//       clean_up_tokenization_spaces, which minimind has off; "trillion" is
//       the same GPT-2 split with clean_spaces off (:2358-2360, :376) but is
//       recent (older llama.cpp / ollama refuse it), so "gpt-2" is the safe choice.
//   tokenizer.ggml.tokens      array<string>, the byte-level strings (Ġ for space)
//   tokenizer.ggml.token_type  array<i32>, same length (:2490-2500): 1 normal,
//       2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
//       (include/llama.h:92-99). convert: added special tokens -> 3, other
//       added tokens -> 4, holes -> "[PAD<i>]" with 5 (conversion/base.py:1555-1583)
//   tokenizer.ggml.merges      array<string>, "left right" split at the first
//       space after position 0 (:1997-2030); from tokenizer.json
//       model.merges (pairs joined by one space, gguf-py/gguf/vocab.py:190-212)
//   tokenizer.ggml.bos_token_id / eos_token_id / unknown_token_id /
//       padding_token_id  u32 (:2589-2626; gguf_writer.py:1241-1254). gpt2
//       defaults bos = eos = 11 (:2031-2033): always write them.
//   tokenizer.ggml.add_bos_token / add_eos_token  bool (:2633-2641); write
//       false for minimind (tokenizer_config add_bos_token false)
//   tokenizer.chat_template    string (Jinja)
//   llama.cpp also flags tokens named <|im_end|>, <|endoftext|> ... as EOT
//   and forces them to control (:2684-2705).
// Tokenizer, SentencePiece with byte fallback (_set_vocab_sentencepiece,
// conversion/base.py:2039-2049, 2051-):
//   tokenizer.ggml.model "llama" (SPM: bos 1, eos 2, unk 0 by default,
//       add_space_prefix true, add_bos true, :1971-1980, :2425-2430)
//   tokenizer.ggml.pre "default"; tokens as SentencePiece pieces (U+2581 for
//   space), tokenizer.ggml.scores array<f32> (the piece scores; llama.cpp's
//   SPM merges by them; :2470-2488), token_type: 1 normal, 2 unknown,
//   3 control, 5 unused, 6 byte; byte pieces are "<0xXX>" with upper-case hex
//   (byte_to_token, :3996-4010); tokenizer.ggml.add_space_prefix bool false
//   for a model trained without the dummy prefix (read at :2452 after the
//   SPM default true), add_bos_token false when the model does not start
//   with BOS.
// ============================================================================
//
// Writer: key/values in insertion order, tensors in insertion order, each
// padded to the alignment; written to "<path>.tmp-<pid>" then renamed.
// Reader: bounds-checks everything (fuzzed); throws mm::InputError naming the
// file and the problem; dequantises F32, F16, BF16 and Q8_0 to float32.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace mm::io {

/// Metadata value types (gguf_metadata_value_type).
enum class GgufType : uint32_t {
    UInt8 = 0,
    Int8 = 1,
    UInt16 = 2,
    Int16 = 3,
    UInt32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    UInt64 = 10,
    Int64 = 11,
    Float64 = 12,
};

/// "u32", "string", "array<i32>"... for messages.
std::string ggufTypeName(GgufType t);

/// A metadata value: a scalar, a string, or a (non-nested) array of either.
class GgufValue {
public:
    GgufValue() = default; // u8 0

    static GgufValue u8(uint8_t v);
    static GgufValue i8(int8_t v);
    static GgufValue u16(uint16_t v);
    static GgufValue i16(int16_t v);
    static GgufValue u32(uint32_t v);
    static GgufValue i32(int32_t v);
    static GgufValue u64(uint64_t v);
    static GgufValue i64(int64_t v);
    static GgufValue f32(float v);
    static GgufValue f64(double v);
    static GgufValue boolean(bool v);
    static GgufValue string(std::string v);

    static GgufValue stringArray(std::vector<std::string> v);
    static GgufValue u8Array(const std::vector<uint8_t>& v);
    static GgufValue i8Array(const std::vector<int8_t>& v);
    static GgufValue u16Array(const std::vector<uint16_t>& v);
    static GgufValue i16Array(const std::vector<int16_t>& v);
    static GgufValue u32Array(const std::vector<uint32_t>& v);
    static GgufValue i32Array(const std::vector<int32_t>& v);
    static GgufValue u64Array(const std::vector<uint64_t>& v);
    static GgufValue i64Array(const std::vector<int64_t>& v);
    static GgufValue f32Array(const std::vector<float>& v);
    static GgufValue f64Array(const std::vector<double>& v);
    static GgufValue boolArray(const std::vector<bool>& v);

    GgufType type() const { return m_type; }
    bool isArray() const { return m_type == GgufType::Array; }
    /// Element type of an array (meaningless for scalars).
    GgufType arrayType() const { return m_elem; }
    /// Number of elements of an array; 1 for a scalar.
    uint64_t size() const { return m_count; }

    // Scalar accessors; each throws mm::InputError on a type mismatch.
    /// Any integer type (or bool); throws when a u64 exceeds INT64_MAX.
    int64_t toInt() const;
    /// Any non-negative integer.
    uint64_t toUInt() const;
    /// f32, f64 or any integer.
    double toDouble() const;
    bool toBool() const;
    const std::string& toString() const;

    // Array accessors; each throws mm::InputError on a type mismatch.
    const std::vector<std::string>& strings() const;
    /// Elements of an integer (or bool) array.
    std::vector<int64_t> toInts() const;
    /// Elements of a numeric array as float.
    std::vector<float> toFloats() const;
    /// Elements of a numeric array as double.
    std::vector<double> toDoubles() const;

    /// Short description: "u32 42", "string \"llama\"", "array<string>[6400]".
    std::string describe() const;

    bool operator==(const GgufValue& o) const;
    bool operator!=(const GgufValue& o) const { return !(*this == o); }

private:
    friend class GgufWriter;
    friend class GgufFile;
    GgufType m_type = GgufType::UInt8;
    GgufType m_elem = GgufType::UInt8; // arrays
    uint64_t m_count = 1;
    std::vector<uint8_t> m_raw = std::vector<uint8_t>(1, 0); // numeric element bytes, little-endian
    std::string m_str;                                       // string scalar
    std::vector<std::string> m_strs;                         // string array
};

/// Tensor element types (ggml_type). The writer produces F32, F16 and Q8_0;
/// the reader dequantises those and BF16, and knows the sizes of the others.
enum class GgmlType : uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    BF16 = 30,
};

/// "f32", "f16", "q8_0", "q4_K", ... or "type<N>" for an unknown id.
std::string ggmlTypeName(uint32_t type);
/// Parses "f32", "f16", "q8_0" (also "float32", "float16", "bf16"). Throws InputError.
GgmlType ggmlTypeFromName(const std::string& name);

// fp16 / bf16 conversions, done by hand. f32 -> f16 rounds to nearest even,
// overflows to infinity, keeps the sign of zero, turns NaN into the quiet NaN
// 0x7e00 (with its sign) -- bit-exact with ggml's GGML_FP32_TO_FP16.
uint16_t floatToHalf(float f);
float halfToFloat(uint16_t h);
float bf16ToFloat(uint16_t b);

/// Q8_0 encoding of `n` floats (n a multiple of 32) into n/32 blocks of 34
/// bytes, bit-exact with ggml's quantize_row_q8_0_ref. Non-finite input
/// throws InputError.
void quantizeQ8_0(const float* x, int64_t n, uint8_t* out);
void dequantizeQ8_0(const uint8_t* blocks, int64_t n, float* out);

/// Builds a GGUF file. Not thread-safe.
class GgufWriter {
public:
    /// `alignment`: a power of two, 8..65536. A value other than 32 is
    /// recorded as general.alignment.
    explicit GgufWriter(uint32_t alignment = 32);

    /// Sets a key; an existing key keeps its position and takes the new value.
    /// Setting general.alignment (u32, power of two, 8..65536) changes the alignment.
    void set(const std::string& key, GgufValue value);
    void setString(const std::string& key, const std::string& v) { set(key, GgufValue::string(v)); }
    void setU32(const std::string& key, uint32_t v) { set(key, GgufValue::u32(v)); }
    void setI32(const std::string& key, int32_t v) { set(key, GgufValue::i32(v)); }
    void setU64(const std::string& key, uint64_t v) { set(key, GgufValue::u64(v)); }
    void setI64(const std::string& key, int64_t v) { set(key, GgufValue::i64(v)); }
    void setF32(const std::string& key, float v) { set(key, GgufValue::f32(v)); }
    void setF64(const std::string& key, double v) { set(key, GgufValue::f64(v)); }
    void setBool(const std::string& key, bool v) { set(key, GgufValue::boolean(v)); }
    void setStrings(const std::string& key, std::vector<std::string> v) {
        set(key, GgufValue::stringArray(std::move(v)));
    }
    void setI32s(const std::string& key, const std::vector<int32_t>& v) { set(key, GgufValue::i32Array(v)); }
    void setF32s(const std::string& key, const std::vector<float>& v) { set(key, GgufValue::f32Array(v)); }

    bool has(const std::string& key) const;
    const GgufValue* find(const std::string& key) const;

    /// Adds a tensor from contiguous row-major float32 `data` whose `shape` is
    /// in torch order (outermost first, 0..4 dims, every dim >= 1); GGUF dims
    /// are stored reversed. The data is encoded now (the caller may free it).
    /// `type`: F32, F16 or Q8_0. A Q8_0 tensor whose innermost dim is not a
    /// multiple of 32 is stored as F16 instead, and a note says so. Returns
    /// the type stored. Throws InputError on a bad name, shape or type, a
    /// duplicate name, or non-finite data for Q8_0.
    GgmlType addTensor(const std::string& name, const std::vector<int64_t>& shape, const float* data, GgmlType type);

    /// Notes on tensors kept at a higher precision than asked.
    const std::vector<std::string>& notes() const { return m_notes; }
    uint32_t alignment() const { return m_alignment; }
    size_t tensorCount() const { return m_tensors.size(); }

    /// The whole file in memory.
    std::vector<uint8_t> serialize() const;
    /// Writes `path` through "<path>.tmp-<pid>" + rename (the parent folder
    /// must exist). Throws IoError naming the path; on failure any previous
    /// file at `path` is untouched and the temporary file is removed.
    void write(const std::string& path) const;

private:
    struct Tensor {
        std::string name;
        std::vector<uint64_t> ne; // GGUF order
        GgmlType type;
        std::vector<uint8_t> bytes;
    };
    template <class Sink>
    void emit(Sink& sink) const;

    uint32_t m_alignment;
    std::vector<std::pair<std::string, GgufValue>> m_kv;
    std::vector<Tensor> m_tensors;
    std::vector<std::string> m_notes;
};

struct GgufTensorInfo {
    std::string name;
    std::vector<uint64_t> ne;   ///< GGUF order: ne[0] innermost
    std::vector<int64_t> shape; ///< torch order: outermost first (ne reversed)
    uint32_t type = 0;          ///< ggml_type id
    uint64_t offset = 0;        ///< relative to the data section
    uint64_t nbytes = 0;        ///< size of the data
    int64_t numel = 1;
};

/// A parsed GGUF file: metadata and tensor infos held in memory, tensor data
/// read on demand (from the file, or from the caller's buffer).
class GgufFile {
public:
    /// Opens and parses a file. Throws IoError when it cannot be read,
    /// InputError (naming the file) when it is not a valid GGUF.
    static GgufFile open(const std::string& path);
    /// Parses a GGUF held in memory. `label` names it in messages. The
    /// buffer must outlive the GgufFile (it is not copied).
    static GgufFile fromMemory(const uint8_t* data, size_t size, const std::string& label = "<memory>");

    const std::string& label() const { return m_label; }
    uint32_t version() const { return m_version; }
    uint32_t alignment() const { return m_alignment; }
    /// Absolute offset of the data section.
    uint64_t dataOffset() const { return m_dataOffset; }
    uint64_t fileSize() const { return m_size; }

    const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return m_kv; }
    const GgufValue* find(const std::string& key) const;
    /// Throws InputError "<file>: missing key 'x'" when absent.
    const GgufValue& get(const std::string& key) const;
    // Typed getters with the file and key in their messages.
    int64_t getInt(const std::string& key) const;
    double getDouble(const std::string& key) const;
    bool getBool(const std::string& key) const;
    const std::string& getString(const std::string& key) const;
    const std::vector<std::string>& getStrings(const std::string& key) const;

    const std::vector<GgufTensorInfo>& tensors() const { return m_tensors; }
    const GgufTensorInfo* findTensor(const std::string& name) const;
    /// The tensor dequantised to float32, row-major in torch order. Throws
    /// InputError for a type it cannot decode or an absent name.
    std::vector<float> readFloat(const GgufTensorInfo& t) const;
    std::vector<float> readFloat(const std::string& name) const;
    /// The raw bytes of a tensor.
    std::vector<uint8_t> readRaw(const GgufTensorInfo& t) const;

    struct Source; // byte source (file or memory); defined in gguf_reader.cpp

private:
    GgufFile() = default;
    void parse();
    [[noreturn]] void fail(const std::string& what) const;

    std::shared_ptr<Source> m_src;
    std::string m_label;
    uint64_t m_size = 0;
    uint32_t m_version = 0;
    uint32_t m_alignment = 32;
    uint64_t m_dataOffset = 0;
    std::vector<std::pair<std::string, GgufValue>> m_kv;
    std::vector<GgufTensorInfo> m_tensors;
};

// ---------------------------------------------------------------------------
// llama.cpp "llama" architecture helpers (see the notes at the top).

struct LlamaGgufSpec {
    int vocab = 0, hidden = 0, layers = 0, heads = 0, kvHeads = 0, ffn = 0, contextLength = 0;
    double ropeTheta = 1e6, rmsEps = 1e-5;
    std::string name;
    /// general.file_type: 0 all F32, 1 mostly F16, 7 mostly Q8_0; -1 omits it.
    int fileType = -1;
};

struct GgufVocab {
    std::string model; ///< "gpt2" | "llama"
    std::string pre;   ///< tokenizer.ggml.pre; empty: "gpt-2" for gpt2, "default" for llama
    std::vector<std::string> tokens;
    std::vector<float> scores;       ///< llama (SentencePiece): one per token; gpt2: empty
    std::vector<int32_t> types;      ///< one per token (1 normal, 3 control, 4 user-defined, 6 byte...); empty: all 1
    std::vector<std::string> merges; ///< gpt2: "left right"
    int bos = -1, eos = -1, pad = -1, unk = -1;
    std::string chatTemplate;
    bool addSpacePrefix = false;
    bool addBos = false; ///< tokenizer.ggml.add_bos_token
    bool addEos = false; ///< tokenizer.ggml.add_eos_token
};

/// Token type ids of tokenizer.ggml.token_type (include/llama.h llama_token_type).
enum GgufTokenType : int32_t {
    kTokenUndefined = 0,
    kTokenNormal = 1,
    kTokenUnknown = 2,
    kTokenControl = 3,
    kTokenUserDefined = 4,
    kTokenUnused = 5,
    kTokenByte = 6,
};

/// Writes general.*, llama.* and tokenizer.* keys for a Llama-architecture
/// model. A vocabulary shorter than spec.vocab is padded with "[PAD<i>]"
/// unused tokens, as convert_hf_to_gguf does. Throws InputError on an
/// inconsistent spec or vocabulary (sizes, ids out of range, head counts).
void addLlamaMetadata(GgufWriter& w, const LlamaGgufSpec& spec, const GgufVocab& vocab);

/// Permutes a q or k projection [nHead*headDim, in] (row-major float32) from
/// HF's rotate_half layout to GGUF's interleaved layout: nHead is the number
/// of query heads for q and of kv heads for k.
std::vector<float> permuteQkForGguf(const float* w, int64_t rows, int64_t cols, int nHead);
/// The inverse of permuteQkForGguf (GGUF -> HF layout).
std::vector<float> unpermuteQkFromGguf(const float* w, int64_t rows, int64_t cols, int nHead);

/// GGUF name of a HF Llama / MiniMind tensor ("model.layers.3.mlp.up_proj.weight"
/// -> "blk.3.ffn_up.weight", "lm_head.weight" -> "output.weight"); empty when unknown.
std::string ggufNameForHf(const std::string& hfName);
/// The inverse of ggufNameForHf; empty when unknown.
std::string hfNameForGguf(const std::string& ggufName);

/// The type convert_hf_to_gguf would store a tensor in for a file of type
/// `fileType`: F32 for 1-D tensors and "*_norm.weight", else fileType (the
/// writer then falls back from Q8_0 to F16 where rows do not split into blocks).
GgmlType llamaTensorType(const std::string& ggufName, const std::vector<int64_t>& shape, GgmlType fileType);

} // namespace mm::io
