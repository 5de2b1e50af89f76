// libFuzzer target: the restricted unpickler and the torch.save readers.
// Each input is read three ways: as a whole file (zip or legacy stream, by
// its first bytes), as the main pickle of a legacy stream (after the fixed
// magic/protocol/sys_info pickles), and as data.pkl of a zip archive whose
// storages 0..3 exist. Only mm::Error may escape the readers; anything else
// (crash, sanitizer report, other exception, leak) is a bug.
//
//   clang++ -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -Icore \
//       core/io/*.cpp tests/fuzz/fuzz_pickle.cpp -o fuzz_pickle
//   ./fuzz_pickle -max_total_time=180 corpus tests/data/io

#include "common/error.h"
#include "io/pickle.h"
#include "io/tensor_blob.h"
#include "io/zip_reader.h"

#include <cstdint>
#include <string>

namespace {

void consume(const mm::io::StateDictFile& sd) {
    for (const mm::io::RawTensor& t : sd.tensors) {
        try {
            (void)mm::io::contiguousBytes(t);
        } catch (const mm::Error&) {
        }
    }
}

void readAs(const std::string& bytes) {
    try {
        consume(mm::io::readTorchStateDictFromMemory(bytes, "fuzz.pth"));
    } catch (const mm::Error&) {
    }
}

std::string legacyHead() {
    static const unsigned char head[] = {0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46,
                                         0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, '.', // magic
                                         0x80, 0x02, 'M',  0xe9, 0x03, '.',       // 1001
                                         0x80, 0x02, '}',  '.'};                  // sys_info
    return std::string(reinterpret_cast<const char*>(head), sizeof head);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string bytes(reinterpret_cast<const char*>(data), size);
    readAs(bytes);
    if (mm::io::ZipReader::looksLikeZip(bytes)) {
        try {
            const mm::io::ZipReader z = mm::io::ZipReader::fromMemory(bytes, "fuzz.zip");
            for (const mm::io::ZipEntry& e : z.entries()) {
                try {
                    (void)z.read(e);
                } catch (const mm::Error&) {
                }
            }
        } catch (const mm::Error&) {
        }
        return 0;
    }
    readAs(legacyHead() + bytes);
    static const std::string storage(256, '\x3c');
    readAs(mm::io::buildStoredZip({{"archive/data.pkl", bytes},
                                   {"archive/data/0", storage},
                                   {"archive/data/1", storage.substr(0, 16)},
                                   {"archive/data/2", std::string()},
                                   {"archive/data/3", storage.substr(0, 7)}}));
    return 0;
}
