import { z } from 'zod';
import committed from './sweep-table.json' with { type: 'json' };
import { MATMUL_PRECISIONS, TC_VARIANT_NAMES, type TcVariantName } from './variants.js';

/*
 * Per-shape kernel choice from a measured sweep (bench/tensor-cores.ts writes the table on a GPU; it is committed
 * here as sweep-table.json). An entry names the fastest tensor-core variant for one problem, or null where the
 * SIMT GEMM was faster. A shape without an entry takes the nearest measured shape of its layout (log-distance over
 * M, N, K); an empty table (nothing measured yet) selects nothing: the SIMT GEMM runs, and tensorCoreStatus() says
 * why.
 */

const variantName = z.enum(TC_VARIANT_NAMES as [TcVariantName, ...TcVariantName[]]);

export const sweepEntrySchema = z.object({
  precision: z.enum(MATMUL_PRECISIONS).exclude(['fp32']),
  m: z.number().int().positive(),
  n: z.number().int().positive(),
  k: z.number().int().positive(),
  transposeA: z.boolean(),
  transposeB: z.boolean(),
  /** Fastest variant, or null: the SIMT GEMM won. */
  variant: variantName.nullable(),
  tflops: z.number().nonnegative().optional(),
  simtTflops: z.number().nonnegative().optional(),
});
export type SweepEntry = z.infer<typeof sweepEntrySchema>;

export const sweepTableSchema = z.object({
  /** ISO date of the measurement, null until measured. */
  measuredOn: z.string().nullable(),
  device: z.string(),
  /** Where the raw measurement lives (bench/results/...). */
  source: z.string(),
  entries: z.array(sweepEntrySchema),
});
export type SweepTable = z.infer<typeof sweepTableSchema>;

export const COMMITTED_SWEEP_TABLE: SweepTable = sweepTableSchema.parse(committed);

export interface ShapeQuery {
  precision: 'f16' | 'split-f16';
  m: number;
  n: number;
  k: number;
  transposeA: boolean;
  transposeB: boolean;
}

export type Selection = { variant: TcVariantName; entry: SweepEntry } | { variant: null; reason: string };

/** The variant the table selects for one problem. */
export function selectVariant(table: SweepTable, q: ShapeQuery): Selection {
  const same = table.entries.filter(
    (e) => e.precision === q.precision && e.transposeA === q.transposeA && e.transposeB === q.transposeB,
  );
  if (same.length === 0) {
    return {
      variant: null,
      reason:
        table.entries.length === 0
          ? 'the sweep table is empty (not measured yet: run bench/tensor-cores.ts on the GPU)'
          : `no sweep entry for ${q.precision} ${q.transposeA ? 'T' : 'N'}${q.transposeB ? 'T' : 'N'}`,
    };
  }
  const d = (e: SweepEntry) => Math.log2(e.m / q.m) ** 2 + Math.log2(e.n / q.n) ** 2 + Math.log2(e.k / q.k) ** 2;
  const best = same.reduce((x, y) => (d(y) < d(x) ? y : x));
  if (best.variant === null)
    return { variant: null, reason: `the SIMT GEMM measured faster at ${best.m}x${best.n}x${best.k}` };
  return { variant: best.variant, entry: best };
}
