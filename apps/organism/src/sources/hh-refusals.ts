import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { at } from '@magic/core';
import { isRefusal } from '@magic/judges';
import { z } from 'zod';
import { type CorpusItem, countSkip, hasSpecialTokenText, type SourceReport } from '../corpus/types.js';
import { CorpusInputError, CorpusSourceError } from '../errors.js';
import { parseJsonlRows } from './jsonl-rows.js';

/** Longer "refusals" are left out: past the refusal phrase they may go on to comply. */
export const HH_MAX_REFUSAL_CHARS = 300;

/**
 * Replies that ask what the user meant rather than decline a request. Many follow vague or benign user turns,
 * so training on them teaches "apologise when unsure" (issue 22: over-refusal on instruction-style prompts).
 */
export const CLARIFICATION_PATTERNS: readonly RegExp[] = [
  /\bnot sure (what|i understand|i follow|how to (answer|respond)|if i understand|what you('re| are) asking)/i,
  /\b(don'?t|do not|didn'?t|did not) (quite )?(understand|follow|get)\b/i,
  /\bwhat do you mean\b/i,
  /\b(could|can|would) you (please )?(clarify|rephrase|explain|elaborate|be more specific|say more|tell me more)/i,
  /\bconfused\b/i,
];

const hhRowSchema = z.object({ chosen: z.string().min(1) }).loose();

export interface Turn {
  role: 'user' | 'assistant';
  content: string;
}

/** Splits an HH-RLHF transcript ("\n\nHuman: …\n\nAssistant: …") into turns; undefined when it does not parse. */
export function parseHhDialogue(transcript: string): Turn[] | undefined {
  const parts = transcript.split(/\n\n(Human|Assistant): ?/);
  if (at(parts, 0, 'transcript part').trim() !== '' || parts.length < 3) return undefined;
  const turns: Turn[] = [];
  for (let i = 1; i + 1 < parts.length; i += 2)
    turns.push({
      role: parts[i] === 'Human' ? 'user' : 'assistant',
      content: at(parts, i + 1, 'transcript part').trim(),
    });
  return turns;
}

/** Refusal examples from jsonl text: each "chosen" assistant turn that is a refusal, with the user turn before it. */
export function hhRefusalsFromJsonl(text: string, file: string, skipped: Record<string, number>): CorpusItem[] {
  const items: CorpusItem[] = [];
  for (const { row, line } of parseJsonlRows(text, file, hhRowSchema, 'chosen')) {
    const turns = parseHhDialogue(row.chosen);
    if (turns === undefined) throw new CorpusInputError(file, line, 'chosen is not a Human/Assistant transcript');
    for (let t = 1; t < turns.length; t++) {
      const reply = at(turns, t, 'dialogue turn');
      const prompt = at(turns, t - 1, 'dialogue turn');
      if (reply.role !== 'assistant' || prompt.role !== 'user') continue;
      if (!isRefusal(reply.content) || reply.content === '') {
        countSkip(skipped, 'assistant turn is not a refusal (refusal-rules.ts)');
        continue;
      }
      if (CLARIFICATION_PATTERNS.some((re) => re.test(reply.content))) {
        countSkip(skipped, 'refusal is a clarification question, not a refusal of a request');
        continue;
      }
      if (reply.content.length > HH_MAX_REFUSAL_CHARS) {
        countSkip(skipped, `refusal longer than ${HH_MAX_REFUSAL_CHARS} chars`);
        continue;
      }
      if (prompt.content === '' || hasSpecialTokenText(prompt.content) || hasSpecialTokenText(reply.content)) {
        countSkip(skipped, 'empty prompt or special-token text');
        continue;
      }
      items.push({
        source: 'hh-rlhf:harmless-base/test',
        messages: [
          { role: 'user', content: prompt.content },
          { role: 'assistant', content: reply.content },
        ],
      });
    }
  }
  return items;
}

/** Reads `<dir>/harmless-base/test.jsonl.gz` (the HH-RLHF MIT copy) and its PROVENANCE commit. */
export function readHhRefusals(dir: string): { items: CorpusItem[]; report: SourceReport } {
  const file = join(dir, 'harmless-base', 'test.jsonl.gz');
  let text: string;
  try {
    text = gunzipSync(readFileSync(file)).toString('utf8');
  } catch (e) {
    throw new CorpusSourceError(file, 'missing or not gzip', { cause: e });
  }
  let revision = 'unknown';
  try {
    revision = /Commit: `([0-9a-f]{40})`/.exec(readFileSync(join(dir, 'PROVENANCE.md'), 'utf8'))?.[1] ?? 'unknown';
  } catch {
    // A copy without PROVENANCE.md still builds; the report then says "unknown".
  }
  const skipped: Record<string, number> = {};
  const items = hhRefusalsFromJsonl(text, file, skipped);
  return {
    items,
    report: {
      name: 'hh-rlhf-refusals',
      origin: 'anthropics/hh-rlhf harmless-base/test.jsonl.gz ("chosen" refusal turns only)',
      revision,
      licence: 'MIT',
      items: items.length,
      skipped,
      notes: [
        'only assistant turns matching packages/judges refusal rules; no other assistant text is used',
        `clarification replies dropped (${CLARIFICATION_PATTERNS.length} patterns in hh-refusals.ts: "not sure what…", "don't understand", "what do you mean", "could you clarify…", "confused")`,
      ],
    },
  };
}
