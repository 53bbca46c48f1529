import { z } from 'zod';
import { deriveSeed, SeededRng } from './rng.js';

export const DataCursorSchema = z.object({
  epoch: z.number().int().nonnegative(),
  index: z.number().int().nonnegative(),
});
export type DataCursor = z.output<typeof DataCursorSchema>;

/**
 * Epoch-wise batches over a seed list: each epoch is a seeded permutation (or the file order when
 * `shuffle` is false). The cursor `{epoch, index}` is all the state needed to resume.
 */
export class SeedSampler<T> {
  readonly items: readonly T[];
  readonly seed: number;
  readonly shuffle: boolean;
  cursor: DataCursor = { epoch: 0, index: 0 };
  #order: number[] | undefined;
  #orderEpoch = -1;

  constructor(items: readonly T[], opts: { seed: number; shuffle: boolean }) {
    if (items.length === 0) throw new RangeError('SeedSampler needs at least one item');
    this.items = items;
    this.seed = opts.seed;
    this.shuffle = opts.shuffle;
  }

  /** The next `size` items, wrapping into the next epoch (a batch may span two epochs). */
  nextBatch(size: number): T[] {
    const out: T[] = [];
    while (out.length < size) {
      const order = this.#epochOrder(this.cursor.epoch);
      out.push(this.items[order[this.cursor.index]!]!);
      this.cursor =
        this.cursor.index + 1 >= order.length
          ? { epoch: this.cursor.epoch + 1, index: 0 }
          : { epoch: this.cursor.epoch, index: this.cursor.index + 1 };
    }
    return out;
  }

  #epochOrder(epoch: number): number[] {
    if (this.#order && this.#orderEpoch === epoch) return this.#order;
    const ids = this.items.map((_, i) => i);
    this.#order = this.shuffle ? new SeededRng(deriveSeed(this.seed, 'epoch', epoch)).shuffle(ids) : ids;
    this.#orderEpoch = epoch;
    return this.#order;
  }
}
