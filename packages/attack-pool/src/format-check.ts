import { at } from '@magic/core';
/** Result of the attacker format rule (spec §2.2 format reward). */
export interface FormatCheckResult {
  ok: boolean;
  reason?: string;
  think?: string;
  answer?: string;
}

const TAGS = ['<think>', '</think>', '<answer>', '</answer>'] as const;
const SHAPE = /^<think>([\s\S]*)<\/think>\s*<answer>([\s\S]*)<\/answer>$/;

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

/**
 * The attacker format rule: the trimmed text contains exactly one of each tag and is exactly
 * `<think>…</think>` + optional whitespace + `<answer>…</answer>`. Empty text fails.
 */
export function checkAttackerFormat(text: string): FormatCheckResult {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, reason: 'empty' };
  for (const tag of TAGS) {
    const n = count(trimmed, tag);
    if (n !== 1) return { ok: false, reason: `expected one ${tag}, found ${n}` };
  }
  const m = SHAPE.exec(trimmed);
  if (!m) return { ok: false, reason: 'not <think>…</think><answer>…</answer>' };
  return { ok: true, think: at(m, 1, 'm'), answer: at(m, 2, 'm') };
}

/** Removes the four format tags from text that goes inside a block, so the assembled output always passes. */
export function stripFormatTags(text: string): string {
  return text.replace(/<\/?(think|answer)>/g, '').trim();
}

/** Assembles `<think>…</think>\n<answer>…</answer>` from a rationale and a rewrite. */
export function formatAttackerOutput(think: string, answer: string): string {
  return `<think>\n${stripFormatTags(think)}\n</think>\n<answer>\n${stripFormatTags(answer)}\n</answer>`;
}
