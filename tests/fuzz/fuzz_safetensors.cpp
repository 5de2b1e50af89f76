// libFuzzer target: the safetensors reader, and the writer on what it read
// (serialize -> read back must give the same tensors). Only mm::Error may
// escape the reader; anything else is a bug.
//
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Icore \
//       core/io/*.cpp tests/fuzz/fuzz_safetensors.cpp -o fuzz_safetensors
//   ./fuzz_safetensors -max_total_time=180 corpus tests/data/io

#include "common/error.h"
#include "io/safetensors.h"
#include "io/tensor_blob.h"

#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    std::map<std::string, std::string> meta;
    std::vector<mm::io::RawTensor> tensors;
    try {
        tensors = mm::io::readSafetensorsFromMemory(bytes, "fuzz.safetensors", &meta);
    } catch (const mm::Error&) {
        return 0;
    }
    // What the reader accepted, the writer must write and the reader read back the same.
    std::string again;
    try {
        again = mm::io::serializeSafetensors(tensors, meta);
    } catch (const mm::Error&) {
        return 0; // e.g. a name nlohmann cannot dump
    }
    std::map<std::string, std::string> meta2;
    const std::vector<mm::io::RawTensor> back = mm::io::readSafetensorsFromMemory(again, "again", &meta2);
    if (back.size() != tensors.size() || meta2 != meta)
        std::abort();
    for (size_t i = 0; i < back.size(); ++i)
        if (back[i].name != tensors[i].name || back[i].dtype != tensors[i].dtype || back[i].shape != tensors[i].shape ||
            mm::io::contiguousBytes(back[i]) != mm::io::contiguousBytes(tensors[i]))
            std::abort();
    return 0;
}
