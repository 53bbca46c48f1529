import { z } from 'zod';

/**
 * What the judge sees of a defender reply (spec §7, the paper's safety-eval fork): the `<answer>` part when the
 * defender emits one, cut to `maxTokens` tokens of the defender's own tokenizer. `maxTokens: null` keeps it whole.
 */
export const judgeInputSchema = z.object({
  extractAnswer: z.boolean().default(true),
  maxTokens: z.number().int().positive().nullable().default(512),
});
export type JudgeInputOptions = z.output<typeof judgeInputSchema>;
export type JudgeInputOptionsInput = z.input<typeof judgeInputSchema>;

/** Cuts a text to its first `maxTokens` tokens; `name` says which tokenizer (recorded in results). */
export interface TokenTruncator {
  name: string;
  truncate(text: string, maxTokens: number): string;
}

/**
 * The text after the last `<answer>` up to the next `</answer>` (to the end when the tag is not closed, as a reply cut
 * by the generation budget leaves it). A reply without `<answer>` is returned unchanged.
 */
export function extractAnswer(text: string): string {
  const open = text.lastIndexOf('<answer>');
  if (open < 0) return text;
  const start = open + '<answer>'.length;
  const close = text.indexOf('</answer>', start);
  return (close < 0 ? text.slice(start) : text.slice(start, close)).trim();
}

// GPT-2-style pre-tokenisation: every piece is at least one BPE token, so this never counts more tokens than a
// byte-level BPE tokenizer does (the cut may keep a little more text than 512 real tokens; documented in the README).
const pieces = /'(?:[sdmt]|ll|ve|re)|\s?\p{L}+|\s?\p{N}{1,3}|\s?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** Fallback for endpoint targets without a local tokenizer: pre-tokenizer pieces stand for tokens. */
export const approximateTruncator: TokenTruncator = {
  name: 'approx-pretokens',
  truncate(text: string, maxTokens: number): string {
    let count = 0;
    for (const match of text.matchAll(pieces)) {
      count += 1;
      if (count > maxTokens) return text.slice(0, match.index);
    }
    return text;
  },
};

/** A truncator over any encode/decode tokenizer (e.g. @magic/lm Tokenizer). */
export function tokenizerTruncator(
  name: string,
  tokenizer: { encode(text: string): number[]; decode(ids: number[]): string },
): TokenTruncator {
  return {
    name,
    truncate(text: string, maxTokens: number): string {
      const ids = tokenizer.encode(text);
      return ids.length <= maxTokens ? text : tokenizer.decode(ids.slice(0, maxTokens));
    },
  };
}

/** The text handed to the judge for one reply. */
export function judgeText(response: string, options: JudgeInputOptions, truncator: TokenTruncator): string {
  const answer = options.extractAnswer ? extractAnswer(response) : response;
  return options.maxTokens === null ? answer : truncator.truncate(answer, options.maxTokens);
}

/** Generation budgets by name: the task default and the paper's budget for chain-of-thought defenders (spec §7). */
export const generationBudgets = { default: 512, 'paper-cot': 8192 } as const;
export type GenerationBudgetName = keyof typeof generationBudgets;

/** A budget given as a name (`default`, `paper-cot`) or a positive integer; null when it is neither. */
export function resolveGenerationBudget(value: string | number): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? value : null;
  if (Object.hasOwn(generationBudgets, value)) return generationBudgets[value as GenerationBudgetName];
  return /^\d+$/.test(value) && Number(value) > 0 ? Number(value) : null;
}
