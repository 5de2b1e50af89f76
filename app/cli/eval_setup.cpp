#include "eval_setup.h"

#include "config/stages.h"

namespace mm::cli {

config::Values parseCommand(const std::string& name, const Args& args) {
    return config::parseArgs(config::schemaFor(name), args);
}

} // namespace mm::cli
