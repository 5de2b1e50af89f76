// libFuzzer target: the LLM judge's reply parser (core/eval/judge_reply.cpp:
// a JSON object somewhere in prose or a code fence, after a <think> block,
// trailing commas, Chinese keys, "7/10" strings, and the "key: number" text
// fallback). Each input is parsed as a reply, and also as the comment of a
// strict reply, which must give exactly its scores and the comment back.
// Either all three scores within 0-10 or an error saying why not; nothing
// escapes, and (with -timeout, see scripts/fuzz.sh) no input is slow.

#include "eval/judge_reply.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

[[noreturn]] void die(const char* what) {
    std::fprintf(stderr, "fuzz_judge_reply: %s\n", what);
    std::abort();
}

void checkParse(const mm::eval::JudgeParse& p) {
    if (p.ok) {
        if (!p.error.empty())
            die("ok with an error");
        for (const auto& v : p.scores.values)
            if (!v || !std::isfinite(*v) || *v < 0 || *v > 10)
                die("ok with a score missing or outside 0-10");
    } else if (p.error.empty()) {
        die("not ok without an error");
    }
    // Both go to the database and into JSON output: they must serialise.
    (void)nlohmann::json{{"comment", p.scores.comment}, {"error", p.error}}.dump();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string reply(reinterpret_cast<const char*>(data), size);
    checkParse(mm::eval::parseJudgeReply(reply));

    // The bytes as the comment of a strict reply (invalid UTF-8 replaced).
    const std::string comment = nlohmann::json(reply).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    const std::string strict =
        "{\"language\": 7, \"knowledge\": 5.5, \"efficiency\": 10, \"comment\": " + comment + "}";
    const mm::eval::JudgeParse p = mm::eval::parseJudgeReply(strict);
    checkParse(p);
    if (!p.ok || *p.scores.values[0] != 7 || *p.scores.values[1] != 5.5 || *p.scores.values[2] != 10 ||
        nlohmann::json(p.scores.comment).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) != comment)
        die("a strict reply lost its scores or comment");
    return 0;
}
