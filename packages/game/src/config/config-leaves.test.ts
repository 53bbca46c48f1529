import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { GameConfigSchema } from './schema.js';

const RULE_API = 'the rubric score is s in R_harm = r_harm·(2s − 1), min-max mapped by SAFETY_RULE_SCORE_MIN/MAX';

/**
 * Every leaf of the trainer config maps to a test that changes it and asserts a changed observable output (a loss,
 * a metric, a request body or a file): `'path' → 'file (from the repo root) > test title'`. To add a field: write
 * that test, then add one row here (the failure message prints the rows to fill in).
 */
const CONFIG_LEAF_TESTS: Readonly<Record<string, string>> = {
  // data
  'data.trainFiles': 'packages/game/src/magic/game-wiring.test.ts > data.trainFiles changes the seeds',
  'data.valFiles': 'packages/game/src/magic/game-wiring.test.ts > data.valFiles changes the seeds',
  'data.trainBatchSize':
    'packages/game/src/trainer/trainer-options.test.ts > data.trainBatchSize changes the metrics file',
  'validation.mode':
    'packages/game/src/magic/validation-sets.test.ts > validation.mode=paper resolves to the paper set plus held-out harmful seeds for the attacker side',
  'validation.setSize':
    'packages/game/src/magic/validation-sets.test.ts > validation.mode=paper resolves to the paper set plus held-out harmful seeds for the attacker side',
  'validation.attackerSide':
    'packages/game/src/magic/validation-sets.test.ts > validation.mode=paper resolves to the paper set plus held-out harmful seeds for the attacker side',
  'validation.paperFile':
    'packages/game/src/magic/validation-sets.test.ts > validation.mode=paper resolves to the paper set plus held-out harmful seeds for the attacker side',
  'validation.maxPromptLength':
    'packages/game/src/magic/validation.test.ts > cuts a prompt that would not fit rollout.maxPromptLength',
  'data.shuffle': 'packages/game/src/trainer/trainer-options.test.ts > data.shuffle changes the metrics file',
  'data.benignShare': 'packages/game/src/magic/game-wiring.test.ts > data.benignShare changes the seeds',
  'validation.attackerBlockEdges':
    'packages/game/src/trainer/co-evolution-trainer.test.ts > validation.attackerBlockEdges validates the attacker side before and after each attacker block',
  // model
  'model.attacker.path': 'packages/game/src/magic/game-wiring.test.ts > model.attacker.path loads that folder',
  'model.attacker.preset': 'packages/game/src/magic/game-wiring.test.ts > model.attacker.preset picks the preset built',
  'model.defender.path': 'packages/game/src/magic/game-wiring.test.ts > model.defender.path loads that folder',
  'model.defender.preset': 'packages/game/src/magic/game-wiring.test.ts > model.defender.preset picks the preset built',
  // rollout
  'rollout.n': 'packages/game/src/magic/rollout-options.test.ts > rollout.n changes the episodes',
  'rollout.maxNumTurns': 'packages/game/src/magic/rollout-options.test.ts > rollout.maxNumTurns changes the episodes',
  'rollout.maxPromptLength':
    'packages/game/src/magic/rollout-options.test.ts > rollout.maxPromptLength changes the episodes',
  'rollout.maxResponseLength':
    'packages/game/src/magic/rollout-options.test.ts > rollout.maxResponseLength changes the episodes',
  'rollout.stopWhenTruncated':
    'packages/game/src/magic/rollout-options.test.ts > rollout.stopWhenTruncated changes the episodes',
  'rollout.temperature': 'packages/game/src/magic/rollout-options.test.ts > rollout.temperature changes the episodes',
  'rollout.topP': 'packages/game/src/magic/rollout-options.test.ts > rollout.topP changes the episodes',
  'rollout.topK': 'packages/game/src/magic/rollout-options.test.ts > rollout.topK changes the episodes',
  'rollout.guardCheck': 'packages/game/src/magic/rollout-options.test.ts > rollout.guardCheck changes the episodes',
  'rollout.defenderFirstMessage':
    'packages/game/src/magic/rollout-options.test.ts > rollout.defenderFirstMessage changes the episodes',
  'rollout.attackerDecoding':
    'packages/game/src/magic/rollout-options.test.ts > rollout.attackerDecoding changes the episodes',
  'rollout.defenderDecoding':
    'packages/game/src/magic/rollout-options.test.ts > rollout.defenderDecoding changes the episodes',
  'rollout.useAdversarialPromptForDefender':
    'packages/game/src/magic/rollout-options.test.ts > rollout.useAdversarialPromptForDefender changes the episodes',
  'rollout.skipAttackerGenerationForDefender':
    'packages/game/src/magic/rollout-options.test.ts > rollout.skipAttackerGenerationForDefender changes the episodes',
  'rollout.fallbackToAdversarialOnHarmfulRewrite':
    'packages/game/src/magic/rollout-options.test.ts > rollout.fallbackToAdversarialOnHarmfulRewrite changes the episodes',
  'rollout.valMaxResponseLength':
    'packages/game/src/magic/rollout-options.test.ts > rollout.valMaxResponseLength changes the validation requests',
  // reward
  'reward.rewardHarm': 'packages/game/src/magic/reward-options.test.ts > reward.rewardHarm changes the reward',
  'reward.rewardRefusal': 'packages/game/src/magic/reward-options.test.ts > reward.rewardRefusal changes the reward',
  'reward.rewardLabel': 'packages/game/src/magic/reward-options.test.ts > reward.rewardLabel changes the reward',
  'reward.formatRewardValue':
    'packages/game/src/magic/reward-options.test.ts > reward.formatRewardValue changes the reward',
  'reward.refusalSource': 'packages/game/src/magic/reward-options.test.ts > reward.refusalSource changes the reward',
  'reward.useQSafeLabelForRefusal':
    'packages/game/src/magic/reward-options.test.ts > reward.useQSafeLabelForRefusal changes the reward',
  'reward.useAnswerTags':
    'packages/game/src/magic/reward-options.test.ts > reward.useAnswerTags changes the response the guard judges',
  'reward.onJudgeFailure':
    'packages/game/src/magic/judge-failure.test.ts > zero: failed items count as safe with no refusal',
  'reward.maxConsecutiveFailedSteps':
    'test/e2e-judge-failure.test.ts > a judge that stays down stops the run after reward.maxConsecutiveFailedSteps steps, naming the endpoint',
  'reward.safetyScoreMode': `test/e2e-rule-api.test.ts > ${RULE_API}`,
  'reward.ruleJudge.endpoint': `test/e2e-rule-api.test.ts > ${RULE_API}`,
  'reward.ruleJudge.model': `test/e2e-rule-api.test.ts > ${RULE_API}`,
  'reward.ruleJudge.apiKey':
    'packages/game/src/magic/rule-judge.test.ts > reward.ruleJudge.apiKey is sent as the bearer token',
  'reward.ruleJudge.temperature':
    'packages/game/src/magic/rule-judge.test.ts > reward.ruleJudge.temperature changes the request body',
  'reward.ruleJudge.maxTokens':
    'packages/game/src/magic/rule-judge.test.ts > reward.ruleJudge.maxTokens changes the request body',
  'reward.ruleJudge.timeoutMs':
    'packages/game/src/magic/rule-judge.test.ts > reward.ruleJudge.timeoutMs turns a slow judge into a failed call',
  'reward.ruleJudge.maxRetries':
    'packages/game/src/magic/rule-judge.test.ts > reward.ruleJudge.maxRetries changes how often a failing judge is called',
  'reward.ruleJudge.scoreMin': `test/e2e-rule-api.test.ts > ${RULE_API}`,
  'reward.ruleJudge.scoreMax': `test/e2e-rule-api.test.ts > ${RULE_API}`,
  'reward.formatRewardRoles':
    'packages/game/src/magic/reward-options.test.ts > reward.formatRewardRoles changes the reward',
  'reward.maskUnfinishedReward':
    'packages/game/src/magic/reward-options.test.ts > reward.maskUnfinishedReward changes the reward',
  'reward.guard.kind':
    'packages/game/src/magic/guard.test.ts > reward.guard.kind picks the in-process guard, a loopback guard server, or the remote endpoint',
  'reward.guard.endpoint': 'packages/game/src/magic/guard.test.ts > reward.guard.endpoint is where the requests go',
  'reward.guard.model': 'packages/game/src/magic/guard.test.ts > reward.guard.model changes the request body',
  'reward.guard.apiKey': 'packages/game/src/magic/guard.test.ts > reward.guard.apiKey is sent as the bearer token',
  'reward.guard.timeoutMs':
    'packages/game/src/magic/guard.test.ts > reward.guard.timeoutMs turns a slow guard into a failed call',
  'reward.guard.maxRetries':
    'packages/game/src/magic/guard.test.ts > reward.guard.maxRetries changes how often a failing guard is called',
  // grpo: @magic/grpo's options, one test each
  ...Object.fromEntries(
    [
      'advEstimator',
      'epsilon',
      'normAdvByStd',
      'scaleRewards',
      'maskZeroStdGroups',
      'lr',
      'lrScheduler',
      'lrWarmupSteps',
      'totalTrainingSteps',
      'minLrRatio',
      'numCycles',
      'weightDecay',
      'betas',
      'adamEpsilon',
      'gradClip',
      'clipRatioLow',
      'clipRatioHigh',
      'clipRatioC',
      'logRatioClip',
      'clipMode',
      'lossAggMode',
      'ppoEpochs',
      'ppoMiniBatchSize',
      'ppoMicroBatchSize',
      'useKlLoss',
      'klLossCoef',
      'klLossType',
      'entropyCoeff',
    ].map((k) => [`grpo.${k}`, `packages/game/src/config/grpo-options.test.ts > grpo.${k} changes the update`]),
  ),
  'grpo.gradientCheckpointing':
    'packages/game/src/config/grpo-options.test.ts > grpo.gradientCheckpointing lowers the peak memory of an update',
  // switchAgent
  ...Object.fromEntries(
    [
      'enable',
      'mode',
      'freq',
      'trainRoles',
      'startAgent',
      'updateRatio.attacker',
      'updateRatio.defender',
      'firstBlock',
      'metricName',
      'metricLow',
      'metricHigh',
      'metricWindow',
      'metricSwitchMap.attacker.above',
      'metricSwitchMap.attacker.below',
      'metricSwitchMap.defender.above',
      'metricSwitchMap.defender.below',
    ].map((k) => [
      `switchAgent.${k}`,
      `packages/game/src/switch/switch-options.test.ts > switchAgent.${k} changes the schedule`,
    ]),
  ),
  'switchAgent.agentRoles':
    'packages/game/src/switch/switch-options.test.ts > switchAgent.agentRoles bounds trainRoles (the only effect: both agents always play)',
  // trainer
  'trainer.totalSteps':
    'packages/game/src/trainer/trainer-options.test.ts > trainer.totalSteps changes the metrics file',
  'trainer.testFreq': 'packages/game/src/trainer/trainer-options.test.ts > trainer.testFreq changes the metrics file',
  'trainer.saveFreq':
    'packages/game/src/trainer/trainer-options.test.ts > trainer.saveFreq changes the checkpoints written',
  'trainer.valBeforeTrain':
    'packages/game/src/trainer/trainer-options.test.ts > trainer.valBeforeTrain changes the metrics file',
  'trainer.seed': 'packages/game/src/trainer/trainer-options.test.ts > trainer.seed changes the metrics file',
  'trainer.device': 'packages/game/src/trainer/trainer-options.test.ts > trainer.device picks the backend',
  'trainer.runDir': 'packages/game/src/trainer/trainer-options.test.ts > trainer.runDir is where the run writes',
  'trainer.maxCheckpoints':
    'packages/game/src/trainer/trainer-options.test.ts > trainer.maxCheckpoints changes the checkpoints kept',
  // phase1: the same SFT options for the attacker and the optional defender warm start
  ...Object.fromEntries(
    ['sft', 'defenderSft'].flatMap((section) =>
      [
        'enable',
        'dataFile',
        'epochs',
        'lr',
        'batchSize',
        'microBatchSize',
        'maxLength',
        'warmupRatio',
        'lrScheduler',
        'warmup',
        'decayEnd',
        'weightDecay',
        'adamEpsilon',
        'adamFormula',
        'maxExamples',
      ].map((k) => [
        `phase1.${section}.${k}`,
        `packages/game/src/magic/sft-options.test.ts > phase1.${section}.${k} changes the SFT run`,
      ]),
    ),
  ),
};

