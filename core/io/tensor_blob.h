#pragma once
// A neutral, torch-free description of a tensor read from (or written to) a
// weights file: dtype, shape, element strides and a shared byte storage. The
// readers of core/io (torch.save pickles, safetensors) produce it and the
// interop layer turns it into a torch::Tensor. Bytes are little-endian.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace mm::io {

enum class DType { F32, F16, BF16, F64, I64, I32, I16, I8, U8, Bool };

/// Bytes per element.
size_t dtypeSize(DType d);

/// The safetensors spelling: "F32", "F16", "BF16", "F64", "I64", "I32", "I16",
/// "I8", "U8", "BOOL".
const char* dtypeName(DType d);

/// The inverse of dtypeName; nullopt for anything else.
std::optional<DType> dtypeFromName(const std::string& name);

struct RawTensor {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    /// Element strides, one per dimension. Empty means contiguous (row-major).
    std::vector<int64_t> stride;
    /// The whole storage the tensor views (shared between views of one storage).
    std::shared_ptr<const std::string> storage;
    /// Offset of the first element in the storage, in elements.
    int64_t storageOffset = 0;
};

/// Product of the shape; throws InputError (naming the tensor) on a negative
/// size or an overflow.
int64_t numel(const RawTensor& t);

/// Row-major strides of `shape`.
std::vector<int64_t> contiguousStrides(const std::vector<int64_t>& shape);

/// Checks that every element the tensor addresses lies inside its storage
/// (strides, offset and sizes non-negative, no overflow). Throws InputError
/// naming the tensor.
void checkExtent(const RawTensor& t);

/// The tensor's elements as contiguous little-endian bytes, honouring strides
/// and the storage offset. Bounds-checked: throws InputError when the tensor
/// reaches outside its storage, or when repeated strides (stride 0) would
/// blow a small storage up into more than 64 MiB.
std::string contiguousBytes(const RawTensor& t);

namespace detail {
/// A whole file's bytes. InputError when it does not exist or is not a regular
/// file, IoError when it cannot be read; both name the path.
std::string readFileBytes(const std::string& path);
/// Up to `n` first bytes of a file (same errors).
std::string readFileHead(const std::string& path, size_t n);
} // namespace detail

} // namespace mm::io
