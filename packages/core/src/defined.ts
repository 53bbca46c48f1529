import { MagicError } from './errors.js';

/** A broken internal invariant: a value the code's own logic guarantees turned out missing. Always a bug. */
export class InvariantError extends MagicError {
  readonly what: string;

  constructor(what: string) {
    super('CORE_INVARIANT', `internal invariant broken: ${what} is missing`);
    this.what = what;
  }
}

/**
 * The checked replacement for a non-null assertion (`x!`): returns `value` narrowed, or throws an
 * {@link InvariantError} naming `what`, so a broken assumption fails loudly where it is made.
 */
export function defined<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new InvariantError(what);
  return value;
}

/** `array[index]` checked: the element, or an {@link InvariantError} naming `what` and the index. */
export function at<T>(array: ArrayLike<T>, index: number, what: string): T {
  const value = array[index];
  if (value === undefined) throw new InvariantError(`${what}[${index}] (length ${array.length})`);
  return value;
}
