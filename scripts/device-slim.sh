#!/usr/bin/env bash
# The GPU machine receives the whole working tree (tracked files count) plus the carried paths: 64 MiB in all, of which
# the device kit takes 28 MiB. A call that carries models or token stores can move tracked files that no GPU job reads
# out of the tree for the call and put them back after it. Usage: bash scripts/device-slim.sh hide|restore|size
# `hide` moves the paths below to .device-slim/ (git-ignored, never carried); `restore` moves them back.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
paths=(
  apps/organism/data/corpus-ngrams.bloom      # eval-overlap test and corpus builder only
  apps/organism/data/corpus-manifest.json
  packages/lm/fixtures/reference              # CPU parity fixtures of the unit tests
  packages/judges/data/guard-cv               # guard cross-validation (CPU)
  packages/judges/data/guard-training         # guard training data
  packages/benchmarks/data/mmlu               # capability suites: not run by GPU jobs
  packages/benchmarks/data/gsm8k
  packages/benchmarks/data/arc
  packages/benchmarks/data/truthfulqa
  packages/benchmarks/data/ifeval
)
case ${1:-} in
  hide)
    for p in "${paths[@]}"; do
      [ -e "$p" ] || continue
      mkdir -p ".device-slim/$(dirname "$p")" && mv "$p" ".device-slim/$p"
    done ;;
  restore)
    for p in "${paths[@]}"; do
      [ -e ".device-slim/$p" ] || continue
      mkdir -p "$(dirname "$p")" && mv ".device-slim/$p" "$p"
    done
    rm -rf .device-slim
    git status --short -- "${paths[@]}" ;;
  size) # MiB the tree sends (tracked files present + untracked, not ignored), before carried paths
    { git ls-files -z; git ls-files -z --others --exclude-standard; } | xargs -0 du -cb 2>/dev/null |
      awk '/\ttotal$/ {s+=$1} END {printf "tree: %.1f MiB\n", s/1048576}' ;;
  *) echo "usage: device-slim.sh hide|restore|size" >&2; exit 2 ;;
esac
