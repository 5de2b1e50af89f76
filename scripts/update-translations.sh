#!/usr/bin/env bash
# Refreshes the workbench's translation sources (ui/translations/*.ts):
#  1. writes ui/schema_strings.cpp, the stage schemas' texts the forms show
#     (field help = tooltips, stage summaries, group titles; core/config/stages*.cpp)
#     as QT_TRANSLATE_NOOP literals, with mm_schema_strings (ui/tools/);
#  2. runs lupdate over ui/ so new texts appear and removed ones go (-no-obsolete).
# Then translate the new entries (Qt Linguist, or edit the .ts), commit the .ts
# files and ui/schema_strings.cpp; the build compiles the .qm files.
# tests/ui/test_ui_forms checks that every form field has a Chinese tooltip.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
LUPDATE=${LUPDATE:-/usr/lib/qt6/bin/lupdate}
[[ -x "$LUPDATE" ]] || LUPDATE=$(command -v lupdate6 || command -v lupdate)
cmake --build "$BUILD_DIR" --target mm_schema_strings
"$BUILD_DIR/ui/mm_schema_strings" > ui/schema_strings.cpp.new
mv ui/schema_strings.cpp.new ui/schema_strings.cpp
# As .clang-format writes it (scripts/check-format.sh in CI).
clang-format -i ui/schema_strings.cpp
"$LUPDATE" -locations relative -no-obsolete ui/*.cpp ui/*.h -ts ui/translations/*.ts
