import type { ThinkWriter } from './cot.js';
import { formatAttackerOutput } from './format-check.js';
import { sha256Hex } from './hash.js';
import type { Rewriter } from './rewriter/rewriter.js';
import { type AttackRecord, attackRecordSchema, type Provenance, type SeedRecord } from './schemas.js';
import { getStrategy, type StrategyId } from './strategies.js';
import { applyTransformStrategy, isTransformStrategy } from './transform-strategy.js';

export const BUILT_WITH = '@magic/attack-pool@0.1.0';

/** Deterministic record id from seed id and strategy: the key used for resuming builds. */
export function attackRecordId(seedId: string, strategy: StrategyId): string {
  return `ap-${sha256Hex(`${seedId}\u0000${strategy}`).slice(0, 20)}`;
}

export interface MakeRecordOptions {
  rewriter: Rewriter;
  thinkWriter: ThinkWriter;
  misspellRate?: number;
  signal?: AbortSignal;
}

/** Builds one validated attack record: transform or rewrite, then the rationale. */
export async function makeAttackRecord(
  seed: SeedRecord,
  strategyId: StrategyId,
  options: MakeRecordOptions,
): Promise<AttackRecord> {
  const strategy = getStrategy(strategyId);
  const call = options.signal ? { signal: options.signal } : {};
  let adversarial: string;
  let generator: AttackRecord['generator'];
  let extra: Partial<Provenance> = {};
  if (isTransformStrategy(strategyId)) {
    const out = applyTransformStrategy(strategyId, seed, { misspellRate: options.misspellRate ?? 0.5 });
    adversarial = out.adversarial;
    generator = 'transform';
    extra = { transform: out.transform, encoded: out.encoded };
  } else {
    const out = await options.rewriter.rewrite({ seed, strategy }, call);
    adversarial = out.text;
    generator = out.generator;
    if (out.model) extra.model = out.model;
  }
  const think = await options.thinkWriter.write({ seed, strategy, adversarial }, call);
  return attackRecordSchema.parse({
    id: attackRecordId(seed.id, strategyId),
    seedId: seed.id,
    strategy: strategyId,
    family: strategy.family,
    vanilla: seed.text,
    adversarial,
    think: think.think,
    dataType: seed.dataType,
    category: seed.category,
    generator,
    provenance: {
      seedSource: seed.source,
      seedId: seed.id,
      rewriter: options.rewriter.kind,
      thinkGenerator: think.generator,
      ...(think.model ? { thinkModel: think.model } : {}),
      ...extra,
      builtWith: BUILT_WITH,
    },
  });
}

/** The attacker target text of a record, always in the checked `<think>…</think><answer>…</answer>` shape. */
export function recordOutput(record: AttackRecord): string {
  return formatAttackerOutput(record.think, record.adversarial);
}
