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

/** The judge (or pairwise judge LLM) endpoint did not answer the start-up probe with a parsable verdict in time. */
export class JudgeProbeError extends Error {
  readonly [MARKER] = true;
  readonly code = 'EVAL_JUDGE_PROBE';

  constructor(
    readonly endpoint: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`judge endpoint ${endpoint} failed the start-up probe (nothing was generated): ${detail}`, options);
    this.name = 'JudgeProbeError';
  }

  static isInstance(error: unknown): error is JudgeProbeError {
    return (
      typeof error === 'object' &&
      error !== null &&
      MARKER in error &&
      (error as { name?: string }).name === 'JudgeProbeError'
    );
  }
}
