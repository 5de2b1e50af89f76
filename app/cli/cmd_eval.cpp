// eval and chat: answering prompts with one model of the workspace (eval/eval_run.h).

#include "commands.h"
#include "eval_setup.h"

#include "commands/eval_run.h"

namespace mm::cli {

int cmdEval(const Args& args) { return eval::runEvalCommand(parseCommand("eval", args), terminal()); }
int cmdChat(const Args& args) { return eval::runChatCommand(parseCommand("chat", args), terminal()); }

} // namespace mm::cli
