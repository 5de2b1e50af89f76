#pragma once
// The narrow interface to SentencePiece.
//
// Why a separately loaded module: Debian's libsentencepiece embeds its own copy
// of protobuf (3.14) and exports those symbols, while LibTorch links the system
// libprotobuf (3.21). Linked into one process, whichever loads first captures
// the other's symbols and the process crashes at start-up or aborts on a
// protobuf version check. So every SentencePiece call lives in libmm_spm.so,
// which is dlopen'ed with RTLD_LOCAL | RTLD_DEEPBIND: its protobuf stays
// private and LibTorch's stays global. Only this vtable crosses the boundary.

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mm::text::spm {

/// A loaded SentencePiece model (implemented inside the module).
class Processor {
public:
    virtual ~Processor() = default;
    /// False if the bytes are not a SentencePiece model.
    virtual bool loadFromSerializedProto(const std::string& bytes) = 0;
    /// Encodes into `out` (replaced). False with `error` set on failure.
    virtual bool encode(std::string_view text, std::vector<int>* out, std::string* error) const = 0;
    virtual int pieceSize() const = 0;
    virtual std::string idToPiece(int id) const = 0;
    virtual bool isUnknown(int id) const = 0;
    virtual bool isByte(int id) const = 0;
    virtual bool isControl(int id) const = 0;
    virtual float score(int id) const = 0;
};

/// Supplies training chunks; returns false at the end. Must not throw (the
/// caller captures its own exceptions before they reach SentencePiece).
using ChunkSource = std::function<bool(std::string& chunk)>;

/// The module's entry points.
struct Api {
    int abiVersion;
    Processor* (*createProcessor)();
    /// Trains a model; on success fills `modelProto`. On failure returns false
    /// with SentencePiece's message in `error`.
    bool (*train)(const std::unordered_map<std::string, std::string>& args, const ChunkSource& source,
                  std::string* modelProto, std::string* error);
};

inline constexpr int kAbiVersion = 2;

/// Loads the module once per process (thread-safe) and returns its API. Throws
/// mm::Error naming the places it looked and what to do.
const Api& api();

} // namespace mm::text::spm

/// Exported by libmm_spm.so.
extern "C" const mm::text::spm::Api* mm_spm_api();
