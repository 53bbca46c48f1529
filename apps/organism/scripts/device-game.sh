#!/usr/bin/env bash
# The MAGIC evidence in one GPU call (issue 22 §6, docs/organism.md): a preset's game, its fixed-attacker ablation (the
# same defender steps, the attacker never trained) and the defender before and after both games, measured by
# `magic-organism eval` (all six sets) and `magic-eval --suite safety,over-refusal` (guard- and refusal-judged).
# Carry .device-kit and $BUNDLE_DIR (magic-train, magic-organism, magic-eval .mjs.xz + tfjs wasm files from
# scripts/device-pack.sh); scripts/device-slim.sh hide makes room. Results come back as $OUT/evidence.tar.gz and the
# trained defenders as $OUT/{magic,fixed-attacker}-defender.tar.xz.partNN.
# Usage: [FIXED_STEPS=9] [EVAL_LIMIT=100] [MAGIC_EVAL=0] [LRS=...|VARIANTS=FILE] [SEEDS=...] [FIXED=0] [EVALUATE=0] \
#   [EVAL_JOBS=1] [START=0] [WEIGHTS=0] \
#   bash apps/organism/scripts/device-game.sh PRESET START_MODEL \
#   GAME_SECONDS [magic-train flags for both games...]
set -uo pipefail
preset=$1 start=$2 game_s=$3
shift 3
source .device-kit/setup.sh
B=${BUNDLE_DIR:-.bundle}
for f in "$B"/*.mjs.xz; do [ -f "${f%.xz}" ] || xz -dk "$f"; done
out=${OUT:-./device-out}
ev=/tmp/organism-evidence
runs=/tmp/organism-games
mkdir -p "$out" "$ev" "$runs"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > "$ev/gpu.txt" 2>&1 || true
sets=benign_seeds,heldout_instructions,harmful_heldout_source,harmful_adversarial,benign_adversarial,harmful_vanilla
evaluate() { # name model_dir
  local t=$SECONDS
  node "$B/magic-organism.mjs" eval --device webgpu --model "$2" --sets "$sets" --out "$ev/eval-$1.json" \
    --answers "$ev/answers-$1.jsonl" 2>> "$ev/eval-$1.log" | tail -6
  if [ "${MAGIC_EVAL:-1}" = 1 ]; then
    # the guard's verdicts and the refusal rules (the organism ASR's definition) on the same generations
    for judge in local rules; do
      node "$B/magic-eval.mjs" --target "local:$2" --judge $judge --suite safety,over-refusal --device webgpu \
        --max-tokens "${EVAL_MAX_TOKENS:-64}" --limit "${EVAL_LIMIT:-100}" --out "$ev/magic-eval-$1-$judge" \
        --cache "$ev/generations-$1.jsonl" --plain > "$ev/magic-eval-$1-$judge.log" 2>&1
      echo "magic-eval $1 ($judge): rc=$?"
      rm -f "$ev/magic-eval-$1-$judge/report.png" "$ev/magic-eval-$1-$judge/generations.jsonl"
    done
  fi
  echo "evaluate $1: $((SECONDS - t)) s" | tee -a "$ev/steps.txt"
}
game() { # name flags...
  local name=$1 t=$SECONDS
  shift
  timeout "$game_s" node "$B/magic-train.mjs" --preset "$preset" --device webgpu --run-dir "$runs/$name" --plain "$@" \
    > "$ev/game-$name.log" 2>&1
  echo "game $name: rc=$? $((SECONDS - t)) s" | tee -a "$ev/steps.txt"
  cp "$runs/$name/metrics.jsonl" "$ev/metrics-$name.jsonl" 2>/dev/null
  cp "$runs/$name/report.html" "$ev/report-$name.html" 2>/dev/null
}
# LRS="3e-4 1e-4" plays both games at each GRPO learning rate instead of the preset's (names get a -lr<value> suffix);
# SEEDS="42 43 44" plays both games once per trainer seed (names get a -s<seed> suffix); START=0 skips the start
# model's evaluation; WEIGHTS=0 leaves the trained defenders behind; EVAL_JOBS evaluations run at a time after the games.
# The ablation trains only the defender, for as many steps as the game's defender blocks hold (organism presets: 9 of 12).
fs=${FIXED_STEPS:-9}
fixed=(--set 'switchAgent.trainRoles=[defender]' --set trainer.totalSteps=$fs --set trainer.testFreq=$fs --set trainer.saveFreq=$fs)
names=()
# VARIANTS=FILE: one game per line `name --set key=value ...` (# comments) instead of LRS, names get -<name>;
# FIXED=0 plays no fixed-attacker twins; EVALUATE=0 skips every evaluation (a sweep read off the games' validation).
variants=()
if [ -n "${VARIANTS:-}" ]; then
  while read -r line; do
    line=${line%%#*}
    [ -n "${line// /}" ] && variants+=("$line")
  done < "$VARIANTS"
else
  for lr in ${LRS:--}; do
    if [ "$lr" = - ]; then variants+=("-"); else variants+=("lr$lr --set grpo.lr=$lr"); fi
  done
fi
for variant in "${variants[@]}"; do
  read -r vname vflags <<< "$variant"
  for seed in ${SEEDS:--}; do
    sfx='' flags=()
    # shellcheck disable=SC2206 # the variant's flags are words
    [ "$vname" = - ] || sfx=-$vname flags=($vflags)
    [ "$seed" = - ] || sfx=$sfx-s$seed flags+=(--set trainer.seed=$seed)
    game magic$sfx "${flags[@]}" "$@" &
    names+=(magic$sfx)
    if [ "${FIXED:-1}" = 1 ]; then
      game fixed-attacker$sfx "${flags[@]}" "$@" "${fixed[@]}" & # last: its step counts win
      names+=(fixed-attacker$sfx)
    fi
  done
done
wait
# Evaluations only after the games (four magic-eval runs beside four games exhausted the GPU's memory), EVAL_JOBS at a
# time: three at a time still ran out of memory on DAN's long prompts, so the default is one (a failed guard-judged
# run can be judged again from its generation cache: magic-eval --target replay:<meta.target of the rules run>).
jobs_max=${EVAL_JOBS:-1}
[ "${EVALUATE:-1}" = 1 ] || names=() START=0
[ "${START:-1}" = 1 ] && evaluate start "$start" &
for name in "${names[@]}"; do
  ckpt=$(ls -d "$runs/$name"/checkpoints/global_step_*/defender/hf 2>/dev/null | sort -V | tail -1)
  [ -n "$ckpt" ] || continue
  while (($(jobs -rp | wc -l) >= jobs_max)); do wait -n; done
  evaluate "$name" "$ckpt" &
done
wait
tar -C "$ev" -czf "$out/evidence.tar.gz" .
# the trained defenders (fp32 HF folders), in parts of at most 15 MiB: at most 8 files come back
if [ "${WEIGHTS:-1}" = 1 ]; then
  for name in "${names[@]}"; do
    m=$(ls -d "$runs/$name"/checkpoints/global_step_*/defender/hf 2>/dev/null | sort -V | tail -1)
    [ -n "$m" ] || continue
    tar -C "$m" -cf - . | xz -T0 -6 | split -b 15M -d - "$out/$name-defender.tar.xz.part"
  done
fi
ls -la "$out"; cat "$ev/steps.txt"
