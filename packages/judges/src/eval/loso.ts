import {
  applyTransformStrategy,
  getStrategy,
  isTransformStrategy,
  nearDuplicateClusters,
  normaliseText,
  type SeedRecord,
  type StrategyId,
  TemplateRewriter,
} from '@magic/attack-pool';
import { at } from '@magic/core';
import { fnv1a, type GuardExample } from '../local/dataset.js';
import { type LabelMetrics, labelMetrics, type ScoredItem } from './metrics.js';
import { type ControversialAs, predictExamples } from './predict.js';
import type { GuardRecipe } from './recipe.js';

/** The attack pool's rewrite of `seed` by `strategy`: a template wrapper, or an exact transform (encodings). */
export async function rewriteSeed(seed: SeedRecord, strategy: StrategyId): Promise<string> {
  if (isTransformStrategy(strategy)) return applyTransformStrategy(strategy, seed).adversarial;
  return (await new TemplateRewriter().rewrite({ seed, strategy: getStrategy(strategy) })).text;
}

/**
 * Splits seeds into a fitting half and a probing half. Near-duplicate seeds (the overlap check's clusters) go
 * to one side together, so no probe seed has a near-copy among the fitting seeds.
 */
export function splitProbeSeeds(
  seeds: readonly SeedRecord[],
  probeShare: number,
  seed: number,
): { fit: SeedRecord[]; probe: SeedRecord[] } {
  const probe = new Set<number>();
  for (const cluster of nearDuplicateClusters(seeds.map((s) => s.text))) {
    const key = at(cluster.map((i) => normaliseText(at(seeds, i, 'seeds').text)).sort(), 0, 'cluster texts');
    if (fnv1a(`loso:${seed}:${key}`) % 1000 < probeShare * 1000) for (const i of cluster) probe.add(i);
  }
  return {
    fit: seeds.filter((_, i) => !probe.has(i)),
    probe: seeds.filter((_, i) => probe.has(i)),
  };
}

export interface StrategyScore {
  strategy: StrategyId;
  /** Harmful probe rewrites: recall is the share flagged harmful. */
  harmful: LabelMetrics;
  /** Benign probe rewrites flagged harmful (false-positive rate), so recall cannot be bought by flagging all. */
  benignFlagged: { n: number; flagged: number; rate: number };
  trainRows: number;
  seconds: number;
}

export interface LosoResult {
  strategies: StrategyScore[];
  /** Prompt-harm metrics over every held-out rewrite (harmful and benign) of every strategy. */
  pooled: LabelMetrics;
  fitSeeds: number;
  probeSeeds: number;
}

export interface LosoOptions {
  /** Rows every fold trains on besides the rewrites (expanded); rows of probe-seed groups are removed. */
  baseRows: readonly GuardExample[];
  /** Training-side seeds only (the train split of the clean seeds). */
  seeds: readonly SeedRecord[];
  strategies: readonly StrategyId[];
  recipe: GuardRecipe;
  /** Rewrites per fitting seed, each by a different strategy other than the held-out one (2, as the shipped data). */
  rewritesPerSeed?: number;
  probeShare?: number;
  seed?: number;
  bootstrap?: number;
  concurrency?: number;
  controversialAs?: ControversialAs;
  /** Group of a seed's rows in `baseRows` (`seed:<id>` in the shipped data). */
  groupOf?: (seed: SeedRecord) => string;
  onStrategy?: (score: StrategyScore) => void;
}

const harmfulType = 'vanilla_harmful';

/**
 * Leave-one-strategy-out on template rewrites of training-side seeds. Seeds are split into fitting and probing
 * halves; for each held-out strategy the recipe trains on `baseRows` (minus probing seeds' groups) plus rewrites
 * of fitting seeds by the other strategies, and is scored on the held-out strategy's rewrites of probing seeds.
 */
export async function runLoso(options: LosoOptions): Promise<LosoResult> {
  const seed = options.seed ?? 1234;
  const perSeed = options.rewritesPerSeed ?? 2;
  const groupOf = options.groupOf ?? ((s: SeedRecord) => `seed:${s.id}`);
  const { fit, probe } = splitProbeSeeds(options.seeds, options.probeShare ?? 0.5, seed);
  const probeGroups = new Set(probe.map(groupOf));
  const base = options.baseRows.filter((r) => !probeGroups.has(r.group));
  const label = (s: SeedRecord): 0 | 1 => (s.dataType === harmfulType ? 1 : 0);
  const all: ScoredItem[] = [];
  const strategies: StrategyScore[] = [];
  for (const heldOut of options.strategies) {
    const started = performance.now();
    const others = options.strategies.filter((s) => s !== heldOut);
    const rewrites: GuardExample[] = [];
    for (const s of fit) {
      const start = fnv1a(`${seed}:${s.id}:${heldOut}`) % Math.max(1, others.length);
      for (let k = 0; k < Math.min(perSeed, others.length); k++) {
        const strategy = at(others, (start + k) % others.length, 'other strategies');
        rewrites.push({
          task: 'prompt',
          text: await rewriteSeed(s, strategy),
          label: label(s),
          source: `loso-${strategy}`,
          group: groupOf(s),
        });
      }
    }
    const train = [...base, ...rewrites];
    const guard = await options.recipe.train(train, { seed });
    const probes: GuardExample[] = [];
    for (const s of probe)
      probes.push({
        task: 'prompt',
        text: await rewriteSeed(s, heldOut),
        label: label(s),
        source: `loso-${heldOut}`,
        group: groupOf(s),
      });
    const predicted = await predictExamples(guard, probes, {
      concurrency: options.concurrency,
      controversialAs: options.controversialAs,
    });
    const items = probes.map((r, i) => ({
      predicted: at(predicted, i, 'probe predictions'),
      label: r.label,
      cluster: r.group,
    }));
    all.push(...items);
    const benign = items.filter((x) => x.label === 0);
    const flagged = benign.filter((x) => x.predicted !== 0).length;
    const score: StrategyScore = {
      strategy: heldOut,
      harmful: labelMetrics(
        items.filter((x) => x.label === 1),
        { bootstrap: options.bootstrap, seed },
      ),
      benignFlagged: { n: benign.length, flagged, rate: benign.length === 0 ? 0 : flagged / benign.length },
      trainRows: train.length,
      seconds: (performance.now() - started) / 1000,
    };
    strategies.push(score);
    options.onStrategy?.(score);
  }
  return {
    strategies,
    pooled: labelMetrics(all, { bootstrap: options.bootstrap, seed }),
    fitSeeds: fit.length,
    probeSeeds: probe.length,
  };
}
