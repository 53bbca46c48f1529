#!/usr/bin/env bash
# Runs benchmark steps on the GPU machine (after `source .device-kit/setup.sh`), appending each
# workload's JSON line to $OUT/results.jsonl and its stderr to $OUT/<step>.log.
# Bundles travel xz-compressed in $BUNDLE_DIR (default .bundle; scripts/device-pack.sh). Usage:
#   bash bench/device-run.sh peer b1 b2 b3 profile [-- extra args for our workloads]
# Steps: peer (bench/peers/torch_grpo.py, fp32+bf16), peer-fp32, peer-b1, peer-b2, peer-train (fp32 B2 both ways), b1, b2,
#   decode-graph (what bounds decoding replayed from a dispatch graph), b2@k=v,k=v (B2 with those flags, e.g. b2@micro=64,checkpoint=1 or b2@profile=1; nr-b2@... the same with Dawn's
#   robustness and workgroup init off), b3, profile, fused, matmul, matmul-sweep (training shapes, every tile x bk x unroll;
#   $MATMUL_ARGS adds flags, e.g. "--tokens 16384 --tiles t128x128,t128x256"),
#   train (magic-train --preset gpu-small, shortened: $TRAIN_STEPS steps, small phase 1, $TRAIN_ARGS more flags such as
#   "--set switchAgent.freq=1" to train both roles; report to $OUT/train),
#   eval (magic-eval --suite safety --limit $EVAL_LIMIT on WebGPU, target = the defender that `train` saved),
#   tensor-cores (bench/tensor-cores.ts: subgroup-matrix GEMM features, TFLOP/s, error, sweep; writes
#   $OUT/sweep-table.json and $OUT/tensor-cores.json), sgm-probe (bench/subgroup-matrix-probe.mjs, unbundled).
set -uo pipefail
B=${BUNDLE_DIR:-.bundle}
out=${OUT:-./bench-out}
mkdir -p "$out"
for f in $B/*.mjs.xz; do [ -f "${f%.xz}" ] || xz -dk "$f"; done
if [ -f $B/qwen-tok/tokenizer.json.xz ] && [ ! -f $B/qwen-tok/tokenizer.json ]; then
  xz -dk $B/qwen-tok/tokenizer.json.xz
fi
export MAGIC_QWEN_TOKENIZER_DIR=${MAGIC_QWEN_TOKENIZER_DIR:-$PWD/$B/qwen-tok}
steps=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do steps+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
extra=("$@")
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > "$out/gpu.txt" 2>&1 || true
run_node() { # name bundle args...
  local name=$1 bundle=$2; shift 2
  local t0=$SECONDS
  node "$B/$bundle.mjs" "$@" "${extra[@]}" >> "$out/results.jsonl" 2> "$out/$name.log"
  echo "$name: rc=$? $((SECONDS - t0)) s" | tee -a "$out/steps.txt"
}
for s in "${steps[@]}"; do
  case $s in
    peer) t0=$SECONDS; python3 bench/peers/torch_grpo.py >> "$out/results.jsonl" 2> "$out/peer.log"; echo "peer: rc=$? $((SECONDS - t0)) s" | tee -a "$out/steps.txt" ;;
    peer-fp32) python3 bench/peers/torch_grpo.py --dtypes fp32 >> "$out/results.jsonl" 2> "$out/peer-fp32.log"; echo "peer-fp32: rc=$?" | tee -a "$out/steps.txt" ;;
    peer-b1) python3 bench/peers/torch_grpo.py --workloads b1 >> "$out/results.jsonl" 2> "$out/peer-b1.log" ;;
    peer-b2) python3 bench/peers/torch_grpo.py --workloads b2 >> "$out/results.jsonl" 2> "$out/peer-b2.log" ;;
    peer-train) python3 bench/peers/torch_grpo.py --workloads b2,b2resp --dtypes fp32 >> "$out/results.jsonl" 2> "$out/peer-train.log"; echo "peer-train: rc=$?" | tee -a "$out/steps.txt" ;;
    b1) run_node b1 b1-sampling ;;
    b2) run_node b2 b2-grpo-update ;;
    matmul-sweep) run_node matmul-sweep matmul --only train --sweep 1 --runs 3 ${MATMUL_ARGS:-} ;;
    b3) run_node b3 b3-phase2-step ;;
    profile) run_node profile profile-decode ;;
    decode-graph) run_node decode-graph decode-graph ;;
    fused) run_node fused fused-ops ;;
    matmul) run_node matmul matmul ;;
    tensor-cores) run_node tensor-cores tensor-cores --out "$out" ;;
    sgm-probe) DAWN_TOGGLES=vulkan_enable_f16_on_nvidia node bench/subgroup-matrix-probe.mjs >> "$out/results.jsonl" 2> "$out/sgm-probe.log"; echo "sgm-probe: rc=$?" | tee -a "$out/steps.txt" ;;
    train)
      t0=$SECONDS
      rm -rf /tmp/magic-train
      node $B/magic-train.mjs --preset gpu-small --device webgpu --run-dir /tmp/magic-train --plain \
        --set trainer.totalSteps="${TRAIN_STEPS:-4}" --set trainer.testFreq="${TRAIN_STEPS:-4}" --set trainer.saveFreq="${TRAIN_STEPS:-4}" \
        --set phase1.sft.maxExamples=64 ${TRAIN_ARGS:-} \
        > "$out/train.log" 2>&1
      echo "train: rc=$? $((SECONDS - t0)) s" | tee -a "$out/steps.txt"
      # B3 from this run's phase-2 steps (stage timings in metrics.jsonl)
      [ -f $B/b3-phase2-step.mjs ] && node $B/b3-phase2-step.mjs --from-metrics /tmp/magic-train/metrics.jsonl >> "$out/results.jsonl" 2>> "$out/train.log"
      mkdir -p "$out/train"
      cp /tmp/magic-train/metrics.jsonl /tmp/magic-train/report.html /tmp/magic-train/report.png /tmp/magic-train/config.yaml "$out/train/" 2>/dev/null
      ;;
    eval)
      t0=$SECONDS
      ckpt=$(ls -d /tmp/magic-train/checkpoints/global_step_*/defender/hf 2>/dev/null | sort -V | tail -1)
      node $B/magic-eval.mjs --target "local:${ckpt:-missing-defender-checkpoint}" --judge local --suite safety \
        --limit "${EVAL_LIMIT:-20}" --device webgpu --batch-size 64 --max-tokens 128 --out "$out/eval" --plain \
        > "$out/eval.log" 2>&1
      echo "eval: rc=$? $((SECONDS - t0)) s (target $ckpt)" | tee -a "$out/steps.txt"
      rm -f "$out/eval/generations.jsonl"
      ;;
    b1@*)
      # b1@matmulPrecision=f16: B1 with those flags
      flags=(); IFS=',' read -ra kv <<< "${s#*@}"
      for p in "${kv[@]}"; do flags+=("--${p%%=*}" "${p#*=}"); done
      run_node "$s" b1-sampling "${flags[@]}"
      ;;
    b2@*|nr-b2@*)
      # b2@micro=64,checkpoint=1: B2 with those flags; the nr- prefix turns Dawn's robustness and workgroup init off
      flags=(); IFS=',' read -ra kv <<< "${s#*@}"
      for p in "${kv[@]}"; do flags+=("--${p%%=*}" "${p#*=}"); done
      if [[ $s == nr-* ]]; then
        MAGIC_DAWN_ENABLE=disable_robustness,disable_workgroup_init run_node "$s" b2-grpo-update "${flags[@]}"
      else
        run_node "$s" b2-grpo-update "${flags[@]}"
      fi
      ;;
    *) echo "unknown step $s" >&2 ;;
  esac
done
# Only 8 files come back from a device call: folders of outputs travel as one archive each, and the per-step logs
# as one (so results.jsonl and steps.txt always fit).
for d in train eval; do
  if [ -d "$out/$d" ]; then tar -C "$out" -cJf "$out/$d.tar.xz" "$d" && rm -rf "${out:?}/$d"; fi
done
# A second invocation in the same call adds its logs to the archive of the first instead of replacing it.
(cd "$out" && ls ./*.log > /dev/null 2>&1 && {
  [ -f logs.tar.xz ] && xz -d logs.tar.xz
  tar -rf logs.tar ./*.log gpu.txt && xz -f logs.tar && rm -f ./*.log gpu.txt
})
cat "$out/results.jsonl"
