#!/usr/bin/env bash
# Fails when a tracked C++ source differs from what clang-format (the
# .clang-format at the root) would write. Fix with:
#   git ls-files '*.cpp' '*.h' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
CF=${CLANG_FORMAT:-clang-format}
command -v "$CF" >/dev/null || { echo "check-format: $CF not found; install clang-format (apt-get install clang-format)" >&2; exit 2; }
bad=()
while IFS= read -r f; do
  if ! "$CF" --dry-run --Werror "$f" >/dev/null 2>&1; then bad+=("$f"); fi
done < <(git ls-files '*.cpp' '*.h')
if ((${#bad[@]})); then
  echo "check-format: ${#bad[@]} file(s) not formatted by $("$CF" --version | head -1):" >&2
  printf '  %s\n' "${bad[@]}" >&2
  echo "fix with: git ls-files '*.cpp' '*.h' | xargs $CF -i" >&2
  exit 1
fi
echo "check-format: $(git ls-files '*.cpp' '*.h' | wc -l) files formatted"
