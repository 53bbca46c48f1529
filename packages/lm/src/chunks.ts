/** Chunk boundaries [start, size] of n rows, at most `chunk` rows each. */
export function chunksOf(n: number, chunk: number): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < n; start += chunk) out.push([start, Math.min(chunk, n - start)]);
  return out;
}