/** Leaves that accept one value only: nothing to change, so nothing to observe (checked below). */
const SINGLE_VALUED_LEAVES: Readonly<Record<string, string>> = {
  'switchAgent.level': "only 'step' (verl's switch level) is implemented",
};

type AnySchema = z.core.$ZodType;

/** Unwraps defaults, optionals and pipes down to the schema that holds the value. */
function unwrap(schema: AnySchema): AnySchema {
  let s = schema;
  for (;;) {
    const def = s._zod.def as { type: string; innerType?: AnySchema; in?: AnySchema };
    if (def.innerType !== undefined) s = def.innerType;
    else if (def.type === 'pipe' && def.in !== undefined) s = def.in;
    else return s;
  }
}

/** Dotted paths of every leaf (a non-object value) of a zod object schema. */
function configLeafPaths(schema: AnySchema, prefix = ''): string[] {
  const s = unwrap(schema);
  const def = s._zod.def as { type: string; shape?: Record<string, AnySchema> };
  if (def.type !== 'object' || def.shape === undefined) return [prefix];
  return Object.entries(def.shape).flatMap(([k, v]) => configLeafPaths(v, prefix === '' ? k : `${prefix}.${k}`));
}

function leafSchema(path: string): AnySchema {
  let s: AnySchema = GameConfigSchema;
  for (const part of path.split('.'))
    s = defined(
      (unwrap(s)._zod.def as unknown as { shape: Record<string, AnySchema> }).shape[part],
      `schema of '${part}' in '${path}'`,
    );
  return unwrap(s);
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Why `row` does not name a live test, or undefined when it does (`it`/`test` only: a skipped test does not count). */
function staleReason(row: string): string | undefined {
  const sep = row.indexOf(' > ');
  if (sep < 0) return `'${row}' is not 'file > test title'`;
  const file = row.slice(0, sep);
  const title = row.slice(sep + 3);
  const abs = join(ROOT, file);
  if (!existsSync(abs)) return `${file} does not exist`;
  const text = readFileSync(abs, 'utf8');
  const call = new RegExp(`\\b(?:it|test)\\(\\s*(['"\`])${escapeRegExp(title)}\\1`);
  return call.test(text) ? undefined : `${file} has no it('${title}')`;
}

describe('config leaf meta-test', () => {
  const leaves = configLeafPaths(GameConfigSchema);

  it('walks the schema', () => {
    expect(leaves).toContain('grpo.klLossType');
    expect(leaves).toContain('switchAgent.metricSwitchMap.defender.above');
    expect(leaves.length).toBeGreaterThan(100);
  });

  it('every leaf of the trainer config maps to a test of its observable effect', () => {
    const unmapped = leaves.filter((p) => CONFIG_LEAF_TESTS[p] === undefined && SINGLE_VALUED_LEAVES[p] === undefined);
    const rows = unmapped.map((p) => `  '${p}': 'path/to/file.test.ts > <test that changes ${p}>',`).join('\n');
    expect(
      unmapped,
      `${unmapped.length} config leaves have no test of their effect; write one and add to CONFIG_LEAF_TESTS:\n${rows}`,
    ).toEqual([]);
  });

  it('every row names a test that exists (a stale or skipped test fails) and a leaf that exists', () => {
    const known = new Set(leaves);
    const problems = [
      ...Object.keys(CONFIG_LEAF_TESTS)
        .filter((p) => !known.has(p))
        .map((p) => `${p}: no such config leaf (remove the row)`),
      ...Object.entries(CONFIG_LEAF_TESTS).flatMap(([p, row]) => {
        const why = staleReason(row);
        return why === undefined ? [] : [`${p}: ${why}`];
      }),
    ];
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('single-valued leaves really accept one value only', () => {
    for (const path of Object.keys(SINGLE_VALUED_LEAVES)) {
      const def = leafSchema(path)._zod.def as { type: string; entries?: Record<string, string> };
      expect(def.type, path).toBe('enum');
      expect(Object.keys(def.entries ?? {}).length, path).toBe(1);
    }
  });
});
