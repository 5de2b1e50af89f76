// demo: the whole pipeline on Debian's fortunes-zh, run by eval::runDemo.

#include "commands.h"
#include "stage_cli.h"

#include "commands/demo_run.h"

namespace mm::cli {

int cmdDemo(const Args& args) {
    return eval::runDemo(eval::DemoOptions::from(parseStageArgs("demo", args)), terminal());
}

} // namespace mm::cli
