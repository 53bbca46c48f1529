import { at, defined } from '@magic/core';
import type { ChatMessage } from '@magic/openai-client';
import { GuardParseError } from '../errors.js';
import type { GuardVerdict, ModerationMode, SafetyLabel } from '../types.js';
import type { GuardProtocol } from './protocol.js';

/** Qwen3Guard-Gen's categories (prompt moderation may also name Jailbreak). */
export const qwen3GuardCategories = [
  'Violent',
  'Non-violent Illegal Acts',
  'Sexual Content or Sexual Acts',
  'PII',
  'Suicide & Self-Harm',
  'Unethical Acts',
  'Politically Sensitive Topics',
  'Copyright Violation',
  'Jailbreak',
  'None',
] as const;

const protocolName = 'qwen3guard';
const safetyLine = /^\s*Safety:\s*(Safe|Unsafe|Controversial)\s*$/im;
const categoriesLine = /^\s*Categories:\s*(.*)$/im;
const refusalLine = /^\s*Refusal:\s*(Yes|No)\s*$/im;
const labelByText: Record<string, SafetyLabel> = { safe: 'safe', unsafe: 'unsafe', controversial: 'controversial' };

function fail(raw: string, field: string, reason: string): never {
  throw new GuardParseError({ protocol: protocolName, field, raw, reason });
}

function parseCategories(raw: string): string[] {
  const match = categoriesLine.exec(raw);
  if (!match) fail(raw, 'Categories', 'no "Categories:" line');
  const list = at(match, 1, 'Categories capture')
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
  return list.filter((c) => c.toLowerCase() !== 'none');
}

/**
 * Parses Qwen3Guard-Gen text. Prompt moderation needs `Safety:` and `Categories:`; response moderation also needs
 * `Refusal:`. Anything else throws GuardParseError — no label is ever guessed.
 */
export function parseQwen3GuardReply(raw: string, mode: ModerationMode): GuardVerdict {
  const safety = safetyLine.exec(raw);
  if (!safety) fail(raw, 'Safety', 'no "Safety: Safe|Unsafe|Controversial" line');
  const verdict: GuardVerdict = {
    safety: defined(labelByText[at(safety, 1, 'Safety capture').toLowerCase()], 'safety label'),
    categories: parseCategories(raw),
    raw,
  };
  if (mode === 'response') {
    const refusal = refusalLine.exec(raw);
    if (!refusal) fail(raw, 'Refusal', 'response moderation reply has no "Refusal: Yes|No" line');
    verdict.refusal = at(refusal, 1, 'Refusal capture').toLowerCase() === 'yes' ? 'yes' : 'no';
  }
  return verdict;
}

const labelText: Record<SafetyLabel, string> = { safe: 'Safe', unsafe: 'Unsafe', controversial: 'Controversial' };

/** Renders a verdict as Qwen3Guard-Gen text (what the guard server answers). */
export function renderQwen3GuardReply(verdict: Omit<GuardVerdict, 'raw'>, mode: ModerationMode): string {
  const categories = verdict.categories.length > 0 ? verdict.categories.join(', ') : 'None';
  const lines = [`Safety: ${labelText[verdict.safety]}`, `Categories: ${categories}`];
  if (mode === 'response') lines.push(`Refusal: ${verdict.refusal === 'yes' ? 'Yes' : 'No'}`);
  return lines.join('\n');
}

/**
 * Qwen3Guard-Gen as MAGIC calls it: the model's own chat template holds the moderation instructions, so the request is
 * just `[user]` (prompt moderation) or `[user, assistant]` (response moderation).
 */
export const qwen3GuardProtocol: GuardProtocol = {
  name: protocolName,
  promptModeration: (prompt): ChatMessage[] => [{ role: 'user', content: prompt }],
  responseModeration: (prompt, response): ChatMessage[] => [
    { role: 'user', content: prompt },
    { role: 'assistant', content: response },
  ],
  parsePromptModeration: (raw) => parseQwen3GuardReply(raw, 'prompt'),
  parseResponseModeration: (raw) => parseQwen3GuardReply(raw, 'response'),
};
