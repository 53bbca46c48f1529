const MARKER = Symbol.for('magic.error');

/** A command-line argument that cannot be used: names the flag and why. */
export class EvalCliError extends Error {
  readonly [MARKER] = true;
  readonly code = 'EVAL_CLI_ARGUMENT';
  constructor(
    readonly flag: string,
    detail: string,
  ) {
    super(`${flag}: ${detail}`);
    this.name = 'EvalCliError';
  }
  static isInstance(error: unknown): error is EvalCliError {
    return (
      typeof error === 'object' &&
      error !== null &&
      MARKER in error &&
      (error as { name?: string }).name === 'EvalCliError'
    );
  }
}

/** A results.json that cannot be read or does not match the schema: names the file and where. */
export class ResultsFileError extends Error {
  readonly [MARKER] = true;
  readonly code = 'EVAL_RESULTS_FILE';

  constructor(
    readonly file: string,
    readonly field: string | undefined,
    detail: string,
  ) {
    super(`${file}${field ? ` at ${field}` : ''}: ${detail}`);
    this.name = 'ResultsFileError';
  }

  static isInstance(error: unknown): error is ResultsFileError {
    return (
      typeof error === 'object' &&
      error !== null &&
      MARKER in error &&
      (error as { name?: string }).name === 'ResultsFileError'
    );
  }
}

/** A response-only classifier asked to moderate a prompt. */
export class UnsupportedModerationError extends Error {
  readonly [MARKER] = true;
  readonly code = 'EVAL_UNSUPPORTED_MODERATION';

  constructor(readonly judge: string) {
    super(`${judge} classifies responses only (no prompt moderation)`);
    this.name = 'UnsupportedModerationError';
  }
}
