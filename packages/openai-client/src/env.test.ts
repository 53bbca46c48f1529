import { describe, expect, it } from 'vitest';
import { endpointFromEnv, normalizeBaseURL } from './env.js';

describe('endpointFromEnv', () => {
  it('reads the original MAGIC guard variables', () => {
    const env = {
      WILDGUARD_API_ENDPOINT: 'http://guard.local:8000/v1/',
      WILDGUARD_API_KEY: 'k-guard',
      OPENAI_API_KEY: 'k-openai',
      REWARD_SCORE_TIMEOUT_S: '30',
      REWARD_SCORE_MAX_WORKERS: '4',
    };
    expect(endpointFromEnv('guard', env)).toEqual({
      baseURL: 'http://guard.local:8000/v1',
      apiKey: 'k-guard',
      model: 'orm',
      timeoutMs: 30_000,
      concurrency: 4,
      maxRetries: 2,
    });
  });

  it('falls back to OPENAI_* names and returns undefined without a URL', () => {
    expect(endpointFromEnv('guard', { OPENAI_BASE_URL: 'http://x/v1', OPENAI_API_KEY: 'k' })?.apiKey).toBe('k');
    expect(endpointFromEnv('guard', {})).toBeUndefined();
    expect(() =>
      endpointFromEnv('guard', { WILDGUARD_API_ENDPOINT: 'http://x/v1', REWARD_SCORE_TIMEOUT_S: 'abc' }),
    ).toThrow(/REWARD_SCORE_TIMEOUT_S/);
  });

  it('normalizes a full chat-completions URL to its root', () => {
    expect(normalizeBaseURL('http://h:1/v1/chat/completions')).toBe('http://h:1/v1');
  });
});
