import { MagicError } from '@magic/core';

/** Base class of every error thrown by @magic/grpo (a MagicError: `code` and the shared marker). */
export class GrpoError extends MagicError {}

/** A batch or array argument is malformed. `field` names the offending field, `index` the row (if any). */
export class GrpoInputError extends GrpoError {
  readonly field: string;
  readonly index: number | undefined;

  constructor(field: string, message: string, index?: number) {
    super('GRPO_INPUT', `${field}${index === undefined ? '' : `[${index}]`}: ${message}`);
    this.field = field;
    this.index = index;
  }

  static override isInstance(e: unknown): e is GrpoInputError {
    return GrpoError.isInstance(e) && (e as GrpoError).code === 'GRPO_INPUT';
  }
}

/** The updater configuration is invalid or inconsistent with the policy (`field` names the config key). */
export class GrpoConfigError extends GrpoError {
  readonly field: string;

  constructor(field: string, message: string) {
    super('GRPO_CONFIG', `config.${field}: ${message}`);
    this.field = field;
  }

  static override isInstance(e: unknown): e is GrpoConfigError {
    return GrpoError.isInstance(e) && (e as GrpoError).code === 'GRPO_CONFIG';
  }
}
