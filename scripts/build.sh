#!/usr/bin/env bash
# Configures (once) and builds MicroMind in Release into build/ (the Qt
# workbench too unless MM_BUILD_UI=OFF). Quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
GEN=()
command -v ninja >/dev/null && GEN=(-G Ninja)
if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
  cmake -S . -B "$BUILD_DIR" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release -DMM_BUILD_UI="${MM_BUILD_UI:-ON}" ${MM_CMAKE_ARGS:-}
fi
cmake --build "$BUILD_DIR" --parallel "$(nproc)"
