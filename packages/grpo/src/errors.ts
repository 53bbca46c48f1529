const MAGIC_ERROR = Symbol.for('magic.error');

/** Base class of every error thrown by @magic/grpo. Carries the shared `Symbol.for('magic.error')` marker. */
export class GrpoError extends Error {
  readonly [MAGIC_ERROR] = true;
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GrpoError';
    this.code = code;
  }

  /** True for any MAGIC error (any package), also across duplicated module instances. */
  static isInstance(e: unknown): e is GrpoError {
    return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[MAGIC_ERROR] === true;
  }
}

/** A batch or array argument is malformed. `field` names the offending field, `index` the row (if any). */
export class GrpoInputError extends GrpoError {
  readonly field: string;
  readonly index: number | undefined;

  constructor(field: string, message: string, index?: number) {
    super('grpo_input', `${field}${index === undefined ? '' : `[${index}]`}: ${message}`);
    this.name = 'GrpoInputError';
    this.field = field;
    this.index = index;
  }

  static override isInstance(e: unknown): e is GrpoInputError {
    return GrpoError.isInstance(e) && (e as GrpoError).code === 'grpo_input';
  }
}

/** The updater configuration is invalid or inconsistent with the policy (`field` names the config key). */
export class GrpoConfigError extends GrpoError {
  readonly field: string;

  constructor(field: string, message: string) {
    super('grpo_config', `config.${field}: ${message}`);
    this.name = 'GrpoConfigError';
    this.field = field;
  }

  static override isInstance(e: unknown): e is GrpoConfigError {
    return GrpoError.isInstance(e) && (e as GrpoError).code === 'grpo_config';
  }
}
