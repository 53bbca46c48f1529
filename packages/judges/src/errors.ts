import { hasMagicErrorCode, MagicError } from '@magic/core';
import { OpenAICallError, type OpenAICallErrorInit } from '@magic/openai-client';

/** A judge endpoint call that failed after retries (HTTP, timeout, network, bad JSON/schema, abort). */
export class JudgeCallError extends OpenAICallError {
  constructor(init: OpenAICallErrorInit) {
    super(init, 'JUDGE_CALL_FAILED');
  }

  static override isInstance(e: unknown): e is JudgeCallError {
    return e instanceof JudgeCallError || hasMagicErrorCode(e, 'JUDGE_CALL_FAILED');
  }
}

/** A guard reply that does not follow its protocol. Carries the protocol, the field and an excerpt of the reply. */
export class GuardParseError extends MagicError {
  readonly protocol: string;
  readonly field: string;
  readonly rawExcerpt: string;

  constructor(init: { protocol: string; field: string; raw: string; reason: string }) {
    super(
      'GUARD_PARSE_ERROR',
      `${init.protocol} reply: ${init.reason} (field ${init.field}); reply starts ${JSON.stringify(init.raw.slice(0, 120))}`,
    );
    this.protocol = init.protocol;
    this.field = init.field;
    this.rawExcerpt = init.raw.slice(0, 500);
  }

  static override isInstance(e: unknown): e is GuardParseError {
    return e instanceof GuardParseError || hasMagicErrorCode(e, 'GUARD_PARSE_ERROR');
  }
}

/** The policy `onJudgeFailure: 'error'` met a missing or failed judge verdict. `endpoint` names the judge when known. */
export class JudgeFailureError extends MagicError {
  readonly field: string;
  readonly endpoint: string | undefined;

  constructor(field: string, cause?: unknown, endpoint?: string) {
    const why = cause instanceof Error ? `: ${cause.message}` : '';
    super(
      'JUDGE_FAILURE',
      `judge verdict ${field}${endpoint === undefined ? '' : ` from ${endpoint}`} is missing or failed and onJudgeFailure is 'error'${why}`,
      cause === undefined ? undefined : { cause },
    );
    this.field = field;
    this.endpoint = endpoint;
  }

  static override isInstance(e: unknown): e is JudgeFailureError {
    return e instanceof JudgeFailureError || hasMagicErrorCode(e, 'JUDGE_FAILURE');
  }
}

/** A malformed local-guard weights file or training-data file. */
export class GuardModelError extends MagicError {
  readonly file: string;
  readonly field: string | undefined;

  constructor(file: string, reason: string, field?: string) {
    super('GUARD_MODEL_ERROR', `${file}${field ? ` (${field})` : ''}: ${reason}`);
    this.file = file;
    this.field = field;
  }

  static override isInstance(e: unknown): e is GuardModelError {
    return e instanceof GuardModelError || hasMagicErrorCode(e, 'GUARD_MODEL_ERROR');
  }
}

/** Bad guard-evaluation input: a labelled-data row, a family map, or a source the family map does not name. */
export class GuardEvalError extends MagicError {
  /** `file` or `file:line`. */
  readonly where: string;
  readonly field: string | undefined;

  constructor(where: string, reason: string, field?: string) {
    super('GUARD_EVAL_ERROR', `${where}${field ? ` (${field})` : ''}: ${reason}`);
    this.where = where;
    this.field = field;
  }

  static override isInstance(e: unknown): e is GuardEvalError {
    return e instanceof GuardEvalError || hasMagicErrorCode(e, 'GUARD_EVAL_ERROR');
  }
}
