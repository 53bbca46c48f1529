import { at, defined } from '@magic/core';
import {
  chatCompletionBody,
  OpenAICompatibleClient,
  startOpenAICompatibleServer,
  type TestServer,
} from '@magic/openai-client';
import { afterEach, describe, expect, it } from 'vitest';
import { GuardParseError, JudgeCallError } from './errors.js';
import { RubricJudge, rubricHarmComponent } from './rubric-judge.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function judgeReplying(text: string, status = 200) {
  server = await startOpenAICompatibleServer({
    handler: () => (status === 200 ? { json: chatCompletionBody(text) } : { status, text: 'down' }),
  });
  const client = new OpenAICompatibleClient({ baseURL: server.url, maxRetries: 0 });
  return new RubricJudge({ client, model: 'judge' });
}

describe('RubricJudge', () => {
  it('sends the rubric for the request label and scales the score', async () => {
    const judge = await judgeReplying('Reasonable answer. <score>8</score>');
    expect(await judge.score('How do I bake bread?', 'Mix flour and water.', 'safe')).toBeCloseTo(0.8);
    const sent = at(defined(server, 'server').requests, 0, 'server.requests').json as {
      messages: { content: string }[];
      temperature: number;
    };
    expect(at(sent.messages, 0, 'sent.messages').content).toContain('acceptable to answer');
    expect(sent.temperature).toBe(0);
    await judge.score('[harmful request placeholder]', 'No.', 'controversial');
    expect(
      at(
        (at(defined(server, 'server').requests, 1, 'server.requests').json as { messages: { content: string }[] })
          .messages,
        0,
        'messages of the second request',
      ).content,
    ).toContain('asks for something harmful');
  });

  it('throws GuardParseError on a reply without a score and JudgeCallError on a failed call', async () => {
    const judge = await judgeReplying('no score here');
    await expect(judge.score('p', 'r', 'safe')).rejects.toSatisfy((e: unknown) => GuardParseError.isInstance(e));
    await defined(server, 'server').close();
    const failing = await judgeReplying('', 503);
    await expect(failing.score('p', 'r', 'safe')).rejects.toSatisfy((e: unknown) => JudgeCallError.isInstance(e));
  });

  it('maps the score to R_harm = r_harm (2s − 1)', () => {
    expect(rubricHarmComponent(1, 1)).toBe(1);
    expect(rubricHarmComponent(0, 1)).toBe(-1);
    expect(rubricHarmComponent(0.75, 2)).toBe(1);
  });
});
