const ANSWER_RE = /<answer>([\s\S]*?)<\/answer>/;
const THINK_RE = /<think>[\s\S]*?<\/think>/g;
const THINK_CONTENT_RE = /<think>([\s\S]*?)<\/think>/;

/** The trimmed content of the first `<answer>…</answer>` block, or '' when there is none. */
export function extractAnswerTag(text: string): string {
  return ANSWER_RE.exec(text)?.[1]?.trim() ?? '';
}

/** The text with every closed `<think>…</think>` block removed, trimmed. */
export function stripThink(text: string): string {
  return text.replace(THINK_RE, '').trim();
}

/** The trimmed content of the first closed `<think>` block, or undefined. */
export function extractThink(text: string): string | undefined {
  return THINK_CONTENT_RE.exec(text)?.[1]?.trim();
}

/**
 * The prompt the defender (and the guard) sees from an attacker output (spec §2.1): the `<answer>`
 * content; if empty, the text with `<think>…</think>` removed; if still empty, the seed.
 */
export function extractAttackerPrompt(text: string, seedQuestion: string): string {
  const answer = extractAnswerTag(text);
  if (answer) return answer;
  const visible = stripThink(text);
  if (visible) return visible;
  return seedQuestion;
}

/** Defender text for the guard: whole reply, or its `<answer>` content falling back to the whole reply. */
export function defenderResponseForGuard(text: string, mode: 'full' | 'answer-tags'): string {
  if (mode === 'full') return text;
  return extractAnswerTag(text) || text;
}
