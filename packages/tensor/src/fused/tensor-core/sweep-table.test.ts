import { describe, expect, it } from 'vitest';
import { COMMITTED_SWEEP_TABLE, type SweepTable, selectVariant, sweepTableSchema } from './sweep-table.js';

const q = { precision: 'f16' as const, m: 4096, n: 896, k: 4864, transposeA: false, transposeB: true };

describe('sweep-table selection', () => {
  it('the committed table parses; while it is empty nothing is selected and the reason says so', () => {
    expect(sweepTableSchema.parse(COMMITTED_SWEEP_TABLE)).toEqual(COMMITTED_SWEEP_TABLE);
    if (COMMITTED_SWEEP_TABLE.entries.length === 0) {
      const s = selectVariant(COMMITTED_SWEEP_TABLE, q);
      expect(s.variant).toBeNull();
      expect('reason' in s && s.reason).toMatch(/empty/);
    }
  });

  it('takes the nearest measured shape of the same precision and layout; null entries keep the SIMT GEMM', () => {
    const table: SweepTable = {
      measuredOn: '2026-12-02',
      device: 'test',
      source: 'test',
      entries: [
        { ...q, m: 4096, n: 896, k: 896, variant: 'n8-f4x4-s2x2-bk32' },
        { ...q, m: 4096, n: 4864, k: 896, variant: 'n16-f2x2-s2x2-bk32' },
        { ...q, m: 64, n: 896, k: 896, variant: null },
        { ...q, precision: 'split-f16', variant: 'n8-f2x4-s2x2-bk32' },
        { ...q, transposeA: true, transposeB: false, variant: 'n8-f4x4-s1x1-bk32' },
      ],
    };
    expect(selectVariant(table, { ...q, n: 4864, k: 1024 }).variant).toBe('n16-f2x2-s2x2-bk32');
    expect(selectVariant(table, { ...q, n: 1024, k: 1024 }).variant).toBe('n8-f4x4-s2x2-bk32');
    const skinny = selectVariant(table, { ...q, m: 48, n: 896, k: 896 });
    expect(skinny.variant).toBeNull();
    expect('reason' in skinny && skinny.reason).toMatch(/SIMT GEMM measured faster/);
    expect(selectVariant(table, { ...q, precision: 'split-f16' }).variant).toBe('n8-f2x4-s2x2-bk32');
    const nn = selectVariant(table, { ...q, transposeB: false });
    expect(nn.variant).toBeNull();
    expect('reason' in nn && nn.reason).toMatch(/no sweep entry for f16 NN/);
  });

  it('rejects unknown variant names', () => {
    expect(() =>
      sweepTableSchema.parse({ measuredOn: null, device: '', source: '', entries: [{ ...q, variant: 'nope' }] }),
    ).toThrow();
  });
});
