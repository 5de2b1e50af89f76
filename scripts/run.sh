#!/usr/bin/env bash
# The main job: installs what is missing, builds, then runs the pipeline that
# exists so far on a real corpus shipped by Debian (fortunes-zh: Tang poems,
# Song ci, Chinese sayings; GPL-3.0+, installed by apt, never copied into the
# repository): tokenizer -> tiny pretrain -> history. Re-running reuses the
# tokenizer and token cache and resumes nothing: it trains a fresh model.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WS=${MM_WORKSPACE:-$HOME/micromind-demo}
STEPS=${MM_DEMO_STEPS:-200}

bash scripts/install-deps.sh
if ! dpkg-query -W -f='${Status}' fortunes-zh 2>/dev/null | grep -q "install ok installed"; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO=sudo
  $SUDO apt-get update && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends fortunes-zh
fi
bash scripts/build.sh
MM="$ROOT/build/app/cli/micromind"

mkdir -p "$WS/data"
CORPUS="$WS/data/fortunes_zh_pretrain.jsonl"
if [[ ! -s "$CORPUS" ]]; then
  # One record per fortune, ANSI colour codes stripped.
  python3 - "$CORPUS" <<'PY'
import json, re, sys
ansi = re.compile(r"\x1b\[[0-9;]*m")
out = []
for name in ("tang300", "song100", "chinese"):
    text = open(f"/usr/share/games/fortunes/{name}", encoding="utf-8", errors="replace").read()
    for block in text.split("\n%\n"):
        block = ansi.sub("", block).strip()
        if block:
            out.append(json.dumps({"text": block}, ensure_ascii=False))
tmp = sys.argv[1] + ".tmp"
open(tmp, "w", encoding="utf-8").write("\n".join(out) + "\n")
import os; os.replace(tmp, sys.argv[1])
print(f"demo corpus: {len(out)} documents -> {sys.argv[1]}")
PY
fi

cd "$WS"
[[ -f out/tokenizer.model ]] || "$MM" train_tokenizer --data_path "$CORPUS" --vocab_size 6400 --out_dir out
"$MM" data --data_path "$CORPUS" --out_dir out --max_seq_len 256
"$MM" pretrain --data_path "$CORPUS" --out_dir out --preset tiny --max_seq_len 256 --batch_size 16 \
  --accumulation_steps 1 --learning_rate 2e-3 --max_steps "$STEPS" --log_interval 20 --save_interval 100
"$MM" history --out_dir out
echo
echo "Workspace: $WS/out (tokenizer.model, pretrain_128.pth, micromind.db)"
