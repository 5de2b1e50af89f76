#!/usr/bin/env bash
# Builds the .deb (CPack) and checks it from the packaged files: extracts it
# into a temporary root and runs `micromind --version` and a one-step tiny
# pretrain there. With --install (CI, root), also installs it with apt and
# runs the same check on the installed /usr/bin/micromind.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
bash scripts/build.sh
(cd "$BUILD_DIR" && cpack -G DEB > cpack.log 2>&1) || { cat "$BUILD_DIR/cpack.log"; exit 1; }
DEB=$(ls -t "$BUILD_DIR"/micromind_*.deb | head -1)
echo "package: $DEB"
dpkg-deb --info "$DEB" | sed -n '/Package:/,/Description:/p'

smoke() {  # smoke <micromind binary>
  local mm=$1 work
  work=$(mktemp -d)
  "$mm" --version
  # A tiny corpus written here, so the check needs nothing else.
  for i in $(seq 1 300); do
    printf '{"text": "第%d行：床前明月光，疑是地上霜。The quick brown fox %d jumps over the lazy dog."}\n' "$i" "$i"
  done > "$work/corpus.jsonl"
  "$mm" train_tokenizer --data_path "$work/corpus.jsonl" --vocab_size 400 --out_dir "$work/out" > "$work/log" 2>&1 \
    || { cat "$work/log"; exit 1; }
  "$mm" pretrain --data_path "$work/corpus.jsonl" --out_dir "$work/out" --preset tiny --max_seq_len 64 \
    --batch_size 4 --accumulation_steps 1 --max_steps 1 > "$work/log" 2>&1 || { cat "$work/log"; exit 1; }
  test -s "$work/out/pretrain_128.pth"
  echo "smoke test passed: $mm trained one step -> pretrain_128.pth"
  rm -rf "$work"
}

root=$(mktemp -d)
dpkg-deb -x "$DEB" "$root"
for f in usr/bin/micromind usr/share/man/man1/micromind.1 usr/share/man/man1/micromind-pretrain.1 \
         usr/share/micromind/prompts/chat.jsonl; do
  test -e "$root/$f" || { echo "package is missing /$f"; exit 1; }
done
smoke "$root/usr/bin/micromind"
rm -rf "$root"

if [[ "${1:-}" == "--install" ]]; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "./$DEB"
  smoke /usr/bin/micromind
  man -w micromind-pretrain > /dev/null 2>&1 || echo "(man-db not installed: man pages present but not indexed)"
fi
