#pragma once
// io::RawTensor (the torch-free readers' output) <-> torch::Tensor.

#include "io/tensor_blob.h"

#include <torch/torch.h>

#include <string>

namespace mm::model {

/// A CPU tensor owning a copy of `r`'s elements (strides and offset applied).
torch::Tensor toTorch(const io::RawTensor& r);
/// A contiguous little-endian copy of `t` (moved to the CPU) named `name`.
io::RawTensor fromTorch(const std::string& name, const torch::Tensor& t);
torch::ScalarType scalarType(io::DType d);
io::DType rawType(torch::ScalarType t);

} // namespace mm::model
