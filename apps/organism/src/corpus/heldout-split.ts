import { normaliseText, overlapHash, unitHash, wordNgrams } from '@magic/attack-pool';
import { at } from '@magic/core';

/** Word n-gram length that links two prompts to one passage (a shared context, question or table). */
export const HELDOUT_LINK_WORDS = 8;
/** An n-gram in at least this share of one template's rows is that template's wording, not a passage. */
export const TEMPLATE_TEXT_SHARE = 0.5;
/** Larger passage groups are never held out (see below). */
export const MAX_HELDOUT_GROUP = 50;

export interface HeldoutSplit {
  /** heldout[i] is true when prompt i is held out. */
  heldout: boolean[];
  /** Groups of prompts linked by a shared passage (connected components). */
  groups: number;
  largestGroup: number;
}

/**
 * Splits prompts into train and held-out by passage, not by row: prompts sharing any word 8-gram that is not
 * template wording are one group (union-find), and whole groups are held out, in hash order, until `share` of
 * the prompts is held out. So a passage asked about under several templates, or with several questions, never
 * sits on both sides of the split.
 * `template[i]` names prompt i's template; 8-grams in ≥ half of a template's rows are its wording.
 */
export function splitHeldoutByPassage(prompts: string[], template: string[], share: number): HeldoutSplit {
  const grams = prompts.map((p) => {
    const n = normaliseText(p);
    // A prompt shorter than one n-gram is linked by its whole text.
    const g = wordNgrams(n, HELDOUT_LINK_WORDS);
    return [...new Set(g.length > 0 ? g : [n])].map(overlapHash);
  });
  const perTemplate = new Map<string, { rows: number; df: Map<string, number> }>();
  grams.forEach((gs, i) => {
    const name = at(template, i, 'template of prompt');
    const t = perTemplate.get(name) ?? { rows: 0, df: new Map<string, number>() };
    t.rows++;
    for (const g of gs) t.df.set(g, (t.df.get(g) ?? 0) + 1);
    perTemplate.set(name, t);
  });
  const wording = new Set<string>();
  for (const t of perTemplate.values())
    if (t.rows >= 4) for (const [g, n] of t.df) if (n >= TEMPLATE_TEXT_SHARE * t.rows) wording.add(g);

  const parent = prompts.map((_, i) => i);
  const find = (start: number): number => {
    let i = start;
    for (let p = at(parent, i, 'union-find parent'); p !== i; p = at(parent, i, 'union-find parent')) {
      // path halving: point i at its grandparent and continue from there
      const grand = at(parent, p, 'union-find parent');
      parent[i] = grand;
      i = grand;
    }
    return i;
  };
  const firstWith = new Map<string, number>();
  grams.forEach((gs, i) => {
    for (const g of gs) {
      if (wording.has(g)) continue;
      const j = firstWith.get(g);
      if (j === undefined) firstWith.set(g, i);
      else {
        const a = find(i);
        const b = find(j);
        // The lower index stays root, so a group's key (its first prompt) does not depend on merge order.
        if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
      }
    }
  });
  const size = new Map<number, number>();
  const roots = prompts.map((_, i) => find(i));
  for (const r of roots) size.set(r, (size.get(r) ?? 0) + 1);
  // Groups in hash order, whole, until `share` of the prompts is held out. Groups over MAX_HELDOUT_GROUP stay in
  // train: one passage reused hundreds of times would make the held-out set one passage.
  const order = [...size]
    .filter(([, n]) => n <= MAX_HELDOUT_GROUP)
    .map(([r, n]) => ({ r, n, h: unitHash(`heldout:${normaliseText(at(prompts, r, 'prompt'))}`) }))
    .sort((a, b) => a.h - b.h || a.r - b.r);
  const held = new Set<number>();
  let count = 0;
  for (const { r, n } of order) {
    if (count >= share * prompts.length) break;
    held.add(r);
    count += n;
  }

  return {
    heldout: roots.map((r) => held.has(r)),
    groups: size.size,
    largestGroup: Math.max(0, ...size.values()),
  };
}
