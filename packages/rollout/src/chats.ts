import type { HistoryEntry } from './episode.js';
import type { ChatMessage } from './types.js';

/**
 * The attacker's chat (spec §4): system, `Task:\n` + task, then its own raw outputs (think
 * included) as assistant turns and the defender's raw replies as user turns.
 */
export function buildAttackerChat(history: readonly HistoryEntry[], systemPrompt: string, task: string): ChatMessage[] {
  const messages: ChatMessage[] = [
    { role: 'system', content: systemPrompt },
    { role: 'user', content: `Task:\n${task}` },
  ];
  for (const entry of history) {
    messages.push({ role: entry.role === 'attacker' ? 'assistant' : 'user', content: entry.content });
  }
  return messages;
}

/**
 * The defender's chat (spec §4): optional system (absent = template default), `Question:\n` + the
 * first attacker prompt, then from history index 1 its own replies as assistant turns and the
 * attacker's prompts (answer only, think stripped) as user turns. With 'latest-attack' the first
 * user message holds the latest attacker prompt instead (the original code's quirk).
 */
export function buildDefenderChat(
  history: readonly HistoryEntry[],
  firstMessage: 'first-attack' | 'latest-attack',
  systemPrompt?: string,
): ChatMessage[] {
  const attacks = history.filter((e) => e.role === 'attacker');
  const first = firstMessage === 'first-attack' ? attacks[0] : attacks.at(-1);
  if (!first) throw new Error('buildDefenderChat: history holds no attacker message');
  const messages: ChatMessage[] = systemPrompt === undefined ? [] : [{ role: 'system', content: systemPrompt }];
  messages.push({ role: 'user', content: `Question:\n${first.parsedAnswer ?? first.content}` });
  for (const entry of history.slice(1)) {
    if (entry.role === 'defender') messages.push({ role: 'assistant', content: entry.content });
    else messages.push({ role: 'user', content: entry.parsedAnswer ?? entry.content });
  }
  return messages;
}
