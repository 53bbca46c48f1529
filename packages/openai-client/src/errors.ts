/** Marker shared by every typed error in the MAGIC workspace (see docs/contracts.md). */
export const magicErrorMarker: unique symbol = Symbol.for('magic.error') as never;

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
export class OpenAICallError extends Error {
  readonly [magicErrorMarker] = true;
  readonly code: string = 'openai_call_failed';
  readonly url: string;
  readonly failure: OpenAICallFailure;
  readonly status: number | undefined;
  readonly bodyExcerpt: string | undefined;
  readonly isRetryable: boolean;
  readonly attempts: number;
  readonly detail: string | undefined;

  constructor(init: OpenAICallErrorInit) {
    super(describeFailure(init), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'OpenAICallError';
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

  static isInstance(e: unknown): e is OpenAICallError {
    return e instanceof OpenAICallError || (isMagicError(e) && (e as { code?: unknown }).code === 'openai_call_failed');
  }
}

/** True for any error that carries the workspace-wide `Symbol.for('magic.error')` marker. */
export function isMagicError(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[magicErrorMarker] === true;
}

function describeFailure(init: OpenAICallErrorInit): string {
  const status = init.status === undefined ? '' : ` status ${init.status}`;
  const head = `${init.failure} failure calling ${init.url}${status} after ${init.attempts} attempt(s)`;
  return init.detail ? `${head} — ${init.detail}` : head;
}
