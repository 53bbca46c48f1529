import { at, defined } from '@magic/core';
import { CONTAINED_SHARE, MIN_EVAL_CHARS, NGRAM_WORDS, normaliseText, wordNgrams } from './overlap/normalise.js';

/** Union-find over indexes 0..n-1 (path halving, union by size). */
class DisjointSets {
  private readonly parent: number[];
  private readonly size: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
    this.size = Array.from({ length: n }, () => 1);
  }
  find(i: number): number {
    let x = i;
    let up = at(this.parent, x, 'parent');
    while (up !== x) {
      const grandparent = at(this.parent, up, 'parent');
      this.parent[x] = grandparent;
      x = grandparent;
      up = at(this.parent, x, 'parent');
    }
    return x;
  }
  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (at(this.size, ra, 'size') < at(this.size, rb, 'size')) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra] = at(this.size, ra, 'size') + at(this.size, rb, 'size');
  }
}

/**
 * Groups texts that are near-duplicates by the overlap check's method, so a split can keep each group on one
 * side. Two texts are linked when their normalised texts are equal, or when ≥ 90% of one's word 8-grams occur
 * in the others (in one other text, or spread over several: the overlap check counts the union of the training
 * side) — then it is linked to every text holding one of its 8-grams. A text of fewer than 8 words has no 8-grams; it is linked to a text that contains its whole
 * word sequence, but only when it has at least `MIN_EVAL_CHARS` normalised characters (shorter ones are too
 * generic, e.g. two common words, and would chain unrelated texts; the overlap check ignores them as well).
 * Links are transitive (union-find). Returns clusters of indexes into `texts`, each sorted, in order of their
 * first member.
 */
export function nearDuplicateClusters(texts: readonly string[]): number[][] {
  const norm = texts.map(normaliseText);
  const grams = norm.map((n) => wordNgrams(n));
  const sets = new DisjointSets(texts.length);

  const byText = new Map<string, number>();
  norm.forEach((n, i) => {
    const first = byText.get(n);
    if (first === undefined) byText.set(n, i);
    else sets.union(first, i);
  });

  // 8-gram → texts holding it; a text's share is counted over its 8-gram list, as TrainingIndex.match does
  const holders = new Map<string, number[]>();
  grams.forEach((gs, i) => {
    for (const g of new Set(gs)) {
      const list = holders.get(g);
      if (list === undefined) holders.set(g, [i]);
      else list.push(i);
    }
  });
  grams.forEach((gs, i) => {
    if (gs.length === 0) return;
    const others = gs.map((g) => defined(holders.get(g), 'holders entry').filter((j) => j !== i));
    const found = others.filter((js) => js.length > 0).length;
    if (found / gs.length < CONTAINED_SHARE) return;
    for (const js of others) for (const j of js) sets.union(i, j);
  });

  const padded = norm.map((n) => ` ${n} `);
  norm.forEach((n, i) => {
    if (n === '' || n.length < MIN_EVAL_CHARS || n.split(' ').length >= NGRAM_WORDS) return;
    padded.forEach((other, j) => {
      if (j !== i && other.includes(at(padded, i, 'padded'))) sets.union(i, j);
    });
  });

  const clusters = new Map<number, number[]>();
  texts.forEach((_, i) => {
    const root = sets.find(i);
    const members = clusters.get(root);
    if (members === undefined) clusters.set(root, [i]);
    else members.push(i);
  });
  return [...clusters.values()];
}
