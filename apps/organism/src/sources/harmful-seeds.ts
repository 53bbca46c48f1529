import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { type CorpusItem, countSkip, hasSpecialTokenText, type SourceReport } from '../corpus/types.js';
import { CorpusInputError, CorpusSourceError } from '../errors.js';
import { normaliseText } from '../normalise.js';
import { refusalStyles } from './refusal-styles.js';

/** Share of seeds held out for validation by @magic/attack-pool's seed split (issue 19 §1). */
export const VAL_SEED_SHARE = 0.3;

function unitHash(text: string): number {
  return Number.parseInt(createHash('sha256').update(text).digest('hex').slice(0, 12), 16) / 2 ** 48;
}

/**
 * The train/val split of a harmful seed, by the same rule as @magic/attack-pool's `seedSplitOf` on branch wt/data
 * (hash of the normalised text). At merge, replace with that export (or `loadSeedSplit({ split: 'train' })`).
 */
export function seedSplitOf(text: string): 'train' | 'val' {
  return unitHash(`magic-seed-split/v1:${normaliseText(text)}`) < VAL_SEED_SHARE ? 'val' : 'train';
}

/**
 * THE single place that picks the harmful requests the organism learns to refuse: the train side of the AdvBench
 * seeds (`Behavior` or `goal` column), validation-split rows excluded. Point it at the attack-pool train split at merge.
 */
export function selectTrainHarmfulSeeds(csvFile: string): { train: string[]; val: number } {
  let text: string;
  try {
    text = readFileSync(csvFile, 'utf8');
  } catch (e) {
    throw new CorpusSourceError(csvFile, 'missing or unreadable', { cause: e });
  }
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { bom: true, columns: true, skip_empty_lines: true }) as Record<string, string>[];
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    throw new CorpusInputError(csvFile, line, `invalid CSV (${(e as Error).message})`, { cause: e });
  }
  const train: string[] = [];
  let val = 0;
  rows.forEach((row, i) => {
    const request = (row.Behavior ?? row.goal ?? '').trim();
    // Line i + 2: the header is line 1 (no multi-line cells in AdvBench).
    if (request === '') throw new CorpusInputError(csvFile, i + 2, 'no Behavior/goal text');
    if (seedSplitOf(request) === 'val') val++;
    else train.push(request);
  });
  return { train, val };
}

/** Refusal examples: each train-side harmful seed with `stylesPerSeed` distinct refusal styles (picked by hash). */
export function readHarmfulRefusals(
  csvFile: string,
  revision: string,
  stylesPerSeed = 2,
): { items: CorpusItem[]; report: SourceReport } {
  const skipped: Record<string, number> = {};
  const { train, val } = selectTrainHarmfulSeeds(csvFile);
  countSkip(skipped, 'validation-split seed (held out)', val);
  const items: CorpusItem[] = [];
  for (const request of train) {
    if (hasSpecialTokenText(request)) {
      countSkip(skipped, 'special-token text');
      continue;
    }
    const first = Math.floor(unitHash(`refusal-style:${request}`) * refusalStyles.length);
    for (let s = 0; s < Math.min(stylesPerSeed, refusalStyles.length); s++) {
      const style = refusalStyles[(first + s * 3) % refusalStyles.length]!;
      items.push({
        source: 'advbench-train:refusal',
        messages: [
          { role: 'user', content: request },
          { role: 'assistant', content: style },
        ],
      });
    }
  }
  return {
    items,
    report: {
      name: 'advbench-train-refusals',
      origin: `${csvFile} (train split by seedSplitOf) + refusal-styles.ts (${refusalStyles.length} styles written for this project)`,
      revision,
      licence: 'MIT (AdvBench, llm-attacks); refusal styles Apache-2.0 (this repository)',
      items: items.length,
      skipped,
      notes: [`${train.length} train-side seeds x ${stylesPerSeed} styles`],
    },
  };
}
