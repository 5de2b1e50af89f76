#!/usr/bin/env bash
# Fuzzes the readers of outside files with libFuzzer (clang, ASan + UBSan):
# the Hugging Face tokenizer.json reader, the restricted unpickler (torch.save
# zip and legacy formats), safetensors, GGUF, and the jsonl data reader with
# minimind's record validators, and `micromind serve`'s chat request parser;
# the token cache ("MMTOK001" header, document offsets, the samples read
# through them), a checkpoint's model config (the JSON sidecar, or the shapes
# of the unpickled state dict) and the LLM judge's reply parser.
# They are torch-free, so each
# target is compiled straight from its sources.
#
#   bash scripts/fuzz.sh                 # 20 s per target (CI's short run)
#   FUZZ_SECONDS=180 bash scripts/fuzz.sh   # the long run (27 min for all nine, plus ~1 min build each)
#   bash scripts/fuzz.sh fuzz_gguf       # one target
#
# Seeds: the repository's reader fixtures and tests/data/fuzz_seeds/<target>,
# plus real samples from ../shared/data and minimind's tokenizer when they are
# there. Corpora grow
# under $FUZZ_DIR (default build/fuzz) and are kept between runs. A crash
# leaves its input as $FUZZ_DIR/<target>/crash-* and fails the script: turn
# it into a regression test in tests/core/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_PER=${FUZZ_SECONDS:-20}
OUT=${FUZZ_DIR:-build/fuzz}
CXX=${FUZZ_CXX:-clang++}
command -v "$CXX" >/dev/null || { echo "fuzz: $CXX not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 2; }
mkdir -p "$OUT"

declare -A SOURCES=(
  [fuzz_hf_tokenizer]="$(ls core/text/hf_bpe*.cpp | tr '\n' ' ')"
  [fuzz_pickle]="$(ls core/io/*.cpp | grep -v gguf_ | tr '\n' ' ') core/common/fs.cpp"
  [fuzz_safetensors]="$(ls core/io/*.cpp | grep -v gguf_ | tr '\n' ' ') core/common/fs.cpp"
  [fuzz_gguf]="$(ls core/io/gguf_*.cpp | tr '\n' ' ')"
  [fuzz_jsonl]="core/data/jsonl.cpp core/text/chat_template.cpp"
  [fuzz_server_request]="core/eval/chat_request.cpp"
  [fuzz_token_cache]="core/data/token_cache_header.cpp core/data/token_cache.cpp core/data/pretrain_dataset.cpp core/data/jsonl.cpp core/text/tokenizer.cpp core/text/tokenizer_train.cpp core/text/spm_loader.cpp $(ls core/text/hf_bpe*.cpp | tr '\n' ' ') core/text/chat_template.cpp core/common/fs.cpp"
  [fuzz_checkpoint_config]="$(ls core/io/*.cpp | grep -v gguf_ | tr '\n' ' ') core/common/fs.cpp core/model/model_config.cpp core/model/config_infer.cpp"
  [fuzz_judge_reply]="core/eval/judge_reply.cpp core/eval/scores.cpp"
)
declare -A SEEDS=(
  [fuzz_hf_tokenizer]="tests/data/hf_bpe ../shared/minimind/tokenizer.json"
  [fuzz_pickle]="tests/data/io"
  [fuzz_safetensors]="tests/data/io"
  [fuzz_gguf]="tests/data/gguf"
  [fuzz_jsonl]=""
  [fuzz_server_request]="tests/data/server"
  [fuzz_token_cache]="tests/data/fuzz_seeds/fuzz_token_cache"
  [fuzz_checkpoint_config]="tests/data/fuzz_seeds/fuzz_checkpoint_config tests/data/io"
  [fuzz_judge_reply]="tests/data/fuzz_seeds/fuzz_judge_reply"
)
# Extra libFuzzer flags. The parsers that must stay linear in their input get a
# short -timeout (libFuzzer's default is 1200 s) so that a slow input is a finding.
declare -A FLAGS=(
  [fuzz_judge_reply]="-timeout=10"
  [fuzz_checkpoint_config]="-timeout=10"
  [fuzz_token_cache]="-timeout=10"
)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(fuzz_hf_tokenizer fuzz_pickle fuzz_safetensors fuzz_gguf fuzz_jsonl fuzz_server_request
                                 fuzz_token_cache fuzz_checkpoint_config fuzz_judge_reply)

failed=0
for t in "${targets[@]}"; do
  [[ -n "${SOURCES[$t]:-}" ]] || { echo "fuzz: unknown target $t" >&2; exit 2; }
  bin="$OUT/$t/$t"
  corpus="$OUT/$t/corpus"
  mkdir -p "$OUT/$t" "$corpus"
  # shellcheck disable=SC2086
  "$CXX" -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -Icore ${SOURCES[$t]} "tests/fuzz/$t.cpp" -o "$bin"
  for s in ${SEEDS[$t]}; do
    if [[ -d "$s" ]]; then find "$s" -type f -size -2M -exec cp -n {} "$corpus/" \; ; elif [[ -f "$s" ]]; then cp -n "$s" "$corpus/"; fi
  done
  if [[ $t == fuzz_hf_tokenizer || $t == fuzz_jsonl ]]; then
    # Text to tokenise: a few real lines of each data sample.
    for f in ../shared/data/*/*.jsonl; do [[ -f "$f" ]] && head -c 4000 "$f" > "$corpus/sample-$(basename "$f").txt"; done
  fi
  if [[ $t == fuzz_judge_reply ]]; then
    # Real model output with <think> blocks, numbers and braces in prose.
    for f in ../shared/data/reason/*.jsonl; do [[ -f "$f" ]] && head -c 4000 "$f" > "$corpus/sample-$(basename "$f").txt"; done
  fi
  log="$OUT/$t/last.log"
  set +e
  (cd "$OUT/$t" && MM_FUZZ_TOKENIZER="$ROOT/tests/data/hf_bpe/minimind_derived_tokenizer.json" \
     UBSAN_OPTIONS=print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
     "./$t" -max_total_time="$SECONDS_PER" -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 ${FLAGS[$t]:-} corpus) > "$log" 2>&1
  rc=$?
  set -e
  runs=$(grep -Eo 'Done [0-9]+ runs' "$log" | grep -Eo '[0-9]+' || echo 0)
  units=$(ls "$corpus" | wc -l)
  if [[ $rc -ne 0 ]]; then
    failed=1
    echo "fuzz: $t FAILED (exit $rc) after ${runs:-?} runs; see $log and $OUT/$t/crash-*"
    tail -40 "$log"
  else
    echo "fuzz: $t: $runs runs in ${SECONDS_PER} s, corpus $units inputs, no crash"
  fi
done
exit $failed
