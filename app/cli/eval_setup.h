#pragma once
// Flag parsing of the evaluation commands (eval, chat, serve, judge, scores,
// metrics, import, export); their set-up is eval/model_setup.h.

#include "commands.h"

#include "config/schema.h"
#include "commands/model_setup.h"

#include <string>

namespace mm::cli {

/// Parses a command's flags against its schema (InputError lists problems).
config::Values parseCommand(const std::string& name, const Args& args);

} // namespace mm::cli
