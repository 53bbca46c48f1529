// Renders bench/RESULTS.md from the JSON lines of device calls (one file per call, bench/results/*.jsonl,
// as bench/device-run.sh writes them to $OUT/results.jsonl). Ratios use the PyTorch peer of the SAME call
// only; a call without a peer shows none.
//   npx tsx bench/write-results.ts [bench/results/*.jsonl] > bench/RESULTS.md  (default: every file there)

import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { at } from '@magic/core';
import { parseMetricsJsonl } from './metrics-diff.js';

type Line = Record<string, unknown>;

/** One results file's lines; a line that is not JSON names its file and line. */
const readLines = (file: string): Line[] => parseMetricsJsonl(readFileSync(file, 'utf8'), file);

const fmt = (x: unknown, digits = 3) => (typeof x === 'number' ? Number(x.toFixed(digits)).toString() : '—');
const kernels = (l: Line) => {
  const k = l.kernels as
    | {
        fastMatMul?: boolean;
        packedDecode?: boolean;
        decodeGraph?: boolean;
        packedMlp?: boolean;
        leanBackprop?: boolean;
      }
    | undefined;
  if (!k) return l.backend === 'webgpu' ? 'tfjs matmul, concat KV cache' : '';
  const dawn = l.dawn as { enable?: string } | undefined;
  const variant = [
    k.decodeGraph === undefined || !String(l.workload).startsWith('B1')
      ? ''
      : k.decodeGraph
        ? '; decode steps replayed from a dispatch graph'
        : '; decode steps through tfjs',
    k.packedMlp === undefined ? '' : k.packedMlp ? '; packed gate/up' : '; separate gate/up',
    k.leanBackprop === undefined ? '' : k.leanBackprop ? '; lean backward' : '; tfjs backward',
    l.gradientCheckpointing ? '; gradient checkpointing' : '',
    l.responseOnly === true ? '; head on response columns' : l.responseOnly === false ? '; head on every column' : '',
    l.axpyInPlace === false ? '; allocating accumulation' : '',
    l.keepLogits === true ? '; head logits kept for backward' : '',
    typeof l.logitsChunkRows === 'number' ? `; head chunks of ${l.logitsChunkRows} rows` : '',
    dawn?.enable ? `; Dawn ${dawn.enable}` : '',
    typeof l.variant === 'string' ? `; ${l.variant}` : '',
  ].join('');
  return `${precision(l)} ${k.fastMatMul ? 'tiled GEMM' : 'tfjs matmul'}, ${k.packedDecode ? 'in-place KV cache' : 'concat KV cache'}${variant}`;
};
/** The matmul precision mode of a row (rows from before the option ran fp32). */
const precision = (l: Line) => {
  const p = l.matmulPrecision as { requested?: string; active?: string } | string | undefined;
  if (p === undefined || typeof p === 'string') return p ?? 'fp32';
  return p.active === p.requested ? `${p.active}` : `${p.active} (${p.requested} requested, fell back)`;
};

/** bench/tensor-cores.ts' lines, summarised per precision mode (one row per mode, not per variant). */
function tensorCoreRows(lines: readonly Line[]): string[] {
  const rows: string[] = [];
  const of = (op: string) => lines.filter((l) => l.op === op);
  for (const l of of('tc-compile-summary'))
    rows.push(
      `| tensor cores: compile | every variant × precision (× layout) | ${l.compiled} of ${l.of} compile | — |`,
    );
  const probes = of('tc-probe');
  if (probes.length > 0)
    rows.push(
      `| tensor cores: matrix probes | raw subgroup-matrix loads (storage, workgroup memory) | ${probes.filter((p) => p.pass).length} of ${probes.length} exact | — |`,
    );
  for (const l of of('tc-correct-summary')) {
    const c = l.correct as Record<string, string[]>;
    const tried = of('tc-correct');
    const detail = Object.entries(c).map(
      ([p, v]) =>
        `${p}: ${v.length}${tried.length ? ` of ${tried.filter((t) => t.precision === p).length}` : ''} variants`,
    );
    rows.push(
      `| tensor cores: correctness at 64³ (NN/NT/TN/TT, batched, bias) | against float64 | ${detail.join('; ')} | — |`,
    );
  }
  const gemm = of('tc-gemm').filter((g) => typeof g.tflops === 'number' && typeof g.precision === 'string');
  const simt = Math.max(...gemm.filter((g) => g.precision === 'fp32').map((g) => g.tflops as number));
  for (const precision of [...new Set(gemm.map((g) => g.precision as string))]) {
    const best = at(
      gemm.filter((g) => g.precision === precision).sort((a, b) => (b.tflops as number) - (a.tflops as number)),
      0,
      `best ${precision} GEMM`,
    );
    rows.push(
      `| tensor cores: GEMM ${best.size}³ | ${precision} (${best.variant}, ${best.layout}) | ${fmt(best.tflops, 1)} TFLOP/s | ${precision === 'fp32' ? '1' : `${fmt((best.tflops as number) / simt, 2)}× this run's fp32 SIMT`} |`,
    );
  }
  for (const l of of('tc-error'))
    rows.push(
      `| tensor cores: error K=${l.k}, ${l.inputs} | ${l.precision} (${l.variant}) | 2^${l.log2} of ‖aᵢ‖‖bⱼ‖${l.bitIdenticalToPlainPath ? ', bit-identical to the plain path' : ''} | target ≤ 2^-10 (tensor-core modes) |`,
    );
  for (const l of of('tc-logits'))
    rows.push(
      `| tensor cores: logits ${l.preset}, ${(l.tokens as number[]).join('×')} tokens | ${l.precision} (${l.variant}) | max |Δlogit| / max |logit| ${fmt(l.relMaxDiff, 5)} | target ≤ 2e-2 |`,
    );
  const sweep = of('tc-sweep');
  if (sweep.length > 0) {
    const shapes = new Set(sweep.map((l) => JSON.stringify(l.shape))).size;
    rows.push(
      `| tensor cores: sweep | ${shapes} B1/B2 GEMM shapes, ${sweep.length} timings (precision per row in the jsonl) | selection table written | — |`,
    );
  }
  return rows;
}

