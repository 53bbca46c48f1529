import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAttackPool, strategyIds } from '@magic/attack-pool';
import { at, defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { SeededRng } from '../trainer/rng.js';
import { resolveValidation, withoutHeldOut } from './validation-plan.js';
import {
  buildPaperValidationSet,
  buildSeparateValidationSets,
  stratifiedSample,
  type ValidationRecord,
  type ValidationSet,
} from './validation-sets.js';

/** `seeds` held-out seeds of each kind, each rewritten by every strategy (neutral placeholder texts). */
function records(seeds: number, strategies: readonly string[] = strategyIds): ValidationRecord[] {
  const out: ValidationRecord[] = [];
  for (const dataType of ['vanilla_harmful', 'vanilla_benign'] as const) {
    for (let s = 0; s < seeds; s++) {
      for (const strategy of strategies) {
        out.push({
          id: `${dataType}-${s}-${strategy}`,
          seedId: `${dataType}-${s}`,
          strategy,
          vanilla: `${dataType} seed placeholder ${s}`,
          adversarial: `${strategy} rewrite of ${dataType} seed placeholder ${s}`,
          dataType,
        });
      }
    }
  }
  return out;
}

const set = (sets: ValidationSet[], name: string) =>
  defined(
    sets.find((s) => s.name === name),
    'sets.find((s) => s.name === name)',
  );
const countBy = (xs: readonly string[]) =>
  xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());

describe('buildSeparateValidationSets', () => {
  it('builds the three sets from the records, stratified across all 20 strategies', () => {
    const { sets, attackerSeeds } = buildSeparateValidationSets(records(12), { setSize: 100, seed: 7 });
    expect(sets.map((s) => s.name)).toEqual(['harmful_adversarial', 'benign_adversarial', 'harmful_vanilla']);
    for (const name of ['harmful_adversarial', 'benign_adversarial']) {
      const s = set(sets, name);
      expect(s.items).toHaveLength(100);
      // 100 over 20 strategies: exactly 5 each
      const per = countBy(s.items.map((i) => i.strategy));
      expect(per.size).toBe(20);
      expect([...per.values()].every((c) => c === 5)).toBe(true);
      expect(s.items.every((i) => i.prompt.includes(' rewrite of '))).toBe(true);
      expect(s.items.every((i) => i.dataType === s.dataType)).toBe(true);
      expect(new Set(s.items.map((i) => i.id)).size).toBe(100);
    }
    expect(set(sets, 'harmful_adversarial').dataType).toBe('vanilla_harmful');
    expect(set(sets, 'benign_adversarial').dataType).toBe('vanilla_benign');
    // harmful_vanilla: the unique held-out harmful seed texts (12 here, fewer than setSize)
    const vanilla = set(sets, 'harmful_vanilla');
    expect(vanilla.items.map((i) => i.prompt).sort()).toEqual(
      Array.from({ length: 12 }, (_, s) => `vanilla_harmful seed placeholder ${s}`).sort(),
    );
    expect(attackerSeeds.map((s) => s.question)).toEqual(vanilla.items.map((i) => i.vanilla));
    expect(attackerSeeds.every((s) => s.dataType === 'vanilla_harmful')).toBe(true);
  });

  it('is deterministic in the seed and independent of the record order', () => {
    const rs = records(10);
    const a = buildSeparateValidationSets(rs, { setSize: 30, seed: 42 });
    const b = buildSeparateValidationSets(new SeededRng(3).shuffle(rs), { setSize: 30, seed: 42 });
    const c = buildSeparateValidationSets(rs, { setSize: 30, seed: 43 });
    const ids = (p: typeof a) => p.sets.map((s) => s.items.map((i) => i.id));
    expect(ids(b)).toEqual(ids(a));
    expect(ids(c)).not.toEqual(ids(a));
    expect(at(a.sets, 2, 'a.sets').items).toHaveLength(10);
  });

  it('caps harmful_vanilla at setSize and takes every record when there are fewer', () => {
    const big = buildSeparateValidationSets(records(130, ['slang', 'morse']), { setSize: 100, seed: 1 });
    expect(set(big.sets, 'harmful_vanilla').items).toHaveLength(100);
    expect(new Set(set(big.sets, 'harmful_vanilla').items.map((i) => i.vanilla)).size).toBe(100);
    const small = buildSeparateValidationSets(records(2, ['slang']), { setSize: 100, seed: 1 });
    expect(small.sets.map((s) => s.items.length)).toEqual([2, 2, 2]);
  });

  it('keeps seeds without an adversarial text out of the adversarial sets', () => {
    const rs: ValidationRecord[] = [
      {
        id: 'a',
        seedId: 'a',
        strategy: 'unspecified',
        vanilla: 'harm placeholder',
        adversarial: '',
        dataType: 'vanilla_harmful',
      },
      {
        id: 'b',
        seedId: 'b',
        strategy: 'unspecified',
        vanilla: 'benign placeholder',
        adversarial: 'benign rewrite',
        dataType: 'vanilla_benign',
      },
    ];
    const { sets } = buildSeparateValidationSets(rs, { setSize: 10, seed: 1 });
    expect(sets.map((s) => s.items.map((i) => i.prompt))).toEqual([[], ['benign rewrite'], ['harm placeholder']]);
  });
});

