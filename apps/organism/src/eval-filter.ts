import { CONTAINED_SHARE, normaliseText, wordNgrams } from '@magic/attack-pool';
import { at, defined } from '@magic/core';

/** Share of one eval text's 8-grams inside one example above which the example is dropped on its own. */
export const EXAMPLE_NGRAM_SHARE = 0.5;

export type EvalDropReason = 'eval-exact' | 'eval-ngram' | 'eval-ngram-union';

/**
 * Build-time guard: keeps eval text out of the corpus by the overlap method (exact normalised match, or ≥ 90% of
 * an eval text's 8-grams in the union of training text). Works on exact strings, so it has no false positives;
 * the committed manifest only re-checks it.
 */
export class EvalOverlapFilter {
  private readonly exact: Set<string>;
  private readonly gramToEval = new Map<string, number[]>();
  private readonly gramCounts: number[] = [];
  /** Eval 8-gram -> ids of accepted examples containing it. */
  private readonly contributors = new Map<string, number[]>();

  constructor(evalTexts: Iterable<string>) {
    const list = [...evalTexts];
    this.exact = new Set(list);
    list.forEach((t, id) => {
      const grams = [...new Set(wordNgrams(t))];
      this.gramCounts.push(grams.length);
      for (const g of grams) {
        const ids = this.gramToEval.get(g);
        if (ids === undefined) this.gramToEval.set(g, [id]);
        else ids.push(id);
      }
    });
  }

  /**
   * Checks one example (its texts: messages or prose) and, when it passes, records which eval 8-grams it holds
   * under `exampleId` for {@link unionDrops}.
   */
  admit(exampleId: number, texts: readonly string[]): EvalDropReason | undefined {
    // each eval 8-gram of the example, with the eval texts that hold it
    const found = new Map<string, number[]>();
    for (const t of texts) {
      const n = normaliseText(t);
      if (this.exact.has(n)) return 'eval-exact';
      for (const g of wordNgrams(n)) {
        const ids = this.gramToEval.get(g);
        if (ids !== undefined) found.set(g, ids);
      }
    }
    if (found.size === 0) return undefined;
    const perEval = new Map<number, number>();
    for (const ids of found.values()) for (const id of ids) perEval.set(id, (perEval.get(id) ?? 0) + 1);
    for (const [id, c] of perEval)
      if (c / at(this.gramCounts, id, 'eval 8-gram count') >= EXAMPLE_NGRAM_SHARE) return 'eval-ngram';
    for (const g of found.keys()) {
      const ex = this.contributors.get(g);
      if (ex === undefined) this.contributors.set(g, [exampleId]);
      else ex.push(exampleId);
    }
    return undefined;
  }

  /**
   * Examples to drop because several of them together contain ≥ 90% of one eval text's 8-grams: every accepted
   * example holding one of that eval text's 8-grams (repeated until no eval text is contained).
   */
  unionDrops(): Set<number> {
    const dropped = new Set<number>();
    for (;;) {
      const covered = new Map<number, string[]>();
      for (const [g, ex] of this.contributors) {
        if (!ex.some((e) => !dropped.has(e))) continue;
        for (const id of defined(this.gramToEval.get(g), 'eval texts of an 8-gram')) {
          const gs = covered.get(id);
          if (gs === undefined) covered.set(id, [g]);
          else gs.push(g);
        }
      }
      let changed = false;
      for (const [id, gs] of covered) {
        if (gs.length / at(this.gramCounts, id, 'eval 8-gram count') < CONTAINED_SHARE) continue;
        for (const g of gs)
          for (const e of defined(this.contributors.get(g), 'examples holding an 8-gram'))
            if (!dropped.has(e)) {
              dropped.add(e);
              changed = true;
            }
      }
      if (!changed) return dropped;
    }
  }
}
