import { fnv1a } from './dataset.js';

/** A sparse, L2-normalised feature vector: parallel index/value arrays. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

export interface FeatureOptions {
  /** Hash space size (a power of two). */
  dims: number;
  charNgrams: readonly number[];
  /** Characters of the text used (the rest is ignored). */
  maxChars: number;
}

export const defaultFeatureOptions: FeatureOptions = { dims: 1 << 16, charNgrams: [3, 4, 5], maxChars: 1000 };

function words(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replace(/[\u2018\u2019]/g, "'")
      .match(/[\p{L}\p{N}']+/gu) ?? []
  );
}

/** Adds hashed word unigrams/bigrams, char n-grams and opening-word features of `text` under namespace `ns`. */
function addTextFeatures(counts: Map<number, number>, ns: string, text: string, options: FeatureOptions) {
  const mask = options.dims - 1;
  const add = (feature: string) => {
    const h = fnv1a(`${ns}${feature}`);
    const index = h & mask;
    const sign = h >>> 31 === 1 ? -1 : 1;
    counts.set(index, (counts.get(index) ?? 0) + sign);
  };
  const clipped = text.slice(0, options.maxChars);
  const ws = words(clipped);
  ws.forEach((w, i) => {
    add(`w:${w}`);
    if (i > 0) add(`b:${ws[i - 1]} ${w}`);
    if (i < 12) add(`s:${w}`);
  });
  const joined = ` ${ws.join(' ')} `;
  for (const n of options.charNgrams) {
    for (let i = 0; i + n <= joined.length; i++) add(`c${n}:${joined.slice(i, i + n)}`);
  }
}

function toSparse(counts: Map<number, number>): SparseVector {
  const entries = [...counts.entries()].filter(([, v]) => v !== 0).sort((a, b) => a[0] - b[0]);
  const values = entries.map(([, v]) => Math.sign(v) * Math.log1p(Math.abs(v)));
  const norm = Math.sqrt(values.reduce((a, v) => a + v * v, 0)) || 1;
  return {
    indices: Int32Array.from(entries.map(([i]) => i)),
    values: Float32Array.from(values.map((v) => v / norm)),
  };
}

/** Features for a list of (namespace, text) fields, jointly normalised. */
export function featurize(
  fields: readonly [string, string][],
  options: FeatureOptions = defaultFeatureOptions,
): SparseVector {
  const counts = new Map<number, number>();
  for (const [ns, text] of fields) addTextFeatures(counts, ns, text, options);
  return toSparse(counts);
}