describe('stratifiedSample', () => {
  it('spreads shortfalls of small strata over the others', () => {
    const items = [
      ...Array.from({ length: 1 }, (_, i) => `a${i}`),
      ...Array.from({ length: 3 }, (_, i) => `b${i}`),
      ...Array.from({ length: 50 }, (_, i) => `c${i}`),
      ...Array.from({ length: 50 }, (_, i) => `d${i}`),
    ];
    const picked = stratifiedSample(items, (x) => at(x, 0, 'x'), 40, 5);
    expect(picked).toHaveLength(40);
    const per = countBy(picked.map((x) => at(x, 0, 'x')));
    expect(per.get('a')).toBe(1);
    expect(per.get('b')).toBe(3);
    // the 36 left go to c and d as evenly as possible
    expect(Math.abs(defined(per.get('c'), "per.get('c')") - defined(per.get('d'), "per.get('d')"))).toBeLessThanOrEqual(
      1,
    );
    expect(new Set(picked).size).toBe(40);
  });

  it('gives a remainder to different strata for different seeds', () => {
    const items = ['a', 'b', 'c', 'd', 'e'].flatMap((k) => [`${k}1`, `${k}2`]);
    const extra = (seed: number) =>
      [...countBy(stratifiedSample(items, (x) => at(x, 0, 'x'), 7, seed).map((x) => at(x, 0, 'x')))]
        .filter(([, c]) => c === 2)
        .map(([k]) => k)
        .sort()
        .join('');
    const seen = new Set(Array.from({ length: 10 }, (_, s) => extra(s)));
    expect(seen.size).toBeGreaterThan(1);
    for (const e of seen) expect(e).toHaveLength(2);
  });
});

describe('paper mode', () => {
  it("reads MAGIC's test_wjb.parquet: 250 adversarial-benign rows, the adversarial text as the prompt", async () => {
    const { sets, attackerSeeds } = await buildPaperValidationSet();
    expect(sets).toHaveLength(1);
    const [wjb] = sets;
    expect(defined(wjb, 'wjb').name).toBe('wjb_benign');
    expect(defined(wjb, 'wjb').dataType).toBe('vanilla_benign');
    expect(defined(wjb, 'wjb').items).toHaveLength(250);
    expect(defined(wjb, 'wjb').items.every((i) => i.prompt.length > 0 && i.prompt !== i.vanilla)).toBe(true);
    expect(attackerSeeds).toEqual([]);
  });

  it('validation.mode=paper resolves to the paper set plus held-out harmful seeds for the attacker side', async () => {
    const config = loadConfig({ overrides: ['validation.mode=paper', 'validation.setSize=20'] });
    const v = await resolveValidation(config, () => records(25));
    expect(v.sets.map((s) => [s.name, s.items.length])).toEqual([['wjb_benign', 250]]);
    expect(v.attackerSeeds).toHaveLength(20);
    const dir = mkdtempSync(join(tmpdir(), 'magic-paper-'));
    const file = join(dir, 'wjb.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ vanilla: 'benign placeholder', adversarial: 'adversarial benign placeholder' })}\n`,
    );
    const own = await resolveValidation(
      loadConfig({ overrides: ['validation.mode=paper', `validation.paperFile=${file}`] }),
      () => records(1),
    );
    expect(at(own.sets, 0, 'own.sets').items.map((i) => i.prompt)).toEqual(['adversarial benign placeholder']);
    const off = await resolveValidation(loadConfig({ overrides: ['validation.attackerSide=false'] }), () => records(3));
    expect(off.attackerSeeds).toEqual([]);
  });
});

describe('resolveValidation', () => {
  it('defaults to separate sets of 100 drawn from the shipped pool val split, disjoint from its train split', async () => {
    const config = loadConfig({});
    expect(config.validation).toMatchObject({ mode: 'separate', setSize: 100, attackerSide: true });
    const v = await resolveValidation(config);
    const val = loadAttackPool({ split: 'val' });
    const valIds = new Set(val.map((r) => r.id));
    const trainSeeds = new Set(loadAttackPool({ split: 'train' }).map((r) => r.seedId));
    const adversarial = v.sets.filter((s) => s.name !== 'harmful_vanilla');
    for (const s of adversarial) {
      expect(s.items.length).toBe(Math.min(100, val.filter((r) => r.dataType === s.dataType).length));
      expect(s.items.every((i) => valIds.has(i.id))).toBe(true);
      expect(new Set(s.items.map((i) => i.strategy)).size).toBe(20);
    }
    for (const s of v.sets) expect(s.items.some((i) => trainSeeds.has(i.seedId))).toBe(false);
    // the shipped data fills every set: each held-out harmful seed has val records, so harmful_vanilla too
    for (const name of ['harmful_adversarial', 'benign_adversarial', 'harmful_vanilla'] as const)
      expect(set(v.sets, name).items.length).toBe(100);
    expect(v.attackerSeeds.length).toBe(set(v.sets, 'harmful_vanilla').items.length);
  });

  it('data.valFiles replaces the pool split, and held-out seeds are removed from training', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'magic-val-'));
    const file = join(dir, 'val.jsonl');
    writeFileSync(
      file,
      [
        {
          vanilla: 'Held harmful placeholder',
          adversarial: 'rewritten harmful placeholder',
          data_type: 'vanilla_harmful',
        },
        {
          vanilla: 'held benign placeholder',
          adversarial: 'rewritten benign placeholder',
          data_type: 'vanilla_benign',
        },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    const v = await resolveValidation(loadConfig({ overrides: [`data.valFiles=${file}`] }), () => {
      throw new Error('the pool split must not be read when valFiles is given');
    });
    expect(v.sets.map((s) => s.items.map((i) => i.prompt))).toEqual([
      ['rewritten harmful placeholder'],
      ['rewritten benign placeholder'],
      ['Held harmful placeholder'],
    ]);
    const train = withoutHeldOut(
      [
        { question: ' held harmful placeholder ', dataType: 'vanilla_harmful' },
        { question: 'training placeholder', dataType: 'vanilla_benign' },
      ],
      v.heldOutTexts,
    );
    expect(train.map((s) => s.question)).toEqual(['training placeholder']);
  });
});
