import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at, defined } from '@magic/core';
import type { GrpoBatch } from '@magic/grpo';
import { describe, expect, it } from 'vitest';
import { attackText, FakeGuard, TEST_PROMPTS, TEST_SEEDS } from './__fixtures__/game.js';
import { qwenTestTokenizer } from './__fixtures__/qwen-tokenizer.js';
import {
  ReplayBufferRecordSchema,
  replayBufferPath,
  toReplayBufferRecords,
  writeReplayBuffer,
} from './replay-buffer.js';
import { rewardInputOf } from './reward-input.js';
import { runRollout } from './rollout.js';
import { ScriptedGenerator } from './scripted-generator.js';
import { toTrainingBatch } from './training-batch.js';

const tokenizer = qwenTestTokenizer();

async function episodes3() {
  let k = 0;
  return runRollout({
    seeds: TEST_SEEDS,
    n: 2,
    attacker: new ScriptedGenerator({
      tokenizer,
      script: (r) => attackText(r.messages.filter((m) => m.role === 'assistant').length),
    }),
    defender: new ScriptedGenerator({ tokenizer, script: () => (k++ === 5 ? 'Sure [flagged]' : `Reply ${k}`) }),
    guard: new FakeGuard(),
    trainingRole: 'defender',
    attackerPrompts: TEST_PROMPTS,
    config: { maxNumTurns: 3 },
  });
}

describe('toTrainingBatch', () => {
  it('right-pads rows; masks, turn ids and old log-probs stay aligned with the ids', async () => {
    const episodes = await episodes3();
    const batch = toTrainingBatch(episodes, 'defender', { rewards: [1, -1, 0.5, 0], padTokenId: tokenizer.padTokenId });
    const asGrpo: GrpoBatch = batch; // structurally a @magic/grpo GrpoBatch
    expect(asGrpo.uids).toHaveLength(4);
    const width = Math.max(...episodes.map((e) => defined(e.defender.sequence, 'e.defender.sequence').inputIds.length));
    expect(batch.inputIds.every((r) => r.length === width)).toBe(true);
    expect(batch.uids).toEqual(['seed-a', 'seed-a', 'seed-b', 'seed-b']);
    expect(batch.rewards).toEqual([1, -1, 0.5, 0]);
    episodes.forEach((e, b) => {
      const seq = defined(e.defender.sequence, 'e.defender.sequence');
      const len = seq.inputIds.length;
      expect(at(batch.inputIds, b, 'batch.inputIds').slice(0, len)).toEqual(seq.inputIds);
      expect(
        at(batch.inputIds, b, 'batch.inputIds')
          .slice(len)
          .every((t) => t === tokenizer.padTokenId),
      ).toBe(true);
      expect(at(batch.attentionMask, b, 'batch.attentionMask').reduce((a, x) => a + x, 0)).toBe(len);
      expect(at(batch.responseMask, b, 'batch.responseMask').slice(0, len)).toEqual(seq.labelMask);
      expect(
        at(batch.turnIds, b, 'batch.turnIds')
          .slice(len)
          .every((t) => t === -100),
      ).toBe(true);
      expect(
        at(defined(batch.oldLogProbs, 'batch.oldLogProbs'), b, 'batch.oldLogProbs').filter(
          (_, i) => at(batch.responseMask, b, 'batch.responseMask')[i] === 1,
        ),
      ).toEqual(e.defender.turns.flatMap((t) => defined(t.logprobs, 't.logprobs')));
    });
    // the episode stopped at turn 1 has labels for turns 0 and 1 only
    const stopped = episodes.findIndex((e) => e.finishCode === 4);
    expect(stopped).toBeGreaterThanOrEqual(0);
    expect(new Set(batch.turnIds[stopped])).toEqual(new Set([-100, 0, 1]));
    const padded = toTrainingBatch(episodes, 'attacker', { rewards: [0, 0, 0, 0], padTokenId: 0, padTo: width + 500 });
    expect(padded.inputIds[0]).toHaveLength(width + 500);
    expect(() => toTrainingBatch(episodes, 'attacker', { rewards: [0], padTokenId: 0 })).toThrow(RangeError);
  });
});

