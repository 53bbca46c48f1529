import { defined } from '@magic/core';
import {
  createJudgeClient,
  EndpointGuard,
  JudgeFailureError,
  qwen3GuardProtocol,
  renderQwen3GuardReply,
} from '@magic/judges';
import { startOpenAICompatibleServer, type TestServer } from '@magic/openai-client';
import type { Generator } from '@magic/rollout';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import { maskSkippedEpisodes, rolloutConfigFor } from './stages.js';
import { validateDefender } from './validation.js';
import type { ValidationSet } from './validation-sets.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const chat = (content: string) => ({
  json: { choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] },
});

/** A loopback judge: requests whose reply text contains "bad" get HTTP 500 or garbage; the rest a valid verdict. */
async function judge(): Promise<EndpointGuard> {
  let n = 0;
  server = await startOpenAICompatibleServer({
    handler: (req) => {
      const body = req.rawBody;
      if (body.includes('bad')) return n++ % 2 === 0 ? { status: 500, json: {} } : chat('no verdict here');
      const unsafe = body.includes('unsafe-placeholder');
      return chat(
        renderQwen3GuardReply(
          { safety: unsafe ? 'unsafe' : 'safe', categories: [], refusal: body.includes('refuse') ? 'yes' : 'no' },
          'response',
        ),
      );
    },
  });
  return new EndpointGuard({
    client: createJudgeClient({ baseURL: server.url, maxRetries: 0, timeoutMs: 2_000 }),
    protocol: qwen3GuardProtocol,
  });
}

/** A defender that answers each prompt with a fixed text, by prompt. */
function defender(replies: Record<string, string>): Generator {
  return {
    id: 'fixed',
    trainable: false,
    tokenExact: false,
    generate: async (requests) =>
      requests.map((r) => {
        const prompt = defined(r.messages.at(-1), 'r.messages.at(-1)').content.replace('Question:\n', '');
        return { text: defined(replies[prompt], 'replies[prompt]'), finishReason: 'stop' as const };
      }),
  };
}

const item = (id: string, dataType: ValidationSet['dataType']) => ({
  id,
  seedId: id,
  strategy: 'vanilla',
  prompt: id,
  vanilla: id,
  dataType,
});
const seeds: ValidationSet[] = [
  {
    name: 'harmful_adversarial',
    dataType: 'vanilla_harmful',
    items: ['h1', 'h2', 'h3'].map((id) => item(id, 'vanilla_harmful')),
  },
  {
    name: 'benign_adversarial',
    dataType: 'vanilla_benign',
    items: ['b1', 'b2'].map((id) => item(id, 'vanilla_benign')),
  },
];
const replies = { h1: 'unsafe-placeholder', h2: 'bad', h3: 'bad', b1: 'refuse', b2: 'bad' };

describe('validateDefender under reward.onJudgeFailure', () => {
  it('skip-episode (default): failed items leave the rates and are counted', async () => {
    const m = await validateDefender(defender(replies), await judge(), seeds, loadConfig());
    expect(m['val/judge_failures']).toBe(3);
    expect(m['val/harmful_adversarial/num_judged']).toBe(1);
    expect(m['val/benign_adversarial/num_judged']).toBe(1);
    expect(m['val/harmful_adversarial/harm_rate']).toBe(1);
    expect(m['val/harmful_adversarial/asr']).toBe(1);
    expect(m['val/benign_adversarial/refusal_rate']).toBe(1);
  });

  it('a rate with no judged item is absent, not 0', async () => {
    const m = await validateDefender(
      defender({ ...replies, h1: 'bad' }),
      await judge(),
      seeds,
      loadConfig({ overrides: ['reward.onJudgeFailure=skip-episode'] }),
    );
    expect(m['val/harmful_adversarial/num_judged']).toBe(0);
    expect(m).not.toHaveProperty('val/harmful_adversarial/asr');
    expect(m).not.toHaveProperty('val/harmful_adversarial/harm_rate');
    expect(m).not.toHaveProperty('val/asr');
    expect(m['val/benign_adversarial/refusal_rate']).toBe(1);
  });

  it('zero: failed items count as safe with no refusal', async () => {
    const m = await validateDefender(
      defender(replies),
      await judge(),
      seeds,
      loadConfig({ overrides: ['reward.onJudgeFailure=zero'] }),
    );
    expect(m['val/harmful_adversarial/num_judged']).toBe(3);
    expect(m['val/harmful_adversarial/harm_rate']).toBeCloseTo(1 / 3);
    // a failed verdict counts as no refusal, so as an attack success
    expect(m['val/harmful_adversarial/asr']).toBe(1);
    expect(m['val/benign_adversarial/refusal_rate']).toBe(0.5);
  });

  it('error: the first failure throws JudgeFailureError naming the endpoint', async () => {
    const guard = await judge();
    const e = await validateDefender(
      defender(replies),
      guard,
      seeds,
      loadConfig({ overrides: ['reward.onJudgeFailure=error'] }),
    ).catch((err: unknown) => err);
    expect(JudgeFailureError.isInstance(e)).toBe(true);
    expect((e as Error).message).toContain(defined(server, 'server').url);
  });
});

describe('judge-failure settings', () => {
  it('default skip-episode and 3 failed steps; the early-stop check throws only under error', () => {
    const c = loadConfig();
    expect(c.reward.onJudgeFailure).toBe('skip-episode');
    expect(c.reward.maxConsecutiveFailedSteps).toBe(3);
    expect(rolloutConfigFor(c, 1).guardErrors).toBe('record');
    const e = loadConfig({ overrides: ['reward.onJudgeFailure=error', 'reward.maxConsecutiveFailedSteps=5'] });
    expect(rolloutConfigFor(e, 1).guardErrors).toBe('throw');
    expect(e.reward.maxConsecutiveFailedSteps).toBe(5);
    expect(() => loadConfig({ overrides: ['reward.onJudgeFailure=ignore'] })).toThrow(/onJudgeFailure/);
  });
});

describe('maskSkippedEpisodes', () => {
  it('drops skipped episodes and masks a group left with fewer than 2', () => {
    const uids = ['a', 'a', 'a', 'b', 'b', 'c', 'c', 'd'];
    const skipped = [true, false, false, true, false, true, true, false];
    // a keeps 2 (trains), b keeps 1 (masked), c keeps 0 (masked), d was a group of 1 and lost nothing
    expect(maskSkippedEpisodes(uids, skipped)).toEqual({ keep: [1, 2, 7], maskedGroups: 2 });
    expect(
      maskSkippedEpisodes(
        uids,
        uids.map(() => false),
      ).maskedGroups,
    ).toBe(0);
  });
});
