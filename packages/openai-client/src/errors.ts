import { hasMagicErrorCode, MagicError } from '@magic/core';

// The marker and its test moved to @magic/core; re-exported so this package's names still work.
export { isMagicError, magicErrorMarker } from '@magic/core';

/** Why a call failed. `http`: non-2xx status; `timeout`: per-request timeout; `network`: fetch threw;
 * `invalid-json`: 2xx body that is not JSON (e.g. truncated); `invalid-schema`: JSON of the wrong shape;
 * `aborted`: the caller's AbortSignal fired. */
export type OpenAICallFailure = 'http' | 'timeout' | 'network' | 'invalid-json' | 'invalid-schema' | 'aborted';

export interface OpenAICallErrorInit {
  url: string;
  failure: OpenAICallFailure;
  status?: number;
  bodyExcerpt?: string;
  isRetryable: boolean;
  attempts: number;
  detail?: string;
  cause?: unknown;
}

/** A failed call to an OpenAI-compatible endpoint, after all retries. Never carries the API key. */
export class OpenAICallError extends MagicError {
  readonly url: string;
  readonly failure: OpenAICallFailure;
  readonly status: number | undefined;
  readonly bodyExcerpt: string | undefined;
  readonly isRetryable: boolean;
  readonly attempts: number;
  readonly detail: string | undefined;

  /** `code` is for subclasses (a judge's call failure keeps its own code). */
  constructor(init: OpenAICallErrorInit, code = 'OPENAI_CALL_FAILED') {
    super(code, describeFailure(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.url = init.url;
    this.failure = init.failure;
    this.status = init.status;
    this.bodyExcerpt = init.bodyExcerpt;
    this.isRetryable = init.isRetryable;
    this.attempts = init.attempts;
    this.detail = init.detail;
  }

  /** Same error with a new attempt count (used once retries are exhausted). */
  withAttempts(attempts: number): this {
    const Ctor = this.constructor as new (init: OpenAICallErrorInit) => this;
    return new Ctor({
      url: this.url,
      failure: this.failure,
      status: this.status,
      bodyExcerpt: this.bodyExcerpt,
      isRetryable: this.isRetryable,
      attempts,
      cause: this.cause,
      detail: this.detail,
    });
  }

  static override isInstance(e: unknown): e is OpenAICallError {
    return e instanceof OpenAICallError || hasMagicErrorCode(e, 'OPENAI_CALL_FAILED');
  }
}

function describeFailure(init: OpenAICallErrorInit): string {
  const status = init.status === undefined ? '' : ` status ${init.status}`;
  const head = `${init.failure} failure calling ${init.url}${status} after ${init.attempts} attempt(s)`;
  return init.detail ? `${head} — ${init.detail}` : head;
}
