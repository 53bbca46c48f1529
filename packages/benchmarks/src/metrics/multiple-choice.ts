import { at, defined } from '@magic/core';
import type { MultipleChoiceItem } from '../loaders/mmlu.js';

/** Zero-shot prompt: question, lettered options, and an instruction to answer with the letter. */
export function formatMultipleChoicePrompt(item: MultipleChoiceItem): string {
  const options = item.choices.map((c) => `${c.label}. ${c.text}`).join('\n');
  return `${item.question}\n${options}\nAnswer with the letter of the correct option.`;
}

function escapeLabel(label: string): string {
  return label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The answer letter in an endpoint's reply, or null. Tried in order: "answer is (X)" / "answer: X",
 * a reply that starts with the letter ("B", "(B)", "B.", "B)"), else the only option letter that
 * appears on its own in the text.
 */
export function parseAnswerLetter(text: string, labels: readonly string[]): string | null {
  const alternatives = labels.map(escapeLabel).join('|');
  const explicit = new RegExp(`answer(?:\\s+is)?\\s*[:：]?\\s*\\(?\\**(${alternatives})\\b`, 'i').exec(text);
  if (explicit?.[1]) return labels.find((l) => l.toLowerCase() === at(explicit, 1, 'explicit').toLowerCase()) ?? null;
  const leading = new RegExp(`^\\s*\\(?\\**(${alternatives})\\**(?:[.):\\s]|$)`).exec(text);
  if (leading?.[1]) return leading[1];
  const standalone = labels.filter((l) => new RegExp(`(^|[^A-Za-z])\\(?${escapeLabel(l)}\\)?([^A-Za-z]|$)`).test(text));
  return standalone.length === 1 ? at(standalone, 0, 'standalone') : null;
}

/**
 * Log-likelihood scoring for local models: the summed log-probability of each continuation given
 * the prompt (e.g. " A", " B", ...). The prediction is the arg-max (first on ties).
 */
export interface ChoiceScorer {
  scoreContinuations(prompt: string, continuations: readonly string[]): Promise<number[]>;
}

export async function predictByLogLikelihood(item: MultipleChoiceItem, scorer: ChoiceScorer): Promise<string> {
  const scores = await scorer.scoreContinuations(
    formatMultipleChoicePrompt(item),
    item.choices.map((c) => ` ${c.label}`),
  );
  let best = 0;
  for (let i = 1; i < scores.length; i += 1)
    if (at(scores, i, 'scores') > defined(scores[best], 'scores entry')) best = i;
  return defined(item.choices[best], 'choices entry').label;
}
