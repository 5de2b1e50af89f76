#pragma once
// Writes a state dict exactly as Python's torch.save does (zip format,
// protocol-2 pickle of a dict str -> tensor, one storage entry each), so that
// torch.load reads it, also with weights_only=True (PyTorch >= 2.6's
// default): only torch._utils._rebuild_tensor_v2, torch.<X>Storage and
// collections.OrderedDict appear as globals. LibTorch's own pickle_save adds
// torch.jit._pickle.restore_type_tag, which weights_only refuses.

#include "io/tensor_blob.h"

#include <string>
#include <vector>

namespace mm::io {

/// The file's bytes. Tensors whose RawTensor::storage is the same object
/// share one storage entry (a tied embedding/LM head is stored once and
/// loads as two views of it, like Python's). `archiveName` is the zip's top
/// folder (torch.save uses the file's stem).
std::string serializeTorchStateDict(const std::vector<RawTensor>& tensors, const std::string& archiveName = "archive");

/// serializeTorchStateDict to `path` through a temporary file and a rename.
void writeTorchStateDict(const std::string& path, const std::vector<RawTensor>& tensors);

} // namespace mm::io
