import { at } from '@magic/core';

const answerTag = /<answer>([\s\S]*?)<\/answer>/i;
const thinkBlock = /<think>[\s\S]*?<\/think>/gi;

/** Content of the first complete `<answer>…</answer>`, trimmed; undefined when there is none. */
export function extractAnswer(text: string): string | undefined {
  const match = answerTag.exec(text);
  return match ? at(match, 1, '<answer> capture').trim() : undefined;
}

/** Text with every complete `<think>…</think>` block removed, trimmed. */
export function stripThink(text: string): string {
  return text.replace(thinkBlock, '').trim();
}

/** What the judge sees of the attacker (spec §2.1): `<answer>` content; else text without think; else the seed. */
export function attackerPromptForJudge(attackerText: string, seed = ''): string {
  const answer = extractAnswer(attackerText);
  if (answer) return answer;
  const stripped = stripThink(attackerText);
  return stripped || seed;
}

/** What the judge sees of the defender: the whole text, or with useAnswerTags the `<answer>` content (falling back to the whole text). */
export function defenderResponseForJudge(defenderText: string, useAnswerTags: boolean): string {
  if (!useAnswerTags) return defenderText;
  return extractAnswer(defenderText) || defenderText;
}

function count(text: string, tag: string): number {
  return text.split(tag).length - 1;
}

/** Format check (spec §2.2): exactly one of each tag and the shape `<think>…</think> <answer>…</answer>`. */
export function isWellFormatted(text: string): boolean {
  const t = text.trim();
  if (t.length === 0) return false;
  for (const tag of ['<think>', '</think>', '<answer>', '</answer>']) if (count(t, tag) !== 1) return false;
  return /^<think>[\s\S]*<\/think>\s*<answer>[\s\S]*<\/answer>$/.test(t);
}
