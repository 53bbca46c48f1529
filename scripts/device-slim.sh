#!/usr/bin/env bash
# The GPU machine receives the whole working tree (tracked files count) plus the carried paths: 64 MiB in all, of which
# the device kit takes 28 MiB. A call that carries models or token stores can move tracked files that no GPU job reads
# out of the tree for the call and put them back after it.
# Usage: bash scripts/device-slim.sh hide [more paths...] | restore | size
# `hide` moves the paths below (and any given) to .device-slim/ (git-ignored, never carried); `restore` moves back
# whatever `hide` moved; `size` prints what the tree sends before carried paths.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
paths=(
  apps/organism/data/corpus-ngrams.bloom # eval-overlap test and corpus builder only
  apps/organism/data/corpus-manifest.json
  packages/lm/fixtures/reference # CPU parity fixtures of the unit tests
  packages/judges/data/guard-cv  # guard cross-validation and training data
  packages/judges/data/guard-training
  packages/benchmarks/data/mmlu # capability suites: no GPU job runs them
  packages/benchmarks/data/gsm8k
  packages/benchmarks/data/arc
  packages/benchmarks/data/truthfulqa
  packages/benchmarks/data/ifeval
)
case ${1:-} in
  hide)
    shift
    mkdir -p .device-slim
    # sorted, a folder comes before what lies in it: once it is hidden, its contents no longer exist here and are
    # skipped (hiding both would nest the folder into itself on restore)
    while read -r p; do
      [ -e "$p" ] || continue
      mkdir -p ".device-slim/$(dirname "$p")" && mv "$p" ".device-slim/$p" && echo "$p" >> .device-slim/moved
    done < <(printf '%s\n' "${paths[@]}" "$@" | sed 's:/*$::' | sort -u) ;;
  restore)
    [ -f .device-slim/moved ] || exit 0
    while read -r p; do
      # -T: never move into an existing folder of the same name
      mkdir -p "$(dirname "$p")" && mv -T ".device-slim/$p" "$p"
    done < .device-slim/moved
    rm -rf .device-slim
    git status --short ;;
  size) # hidden files make du fail: the sum is still right
    { git ls-files -z; git ls-files -z --others --exclude-standard; } | xargs -0 du -cb 2>/dev/null |
      awk '/\ttotal$/ {s+=$1} END {printf "tree: %.1f MiB\n", s/1048576}' || true ;;
  *) echo "usage: device-slim.sh hide [paths...] | restore | size" >&2; exit 2 ;;
esac
