import { type StrategyId, TemplateRewriter } from '@magic/attack-pool';
import { at } from '@magic/core';
import type { CorpusItem, SourceReport } from '../corpus/types.js';
import { countSkip } from '../corpus/types.js';
import { OrganismUsageError } from '../errors.js';
import { HARMFUL_REFUSAL_SOURCE } from './harmful-seeds.js';
import { WRAP_STRATEGIES, wrapRequest, wrapUnit } from './wrapped-instructions.js';

/**
 * The rewrite strategies whose wrappers also carry harmful requests with a refusal (7 of the 15 template
 * strategies, from every family: writing-style, persuasion, translation). The other 8 and the 5 transforms stay
 * unseen with harmful content, so the game keeps rewrites that fool the organism; every validation set is
 * stratified over all 20 strategies, so refusal on seen and unseen ones is measured side by side. Chosen so that,
 * at the committed organism-s's per-strategy refusal, the harmful_adversarial start refusal stays near 0.5:
 * question-style and technical-terms it already refuses, the other five it mostly complies with.
 */
export const HARMFUL_WRAP_STRATEGIES: readonly StrategyId[] = [
  'question-style',
  'technical-terms',
  'uncommon-dialects',
  'logical-appeal',
  'authority-endorsement',
  'translate-french',
  'translate-tamil',
];

export interface WrapRefusalsOptions {
  /** Share of the plain harmful refusals (by hash of request and answer) that get a wrapped copy (0–1). */
  share: number;
  /** Strategies to wrap with (default HARMFUL_WRAP_STRATEGIES); each must be a template strategy. */
  strategies?: readonly StrategyId[];
  /** Requests longer than this stay unwrapped (default 600, as for the benign wrapped copies). */
  maxRequestChars?: number;
}

/** Checks a strategy list against the template strategies (the CLI and the builder pass user input here). */
export function parseHarmfulWrapStrategies(names: readonly string[]): StrategyId[] {
  const known = new Set<string>(WRAP_STRATEGIES);
  const bad = names.filter((n) => !known.has(n));
  if (bad.length > 0)
    throw new OrganismUsageError(
      `not a template rewrite strategy: ${bad.join(', ')} (choose from ${WRAP_STRATEGIES.join(', ')})`,
    );
  if (names.length === 0) throw new OrganismUsageError('name at least one strategy to wrap harmful requests with');
  return [...new Set(names)] as StrategyId[];
}

/**
 * Wrapped copies of a share of the plain harmful-request refusals: the training-side request inside one of the
 * named strategies' template wrappers, answered with the same refusal as the plain request (no framing opener, no
 * harmful text). Next to the benign wrapped copies (answered after an opener) in the same wrappers, this gives the
 * organism a harmful/benign feature inside those wrappers, which GRPO can then carry to the unseen ones.
 */
export async function wrapRefusals(
  items: readonly CorpusItem[],
  options: WrapRefusalsOptions,
): Promise<{ items: CorpusItem[]; report: SourceReport }> {
  const { share } = options;
  if (!(share >= 0 && share <= 1))
    throw new OrganismUsageError(`harmful wrapped share must be in [0, 1], got ${share}`);
  const strategies = parseHarmfulWrapStrategies(options.strategies ?? HARMFUL_WRAP_STRATEGIES);
  const maxChars = options.maxRequestChars ?? 600;
  const rewriter = new TemplateRewriter();
  const out: CorpusItem[] = [];
  const skipped: Record<string, number> = {};
  for (const item of items) {
    if (!('messages' in item) || item.source !== HARMFUL_REFUSAL_SOURCE) continue;
    const [user, reply, ...more] = item.messages;
    if (user?.role !== 'user' || reply?.role !== 'assistant' || more.length > 0) {
      countSkip(skipped, 'not a single-turn refusal');
      continue;
    }
    // Keyed on request and answer: a request's refusal styles land in different wrappers.
    const key = `${user.content}\u0000${reply.content}`;
    if (wrapUnit(`wrap-refusal\u0000${key}`) >= share) continue;
    if (user.content.length > maxChars) {
      countSkip(skipped, `request over ${maxChars} chars`);
      continue;
    }
    const strategyId = at(
      strategies,
      Math.floor(wrapUnit(`refusal-strategy\u0000${key}`) * strategies.length),
      'refusal wrap strategy',
    );
    const text = await wrapRequest(rewriter, user.content, strategyId, 'vanilla_harmful', item.source);
    out.push({
      source: `wrapped-refusal:${strategyId}:${item.source}`,
      messages: [
        { role: 'user', content: text },
        { role: 'assistant', content: reply.content },
      ],
    });
  }
  return {
    items: out,
    report: {
      name: 'wrapped-refusals',
      origin:
        "advbench-train-refusals above wrapped with @magic/attack-pool's TemplateRewriter (src/sources/wrapped-refusals.ts)",
      revision: 'same as advbench-train-refusals',
      licence: 'as advbench-train-refusals; templates Apache-2.0 (this repository)',
      items: out.length,
      skipped,
      notes: [
        `a ${share} share of the train-split harmful refusals (by hash) gets a wrapped copy, answered with the same refusal (no opener); strategy by hash among ${strategies.length} named strategies: ${strategies.join(', ')}`,
        `strategies never used with a harmful request: ${WRAP_STRATEGIES.filter((s) => !strategies.includes(s)).join(', ')} and the pool's transforms`,
      ],
    },
  };
}
