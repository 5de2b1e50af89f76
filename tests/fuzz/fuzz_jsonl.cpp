// libFuzzer target: the jsonl reader and minimind's record validators
// (pretrain text, conversations, GRPO prompt turns, DPO pairs, any-text for
// the tokenizer trainer) on arbitrary bytes as a data file, both stopping at
// the first bad line and skipping bad lines. Only mm::Error may come out.

#include "common/error.h"
#include "data/jsonl.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

namespace {

const std::string& tempPath() {
    static const std::string p = "/tmp/mm_fuzz_jsonl_" + std::to_string(::getpid()) + ".jsonl";
    return p;
}

void readAll(bool skipBad) {
    mm::data::JsonlReader reader(tempPath(), skipBad);
    nlohmann::json rec;
    while (reader.next(rec)) {
        const std::string where = reader.where();
        auto attempt = [&](auto&& fn) {
            try {
                fn();
            } catch (const mm::InputError& e) {
                reader.reject(e.what()); // throws unless skipping; either way the message is formed
            }
        };
        attempt([&] { (void)mm::data::pretrainText(rec, where); });
        attempt([&] { (void)mm::data::conversation(rec, where); });
        attempt([&] { (void)mm::data::promptTurns(rec, where, "GRPO records are {\"conversations\": [...]}"); });
        attempt([&] { (void)mm::data::preferencePair(rec, where); });
        attempt([&] { (void)mm::data::anyTexts(rec, where); });
    }
    if (reader.badLines() < 0 || reader.bytesRead() > reader.fileSize())
        __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::FILE* f = std::fopen(tempPath().c_str(), "wb");
    if (!f)
        return 0;
    std::fwrite(data, 1, size, f);
    std::fclose(f);
    for (bool skip : {true, false}) {
        try {
            readAll(skip);
        } catch (const mm::Error&) {
            // a bad line reported by name: what a user sees
        }
    }
    return 0;
}
