// libFuzzer target for the GGUF reader (core/io/gguf_*.cpp): parse hostile
// bytes from memory, walk every value, and decode every tensor it accepts.
// Only mm::InputError may escape the reader; anything else (a crash, a
// sanitizer report, another exception type) is a finding.
//
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Icore \
//       core/io/gguf_*.cpp tests/fuzz/fuzz_gguf.cpp -o fuzz_gguf
//   ./fuzz_gguf -max_len=65536 corpus/      (or: bash scripts/fuzz.sh fuzz_gguf)

#include "common/error.h"
#include "io/gguf.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace mm::io;
    try {
        const GgufFile f = GgufFile::fromMemory(data, size, "fuzz.gguf");
        volatile double sink = 0;
        for (const auto& kv : f.metadata()) {
            const GgufValue& v = kv.second;
            sink = sink + static_cast<double>(v.describe().size());
            try {
                if (!v.isArray()) {
                    if (v.type() == GgufType::String)
                        sink = sink + static_cast<double>(v.toString().size());
                    else if (v.type() == GgufType::Bool)
                        sink = sink + (v.toBool() ? 1 : 0);
                    else
                        sink = sink + v.toDouble();
                } else if (v.arrayType() == GgufType::String) {
                    sink = sink + static_cast<double>(v.strings().size());
                } else {
                    sink = sink + static_cast<double>(v.toDoubles().size());
                    (void)v.toInts(); // throws InputError for float arrays
                }
            } catch (const mm::InputError&) {
            }
        }
        // The getters the exporter's readback uses.
        try {
            (void)f.getString("general.architecture");
            (void)f.getInt("llama.block_count");
            (void)f.getStrings("tokenizer.ggml.tokens");
        } catch (const mm::InputError&) {
        }
        for (const auto& t : f.tensors()) {
            try {
                const auto x = f.readFloat(t);
                sink = sink + static_cast<double>(x.size());
            } catch (const mm::InputError&) {
            }
        }
        (void)sink;
    } catch (const mm::InputError&) {
    }
    return 0;
}
