#!/usr/bin/env bash
# Trains an organism on the GPU machine in one time-boxed call (docs/gpu.md, apps/organism/README.md).
# Carry .device-kit, .bundle (magic-organism.mjs.xz from scripts/device-pack.sh), the token store and, to resume,
# a previous run folder. Usage: bash apps/organism/scripts/device-train.sh RUN TOKENS PRETRAIN_MIN SFT_MIN [pretrain flags...]
# The run folder comes back in $OUT as run.tar.xz (split into 15 MiB parts when larger), the logs as logs.tar.gz.
set -uo pipefail
run=$1 tokens=$2 pre_min=$3 sft_min=$4
shift 4
source .device-kit/setup.sh
B=${BUNDLE_DIR:-.bundle}
[ -f $B/magic-organism.mjs ] || xz -dk $B/magic-organism.mjs.xz
out=${OUT:-./device-out}
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > "$out/gpu.txt" 2>&1 || true
t0=$SECONDS
node $B/magic-organism.mjs pretrain --device webgpu --run "$run" --tokens "$tokens" --max-minutes "$pre_min" "$@" 2> "$out/pretrain.log"
rc=$?
echo "pretrain: rc=$rc $((SECONDS - t0)) s" | tee -a "$out/steps.txt"
if [ $rc -eq 0 ] && [ "$sft_min" != 0 ]; then
  t1=$SECONDS
  node $B/magic-organism.mjs sft --device webgpu --run "$run" --tokens "$tokens" --max-minutes "$sft_min" 2> "$out/sft.log"
  echo "sft: rc=$? $((SECONDS - t1)) s" | tee -a "$out/steps.txt"
fi
# Optional: the attacker organism (SFT on the attack pool's chats from the defender organism) and the check against
# transformers of every finished model (ATTACKER_TOKENS, ATTACKER_MIN, ATTACKER_EPOCHS, CHECK_HF=1).
if [ -n "${ATTACKER_TOKENS:-}" ] && [ -f "$run/sft/model/config.json" ]; then
  t2=$SECONDS
  node $B/magic-organism.mjs sft --device webgpu --stage attacker-sft --run "$run" --tokens "$ATTACKER_TOKENS" \
    --init "$run/sft/model" --epochs "${ATTACKER_EPOCHS:-0.5}" --max-minutes "${ATTACKER_MIN:-3}" 2> "$out/attacker-sft.log"
  echo "attacker-sft: rc=$? $((SECONDS - t2)) s" | tee -a "$out/steps.txt"
fi
if [ "${CHECK_HF:-0}" = 1 ]; then
  [ -f $B/write-organism-expect.mjs ] || xz -dk $B/write-organism-expect.mjs.xz
  for s in pretrain sft attacker-sft; do
    m="$run/$s/model"
    [ -f "$m/config.json" ] || continue
    node $B/write-organism-expect.mjs "$m" "$out/expect-$s.json" > /dev/null 2>> "$out/check-hf.log" &&
      python3 apps/organism/scripts/check-organism-hf.py --model "$m" --expect "$out/expect-$s.json" | tee -a "$out/check-hf.jsonl"
    rm -f "$out/expect-$s.json"
  done
fi
# Optional: the defender's starting behaviour (EVAL=1): eval.json and every answer into the run folder.
if [ "${EVAL:-0}" = 1 ] && [ -f "$run/sft/model/config.json" ]; then
  node $B/magic-organism.mjs eval --device webgpu --model "$run/sft/model" --out "$run/eval.json" \
    --answers "$run/eval-answers.jsonl" 2> "$out/eval.log" | tail -8
fi
# A finished stage's checkpoint is not needed to go on (its model/ is): leave it behind.
for s in pretrain sft attacker-sft; do [ -f "$run/$s/model/config.json" ] && rm -rf "$run/$s/checkpoint"; done
# DROP_MODELS="pretrain": finished models not to bring back (an organism-m run's three fp32 models exceed the
# 64 MiB that comes back from $OUT; its pretrain stage is checked against transformers above and logged).
for s in ${DROP_MODELS:-}; do [ -f "$run/$s/model/config.json" ] && [ -f "$run/sft/model/config.json" ] && rm -rf "$run/$s"; done
tar -C "$(dirname "$run")" -cf - "$(basename "$run")" | xz -T0 -6 > "$out/run.tar.xz"
if [ "$(stat -c %s "$out/run.tar.xz")" -gt 15728640 ]; then
  split -b 15M -d "$out/run.tar.xz" "$out/run.tar.xz.part" && rm "$out/run.tar.xz"
fi
ls -la "$out" | tee -a "$out/steps.txt"
tail -3 "$out/pretrain.log"; tail -3 "$out/sft.log" 2>/dev/null
# At most 8 files come back from a device call: the logs travel as one archive.
(cd "$out" && tar -czf logs.tar.gz --remove-files $(ls *.log *.txt *.jsonl 2>/dev/null))
