import { at } from '@magic/core';
import { z } from 'zod';
import { deriveSeed, SeededRng } from './rng.js';

export const DataCursorSchema = z.object({
  epoch: z.number().int().nonnegative(),
  index: z.number().int().nonnegative(),
});
export type DataCursor = z.output<typeof DataCursorSchema>;

/**
 * A fixed share of every batch from one stratum of the items: position i of an epoch belongs to the stratum iff
 * ⌊(i+1)·share⌋ > ⌊i·share⌋, so a batch of b items holds b·share of them (rounded) wherever it starts.
 */
export interface SamplerBalance<T> {
  /** Fraction of the items drawn from the stratum, in [0, 1]. */
  share: number;
  /** Whether an item is in the stratum. */
  isMember: (item: T) => boolean;
}

/**
 * Epoch-wise batches over a seed list: each epoch is a seeded permutation (or the file order when
 * `shuffle` is false). The cursor `{epoch, index}` is all the state needed to resume. With `balance`, an epoch
 * interleaves the stratum and the rest at the given share (each side in its own seeded order, cycled when the
 * share asks for more of it than it has).
 */
export class SeedSampler<T> {
  readonly items: readonly T[];
  readonly seed: number;
  readonly shuffle: boolean;
  readonly balance: SamplerBalance<T> | undefined;
  cursor: DataCursor = { epoch: 0, index: 0 };
  #order: readonly T[] | undefined;
  #orderEpoch = -1;

  constructor(items: readonly T[], opts: { seed: number; shuffle: boolean; balance?: SamplerBalance<T> }) {
    if (items.length === 0) throw new RangeError('SeedSampler needs at least one item');
    this.items = items;
    this.seed = opts.seed;
    this.shuffle = opts.shuffle;
    this.balance = opts.balance;
    if (opts.balance) {
      const { share, isMember } = opts.balance;
      if (!(share >= 0 && share <= 1)) throw new RangeError(`balance share ${share} is not in [0, 1]`);
      const members = items.filter(isMember).length;
      if (share > 0 && members === 0) throw new RangeError('balance share > 0 but no item is in the stratum');
      if (share < 1 && members === items.length) throw new RangeError('balance share < 1 but every item is in it');
    }
  }

  /** The next `size` items, wrapping into the next epoch (a batch may span two epochs). */
  nextBatch(size: number): T[] {
    const out: T[] = [];
    while (out.length < size) {
      const order = this.#epochOrder(this.cursor.epoch);
      out.push(at(order, this.cursor.index, 'epoch order'));
      this.cursor =
        this.cursor.index + 1 >= order.length
          ? { epoch: this.cursor.epoch + 1, index: 0 }
          : { epoch: this.cursor.epoch, index: this.cursor.index + 1 };
    }
    return out;
  }

  #epochOrder(epoch: number): readonly T[] {
    if (this.#order && this.#orderEpoch === epoch) return this.#order;
    this.#order = this.shuffle ? new SeededRng(deriveSeed(this.seed, 'epoch', epoch)).shuffle(this.items) : this.items;
    if (this.balance) this.#order = this.#interleave(this.#order, this.balance);
    this.#orderEpoch = epoch;
    return this.#order;
  }

  /** The epoch's order (already shuffled or not) split into the stratum and the rest, re-merged at the share. */
  #interleave(order: readonly T[], balance: SamplerBalance<T>): T[] {
    const members = order.filter((item) => balance.isMember(item));
    const rest = order.filter((item) => !balance.isMember(item));
    const out: T[] = [];
    let m = 0;
    let r = 0;
    for (let i = 0; i < order.length; i++) {
      const isMemberSlot = Math.floor((i + 1) * balance.share) > Math.floor(i * balance.share);
      out.push(
        isMemberSlot
          ? at(members, m++ % members.length, 'stratum')
          : at(rest, r++ % rest.length, 'items outside the stratum'),
      );
    }
    return out;
  }
}
