// merge_lora and heldout: tools around the post-training stages (train/stage_tools.h).

#include "commands.h"
#include "reporter.h"
#include "stage_cli.h"

#include "train/stage_tools.h"

#include <cstdio>
#include <iostream>

namespace mm::cli {

int cmdMergeLora(const Args& args) {
    std::fputs(train::mergeLoraCommand(parseStageArgs("merge_lora", args)).c_str(), stdout);
    return 0;
}

int cmdHeldout(const Args& args) {
    const config::Values cfg = parseStageArgs("heldout", args);
    Reporter rep(cfg.getBool("json"));
    const nlohmann::json out =
        train::heldoutMetrics(train::HeldoutOptions::from(cfg), [&rep](const std::string& line) { rep.info(line); });
    if (rep.json())
        std::cout << out.dump() << std::endl;
    else
        std::fputs(train::heldoutText(out).c_str(), stdout);
    return 0;
}

} // namespace mm::cli
