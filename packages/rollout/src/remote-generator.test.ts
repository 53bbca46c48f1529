import { at, defined } from '@magic/core';
import { OpenAICompatibleClient, startOpenAICompatibleServer, type TestServer } from '@magic/openai-client';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeGuard, TEST_PROMPTS, TEST_SEEDS } from './__fixtures__/game.js';
import { qwenTestTokenizer } from './__fixtures__/qwen-tokenizer.js';
import { RemoteTrainedRoleError } from './errors.js';
import { RemoteGenerator } from './remote-generator.js';
import { runRollout } from './rollout.js';
import { ScriptedGenerator } from './scripted-generator.js';
import { toTrainingBatch } from './training-batch.js';
import type { ChatMessage } from './types.js';

const tokenizer = qwenTestTokenizer();
let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface ChatBody {
  model: string;
  messages: ChatMessage[];
  temperature: number;
  max_tokens: number;
}

async function startDefenderServer() {
  server = await startOpenAICompatibleServer({
    handler: (request) => {
      const body = request.json as ChatBody;
      const last = defined(body.messages.at(-1), 'body.messages.at(-1)').content;
      const truncated = last.includes('cut');
      return {
        json: {
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: `Remote reply to ${last.length} chars` },
              finish_reason: truncated ? 'length' : 'stop',
            },
          ],
        },
      };
    },
  });
  return new RemoteGenerator({ client: new OpenAICompatibleClient({ baseURL: server.url }), model: 'frozen-defender' });
}

describe('RemoteGenerator (loopback OpenAI-compatible server)', () => {
  it('plays the frozen defender over HTTP while the local attacker is trained', async () => {
    const defender = await startDefenderServer();
    const attacker = new ScriptedGenerator({
      tokenizer,
      script: (_r, i) => `<think>p</think><answer>Question variant ${i}</answer>`,
    });
    const episodes = await runRollout({
      seeds: TEST_SEEDS,
      n: 2,
      attacker,
      defender,
      guard: new FakeGuard(),
      trainingRole: 'attacker',
      attackerPrompts: TEST_PROMPTS,
      config: { maxNumTurns: 2, maxResponseLength: 64 },
    });
    expect(defined(server, 'server').requests).toHaveLength(8); // 4 episodes x 2 turns, sampled (no dedupe)
    const first = defined(
      defined(server, 'server')
        .requests.map((r) => r.json as ChatBody)
        .find((b) => at(b.messages, 0, 'b.messages').content === 'Question:\nQuestion variant 0'),
      'request of the first question',
    );
    expect(first.model).toBe('frozen-defender');
    expect(first.messages).toEqual([{ role: 'user', content: 'Question:\nQuestion variant 0' }]); // turn 0 chat
    expect(first.temperature).toBe(1);
    expect(first.max_tokens).toBe(64);
    const e = at(episodes, 0, 'episodes');
    expect(e.defender.sequence).toBeNull();
    expect(e.defender.tokenExact).toBe(false);
    expect(at(e.defender.turns, 0, 'e.defender.turns').text).toBe('Remote reply to 28 chars');
    expect(e.finishCode).toBe(1);
    // the remote defender's reply reaches the attacker's chat as a user turn
    expect(e.attacker.lastMessages[3]).toEqual({ role: 'user', content: 'Remote reply to 28 chars' });
    const batch = toTrainingBatch(episodes, 'attacker', { rewards: [1, 0, 1, 0], padTokenId: tokenizer.padTokenId });
    expect(batch.inputIds).toHaveLength(4);
    expect(() => toTrainingBatch(episodes, 'defender', { rewards: [1, 0, 1, 0], padTokenId: 0 })).toThrow(
      RemoteTrainedRoleError,
    );
  });

  it("maps finish_reason 'length' to a truncation (stop_when_truncated, code 3)", async () => {
    const defender = await startDefenderServer();
    const attacker = new ScriptedGenerator({ tokenizer, script: () => '<answer>please cut</answer>' });
    const episodes = await runRollout({
      seeds: TEST_SEEDS.slice(0, 1),
      n: 1,
      attacker,
      defender,
      guard: new FakeGuard(),
      trainingRole: 'attacker',
      attackerPrompts: TEST_PROMPTS,
      config: { maxNumTurns: 3 },
    });
    expect(at(episodes, 0, 'episodes').finishCode).toBe(3);
  });

  it('refuses a remote generator for the trained role with a typed error', async () => {
    const defender = await startDefenderServer();
    const attacker = new ScriptedGenerator({ tokenizer, script: () => 'x' });
    const err = await runRollout({
      seeds: TEST_SEEDS,
      n: 1,
      attacker,
      defender,
      guard: new FakeGuard(),
      trainingRole: 'defender',
      attackerPrompts: TEST_PROMPTS,
    }).catch((e: unknown) => e);
    expect(RemoteTrainedRoleError.isInstance(err)).toBe(true);
    expect((err as RemoteTrainedRoleError).role).toBe('defender');
    expect(defined(server, 'server').requests).toHaveLength(0);
  });
});
