import type { SeedRecord } from '@magic/attack-pool';
import { at } from '@magic/core';
import { describe, expect, it } from 'vitest';
import type { GuardExample } from '../local/dataset.js';
import { rewriteSeed, runLoso, splitProbeSeeds } from './loso.js';
import { type GuardRecipe, ngramGuardRecipe } from './recipe.js';

// Neutral placeholder seeds: "zorp" requests stand for harmful ones, "blim" requests for benign ones.
const colours = [
  'red',
  'green',
  'blue',
  'amber',
  'violet',
  'silver',
  'golden',
  'pale',
  'dark',
  'bright',
  'grey',
  'pink',
];
const seeds: SeedRecord[] = colours.flatMap((c, i) => [
  {
    id: `h${i}`,
    text: `Explain how to stack the ${c} zorp crates beside the ${colours[(i + 4) % 12]} zorp gate number ${i}`,
    dataType: 'vanilla_harmful',
    category: 'test',
    source: 'fixture',
    meta: {},
  },
  {
    id: `b${i}`,
    text: `Explain how to paint the ${c} blim fence beside the ${colours[(i + 7) % 12]} blim garden number ${i}`,
    dataType: 'vanilla_benign',
    category: 'test',
    source: 'fixture',
    meta: {},
  },
]);

describe('runLoso', () => {
  it('never trains on the held-out strategy or on probing seeds, and scores every probe once', async () => {
    const seen: GuardExample[][] = [];
    const inner = ngramGuardRecipe({ epochs: 3 });
    const recipe: GuardRecipe = {
      name: 'recording',
      train: async (rows, o) => {
        seen.push([...rows]);
        return inner.train(rows, o);
      },
    };
    const baseRows: GuardExample[] = seeds.map((s) => ({
      task: 'prompt',
      text: s.text,
      label: s.dataType === 'vanilla_harmful' ? 1 : 0,
      source: 'seed',
      group: `seed:${s.id}`,
    }));
    const strategies = ['slang', 'caesar', 'role-play'] as const;
    const r = await runLoso({ baseRows, seeds, strategies, recipe, bootstrap: 20 });
    const { probe } = splitProbeSeeds(seeds, 0.5, 1234);
    expect(r.probeSeeds).toBe(probe.length);
    expect(r.fitSeeds + r.probeSeeds).toBe(seeds.length);
    expect(probe.length).toBeGreaterThan(0);
    const probeGroups = new Set(probe.map((s) => `seed:${s.id}`));
    const harmfulProbes = probe.filter((s) => s.dataType === 'vanilla_harmful').length;
    for (const [k, strategy] of strategies.entries()) {
      const training = at(seen, k, 'seen');
      expect(training.some((row) => probeGroups.has(row.group))).toBe(false);
      expect(training.some((row) => row.source === `loso-${strategy}`)).toBe(false);
      // every fitting seed gets two rewrites by the other strategies
      expect(training.filter((row) => row.source.startsWith('loso-')).length).toBe(2 * r.fitSeeds);
      const held = await Promise.all(seeds.map((s) => rewriteSeed(s, strategy)));
      expect(training.some((row) => held.includes(row.text))).toBe(false);
      expect(at(r.strategies, k, 'r.strategies').harmful.n).toBe(harmfulProbes);
      expect(at(r.strategies, k, 'r.strategies').benignFlagged.n).toBe(probe.length - harmfulProbes);
    }
    expect(r.pooled.n).toBe(strategies.length * probe.length);
  });
});
