#!/usr/bin/env bash
# Trains the transformer guard on the GPU machine (WebGPU), measures its in-process speed there, then runs the
# family-fold CV + leave-one-strategy-out of the transformer recipe in what time is left. Carry .device-kit and
# .guard-bundle (from guard-device-pack.sh). Everything lands in $OUT:
#   transformer-guard/ (HF folder + guard-heads.safetensors + guard.json, ~5.5 MB), train-report.json,
#   cv/guard-cv.json + guard-cv.md (if the CV finished), *.log, steps.txt.
# Knobs (env): TRAIN_S (training cap, 120), FOLD_S (cap per CV training, 8), CV_S (whole CV, 360),
#   TRAIN_FLAGS / CV_FLAGS (extra flags, e.g. CV_FLAGS="--max-rows-per-family 400 --loso-max-seeds 200"), CV=0 skips.
set -uo pipefail
source .device-kit/setup.sh
B=${BUNDLE_DIR:-.guard-bundle}
[ -f $B/magic-guard.mjs ] || xz -dk $B/magic-guard.mjs.xz
out=${OUT:-./device-out}
mkdir -p "$out"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > "$out/gpu.txt" 2>&1 || true
t0=$SECONDS
node $B/magic-guard.mjs train --guard transformer --device webgpu --backbone $B/backbone \
  --out "$out/transformer-guard" --report "$out/train-report.json" --max-seconds "${TRAIN_S:-120}" --speed 2000 \
  ${TRAIN_FLAGS:-} 2> "$out/train.log"
echo "train: rc=$? $((SECONDS - t0)) s" | tee -a "$out/steps.txt"
if [ "${CV:-1}" != 0 ]; then
  t1=$SECONDS
  timeout "${CV_S:-360}" node $B/magic-guard.mjs cv --guard transformer --device webgpu --backbone $B/backbone \
    --out "$out/cv" --max-seconds "${FOLD_S:-8}" --bootstrap 200 ${CV_FLAGS:-} > "$out/cv.txt" 2> "$out/cv.log"
  echo "cv: rc=$? $((SECONDS - t1)) s" | tee -a "$out/steps.txt"
fi
ls -la "$out" "$out/transformer-guard" | tee -a "$out/steps.txt"
tail -2 "$out/train.log"; cat "$out/cv.txt" 2>/dev/null; tail -3 "$out/cv.log" 2>/dev/null
