import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { BloomFilter } from './bloom.js';
import { ManifestError } from './errors.js';
import { CONTAINED_SHARE, overlapHash, wordNgrams } from './normalise.js';

export const MANIFEST_FORMAT = 'magic-organism-corpus-manifest/v1';

const hex16 = z.string().regex(/^[0-9a-f]{16}$/);

export const corpusManifestSchema = z
  .object({
    format: z.literal(MANIFEST_FORMAT),
    method: z.string(),
    normalisation: z.string(),
    hash: z.string(),
    ngramWords: z.literal(8),
    /** Sorted unique hashes of every normalised corpus text (each chat message and each prose item). */
    texts: z.array(hex16),
    /** The word 8-grams of every corpus text, as a Bloom filter over their hashes (file beside the manifest). */
    ngrams8: z.object({
      encoding: z.literal('bloom'),
      file: z.string().min(1),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      bits: z.number().int().positive(),
      hashes: z.number().int().positive(),
      inserted: z.number().int().nonnegative(),
      falsePositiveRate: z.number().min(0).max(1),
      probe: z.string(),
    }),
    sources: z.array(
      z.object({
        name: z.string(),
        origin: z.string(),
        revision: z.string(),
        licence: z.string(),
        items: z.number().int().nonnegative(),
      }),
    ),
    totals: z.record(z.string(), z.number()),
  })
  .strict();
export type CorpusManifest = z.output<typeof corpusManifestSchema>;

export const BLOOM_PROBE =
  'k probes (h1 + j*h2) mod bits, j=0..k-1, h1/h2 = first/last 8 hex digits of the 16-hex hash as uint32, h2 |= 1; bit b = byte b>>3, bit b&7';

/** The corpus as the overlap method sees it, from the committed manifest only. */
export class CorpusManifestIndex {
  private readonly texts: Set<string>;

  constructor(
    readonly manifest: CorpusManifest,
    private readonly bloom: BloomFilter,
  ) {
    this.texts = new Set(manifest.texts);
  }

  static load(manifestFile: string): CorpusManifestIndex {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(manifestFile, 'utf8'));
    } catch (e) {
      throw new ManifestError(manifestFile, `unreadable or invalid JSON (${(e as Error).message})`);
    }
    const r = corpusManifestSchema.safeParse(raw);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      throw new ManifestError(manifestFile, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    const bloomFile = join(dirname(manifestFile), r.data.ngrams8.file);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(bloomFile));
    } catch (e) {
      throw new ManifestError(bloomFile, `unreadable (${(e as Error).message})`);
    }
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== r.data.ngrams8.sha256) throw new ManifestError(bloomFile, 'sha256 does not match the manifest');
    if (bytes.length * 8 !== r.data.ngrams8.bits)
      throw new ManifestError(bloomFile, 'size does not match the manifest');
    return new CorpusManifestIndex(r.data, BloomFilter.fromBytes(bytes, r.data.ngrams8.hashes, bloomFile));
  }

  /**
   * Whether a normalised eval text occurs in the corpus: `exact`, or `contained` (≥ 90% of its 8-grams in the
   * Bloom filter; can be a false positive at the manifest's rate per 8-gram, never a false negative).
   */
  match(normalisedEval: string): { kind: 'exact' | 'contained'; share: number } | undefined {
    if (this.texts.has(overlapHash(normalisedEval))) return { kind: 'exact', share: 1 };
    const grams = wordNgrams(normalisedEval);
    if (grams.length === 0) return undefined;
    let found = 0;
    for (const g of grams) if (this.bloom.has(overlapHash(g))) found++;
    const share = found / grams.length;
    return share >= CONTAINED_SHARE ? { kind: 'contained', share } : undefined;
  }
}
