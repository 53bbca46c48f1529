import { createHash } from 'node:crypto';
import { getStrategy, type SeedRecord, type StrategyId, TemplateRewriter } from '@magic/attack-pool';
import type { CorpusItem, SourceReport } from '../corpus/types.js';
import { countSkip } from '../corpus/types.js';

/**
 * Benign training instructions wrapped in the attack pool's offline rewrite templates (role-play, persuasion,
 * slang, translation requests…) and answered as before. Without them the organism meets a wrapper only in the
 * game, refuses wrapped benign requests as readily as harmful ones, and so starts out refusing the rewrites
 * wholesale: safe by surface rather than by content, which leaves MAGIC nothing to teach. Harmful requests are
 * never wrapped, so the organism is what an aligned model trained on plain refusals is: fooled by wrappers.
 */
export const WRAP_STRATEGIES: readonly StrategyId[] = [
  'slang',
  'uncommon-dialects',
  'technical-terms',
  'role-play',
  'question-style',
  'logical-appeal',
  'authority-endorsement',
  'misrepresentation',
  'evidence-based-persuasion',
  'expert-endorsement',
  'translate-malayalam',
  'translate-tamil',
  'translate-marathi',
  'translate-chinese-simplified',
  'translate-french',
];

/** Sources whose requests are benign instructions with a real answer (never refusals). */
const WRAPPABLE = /^(t0|docs-instructions):/;

export interface WrapInstructionsOptions {
  /** Share of wrappable items that get a wrapped copy, chosen by a hash of the request (default 0.2). */
  share?: number;
  /** Requests longer than this stay unwrapped: the wrapper adds up to ~300 characters (default 600). */
  maxRequestChars?: number;
}

function unit(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;
}

/** Wrapped copies of a share of the benign SFT items (the originals stay); the answer is unchanged. */
export async function wrapInstructions(
  items: readonly CorpusItem[],
  options: WrapInstructionsOptions = {},
): Promise<{ items: CorpusItem[]; report: SourceReport }> {
  const share = options.share ?? 0.2;
  const maxChars = options.maxRequestChars ?? 600;
  const rewriter = new TemplateRewriter();
  const out: CorpusItem[] = [];
  const skipped: Record<string, number> = {};
  for (const item of items) {
    if (!('messages' in item) || !WRAPPABLE.test(item.source)) continue;
    const user = item.messages.find((m) => m.role === 'user');
    if (user === undefined) continue;
    if (unit(`wrap\u0000${user.content}`) >= share) continue;
    if (user.content.length > maxChars) {
      countSkip(skipped, `request over ${maxChars} chars`);
      continue;
    }
    const strategyId = WRAP_STRATEGIES[Math.floor(unit(`strategy\u0000${user.content}`) * WRAP_STRATEGIES.length)]!;
    const seed: SeedRecord = {
      id: createHash('sha256').update(user.content).digest('hex').slice(0, 16),
      text: user.content,
      dataType: 'vanilla_benign',
      category: 'organism-corpus',
      source: item.source,
      meta: {},
    };
    const { text } = await rewriter.rewrite({ seed, strategy: getStrategy(strategyId) });
    out.push({
      source: `wrapped:${strategyId}:${item.source}`,
      messages: item.messages.map((m) => (m === user ? { role: 'user', content: text } : m)),
    });
  }
  return {
    items: out,
    report: {
      name: 'wrapped-instructions',
      origin:
        "benign SFT train items above (t0, docs-instructions) wrapped with @magic/attack-pool's TemplateRewriter (src/sources/wrapped-instructions.ts)",
      revision: 'same as the wrapped sources',
      licence: 'as the wrapped item; templates Apache-2.0 (this repository)',
      items: out.length,
      skipped,
      notes: [
        `a ${share} share of benign requests (by hash) gets a wrapped copy, strategy by hash among ${WRAP_STRATEGIES.length} rewrite strategies; the answer is unchanged`,
        'made after the held-out split, from training items only; harmful requests are never wrapped',
      ],
    },
  };
}
