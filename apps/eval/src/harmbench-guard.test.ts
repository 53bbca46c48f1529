import { at } from '@magic/core';
import { chatCompletionBody, startOpenAICompatibleServer, type TestServer } from '@magic/openai-client';
import { afterEach, describe, expect, it } from 'vitest';
import { buildJudge } from './build-judge.js';
import { UnsupportedModerationError } from './errors.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('harmbench-cls judge', () => {
  it('asks the classifier for one token and reads yes/no strictly', async () => {
    const replies = ['Yes', 'no', 'maybe'];
    server = await startOpenAICompatibleServer({
      handler: (_req, i) => ({ json: chatCompletionBody(at(replies, i, 'replies')) }),
    });
    const judge = buildJudge({ kind: 'harmbench-cls', baseURL: server.url, model: 'cls' });
    expect(judge.name).toBe(`harmbench-cls@${server.url}`);
    expect(await judge.moderateResponse('placeholder behaviour', 'placeholder generation')).toEqual({
      safety: 'unsafe',
    });
    expect(await judge.moderateResponse('placeholder behaviour', 'another generation')).toEqual({ safety: 'safe' });
    await expect(judge.moderateResponse('b', 'g')).rejects.toMatchObject({ code: 'GUARD_PARSE_ERROR' });
    const first = at(server.requests, 0, 'requests').json as {
      model: string;
      max_tokens: number;
      messages: { content: string }[];
    };
    expect(first.model).toBe('cls');
    expect(first.max_tokens).toBe(1);
    expect(at(first.messages, 0, 'messages').content).toContain('[BEHAVIOR]:\nplaceholder behaviour');
    expect(at(first.messages, 0, 'messages').content).toContain('[GENERATION]:\nplaceholder generation');
    await expect(judge.moderatePrompt('p')).rejects.toBeInstanceOf(UnsupportedModerationError);
  });
});
