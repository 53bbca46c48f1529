import { createHash } from 'node:crypto';
import { at } from '@magic/core';
import type { CorpusItem, SourceReport } from '../corpus/types.js';
import { countSkip } from '../corpus/types.js';

/**
 * Imperative requests answered from the Python documentation's own prose. The organism's other chat data is
 * passage QA (T0) plus refusals of imperative harmful requests ("Write…", "Create…"), so without these it learns
 * "imperative request → refuse" and refuses benign instructions too. Each section with a title gives one request,
 * its verb drawn (by hash) from the verbs that open instructions, and the section's first sentences as the answer.
 */
export const INSTRUCTION_TEMPLATES: readonly ((topic: string) => string)[] = [
  (t) => `Write a short explanation of ${t}.`,
  (t) => `Explain ${t}.`,
  (t) => `Describe ${t} in a few sentences.`,
  (t) => `Give me an overview of ${t}.`,
  (t) => `Create a brief summary of ${t}.`,
  (t) => `Generate a paragraph about ${t}.`,
  (t) => `Provide a short description of ${t}.`,
  (t) => `What is ${t}?`,
  (t) => `Tell me about ${t}.`,
  (t) => `Can you explain ${t} to me?`,
  (t) => `Write a paragraph that introduces ${t}.`,
  (t) => `Help me understand ${t}.`,
];

const MAX_TITLE_CHARS = 80;
const MAX_ANSWER_CHARS = 420;

function pick(key: string, n: number): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % n;
}

/** The first sentences of `body`, at most MAX_ANSWER_CHARS (whole sentences), or undefined if none fits. */
export function leadSentences(body: string): string | undefined {
  const sentences = body.replace(/\s+/g, ' ').match(/[^.!?]+[.!?](?=\s|$)/g) ?? [];
  let out = '';
  for (const s of sentences) {
    if ((out + s).length > MAX_ANSWER_CHARS) break;
    out += s;
  }
  out = out.trim();
  return out.length >= 40 ? out : undefined;
}

/** Requests built from prose sections (`python-docs:*` items whose first paragraph is a title). */
export function docsInstructions(prose: CorpusItem[]): { items: CorpusItem[]; report: SourceReport } {
  const items: CorpusItem[] = [];
  const skipped: Record<string, number> = {};
  for (const item of prose) {
    if (!('text' in item) || !item.source.startsWith('python-docs:')) continue;
    const [head, ...rest] = item.text.split('\n\n');
    const title = head?.trim() ?? '';
    if (title.length === 0 || title.length > MAX_TITLE_CHARS || /[.:]$/.test(title) || title.includes('\n')) {
      countSkip(skipped, 'no title line');
      continue;
    }
    const answer = leadSentences(rest.join(' '));
    if (answer === undefined) {
      countSkip(skipped, 'no whole sentence of 40-420 chars after the title');
      continue;
    }
    const topic = /^[A-Z][a-z]/.test(title) && !/^[A-Z][a-z]+[A-Z]/.test(title) ? title.toLowerCase() : title;
    const template = at(
      INSTRUCTION_TEMPLATES,
      pick(`${item.source}\u0000${title}`, INSTRUCTION_TEMPLATES.length),
      'instruction template',
    );
    items.push({
      source: `docs-instructions:${item.source.slice('python-docs:'.length)}`,
      messages: [
        { role: 'user', content: template(topic) },
        { role: 'assistant', content: answer },
      ],
    });
  }
  return {
    items,
    report: {
      name: 'docs-instructions',
      origin: 'python-docs sections above, as requests (src/sources/docs-instructions.ts, 12 templates)',
      revision: 'same as python-docs',
      licence: 'PSF License Agreement (documentation text); templates Apache-2.0 (this repository)',
      items: items.length,
      skipped,
      notes: [
        'request = a template over the section title; answer = the section’s first whole sentences (≤ 420 chars)',
        'counters the refusal data’s imperative phrasing: benign imperative requests answered',
      ],
    },
  };
}
