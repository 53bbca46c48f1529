import { at } from '@magic/core';
import { z } from 'zod';
import type { BloomFilter } from './bloom.js';
import type { LoadedCorpusManifest } from './corpus-manifest.js';
import { OverlapInputError } from './errors.js';
import { CONTAINED_SHARE, MIN_EVAL_CHARS, NGRAM_WORDS, normaliseText, overlapHash, wordNgrams } from './normalise.js';

const hex16 = z.string().regex(/^[0-9a-f]{16}$/);

/**
 * A training corpus that is not committed, described by hashes only: `overlapHash` (16 hex) of every
 * normalised text and of every word 8-gram of it (words joined by one space). Enough to run the overlap check, not to read the text.
 */
export const overlapManifestSchema = z
  .object({
    format: z.literal('magic-overlap-manifest/v1'),
    hash: z.literal('cyrb64'),
    name: z.string().min(1),
    description: z.string().optional(),
    ngramWords: z.literal(NGRAM_WORDS),
    textHashes: z.array(hex16),
    ngramHashes: z.array(hex16),
  })
  .strict();
export type OverlapManifest = z.infer<typeof overlapManifestSchema>;

export function parseOverlapManifest(raw: unknown, file = 'manifest'): OverlapManifest {
  const r = overlapManifestSchema.safeParse(raw);
  if (!r.success) {
    const issue = at(r.error.issues, 0, 'issues');
    throw new OverlapInputError(file, `bad overlap manifest at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data;
}

export type OverlapKind = 'exact' | 'contained';

/** The training side of the check: hashed normalised texts and the union of their word 8-grams. */
export class TrainingIndex {
  private readonly texts = new Set<string>();
  private readonly ngrams = new Set<string>();
  /** 8-gram sets known only as Bloom filters: a lookup may be a false positive, never a miss. */
  private readonly ngramBlooms: BloomFilter[] = [];

  addText(text: string): void {
    const n = normaliseText(text);
    if (n === '') return;
    this.texts.add(overlapHash(n));
    for (const g of wordNgrams(n)) this.ngrams.add(overlapHash(g));
  }

  addTexts(texts: Iterable<string>): this {
    for (const t of texts) this.addText(t);
    return this;
  }

  /** Adds a corpus known only by its manifest (e.g. the model organism's corpus). */
  addManifest(manifest: OverlapManifest): this {
    for (const h of manifest.textHashes) this.texts.add(h);
    for (const h of manifest.ngramHashes) this.ngrams.add(h);
    return this;
  }

  /**
   * Adds a corpus known by a Bloom-filter manifest (`loadCorpusManifest`). Its 8-grams can only add false
   * positives (at the manifest's rate per 8-gram), so the check stays sound: it never misses a real overlap.
   */
  addCorpusManifest({ manifest, bloom }: LoadedCorpusManifest): this {
    for (const h of manifest.texts) this.texts.add(h);
    this.ngramBlooms.push(bloom);
    return this;
  }

  /** Whether an 8-gram hash occurs on the training side (in the set, or possibly in a Bloom filter). */
  private hasNgram(hash: string): boolean {
    return this.ngrams.has(hash) || this.ngramBlooms.some((b) => b.has(hash));
  }

  /** Counts only exactly known 8-grams (a Bloom filter's are not enumerable). */
  get size(): { texts: number; ngrams: number } {
    return { texts: this.texts.size, ngrams: this.ngrams.size };
  }

  /** Describes what this index holds as a manifest (sorted, so rebuilding it gives the same file); Bloom-filter 8-grams are not in it. */
  toManifest(name: string, description?: string): OverlapManifest {
    return {
      format: 'magic-overlap-manifest/v1',
      hash: 'cyrb64',
      name,
      ...(description === undefined ? {} : { description }),
      ngramWords: NGRAM_WORDS,
      textHashes: [...this.texts].sort(),
      ngramHashes: [...this.ngrams].sort(),
    };
  }

  /**
   * Whether an already normalised eval text occurs here: `exact` (same normalised text) or
   * `contained` (≥ 90% of its word 8-grams occur in the union of training texts).
   */
  match(normalisedEval: string): { kind: OverlapKind; share: number } | undefined {
    if (this.texts.has(overlapHash(normalisedEval))) return { kind: 'exact', share: 1 };
    const grams = wordNgrams(normalisedEval);
    if (grams.length === 0) return undefined;
    let found = 0;
    for (const g of grams) if (this.hasNgram(overlapHash(g))) found++;
    const share = found / grams.length;
    return share >= CONTAINED_SHARE ? { kind: 'contained', share } : undefined;
  }
}

/** One eval text (with the file it came from), as fed to {@link findOverlap}. */
export interface EvalText {
  text: string;
  source: string;
}

export interface OverlapHit {
  /** `overlapHash` of the normalised eval text; the text itself is not repeated in reports. */
  hash: string;
  /** Eval files holding that text. */
  sources: string[];
  kind: OverlapKind;
  share: number;
}

export interface OverlapReport {
  /** Distinct normalised eval texts of at least {@link MIN_EVAL_CHARS} characters. */
  evalTexts: number;
  exact: number;
  contained: number;
  hits: OverlapHit[];
}

/** Distinct normalised eval texts (≥ 30 characters) with the files they occur in. */
export function distinctEvalTexts(items: Iterable<EvalText>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const { text, source } of items) {
    const n = normaliseText(text);
    if (n.length < MIN_EVAL_CHARS) continue;
    const sources = out.get(n);
    if (sources === undefined) out.set(n, [source]);
    else if (!sources.includes(source)) sources.push(source);
  }
  return out;
}

/**
 * Counts the distinct eval texts that occur on the training side (exact or contained). Takes eval items, or
 * the map `distinctEvalTexts` returns (to reuse it across checks).
 */
export function findOverlap(
  evalItems: Iterable<EvalText> | ReadonlyMap<string, string[]>,
  training: TrainingIndex,
): OverlapReport {
  const distinct = evalItems instanceof Map ? evalItems : distinctEvalTexts(evalItems as Iterable<EvalText>);
  const hits: OverlapHit[] = [];
  for (const [n, sources] of distinct) {
    const m = training.match(n);
    if (m) hits.push({ hash: overlapHash(n), sources, kind: m.kind, share: m.share });
  }
  return {
    evalTexts: distinct.size,
    exact: hits.filter((h) => h.kind === 'exact').length,
    contained: hits.filter((h) => h.kind === 'contained').length,
    hits,
  };
}
