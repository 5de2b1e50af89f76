#pragma once
// safetensors (Hugging Face) read and write, torch-free. The layout: an
// 8-byte little-endian header length N, N bytes of JSON
// {"__metadata__": {str: str}, "<name>": {"dtype": "F32", "shape": [..],
// "data_offsets": [begin, end]}, ...}, then the data, each tensor contiguous
// and little-endian, offsets relative to the end of the header.
//
// Reading validates everything a hostile file could get wrong: header length
// against the file size, JSON shape, known dtypes, offsets ordered, in range,
// non-overlapping and covering the data without holes, and shape x dtype size
// equal to each tensor's byte length. Errors are InputError naming the file.

#include "io/tensor_blob.h"

#include <map>
#include <string>
#include <vector>

namespace mm::io {

/// Tensors of a .safetensors file, in data order, each with its own storage.
/// `metadata`, when given, receives the "__metadata__" map.
std::vector<RawTensor> readSafetensors(const std::string& path, std::map<std::string, std::string>* metadata = nullptr);

/// The same from bytes in memory; `nameForErrors` stands for the file in messages.
std::vector<RawTensor> readSafetensorsFromMemory(std::string bytes, const std::string& nameForErrors,
                                                 std::map<std::string, std::string>* metadata = nullptr);

/// Writes `tensors` (any strides: they are written contiguous) to `path`
/// through `<path>.tmp-<pid>` and a rename. The header is padded with spaces
/// to a multiple of 8 bytes. Throws InputError on duplicate or reserved names
/// and bad tensors, IoError when the file cannot be written.
void writeSafetensors(const std::string& path, const std::vector<RawTensor>& tensors,
                      const std::map<std::string, std::string>& metadata);

/// The bytes writeSafetensors writes.
std::string serializeSafetensors(const std::vector<RawTensor>& tensors,
                                 const std::map<std::string, std::string>& metadata);

/// A sharded Hugging Face checkpoint's model.safetensors.index.json: tensor
/// name -> path of the shard holding it. `dirOrIndex` is the folder or the
/// index file itself. Shard names must be plain file names in that folder.
std::map<std::string, std::string> readSafetensorsIndex(const std::string& dirOrIndex);

/// All tensors of a sharded checkpoint (shards in file-name order), checked
/// against the index: every indexed tensor found in its shard, no tensor
/// outside the index, no name twice.
std::vector<RawTensor> readShardedSafetensors(const std::string& dirOrIndex,
                                              std::map<std::string, std::string>* metadata = nullptr);

} // namespace mm::io
