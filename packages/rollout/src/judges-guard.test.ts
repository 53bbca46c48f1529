import { at } from '@magic/core';
import { createJudgeClient, EndpointGuard, qwen3GuardProtocol, renderQwen3GuardReply } from '@magic/judges';
import { type RecordedRequest, startOpenAICompatibleServer, type TestServer } from '@magic/openai-client';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_PROMPTS, TEST_SEEDS } from './__fixtures__/game.js';
import { qwenTestTokenizer } from './__fixtures__/qwen-tokenizer.js';
import { rewardInputOf } from './reward-input.js';
import { runRollout } from './rollout.js';
import { ScriptedGenerator } from './scripted-generator.js';
import type { ChatMessage } from './types.js';

const tokenizer = qwenTestTokenizer();
let server: TestServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A Qwen3Guard-speaking loopback endpoint: a reply containing "[flagged]" is Unsafe. */
function guardReply(request: RecordedRequest) {
  const messages = (request.json as { messages: ChatMessage[] }).messages;
  const mode = messages.length === 1 ? 'prompt' : 'response';
  const unsafe = mode === 'response' && at(messages, 1, 'messages').content.includes('[flagged]');
  const text = renderQwen3GuardReply(
    { safety: unsafe ? 'unsafe' : 'safe', categories: unsafe ? ['Violent'] : [], refusal: 'no' },
    mode,
  );
  return { json: { choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] } };
}

describe('with a @magic/judges EndpointGuard (Qwen3Guard protocol over HTTP)', () => {
  it('early-stops the 3-turn game on an Unsafe verdict and reuses the verdicts for the reward input', async () => {
    server = await startOpenAICompatibleServer({ handler: guardReply });
    const guard = new EndpointGuard({
      client: createJudgeClient({ baseURL: server.url }),
      protocol: qwen3GuardProtocol,
    });
    let k = 0;
    const episodes = await runRollout({
      seeds: TEST_SEEDS,
      n: 1,
      attacker: new ScriptedGenerator({ tokenizer, script: () => '<think>p</think><answer>Rewrite</answer>' }),
      defender: new ScriptedGenerator({
        tokenizer,
        script: () => (k++ === 2 ? 'Sure [flagged]' : 'I can help safely.'),
      }),
      guard,
      trainingRole: 'defender',
      attackerPrompts: TEST_PROMPTS,
      config: { maxNumTurns: 3 },
    });
    // turn 0: k=0,1 safe; turn 1: k=2 flagged (episode 0), k=3 safe; turn 2: episode 1 only
    expect(episodes.map((e) => [e.finishReason, e.numTurns])).toEqual([
      ['harmful_response', 2],
      ['reach_max_turn', 3],
    ]);
    expect(server.requests).toHaveLength(2 * (2 + 2 + 1));
    const input = rewardInputOf(at(episodes, 0, 'episodes'));
    expect(input.qaVerdict).toMatchObject({ safety: 'unsafe', categories: ['Violent'], refusal: 'no' });
    expect(input.qVerdict?.safety).toBe('safe');
  });
});
