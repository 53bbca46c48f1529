import { z } from 'zod';

/** Endpoint settings read from the environment variable names used by the original MAGIC scripts. */
export const endpointEnvSchema = z.object({
  baseURL: z.url(),
  apiKey: z.string().optional(),
  model: z.string().min(1).default('orm'),
  timeoutMs: z.number().int().positive().default(30_000),
  concurrency: z.number().int().positive().default(1),
  maxRetries: z.number().int().min(0).default(2),
});
export type EndpointEnv = z.output<typeof endpointEnvSchema>;

export type EndpointKind = 'guard' | 'openai' | 'revision';

type Env = Record<string, string | undefined>;

/** Environment names per endpoint, first match wins. `guard` is the reward judge (Qwen3Guard/WildGuard). */
export const endpointEnvNames: Record<EndpointKind, { baseURL: string[]; apiKey: string[]; model: string[] }> = {
  guard: {
    baseURL: ['WILDGUARD_API_ENDPOINT', 'GUARD_API_ENDPOINT', 'OPENAI_BASE_URL'],
    apiKey: ['WILDGUARD_API_KEY', 'GUARD_API_KEY', 'OPENAI_API_KEY', 'API_KEY'],
    model: ['REWARD_MODEL_NAME'],
  },
  openai: { baseURL: ['OPENAI_BASE_URL'], apiKey: ['OPENAI_API_KEY'], model: ['OPENAI_MODEL'] },
  revision: {
    baseURL: ['REVISION_SCORE_ENDPOINT'],
    apiKey: ['REVISION_SCORE_API_KEY'],
    model: ['REVISION_MODEL_NAME'],
  },
};

function firstSet(env: Env, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

function numberFrom(env: Env, name: string, scale = 1): number | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`environment variable ${name} is not a number`);
  return Math.round(n * scale);
}

/** Accepts `http://host/v1` or a full `.../chat/completions` URL and returns the `/v1` root. */
export function normalizeBaseURL(url: string): string {
  return url
    .trim()
    .replace(/\/+$/, '')
    .replace(/\/chat\/completions$/, '');
}

/**
 * Reads an endpoint's settings: `WILDGUARD_API_ENDPOINT` / `WILDGUARD_API_KEY` / `REWARD_MODEL_NAME` (model default
 * `orm`), `REWARD_SCORE_TIMEOUT_S` (seconds), `REWARD_SCORE_MAX_WORKERS` (concurrency) for the guard. Returns
 * undefined when no base URL is set. `env` is the caller's environment (a CLI passes `process.env`): the library
 * never reads it on its own.
 */
export function endpointFromEnv(kind: EndpointKind, env: Env): EndpointEnv | undefined {
  const names = endpointEnvNames[kind];
  const baseURL = firstSet(env, names.baseURL);
  if (!baseURL) return undefined;
  const isGuard = kind === 'guard';
  return endpointEnvSchema.parse({
    baseURL: normalizeBaseURL(baseURL),
    apiKey: firstSet(env, names.apiKey),
    model: firstSet(env, names.model),
    timeoutMs: isGuard ? numberFrom(env, 'REWARD_SCORE_TIMEOUT_S', 1000) : undefined,
    concurrency: isGuard ? numberFrom(env, 'REWARD_SCORE_MAX_WORKERS') : undefined,
  });
}
