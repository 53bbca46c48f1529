#!/usr/bin/env bash
# Runs B1 and B2 of the old and the new build (scripts/device-pack-ab.sh) alternately in one GPU call, then prints
# new/old ratios (bench/ab-ratios.mjs). Order per round: old, new, new, old (ABBA), so a drift of the machine over
# the call weighs on both builds alike. After `source .device-kit/setup.sh`, from the project root:
#   bash bench/ab-run.sh [ROUNDS=1] [BUDGET_S=270]
# Each process is a fresh `node` (median of 3 warm runs inside it, at most 150 s); no new process starts after
# BUDGET_S seconds. AB_DEVICE (default webgpu), AB_B1_ARGS and AB_B2_ARGS change the workloads (a CPU smoke test:
# AB_DEVICE=cpu AB_B1_ARGS="--preset tiny --batch 2 --prompt 8 --new 8" AB_B2_ARGS="--preset tiny --batch 8 --seq 16
# --micro 4"). AB_WORKLOADS (default "b1 b2") picks the workloads, e.g. AB_WORKLOADS=b2 for a B2-only re-run.
# Writes $OUT/ab.jsonl (one tagged line per process), $OUT/ab-steps.txt, $OUT/ab-ratios.json and $OUT/ab-logs.tar.xz.
set -uo pipefail
rounds=${1:-1}
budget=${2:-270}
B=${AB_BUNDLE_DIR:-.bundle-ab}
out=${OUT:-./bench-out}
mkdir -p "$out" "$out/ab-logs"
[ -d "$B/old" ] || tar -C "$B" -xJf "$B/ab.tar.xz"
[ -f "$B/qwen-tok/tokenizer.json" ] || xz -dk "$B/qwen-tok/tokenizer.json.xz"
export MAGIC_QWEN_TOKENIZER_DIR=$PWD/$B/qwen-tok
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > "$out/ab-logs/gpu.txt" 2>&1 || true
start=$SECONDS
one() { # build workload bundle round
  local build=$1 workload=$2 bundle=$3 round=$4 t0=$SECONDS line
  if ((SECONDS - start > budget)); then
    echo "$workload $build round $round: skipped (budget ${budget} s spent)" | tee -a "$out/ab-steps.txt"
    return
  fi
  local extra=${AB_B1_ARGS:-}
  [ "$workload" = b2 ] && extra=${AB_B2_ARGS:-}
  # shellcheck disable=SC2086 # the extra flags are words
  line=$(timeout 150 node "$B/$build/$bundle.mjs" --device "${AB_DEVICE:-webgpu}" --runs 3 $extra \
    2> "$out/ab-logs/$workload-$build-$round.log" | tail -1)
  local rc=$?
  echo "$workload $build round $round: rc=$rc $((SECONDS - t0)) s" | tee -a "$out/ab-steps.txt"
  # tag the bench's own JSON line with the build and the round
  [ -n "$line" ] && echo "{\"build\":\"$build\",\"round\":$round,\"result\":$line}" >> "$out/ab.jsonl"
}
for ((r = 1; r <= rounds; r++)); do
  for workload in ${AB_WORKLOADS:-b1 b2}; do
    case $workload in
      b1) bundle=b1-sampling ;;
      b2) bundle=b2-grpo-update ;;
      *) echo "ab-run: unknown workload '$workload' in AB_WORKLOADS (b1, b2)" >&2 && exit 2 ;;
    esac
    one old "$workload" "$bundle" "$r"
    one new "$workload" "$bundle" "$r"
    one new "$workload" "$bundle" "$r"
    one old "$workload" "$bundle" "$r"
  done
done
tar -C "$out" -cJf "$out/ab-logs.tar.xz" ab-logs && rm -rf "${out:?}/ab-logs"
echo "commits: old $(cat "$B/old/COMMIT" 2> /dev/null), new $(cat "$B/new/COMMIT" 2> /dev/null)"
node bench/ab-ratios.mjs "$out/ab.jsonl" | tee "$out/ab-ratios.json"