function callSection(file: string): string {
  const lines = readLines(file);
  const peer = (workload: string, dtype: string, name?: string) =>
    lines.find((l) => l.workload === workload && l.peer && l.dtype === dtype && (!name || l.peer === name)) as
      | Line
      | undefined;
  const rows: string[] = [];
  const notes: string[] = [];
  const sweeps = new Map<string, { tflops: number; variant: string }[]>();
  const tcLines: Line[] = [];
  for (const l of lines) {
    if (l.peer) {
      const value =
        l.workload === 'B1-sampling'
          ? `${fmt(l.tokensPerSecond, 0)} tok/s`
          : `${fmt(l.medianSeconds)} s (peak ${fmt(l.peakMemoryGB, 1)} GB)`;
      rows.push(`| ${l.workload} | PyTorch eager ${l.dtype} (${l.peer}) | ${value} | 1 |`);
    } else if (l.workload === 'B1-sampling') {
      const p = peer('B1-sampling', 'fp32');
      const ratio = p ? `${fmt((l.tokensPerSecond as number) / (p.tokensPerSecond as number), 2)}× fp32 tok/s` : '—';
      const mem = l.memory as Record<string, number> | undefined;
      rows.push(
        `| B1-sampling | ours, ${l.backend} (${kernels(l)}) | ${fmt(l.tokensPerSecond, 0)} tok/s (pool ${fmt(mem?.gpuBytesAllocatedGB, 1)} GB) | ${ratio} |`,
      );
    } else if (l.workload === 'B2-grpo-update') {
      // against the peer's full-vocabulary forward (HF default) and, when run, its response-only head (the same work)
      const ratios = (
        [
          ['pytorch-eager', 'fp32 step time'],
          ['pytorch-eager-response-logits', 'fp32 response-logits step time'],
        ] as const
      ).flatMap(([name, label]) => {
        const p = peer('B2-grpo-update', 'fp32', name);
        return p ? [`${fmt((l.medianSeconds as number) / (p.medianSeconds as number), 2)}× ${label}`] : [];
      });
      const ratio = ratios.length ? ratios.join('; ') : '—';
      const mem = l.memory as Record<string, number> | undefined;
      rows.push(
        `| B2-grpo-update | ours, ${l.backend} (${kernels(l)}), micro-batch ${(l.shapes as Record<string, number>).microBatch} | ${fmt(l.medianSeconds)} s (tensors ${fmt(mem?.tensorGB, 1)} GB, pool ${fmt(mem?.gpuBytesAllocatedGB, 1)} GB, WebGPU errors ${l.webGpuErrors}) | ${ratio} |`,
      );
    } else if (l.workload === 'loss-peak-memory') {
      rows.push(
        `| loss-peak-memory | ours, ${l.backend}, tokenLogProbs ${JSON.stringify(l.opts)}, ${l.rows} rows, V = 151936 | peak ${fmt(l.peakGB, 2)} GB of tensors in one backward | — |`,
      );
    } else if (l.workload === 'B3-phase2-step') {
      rows.push(
        `| B3-phase2-step | ours | ${fmt(l.medianStepSeconds)} s/step, stages ${JSON.stringify(l.medianStageSeconds)} | — |`,
      );
    } else if (l.workload === 'profile-decode') {
      const top = (l.topKernels as { name: string; perStep: number; gpuMsPerStep: number }[])
        .filter((k) => k.gpuMsPerStep > 0.05)
        .slice(0, 4)
        .map((k) => `${k.name} ${fmt(k.gpuMsPerStep, 1)} ms (${k.perStep}×)`)
        .join(', ');
      rows.push(
        `| decode profile | ours, ${l.backend} (${kernels(l)}, submit batch ${l.submitBatch}) | ${fmt(l.decodeStepMs, 1)} ms/decode step wall, ${fmt(l.gpuMsPerDecodeStep, 1)} ms GPU, ${l.kernelsPerDecodeStep} kernels/step (reshapes included), prefill ${fmt(l.prefillMs, 0)} ms; top: ${top} | — |`,
      );
    } else if (l.workload === 'decode-graph') {
      const ms = l.msPerStep as Record<string, number>;
      const sh = l.shapes as Record<string, number>;
      const ahead = ms.ahead2 === undefined ? '' : `, ${fmt(ms.ahead2, 2)} reading two behind`;
      rows.push(
        `| decode graph | ours, ${l.backend} (${l.kernels && (l.kernels as { fastMatMul?: boolean }).fastMatMul ? 'tiled GEMM installed' : 'tfjs matmul'}), batch ${sh.batch}, ${l.dispatchesPerStep} dispatches/step | ${fmt(ms.queued, 2)} ms/step queued (GPU-bound), ${fmt(ms.sync, 2)} with a read-back per step, ${fmt(ms.pipelined, 2)} reading one behind${ahead}; host ${fmt(l.hostMsPerEnqueue, 2)} ms per enqueue | — |`,
      );
    } else if (l.op === 'matmul') {
      const s = l.shape as Record<string, number | boolean>;
      rows.push(
        `| matmul ${l.kind} ${s.m}×${s.k}×${s.n}${s.transposeA ? ' Aᵀ' : ''}${s.transposeB ? ' Bᵀ' : ''} | tiled GEMM vs tfjs | ${fmt(l.fastMs)} ms (${fmt(l.fastTflops, 1)} TFLOP/s) vs ${fmt(l.tfjsMs)} ms (${fmt(l.tfjsTflops, 1)}) | ${fmt(l.speedup, 2)}× |`,
      );
    } else if (l.workload === 'count-dispatches') {
      const u = l.grpoUpdate as Record<string, number>;
      rows.push(
        `| dispatch counts | ${l.layers} layers, ${l.backend}${l.label ? `, ${l.label}` : ''} | GRPO: ${u.kernelsPerExtraMicroBatch} per micro-batch (fwd + bwd), ${u.kernelsOptimizerAndClip} per optimizer step (clip + AdamW); decode: ${(l.decodeStep as Record<string, number>).kernels} per step | — |`,
      );
    } else if (l.op === 'matmul-tile') {
      // one row per shape below: the sweep's spread, not one row per variant
      const s = l.shape as Record<string, number | boolean>;
      const key = `${s.m}×${s.k}×${s.n}${s.transposeA ? ' Aᵀ' : ''}${s.transposeB ? ' Bᵀ' : ''}`;
      const variant = [l.tile, l.bk === undefined ? '' : `bk${l.bk}`, l.unroll ? 'unrolled' : ''].filter(Boolean);
      sweeps.set(key, [...(sweeps.get(key) ?? []), { tflops: l.fastTflops as number, variant: variant.join(' ') }]);
    } else if (l.bench === 'backward-peak-memory') {
      rows.push(
        `| backward peak memory | ours, cpu, ${JSON.stringify(l.shape)}, ${l.leanBackprop ? 'lean' : 'tfjs'} backward${l.checkpoint ? ', checkpointing' : ''} | peak ${fmt(l.peakMB, 1)} MB of tensors | — |`,
      );
    } else if (l.workload === 'guard-cv') {
      const pooled = l.pooled as Record<string, { f1: number; ci: [number, number] }>;
      const f1 = (k: string) => `${fmt(pooled[k]?.f1)} [${fmt(pooled[k]?.ci[0])}, ${fmt(pooled[k]?.ci[1])}]`;
      const shipped = l.shippedOnUnseenFamilies as Record<string, { f1: number }> | undefined;
      const unseen = shipped
        ? `; shipped guard on unseen families ${fmt(shipped.prompt?.f1)} / ${fmt(shipped.refusal?.f1)} / ${fmt(shipped.response?.f1)}`
        : '';
      rows.push(
        `| guard family-fold CV | ${l.guard} guard, ${l.families} families held out one at a time, ${fmt(l.cpuSeconds, 0)} s CPU | F1 prompt harm ${f1('prompt')}, refusal ${f1('refusal')}, response harm ${f1('response')}; LOSO prompt-harm recall ${fmt(l.losoRecall)}${unseen} | targets 0.85 / 0.85 / 0.80; LOSO 0.85 |`,
      );
    } else if (l.workload === 'guard-unseen-families') {
      // a fixed, trained guard on the guard-cv families with no source in its training data (not family-fold CV)
      const pooled = l.pooled as Record<string, { f1: number; n: number; ci: { f1: [number, number] } }>;
      const f1 = (k: string) =>
        `${fmt(pooled[k]?.f1)} [${fmt(pooled[k]?.ci.f1[0])}, ${fmt(pooled[k]?.ci.f1[1])}] (n ${pooled[k]?.n})`;
      const cap =
        l.maxRowsPerFamilyAndLabel === null ? 'all rows' : `≤ ${l.maxRowsPerFamilyAndLabel} rows per family and label`;
      rows.push(
        `| guard on unseen families | ${l.guard} guard as trained, ${l.transport}, ${(l.families as string[]).length} families, ${cap} | F1 prompt harm ${f1('prompt')}, refusal ${f1('refusal')}, response harm ${f1('response')} | targets 0.85 / 0.85 / 0.80 |`,
      );
    } else if (l.workload === 'guard-val-rewrites') {
      const pooled = l.pooled as { recall: number; ci: { recall: [number, number] } };
      const benign = (l.strategies as { benignFlaggedRate: number }[]).map((s) => s.benignFlaggedRate);
      rows.push(
        `| guard on rewrites of validation seeds | ${l.guard} guard as trained, ${l.seeds} val-split seeds x ${(l.strategies as unknown[]).length} strategies (strategies seen in training) | prompt-harm recall ${fmt(pooled.recall)} [${fmt(pooled.ci.recall[0])}, ${fmt(pooled.ci.recall[1])}], benign flagged ≤ ${fmt(Math.max(...benign))} per strategy | LOSO target 0.85 |`,
      );
    } else if (l.workload === 'guard-serve') {
      rows.push(
        `| guard serve | ${l.guard} guard, ${l.transport}, concurrency ${l.concurrency}, ${l.cores} cores (load average ${fmt(l.loadAverage1m, 1)}) | ${fmt(l.requestsPerSecond, 0)} req/s, p50 ${fmt(l.p50Ms, 1)} ms, ${l.errors} errors, ${l.mismatches} mismatches | — |`,
      );
    } else if (typeof l.op === 'string' && l.op.startsWith('tc-')) {
      tcLines.push(l);
    } else if (typeof l.note === 'string') {
      notes.push(`- ${l.note}`);
    } else if (typeof l.op === 'string') {
      rows.push(
        `| fused ${l.op} | fused vs unfused | ${fmt(l.fusedMs)} ms vs ${fmt(l.referenceMs)} ms | ${fmt(l.speedup, 2)}× |`,
      );
    }
  }
  for (const [shape, runs] of sweeps) {
    const sorted = [...runs].sort((a, b) => b.tflops - a.tflops);
    const best = at(sorted, 0, 'fastest sweep run');
    const worst = at(sorted, sorted.length - 1, 'slowest sweep run');
    const median = at(sorted, Math.floor(sorted.length / 2), 'median sweep run');
    rows.push(
      `| matmul sweep ${shape} | tiled GEMM, ${runs.length} forced variants | best ${fmt(best.tflops, 1)} TFLOP/s (${best.variant}), median ${fmt(median.tflops, 1)}, worst ${fmt(worst.tflops, 1)} (${worst.variant}) | — |`,
    );
  }
  rows.push(...tensorCoreRows(tcLines));
  return [
    `### ${basename(file, '.jsonl')}`,
    '',
    // a file of notes only (design-measurements.jsonl: the numbers behind source comments) has no table
    ...(rows.length > 0 ? ['| workload | what | result | ratio |', '| --- | --- | --- | --- |', ...rows, ''] : []),
    ...notes,
    ...(notes.length > 0 ? [''] : []),
  ].join('\n');
}

const dir = join(import.meta.dirname, 'results');
const files = process.argv.slice(2);
const inputs =
  files.length > 0
    ? files
    : readdirSync(dir)
        .filter((f) => f.endsWith('.jsonl'))
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true })) // run2 before run10
        .map((f) => join(dir, f));
console.log(
  [
    '# Benchmark results (generated by bench/write-results.ts from bench/results/*.jsonl)',
    '',
    'One section per device call. Ratios compare with the PyTorch peer (bench/peers/torch_grpo.py) of the same call',
    'only: B1 ours/peer tokens per second (target ≥ 1.0), B2 ours/peer step time (target ≤ 2.0).',
    '',
    ...inputs.map(callSection),
  ].join('\n'),
);
