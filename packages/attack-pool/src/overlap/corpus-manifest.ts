import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { at } from '@magic/core';
import { z } from 'zod';
import { BloomFilter } from './bloom.js';
import { OverlapInputError } from './errors.js';
import { NGRAM_WORDS } from './normalise.js';

/**
 * A corpus that is not committed (the model organism's, apps/organism), described by the `overlapHash` of every
 * normalised text plus a Bloom filter of the hashes of its word 8-grams (a file beside the manifest). Smaller
 * than {@link OverlapManifest}'s sorted 8-gram list; the filter can only answer false positives, never misses.
 */
export const CORPUS_MANIFEST_FORMAT = 'magic-organism-corpus-manifest/v1';

export const BLOOM_PROBE =
  'k probes (h1 + j*h2) mod bits, j=0..k-1, h1/h2 = first/last 8 hex digits of the 16-hex hash as uint32, h2 |= 1; bit b = byte b>>3, bit b&7';

const hex16 = z.string().regex(/^[0-9a-f]{16}$/);

export const corpusManifestSchema = z
  .object({
    format: z.literal(CORPUS_MANIFEST_FORMAT),
    method: z.string(),
    normalisation: z.string(),
    /** Always attack-pool's `overlapHash`, so texts and 8-grams hash the same on both sides. */
    hash: z.literal('cyrb64'),
    ngramWords: z.literal(NGRAM_WORDS),
    /** Sorted unique hashes of every normalised corpus text (each chat message and each prose item). */
    texts: z.array(hex16),
    /** The word 8-grams of every corpus text, as a Bloom filter over their hashes. */
    ngrams8: z.object({
      encoding: z.literal('bloom'),
      file: z.string().min(1),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      bits: z.number().int().positive(),
      hashes: z.number().int().positive(),
      inserted: z.number().int().nonnegative(),
      falsePositiveRate: z.number().min(0).max(1),
      probe: z.literal(BLOOM_PROBE),
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

/** A corpus manifest with its Bloom filter, checked against the manifest's sha256 and size. */
export interface LoadedCorpusManifest {
  manifest: CorpusManifest;
  bloom: BloomFilter;
}

/** Reads `corpus-manifest.json` and the Bloom file it names (resolved beside it). */
export function loadCorpusManifest(manifestFile: string): LoadedCorpusManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch (cause) {
    throw new OverlapInputError(manifestFile, `unreadable or invalid JSON (${(cause as Error).message})`, { cause });
  }
  const r = corpusManifestSchema.safeParse(raw);
  if (!r.success) {
    const issue = at(r.error.issues, 0, 'issues');
    throw new OverlapInputError(
      manifestFile,
      `bad corpus manifest at ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  const bloomFile = join(dirname(manifestFile), r.data.ngrams8.file);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(bloomFile));
  } catch (cause) {
    throw new OverlapInputError(bloomFile, `unreadable (${(cause as Error).message})`, { cause });
  }
  if (createHash('sha256').update(bytes).digest('hex') !== r.data.ngrams8.sha256)
    throw new OverlapInputError(bloomFile, 'sha256 does not match the manifest');
  if (bytes.length * 8 !== r.data.ngrams8.bits)
    throw new OverlapInputError(bloomFile, 'size does not match the manifest');
  return { manifest: r.data, bloom: BloomFilter.fromBytes(bytes, r.data.ngrams8.hashes, bloomFile) };
}