describe('replay buffer', () => {
  it('writes one JSON line per uid with the spec fields', async () => {
    const episodes = await episodes3();
    const rewards = episodes.map((_e, i) => ({
      score: i,
      roleScores: { attacker: -i, defender: i },
      components: { safety: i, format: 0 },
    }));
    const records = toReplayBufferRecords(episodes, rewards);
    expect(records).toHaveLength(2);
    const dir = await mkdtemp(join(tmpdir(), 'rollout-rb-'));
    try {
      const path = replayBufferPath(dir, 7);
      expect(path.endsWith(join('replay_buffer', 'train_step_7.jsonl'))).toBe(true);
      await writeReplayBuffer(path, records);
      const lines = (await readFile(path, 'utf8')).trim().split('\n');
      expect(lines).toHaveLength(2);
      const rec = ReplayBufferRecordSchema.parse(JSON.parse(at(lines, 1, 'lines')));
      expect(Object.keys(rec).sort()).toEqual(
        [
          'avg_score',
          'data_type',
          'finish_reason',
          'groundtruth',
          'history',
          'latest_role_outputs',
          'question',
          'response',
          'reward_components',
          'role_scores',
          'score',
          'status',
          'uid',
        ].sort(),
      );
      expect(rec.uid).toBe('seed-b');
      expect(rec.score).toEqual([2, 3]);
      expect(rec.avg_score).toBe(2.5);
      expect(rec.history).toHaveLength(2);
      expect(rec.finish_reason).toEqual([
        at(episodes, 2, 'episodes').finishReason,
        at(episodes, 3, 'episodes').finishReason,
      ]);
      expect(at(rec.latest_role_outputs, 0, 'rec.latest_role_outputs').defender).toBe(
        at(episodes, 2, 'episodes').lastDefenderResponse,
      );
      expect(rec.status).toEqual(['ok', 'ok']);
      expect(at(toReplayBufferRecords(episodes), 0, 'toReplayBufferRecords(episodes)').avg_score).toBeNull();
      // the guard's verdicts ride along when the game passes them (one per copy, null where none)
      const judged = toReplayBufferRecords(
        episodes,
        rewards.map((r, i) => (i === 3 ? r : { ...r, verdicts: { q: 'unsafe', qa: 'safe', qaRefusal: 'yes' } })),
      );
      await writeReplayBuffer(path, judged);
      const withVerdicts = ReplayBufferRecordSchema.parse(
        JSON.parse(at((await readFile(path, 'utf8')).split('\n'), 1, 'replay buffer lines')),
      );
      expect(withVerdicts.guard_verdicts).toEqual([{ q: 'unsafe', qa: 'safe', qaRefusal: 'yes' }, null]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('an unscored (judge-failed) episode keeps its status and gets no made-up score', async () => {
    const episodes = await episodes3();
    const rewards = episodes.map((_e, i) =>
      i === 1
        ? { status: 'judge_failed' as const }
        : { score: i, roleScores: { attacker: -i, defender: i }, components: { safety: i }, status: 'ok' as const },
    );
    const [a] = toReplayBufferRecords(episodes, rewards);
    const rec = ReplayBufferRecordSchema.parse(JSON.parse(JSON.stringify(a)));
    expect(rec.status).toEqual(['ok', 'judge_failed']);
    expect(rec.score).toEqual([0, null]);
    expect(rec.role_scores[1]).toBeNull();
    expect(rec.reward_components[1]).toBeNull();
    expect(rec.avg_score).toBe(0);
  });
});

describe('rewardInputOf', () => {
  it('gives the last exchange and reuses the guard verdicts of that exchange', async () => {
    const episodes = await episodes3();
    const stopped = defined(
      episodes.find((e) => e.finishCode === 4),
      'episodes.find((e) => e.finishCode === 4)',
    );
    const input = rewardInputOf(stopped);
    expect(input.defenderText).toBe('Sure [flagged]');
    expect(input.attackerText).toBe(attackText(1));
    expect(input.finishCode).toBe(4);
    expect(input.qaVerdict?.safety).toBe('unsafe');
    expect(input.dataType).toBe(stopped.seed.dataType);
    const full = rewardInputOf(
      defined(
        episodes.find((e) => e.finishCode === 1),
        'episodes.find((e) => e.finishCode === 1)',
      ),
    );
    expect(full.attackerText).toBe(attackText(2));
    expect(full.qaVerdict?.safety).toBe('safe');
  });
});
