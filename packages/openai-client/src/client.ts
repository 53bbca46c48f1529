import { inspect } from 'node:util';
import pLimit, { type LimitFunction } from 'p-limit';
import type { z } from 'zod';
import { backoffDelayMs, parseRetryAfterMs, sleep } from './backoff.js';
import { OpenAICallError, type OpenAICallErrorInit } from './errors.js';
import { redactSecrets, safeUrl } from './redact.js';
import {
  type ChatRequest,
  type ChatResult,
  type ClientOptions,
  chatCompletionResponseSchema,
  chatRequestSchema,
  clientOptionsSchema,
  modelListResponseSchema,
} from './schemas.js';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface OpenAICompatibleClientOptions extends z.input<typeof clientOptionsSchema> {
  /** Injectable fetch (tests, proxies). Defaults to the global fetch. */
  fetch?: FetchLike;
  /** Random source for jitter, in [0, 1). */
  random?: () => number;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/** Builds the error instance; subclasses (e.g. JudgeCallError) swap in their own class. */
export type ErrorFactory = (init: OpenAICallErrorInit) => OpenAICallError;

const retryableStatuses = new Set([408, 409, 429]);

/** True for statuses worth retrying: 408, 409, 429 and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return retryableStatuses.has(status) || status >= 500;
}

/**
 * Chat-completions client for any OpenAI-compatible server (vLLM, SGLang, the local guard server, OpenAI).
 * Retries 408/409/429/5xx, network errors, timeouts and unparseable (truncated) JSON with exponential backoff and
 * jitter, honouring Retry-After; a reply of the wrong shape is not retried. The API key is kept in a private field and
 * redacted from every error.
 */
export class OpenAICompatibleClient {
  readonly options: Omit<ClientOptions, 'apiKey'>;
  readonly #apiKey: string | undefined;
  readonly #fetch: FetchLike;
  readonly #random: () => number;
  readonly #limit: LimitFunction;
  #errorFactory: ErrorFactory = (init) => new OpenAICallError(init);

  constructor(options: OpenAICompatibleClientOptions) {
    const { fetch: fetchImpl, random, ...rest } = options;
    const { apiKey, ...parsed } = clientOptionsSchema.parse(rest);
    this.options = { ...parsed, baseURL: parsed.baseURL.replace(/\/+$/, '') };
    this.#apiKey = apiKey;
    this.#fetch = fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
    this.#random = random ?? Math.random;
    this.#limit = pLimit(parsed.concurrency);
  }

  /** Lets a wrapping package raise its own subclass of OpenAICallError. */
  setErrorFactory(factory: ErrorFactory): this {
    this.#errorFactory = factory;
    return this;
  }

  get baseURL(): string {
    return this.options.baseURL;
  }

  /** POST /chat/completions; `text` is the first choice's content ('' when null). */
  async chat(request: ChatRequest, callOptions: CallOptions = {}): Promise<ChatResult> {
    const req = chatRequestSchema.parse(request);
    const body = {
      model: req.model,
      messages: req.messages,
      temperature: req.temperature,
      top_p: req.topP,
      max_tokens: req.maxTokens,
      stop: req.stop,
      seed: req.seed,
    };
    const raw = await this.#withRetries(
      '/chat/completions',
      { method: 'POST', body },
      callOptions.signal,
      (json, url) => this.#validate(chatCompletionResponseSchema, json, url),
    );
    const [choice] = raw.choices;
    const usage = raw.usage
      ? {
          promptTokens: raw.usage.prompt_tokens,
          completionTokens: raw.usage.completion_tokens,
          totalTokens: raw.usage.total_tokens ?? raw.usage.prompt_tokens + raw.usage.completion_tokens,
        }
      : undefined;
    return { text: choice.message.content ?? '', finishReason: choice.finish_reason ?? null, usage, raw };
  }

  /** GET /models → model ids. */
  async listModels(callOptions: CallOptions = {}): Promise<string[]> {
    const raw = await this.#withRetries('/models', { method: 'GET' }, callOptions.signal, (json, url) =>
      this.#validate(modelListResponseSchema, json, url),
    );
    return raw.data.map((m) => m.id);
  }

  [inspect.custom](): string {
    return `OpenAICompatibleClient { baseURL: '${safeUrl(this.baseURL, [this.#apiKey])}', apiKey: ${this.#apiKey ? "'[REDACTED]'" : 'undefined'} }`;
  }

  toJSON(): Record<string, unknown> {
    return { baseURL: safeUrl(this.baseURL, [this.#apiKey]), hasApiKey: this.#apiKey !== undefined };
  }

  async #withRetries<T>(
    path: string,
    request: { method: 'GET' | 'POST'; body?: unknown },
    signal: AbortSignal | undefined,
    parse: (json: unknown, url: string) => T,
  ): Promise<T> {
    const url = this.baseURL + path;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#limit(() => this.#attempt(url, request, signal, attempt, parse));
      } catch (error) {
        const callError = this.#asCallError(error, url, attempt, signal);
        if (!callError.isRetryable || attempt > this.options.maxRetries || signal?.aborted) throw callError;
        await this.#waitBeforeRetry(attempt, callError, signal, url);
      }
    }
  }

  async #waitBeforeRetry(attempt: number, error: RetryHint, signal: AbortSignal | undefined, url: string) {
    const backoff = backoffDelayMs(this.options.backoff, attempt, this.#random);
    const hinted = error.retryAfterMs === undefined ? 0 : Math.min(error.retryAfterMs, this.options.maxRetryAfterMs);
    try {
      await sleep(Math.max(backoff, hinted), signal);
    } catch (reason) {
      throw this.#error({ url, failure: 'aborted', isRetryable: false, attempts: attempt, cause: reason });
    }
  }

  async #attempt<T>(
    url: string,
    request: { method: 'GET' | 'POST'; body?: unknown },
    signal: AbortSignal | undefined,
    attempt: number,
    parse: (json: unknown, url: string) => T,
  ): Promise<T> {
    if (signal?.aborted) throw this.#error({ url, failure: 'aborted', isRetryable: false, attempts: attempt });
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let text: string;
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method: request.method,
        headers: this.#headers(request.body !== undefined),
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: combined,
      });
      text = await response.text();
    } catch (cause) {
      throw this.#transportError(url, attempt, cause, signal, timeout);
    }
    if (!response.ok) throw this.#httpError(url, attempt, response, text);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      const detail = `reply is not valid JSON (${text.length} chars)`;
      const excerpt = this.#excerpt(text);
      throw this.#error({
        url,
        failure: 'invalid-json',
        status: response.status,
        bodyExcerpt: excerpt,
        isRetryable: true,
        attempts: attempt,
        detail,
        cause,
      });
    }
    return parse(json, url);
  }

  #validate<S extends z.ZodType>(schema: S, json: unknown, url: string): z.output<S> {
    const result = schema.safeParse(json);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const field = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown';
    throw this.#error({
      url,
      failure: 'invalid-schema',
      status: 200,
      bodyExcerpt: this.#excerpt(JSON.stringify(json)),
      isRetryable: false,
      attempts: 1,
      detail: `reply does not match the expected schema at ${field}`,
    });
  }

  #headers(hasBody: boolean): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.options.headers };
    if (hasBody) headers['content-type'] = 'application/json';
    if (this.#apiKey) headers.authorization = `Bearer ${this.#apiKey}`;
    return headers;
  }

  #transportError(url: string, attempt: number, cause: unknown, signal: AbortSignal | undefined, timeout: AbortSignal) {
    if (signal?.aborted) return this.#error({ url, failure: 'aborted', isRetryable: false, attempts: attempt, cause });
    if (timeout.aborted) {
      const detail = `no complete reply within ${this.options.timeoutMs} ms`;
      return this.#error({ url, failure: 'timeout', isRetryable: true, attempts: attempt, detail });
    }
    const detail = cause instanceof Error ? redactSecrets(cause.message, [this.#apiKey]) : 'fetch failed';
    return this.#error({
      url,
      failure: 'network',
      isRetryable: true,
      attempts: attempt,
      detail,
      cause: sanitizeCause(cause),
    });
  }

  #httpError(url: string, attempt: number, response: Response, text: string): OpenAICallError & RetryHint {
    const error: OpenAICallError & RetryHint = this.#error({
      url,
      failure: 'http',
      status: response.status,
      bodyExcerpt: this.#excerpt(text),
      isRetryable: isRetryableStatus(response.status),
      attempts: attempt,
    });
    error.retryAfterMs = parseRetryAfterMs(response.headers);
    return error;
  }

  #excerpt(text: string): string {
    return redactSecrets(text, [this.#apiKey]).slice(0, this.options.bodyExcerptChars);
  }

  #error(init: OpenAICallErrorInit): OpenAICallError {
    const secrets = [this.#apiKey];
    return this.#errorFactory({
      ...init,
      url: safeUrl(init.url, secrets),
      detail: init.detail === undefined ? undefined : redactSecrets(init.detail, secrets),
    });
  }

  #asCallError(
    error: unknown,
    url: string,
    attempt: number,
    signal: AbortSignal | undefined,
  ): OpenAICallError & RetryHint {
    if (OpenAICallError.isInstance(error)) {
      if (error.attempts === attempt) return error;
      const copy: OpenAICallError & RetryHint = error.withAttempts(attempt);
      copy.retryAfterMs = (error as RetryHint).retryAfterMs;
      return copy;
    }
    const failure = signal?.aborted ? 'aborted' : 'network';
    return this.#error({
      url,
      failure,
      isRetryable: failure === 'network',
      attempts: attempt,
      cause: sanitizeCause(error),
    });
  }
}

interface RetryHint {
  retryAfterMs?: number;
}

/** Keeps the class name and message of a low-level error, never its request object. */
function sanitizeCause(cause: unknown): unknown {
  if (!(cause instanceof Error)) return cause;
  const clean = new Error(cause.message);
  clean.name = cause.name;
  const inner = (cause as { cause?: unknown }).cause;
  if (inner instanceof Error)
    (clean as { cause?: unknown }).cause = {
      name: inner.name,
      message: inner.message,
      code: (inner as { code?: unknown }).code,
    };
  return clean;
}
