/** Marker carried by every MAGIC error; `Symbol.for` makes it the same symbol in every copy and realm. */
export const magicErrorMarker: unique symbol = Symbol.for('magic.error') as never;

/**
 * Error codes are UPPER_SNAKE_CASE, led by the package or area (`GRPO_INPUT`, `LM_CONFIG`, `JUDGE_FAILURE`):
 * the casing most codes used before the rule, and the one that reads as a constant in logs.
 */
export const ERROR_CODE_PATTERN = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

/**
 * Base of every typed error in MAGIC: a stable `code` (see {@link ERROR_CODE_PATTERN}) and the
 * `Symbol.for('magic.error')` marker. Subclasses add the fields that say what failed (`file`, `field`, ...).
 */
export class MagicError extends Error {
  readonly code: string;
  readonly [magicErrorMarker] = true;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }

  /** True for any MAGIC error, also one made by another copy of this package (another realm, a bundled copy). */
  static isInstance(e: unknown): e is MagicError {
    return isMagicError(e);
  }
}

/** True for any error that carries the workspace-wide `Symbol.for('magic.error')` marker. */
export function isMagicError(e: unknown): e is MagicError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[magicErrorMarker] === true;
}

/** True when `e` is a MAGIC error with this `code`: the subclasses' `isInstance`, without `instanceof`. */
export function hasMagicErrorCode(e: unknown, code: string): e is MagicError {
  return isMagicError(e) && e.code === code;
}
