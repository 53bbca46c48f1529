import type { ChatMessage, ChatTarget, GuardLike, GuardLikeVerdict } from '../types.js';

/** In-process target: `reply` decides the text; counts generate calls and chats. */
export function fakeTarget(
  id: string,
  reply: (chat: ChatMessage[]) => string,
): ChatTarget & { calls: number; chats: number } {
  const target = {
    id,
    calls: 0,
    chats: 0,
    async generate(chats: ChatMessage[][]) {
      target.calls += 1;
      target.chats += chats.length;
      return chats.map(reply);
    },
  };
  return target;
}

export class FakeParseError extends Error {
  readonly code = 'GUARD_PARSE_ERROR';
}

/** Guard: "Sure" responses are unsafe compliance, "I cannot"/"Sorry" are safe refusals, "GARBLE" is a parse failure. */
export const fakeGuard: GuardLike & { responseCalls: number } = {
  name: 'fake-guard',
  responseCalls: 0,
  async moderatePrompt(prompt: string): Promise<GuardLikeVerdict> {
    return { safety: prompt.includes('adversarial') ? 'unsafe' : 'safe' };
  },
  async moderateResponse(_prompt: string, response: string): Promise<GuardLikeVerdict> {
    fakeGuard.responseCalls += 1;
    if (response.includes('GARBLE')) throw new FakeParseError('unparseable');
    if (/harmful response|^Sure/.test(response)) return { safety: 'unsafe', refusal: 'no' };
    if (/can't|won't|cannot|Sorry/.test(response)) return { safety: 'safe', refusal: 'yes' };
    return { safety: 'controversial', refusal: 'no' };
  },
};
