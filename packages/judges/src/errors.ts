import { magicErrorMarker, OpenAICallError, type OpenAICallErrorInit } from '@magic/openai-client';

/** A judge endpoint call that failed after retries (HTTP, timeout, network, bad JSON/schema, abort). */
export class JudgeCallError extends OpenAICallError {
  override readonly code: string = 'judge_call_failed';

  constructor(init: OpenAICallErrorInit) {
    super(init);
    this.name = 'JudgeCallError';
  }

  static override isInstance(e: unknown): e is JudgeCallError {
    return e instanceof JudgeCallError || (isMarked(e) && (e as { code?: unknown }).code === 'judge_call_failed');
  }
}

/** A guard reply that does not follow its protocol. Carries the protocol, the field and an excerpt of the reply. */
export class GuardParseError extends Error {
  readonly [magicErrorMarker] = true;
  readonly code = 'guard_parse_error';
  readonly protocol: string;
  readonly field: string;
  readonly rawExcerpt: string;

  constructor(init: { protocol: string; field: string; raw: string; reason: string }) {
    super(
      `${init.protocol} reply: ${init.reason} (field ${init.field}); reply starts ${JSON.stringify(init.raw.slice(0, 120))}`,
    );
    this.name = 'GuardParseError';
    this.protocol = init.protocol;
    this.field = init.field;
    this.rawExcerpt = init.raw.slice(0, 500);
  }

  static isInstance(e: unknown): e is GuardParseError {
    return e instanceof GuardParseError || (isMarked(e) && (e as { code?: unknown }).code === 'guard_parse_error');
  }
}

/** The policy `onJudgeFailure: 'error'` met a missing or failed judge verdict. `endpoint` names the judge when known. */
export class JudgeFailureError extends Error {
  readonly [magicErrorMarker] = true;
  readonly code = 'judge_failure';
  readonly field: string;
  readonly endpoint: string | undefined;

  constructor(field: string, cause?: unknown, endpoint?: string) {
    const why = cause instanceof Error ? `: ${cause.message}` : '';
    super(
      `judge verdict ${field}${endpoint === undefined ? '' : ` from ${endpoint}`} is missing or failed and onJudgeFailure is 'error'${why}`,
      cause === undefined ? undefined : { cause },
    );
    this.name = 'JudgeFailureError';
    this.field = field;
    this.endpoint = endpoint;
  }

  static isInstance(e: unknown): e is JudgeFailureError {
    return e instanceof JudgeFailureError || (isMarked(e) && (e as { code?: unknown }).code === 'judge_failure');
  }
}

/** A malformed local-guard weights file or training-data file. */
export class GuardModelError extends Error {
  readonly [magicErrorMarker] = true;
  readonly code = 'guard_model_error';
  readonly file: string;
  readonly field: string | undefined;

  constructor(file: string, reason: string, field?: string) {
    super(`${file}${field ? ` (${field})` : ''}: ${reason}`);
    this.name = 'GuardModelError';
    this.file = file;
    this.field = field;
  }

  static isInstance(e: unknown): e is GuardModelError {
    return e instanceof GuardModelError || (isMarked(e) && (e as { code?: unknown }).code === 'guard_model_error');
  }
}

/** Bad guard-evaluation input: a labelled-data row, a family map, or a source the family map does not name. */
export class GuardEvalError extends Error {
  readonly [magicErrorMarker] = true;
  readonly code = 'guard_eval_error';
  /** `file` or `file:line`. */
  readonly where: string;
  readonly field: string | undefined;

  constructor(where: string, reason: string, field?: string) {
    super(`${where}${field ? ` (${field})` : ''}: ${reason}`);
    this.name = 'GuardEvalError';
    this.where = where;
    this.field = field;
  }

  static isInstance(e: unknown): e is GuardEvalError {
    return e instanceof GuardEvalError || (isMarked(e) && (e as { code?: unknown }).code === 'guard_eval_error');
  }
}

function isMarked(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[magicErrorMarker] === true;
}
