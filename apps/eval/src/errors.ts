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
