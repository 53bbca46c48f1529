import { dataDir } from '@magic/attack-pool';
import { loadWildjailbreak } from '@magic/benchmarks';
import type { Seed } from '@magic/rollout';
import { SeededRng } from '../trainer/rng.js';

type DataType = Seed['dataType'];

/**
 * What a validation set is built from: one held-out seed rewritten by one strategy. The attack
 * pool's val-split records (`loadAttackPool({ split: 'val' })`) have this shape.
 */
export interface ValidationRecord {
  id: string;
  seedId: string;
  strategy: string;
  vanilla: string;
  adversarial: string;
  dataType: DataType;
}

/** One prompt the defender answers during validation. */
export interface ValidationItem {
  id: string;
  seedId: string;
  /** The pool strategy the prompt was written with; 'vanilla' for unrewritten seeds. */
  strategy: string;
  /** What the defender sees (and the guard judges against). */
  prompt: string;
  /** The seed the prompt came from. */
  vanilla: string;
  dataType: DataType;
}

/** Set names; they form the metric prefix `val/<name>/`. */
export type ValidationSetName = 'harmful_adversarial' | 'benign_adversarial' | 'harmful_vanilla' | 'wjb_benign';

export interface ValidationSet {
  name: ValidationSetName;
  dataType: DataType;
  items: ValidationItem[];
}

/** Validation sets of a run, and the held-out harmful seeds the attacker-side validation rewrites. */
export interface ValidationPlan {
  sets: ValidationSet[];
  attackerSeeds: Seed[];
}

/** Spreads `n` over strata of sizes `sizes` as evenly as they allow (shortfalls go to the others). */
function stratumQuotas(sizes: readonly number[], n: number, rng: SeededRng): number[] {
  const strata = sizes.map((size) => ({ size, quota: 0 }));
  let left = Math.min(
    n,
    sizes.reduce((a, b) => a + b, 0),
  );
  // remainder strata are drawn with the run seed, so no strategy is always favoured
  const order = rng.shuffle(strata);
  while (left > 0) {
    const open = order.filter((s) => s.quota < s.size);
    const each = Math.max(1, Math.floor(left / open.length));
    for (const s of open) {
      if (left === 0) break;
      const take = Math.min(each, s.size - s.quota, left);
      s.quota += take;
      left -= take;
    }
  }
  return strata.map((s) => s.quota);
}

/**
 * Draws `n` items stratified by `stratum` (equal share per stratum, remainder and shortfalls spread
 * over the others), deterministic in `seed`. Returns all items when there are fewer than `n`;
 * the result keeps the strata in sorted order and each stratum in its drawn order.
 */
export function stratifiedSample<T>(items: readonly T[], stratum: (item: T) => string, n: number, seed: number): T[] {
  const rng = new SeededRng(seed);
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(stratum(item), [...(groups.get(stratum(item)) ?? []), item]);
  const sorted = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const quotas = stratumQuotas(
    sorted.map(([, group]) => group.length),
    n,
    rng,
  );
  return sorted.flatMap(([, group], i) => rng.shuffle(group).slice(0, quotas[i]));
}

const byId = <T extends { id: string }>(xs: readonly T[]): T[] =>
  [...xs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

function adversarialSet(
  name: ValidationSetName,
  records: readonly ValidationRecord[],
  dataType: DataType,
  setSize: number,
  seed: number,
): ValidationSet {
  // sorted first so the draw depends on the records, not on the order the file lists them
  const pool = byId(records.filter((r) => r.dataType === dataType && r.adversarial.trim() !== ''));
  const picked = stratifiedSample(pool, (r) => r.strategy, setSize, seed);
  return {
    name,
    dataType,
    items: picked.map((r) => ({
      id: r.id,
      seedId: r.seedId,
      strategy: r.strategy,
      prompt: r.adversarial,
      vanilla: r.vanilla,
      dataType,
    })),
  };
}

/**
 * The default validation sets, built from held-out (validation-split) seeds only:
 * harmful_adversarial and benign_adversarial are pool rewrites of held-out harmful / benign seeds,
 * stratified across the strategies; harmful_vanilla holds the unique held-out harmful seed texts.
 * Each set has `setSize` items (fewer when the records hold fewer), drawn with `seed`.
 * The attacker-side validation rewrites the harmful_vanilla seeds.
 */
export function buildSeparateValidationSets(
  records: readonly ValidationRecord[],
  options: { setSize: number; seed: number },
): ValidationPlan {
  const { setSize, seed } = options;
  const vanillaById = new Map<string, ValidationRecord>();
  for (const r of byId(records)) {
    if (r.dataType !== 'vanilla_harmful') continue;
    const key = r.vanilla;
    if (!vanillaById.has(key)) vanillaById.set(key, r);
  }
  const vanilla = new SeededRng(seed ^ 0x5eed)
    .shuffle([...vanillaById.values()].sort((a, b) => (a.seedId < b.seedId ? -1 : a.seedId > b.seedId ? 1 : 0)))
    .slice(0, setSize);
  const harmfulVanilla: ValidationSet = {
    name: 'harmful_vanilla',
    dataType: 'vanilla_harmful',
    items: vanilla.map((r) => ({
      id: `vanilla:${r.seedId}`,
      seedId: r.seedId,
      strategy: 'vanilla',
      prompt: r.vanilla,
      vanilla: r.vanilla,
      dataType: 'vanilla_harmful',
    })),
  };
  return {
    sets: [
      adversarialSet('harmful_adversarial', records, 'vanilla_harmful', setSize, seed),
      adversarialSet('benign_adversarial', records, 'vanilla_benign', setSize, seed + 1),
      harmfulVanilla,
    ],
    attackerSeeds: harmfulVanilla.items.map((i) => ({ question: i.vanilla, dataType: 'vanilla_harmful' })),
  };
}

/**
 * Seeds of a user's `data.valFiles` as validation records: a seed with an adversarial rewrite is one
 * record (strategy 'unspecified'); a seed without one feeds harmful_vanilla only (when harmful).
 */
export function seedsAsValidationRecords(seeds: readonly Seed[]): ValidationRecord[] {
  return seeds.map((s, i) => ({
    id: `valfile:${String(i).padStart(6, '0')}`,
    seedId: `valfile:${String(i).padStart(6, '0')}`,
    strategy: 'unspecified',
    vanilla: s.question,
    adversarial: s.adversarial ?? '',
    dataType: s.dataType,
  }));
}

/** MAGIC's validation file as shipped by @magic/attack-pool (250 WildJailbreak adversarial-benign rows). */
export function paperValidationFile(): string {
  return dataDir('seeds/wildjailbreak/test_wjb.parquet');
}

/**
 * `validation.mode: paper`: MAGIC's own set, the 250 adversarial-benign WildJailbreak rows of
 * `test_wjb.parquet`; the defender answers the adversarial text directly (spec §1). The same rows
 * are the WJB-benign column of the evaluation, so these numbers are not independent of it.
 */
export async function buildPaperValidationSet(file: string = paperValidationFile()): Promise<ValidationPlan> {
  const rows = await loadWildjailbreak({ path: file });
  return {
    sets: [
      {
        name: 'wjb_benign',
        dataType: 'vanilla_benign',
        items: rows.map((r, i) => ({
          id: `test_wjb:${i}`,
          seedId: `test_wjb:${i}`,
          strategy: 'wildjailbreak',
          prompt: r.adversarial,
          vanilla: r.vanilla,
          dataType: 'vanilla_benign',
        })),
      },
    ],
    attackerSeeds: [],
  };
}
