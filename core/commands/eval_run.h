#pragma once
// `micromind eval` and `micromind chat`: one model of the workspace answers the
// seed's prompt sets (or stdin), the answers stored in the history; or a chat
// in the terminal. The flags are the commands' (config/stages_tools.cpp); the text
// goes through the Console.

#include "common/console.h"
#include "config/schema.h"

namespace mm::eval {

/// Answers the prompts, stores them as an eval run; returns the exit code
/// (130 when the user stopped it).
int runEvalCommand(const config::Values& cfg, const Console& con);
/// Chats over the console's lines until /exit, end of input or a stop; returns 0.
int runChatCommand(const config::Values& cfg, const Console& con);

} // namespace mm::eval
