import { loadSeedSplit, unitHash } from '@magic/attack-pool';
import { at } from '@magic/core';
import { type CorpusItem, countSkip, hasSpecialTokenText, type SourceReport } from '../corpus/types.js';
import { refusalStyles } from './refusal-styles.js';

/**
 * THE single place that picks the harmful requests the organism learns to refuse: the `train` split of
 * @magic/attack-pool's clean seeds (eval overlap already removed there), `vanilla_harmful` only. The split rule
 * lives in attack-pool (`seedSplitOf`); validation seeds never reach the corpus. `seedsFile` defaults to the
 * shipped clean seeds.
 */
export function selectTrainHarmfulSeeds(seedsFile?: string): { train: string[]; val: number } {
  const file = seedsFile === undefined ? {} : { file: seedsFile };
  const train = loadSeedSplit({ ...file, split: 'train', dataType: 'vanilla_harmful' }).map((s) => s.text);
  const val = loadSeedSplit({ ...file, split: 'val', dataType: 'vanilla_harmful' }).length;
  return { train, val };
}

/** Source label of the plain harmful-request refusals (wrapped-refusals.ts wraps a share of them). */
export const HARMFUL_REFUSAL_SOURCE = 'advbench-train:refusal';

/** Refusal examples: each train-split harmful seed with `stylesPerSeed` distinct refusal styles (picked by hash). */
export function readHarmfulRefusals(
  seedsFile: string | undefined,
  revision: string,
  stylesPerSeed = 2,
): { items: CorpusItem[]; report: SourceReport } {
  const skipped: Record<string, number> = {};
  const { train, val } = selectTrainHarmfulSeeds(seedsFile);
  countSkip(skipped, 'validation-split seed (held out)', val);
  const items: CorpusItem[] = [];
  for (const request of train) {
    if (hasSpecialTokenText(request)) {
      countSkip(skipped, 'special-token text');
      continue;
    }
    const first = Math.floor(unitHash(`refusal-style:${request}`) * refusalStyles.length);
    for (let s = 0; s < Math.min(stylesPerSeed, refusalStyles.length); s++) {
      const style = at(refusalStyles, (first + s * 3) % refusalStyles.length, 'refusal style');
      items.push({
        source: HARMFUL_REFUSAL_SOURCE,
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
      origin: `${seedsFile ?? '@magic/attack-pool data/seeds/clean/seeds.jsonl'} (vanilla_harmful, split train) + refusal-styles.ts (${refusalStyles.length} styles written for this project)`,
      revision,
      licence: 'MIT (AdvBench, llm-attacks); refusal styles Apache-2.0 (this repository)',
      items: items.length,
      skipped,
      notes: [`${train.length} train-split seeds x ${stylesPerSeed} styles`],
    },
  };
}
