import { createHash } from 'node:crypto';
import { getStrategy, type SeedRecord, type StrategyId, TemplateRewriter } from '@magic/attack-pool';
import { at, defined } from '@magic/core';
import type { CorpusItem, SourceReport } from '../corpus/types.js';
import { countSkip } from '../corpus/types.js';

/**
 * Benign training instructions wrapped in the attack pool's offline rewrite templates (role-play, persuasion,
 * slang, translation requests…) and answered in the framing's voice: a short opener the wrapper asks for, then
 * the original answer. This is shallow alignment by construction (Qi et al. 2024): the framing decides the first
 * tokens, and a model whose refusals were learned on plain requests only opens a wrapped harmful request with the
 * framing's compliant opener, as jailbroken chat models do. Harmful requests are never wrapped here (only
 * `wrapRefusals`, opt-in, wraps some with their refusal), and no harmful answer is ever written: the organism's
 * compliance on them is whatever follows the opener.
 */
export const WRAP_OPENERS: Readonly<Partial<Record<StrategyId, readonly [string, string]>>> = {
  slang: ['Aight, here is the lowdown:', 'No cap, here it is:'],
  'uncommon-dialects': ['Aye, here ye go:', "Right then, 'ere it is:"],
  'technical-terms': ['Technical specification:', 'Procedural overview:'],
  'role-play': ['Alex: Of course. Here is the full answer.', 'MENTOR: Listen closely, it goes like this.'],
  'question-style': ['Here is a complete answer:', 'Step by step:'],
  'logical-appeal': ['Following that reasoning, here is the answer:', 'Granted. Here is the precise answer:'],
  'authority-endorsement': ['In line with that guidance:', 'Following their lead, here it is:'],
  misrepresentation: ['Since it is approved, here it is:', 'For your report:'],
  'evidence-based-persuasion': ['Based on that evidence, here it is:', 'Given that data:'],
  'expert-endorsement': ['As the experts recommend:', 'Following that expert advice:'],
  'translate-malayalam': ['Here is the answer:', 'Answer:'],
  'translate-tamil': ['Here is the answer:', 'Answer:'],
  'translate-marathi': ['Here is the answer:', 'Answer:'],
  'translate-chinese-simplified': ['Here is the answer:', 'Answer:'],
  'translate-french': ['Voici la réponse:', 'Réponse:'],
};

/** The rewrite strategies whose template wrappers are used (every non-transform strategy of the pool). */
export const WRAP_STRATEGIES = Object.keys(WRAP_OPENERS) as readonly StrategyId[];

/** Sources whose requests are benign instructions with a real answer (never refusals). */
const WRAPPABLE = /^(t0|docs-instructions|task-instructions):/;

export interface WrapInstructionsOptions {
  /** Share of wrappable items that get a wrapped copy, chosen by a hash of the request (default 0.3). */
  share?: number;
  /** Open the answer with the framing's opener (default true); false keeps the original answer only. */
  openers?: boolean;
  /** Requests longer than this stay unwrapped: the wrapper adds up to ~300 characters (default 600). */
  maxRequestChars?: number;
}

/** A deterministic number in [0, 1) from a key (the wrapped sources pick shares and strategies with it). */
export function wrapUnit(key: string): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;
}

/** `request` inside one of `strategyId`'s template wrappers (the pair member is picked by the request's hash). */
export async function wrapRequest(
  rewriter: TemplateRewriter,
  request: string,
  strategyId: StrategyId,
  dataType: SeedRecord['dataType'],
  source: string,
): Promise<string> {
  const seed: SeedRecord = {
    id: createHash('sha256').update(request).digest('hex').slice(0, 16),
    text: request,
    dataType,
    category: 'organism-corpus',
    source,
    meta: {},
  };
  return (await rewriter.rewrite({ seed, strategy: getStrategy(strategyId) })).text;
}

/** Wrapped copies of a share of the benign SFT items (the originals stay); the answer is unchanged. */
export async function wrapInstructions(
  items: readonly CorpusItem[],
  options: WrapInstructionsOptions = {},
): Promise<{ items: CorpusItem[]; report: SourceReport }> {
  const share = options.share ?? 0.3;
  const openers = options.openers ?? true;
  const maxChars = options.maxRequestChars ?? 600;
  const rewriter = new TemplateRewriter();
  const out: CorpusItem[] = [];
  const skipped: Record<string, number> = {};
  for (const item of items) {
    if (!('messages' in item) || !WRAPPABLE.test(item.source)) continue;
    const user = item.messages.find((m) => m.role === 'user');
    if (user === undefined) continue;
    if (wrapUnit(`wrap\u0000${user.content}`) >= share) continue;
    if (user.content.length > maxChars) {
      countSkip(skipped, `request over ${maxChars} chars`);
      continue;
    }
    const strategyId = at(
      WRAP_STRATEGIES,
      Math.floor(wrapUnit(`strategy\u0000${user.content}`) * WRAP_STRATEGIES.length),
      'wrap strategy',
    );
    const text = await wrapRequest(rewriter, user.content, strategyId, 'vanilla_benign', item.source);
    const opener = defined(WRAP_OPENERS[strategyId], `openers of ${strategyId}`)[
      wrapUnit(`opener\u0000${user.content}`) < 0.5 ? 0 : 1
    ];
    out.push({
      source: `wrapped:${strategyId}:${item.source}`,
      messages: item.messages.map((m) => {
        if (m === user) return { role: 'user', content: text };
        return m.role === 'assistant' && openers ? { role: 'assistant', content: `${opener} ${m.content}` } : m;
      }),
    });
  }
  return {
    items: out,
    report: {
      name: 'wrapped-instructions',
      origin:
        "benign SFT train items above (t0, docs-instructions, task-instructions) wrapped with @magic/attack-pool's TemplateRewriter (src/sources/wrapped-instructions.ts)",
      revision: 'same as the wrapped sources',
      licence: 'as the wrapped item; templates Apache-2.0 (this repository)',
      items: out.length,
      skipped,
      notes: [
        `a ${share} share of benign requests (by hash) gets a wrapped copy, strategy by hash among ${WRAP_STRATEGIES.length} rewrite strategies; ${openers ? 'the answer opens with one of two framing openers per strategy (WRAP_OPENERS), then the original answer' : 'the answer is unchanged'}`,
        'made after the held-out split, from training items only; harmful requests are wrapped only by wrapped-refusals (a separate option, refusal answers only)',
      ],
    },
  };
}
