#pragma once
// Reads state dicts saved by Python's torch.save without Python or torch: a
// restricted unpickler that builds a small value tree and never executes
// anything. Only an allow-list of globals is accepted (collections.OrderedDict,
// torch._utils._rebuild_tensor_v2 / _rebuild_parameter[_with_state],
// torch._tensor._rebuild_from_type_v2 for plain tensors and parameters,
// torch.<X>Storage, torch.Size, _codecs.encode); any other global makes the
// whole file fail with an InputError naming it.
//
// Both torch.save formats are read:
//  - zip (default since PyTorch 1.6): <prefix>/data.pkl plus one entry
//    <prefix>/data/<key> per storage; <prefix>/byteorder must be "little";
//  - legacy (_use_new_zipfile_serialization=False): magic-number pickle,
//    protocol pickle, sys_info pickle, the main pickle, the storage-keys
//    pickle, then per storage an int64 element count and the raw bytes.
//
// Hostile files are expected: nesting depth, memo and object counts are
// limited, lengths are checked against the bytes left, integer arithmetic is
// overflow-checked and every tensor is checked to lie inside its storage.

#include "io/tensor_blob.h"

#include <string>
#include <vector>

namespace mm::io {

struct StateDictFile {
    /// Tensors in the dict's order, named by their keys.
    std::vector<RawTensor> tensors;
    /// Non-tensor entries of the dict, as "key (type)", e.g. "epoch (int)".
    std::vector<std::string> skipped;
    /// "zip" or "legacy"; with ":model", ":state_dict" or ":model_state_dict"
    /// when the tensors came from that key of a larger checkpoint dict.
    std::string format;
};

/// Reads a state dict saved by torch.save: a dict/OrderedDict str -> tensor,
/// or a dict whose "model", "state_dict" or "model_state_dict" holds one (as
/// training checkpoints do). Storages are read lazily: only those of returned
/// tensors. Throws InputError naming the file (not a checkpoint, truncated,
/// refused global, ...) or IoError when it cannot be read.
StateDictFile readTorchStateDict(const std::string& path);

/// The same from bytes in memory; `nameForErrors` stands for the file in messages.
StateDictFile readTorchStateDictFromMemory(std::string bytes, const std::string& nameForErrors);

} // namespace mm::io
