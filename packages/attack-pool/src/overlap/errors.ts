import { AttackPoolError } from '../errors.js';

/** A file given to the overlap checker could not be parsed, or a manifest is malformed. */
export class OverlapInputError extends AttackPoolError {
  readonly file: string;

  constructor(file: string, reason: string, options?: { cause?: unknown }) {
    super('OVERLAP_INPUT', `${file}: ${reason}`, options);
    this.file = file;
  }

  static override isInstance(e: unknown): e is OverlapInputError {
    return AttackPoolError.isInstance(e) && e.code === 'OVERLAP_INPUT';
  }
}
