import { at } from '@magic/core';
import { normaliseText, overlapHash, wordNgrams } from './normalise.js';
import { type OverlapKind, TrainingIndex } from './training-index.js';

export type DropReason = OverlapKind | 'in-eval';

export interface OverlapFilterResult<T> {
  kept: T[];
  dropped: { item: T; reason: DropReason }[];
}

/**
 * Drops every item that makes the overlap check fail against `evalTexts` (from `distinctEvalTexts`):
 * an item whose text occurs in eval text ('in-eval'), then, until no eval text hits the union of the kept
 * items, the items an eval text hits on their own (or, for a hit made of several items, all that share an
 * 8-gram with it). `textsOf` gives an item's texts (e.g. prompt and response).
 */
export function dropEvalOverlap<T>(
  items: readonly T[],
  textsOf: (item: T) => string[],
  evalTexts: ReadonlyMap<string, unknown>,
): OverlapFilterResult<T> {
  const dropped: { item: T; reason: DropReason }[] = [];
  const evalIndex = new TrainingIndex().addTexts(evalTexts.keys());
  let kept = items.filter((item) => {
    const inEval = textsOf(item).some((t) => evalIndex.match(normaliseText(t)) !== undefined);
    if (inEval) dropped.push({ item, reason: 'in-eval' });
    return !inEval;
  });
  for (;;) {
    const union = new TrainingIndex();
    const byGram = new Map<string, number[]>();
    kept.forEach((item, i) => {
      for (const t of textsOf(item)) {
        union.addText(t);
        for (const g of wordNgrams(normaliseText(t))) {
          const h = overlapHash(g);
          const list = byGram.get(h);
          if (list === undefined) byGram.set(h, [i]);
          else if (list[list.length - 1] !== i) list.push(i);
        }
      }
    });
    const drop = new Map<number, OverlapKind>();
    for (const normalised of evalTexts.keys()) {
      const hit = union.match(normalised);
      if (!hit) continue;
      const sharers = new Set<number>();
      for (const g of wordNgrams(normalised)) for (const i of byGram.get(overlapHash(g)) ?? []) sharers.add(i);
      kept.forEach((item, i) => {
        if (textsOf(item).some((t) => normaliseText(t) === normalised)) sharers.add(i);
      });
      const alone = [...sharers].filter((i) =>
        new TrainingIndex().addTexts(textsOf(at(kept, i, 'kept'))).match(normalised),
      );
      for (const i of alone.length > 0 ? alone : sharers) drop.set(i, hit.kind);
    }
    if (drop.size === 0) return { kept, dropped };
    for (const [i, reason] of drop) dropped.push({ item: at(kept, i, 'kept'), reason });
    kept = kept.filter((_, i) => !drop.has(i));
  }
}
