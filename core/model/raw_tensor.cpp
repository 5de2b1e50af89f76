#include "model/raw_tensor.h"

#include "common/error.h"

#include <cstring>
#include <memory>

namespace mm::model {

torch::ScalarType scalarType(io::DType d) {
    switch (d) {
    case io::DType::F32: return torch::kFloat32;
    case io::DType::F16: return torch::kFloat16;
    case io::DType::BF16: return torch::kBFloat16;
    case io::DType::F64: return torch::kFloat64;
    case io::DType::I64: return torch::kInt64;
    case io::DType::I32: return torch::kInt32;
    case io::DType::I16: return torch::kInt16;
    case io::DType::I8: return torch::kInt8;
    case io::DType::U8: return torch::kUInt8;
    case io::DType::Bool: return torch::kBool;
    }
    throw Error("unknown tensor dtype");
}

io::DType rawType(torch::ScalarType t) {
    switch (t) {
    case torch::kFloat32: return io::DType::F32;
    case torch::kFloat16: return io::DType::F16;
    case torch::kBFloat16: return io::DType::BF16;
    case torch::kFloat64: return io::DType::F64;
    case torch::kInt64: return io::DType::I64;
    case torch::kInt32: return io::DType::I32;
    case torch::kInt16: return io::DType::I16;
    case torch::kInt8: return io::DType::I8;
    case torch::kUInt8: return io::DType::U8;
    case torch::kBool: return io::DType::Bool;
    default: break;
    }
    throw InputError(std::string("tensors of dtype ") + c10::toString(t) + " cannot be written");
}

torch::Tensor toTorch(const io::RawTensor& r) {
    const std::string bytes = io::contiguousBytes(r);
    torch::Tensor t = torch::empty(r.shape, torch::TensorOptions().dtype(scalarType(r.dtype)));
    if (size_t(t.nbytes()) != bytes.size())
        throw InputError("tensor " + r.name + ": " + std::to_string(bytes.size()) + " bytes for " +
                         std::to_string(t.nbytes()) + " expected");
    if (!bytes.empty())
        std::memcpy(t.data_ptr(), bytes.data(), bytes.size());
    return t;
}

io::RawTensor fromTorch(const std::string& name, const torch::Tensor& t) {
    torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
    io::RawTensor r;
    r.name = name;
    r.dtype = rawType(c.scalar_type());
    r.shape = c.sizes().vec();
    r.stride = c.strides().vec();
    r.storage = std::make_shared<const std::string>(static_cast<const char*>(c.data_ptr()), size_t(c.nbytes()));
    r.storageOffset = 0;
    return r;
}

} // namespace mm::model
