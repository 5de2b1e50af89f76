#!/usr/bin/env bash
# The main job: installs what is missing (Debian packages, including the demo
# corpus fortunes-zh), builds in Release, then
#   - with a display: opens the workbench on the demo workspace (its first
#     start offers to train the demo there);
#   - without one: runs the demo headless — tokenizer, pretrain, full_sft, dpo,
#     distill_reason, lora, grpo on fortunes-zh, the five models evaluated —
#     and prints the table and where the workspace is.
# Re-running is quick: finished stages are kept (`micromind demo --fresh` retrains).
# MM_WORKSPACE (default ~/micromind-demo) picks the folder; MM_HEADLESS=1 forces
# the headless demo; extra arguments go to `micromind demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WS=${MM_WORKSPACE:-$HOME/micromind-demo}

bash scripts/install-deps.sh
bash scripts/build.sh
BUILD=${BUILD_DIR:-build}
GUI="$ROOT/$BUILD/app/gui/micromind-workbench"

if [[ -z "${MM_HEADLESS:-}" && ( -n "${DISPLAY:-}" || -n "${WAYLAND_DISPLAY:-}" ) && -x "$GUI" ]]; then
  echo "Opening the workbench on $WS"
  exec "$GUI" --workspace "$WS"
fi
echo "No display: running the demo headless in $WS"
exec "$ROOT/$BUILD/app/cli/micromind" demo --workspace "$WS" "$@"
