#!/usr/bin/env bash
# Trains the transformer guard on the GPU machine (WebGPU), measures its in-process speed there, then cross-validates
# the transformer recipe in two time-boxed parts, so that one running long does not lose the other:
#   1. family-fold CV over data/guard-training + data/guard-cv (no LOSO)          -> $OUT/cv-family/
#   2. leave-one-strategy-out (its family CV runs on guard-training capped at 30
#      rows per family and label: 3 quick folds, ignore them)                     -> $OUT/cv-loso/
# Carry .device-kit and .guard-bundle (from guard-device-pack.sh). Everything lands in $OUT: transformer-guard/ (HF
# folder + guard-heads.safetensors + guard.json, ~5.5 MB), train-report.json (with GPU requests/s), cv-*/guard-cv.json
# and .md (when a part finished), *.log (per-fold lines even when a part timed out), steps.txt.
# Knobs (env): TRAIN_S (training cap, 90), FOLD_S (cap per CV training, 6), CV_FAMILY_S (190), CV_LOSO_S (230),
#   TRAIN_FLAGS / CV_FLAGS (extra flags for train / both CV parts), CV=0 skips both CV parts.
set -uo pipefail
source .device-kit/setup.sh
B=${BUNDLE_DIR:-.guard-bundle}
[ -f $B/magic-guard.mjs ] || xz -dk $B/magic-guard.mjs.xz
out=${OUT:-./device-out}
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > "$out/gpu.txt" 2>&1 || true
t0=$SECONDS
node $B/magic-guard.mjs train --guard transformer --device webgpu --backbone $B/backbone \
  --out "$out/transformer-guard" --report "$out/train-report.json" --max-seconds "${TRAIN_S:-90}" --speed 2000 \
  ${TRAIN_FLAGS:-} 2> "$out/train.log"
echo "train: rc=$? $((SECONDS - t0)) s" | tee -a "$out/steps.txt"
cv() { # name seconds flags...
  local name=$1 secs=$2 t=$SECONDS
  shift 2
  timeout "$secs" node $B/magic-guard.mjs cv --guard transformer --device webgpu --backbone $B/backbone \
    --out "$out/cv-$name" --max-seconds "${FOLD_S:-6}" --bootstrap 200 "$@" ${CV_FLAGS:-} > "$out/cv-$name.txt" 2> "$out/cv-$name.log"
  echo "cv-$name: rc=$? $((SECONDS - t)) s" | tee -a "$out/steps.txt"
}
if [ "${CV:-1}" != 0 ]; then
  cv family "${CV_FAMILY_S:-190}" --no-loso
  cv loso "${CV_LOSO_S:-230}" --data packages/judges/data/guard-training --max-rows-per-family 30
fi
ls -la "$out" "$out/transformer-guard" | tee -a "$out/steps.txt"
tail -2 "$out/train.log"; cat "$out"/cv-*.txt 2>/dev/null; grep -h '^fold\|^strategy' "$out"/cv-*.log 2>/dev/null | tail -40
