#!/usr/bin/env bash
# Packs the transformer guard's GPU run into .guard-bundle/ (git-ignored, ~7 MB): the magic-guard bundle (xz) and
# the backbone to fine-tune. Carry .device-kit and .guard-bundle; see scripts/device-guard.sh next to this file.
# Usage: bash packages/judges/scripts/guard-device-pack.sh [BACKBONE_DIR]  (default .organism/run-s/pretrain/model)
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
backbone=${1:-.organism/run-s/pretrain/model}
for f in config.json model.safetensors tokenizer.json tokenizer_config.json; do
  [ -f "$backbone/$f" ] || { echo "guard-device-pack: $backbone/$f missing" >&2; exit 1; }
done
B=.guard-bundle
rm -rf "$B" && mkdir -p "$B/backbone"
node scripts/device-bundle.mjs packages/judges/src/cli.ts "$B/magic-guard.mjs" > /dev/null
rm -f "$B"/*.wasm # the run is WebGPU only
xz -T2 -9 -f "$B/magic-guard.mjs"
cp "$backbone"/{config.json,model.safetensors,tokenizer.json,tokenizer_config.json} "$B/backbone/"
du -sh "$B" | awk '{print "guard-device-pack: " $1 " in .guard-bundle"}'
