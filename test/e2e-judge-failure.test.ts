import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at, defined } from '@magic/core';
import { createMagicGame, type GameConfig, JudgeOutageError, StageError } from '@magic/game';
import { JudgeFailureError, renderQwen3GuardReply } from '@magic/judges';
import { startOpenAICompatibleServer, type TestReply, type TestServer } from '@magic/openai-client';
import { ReplayBufferRecordSchema, replayBufferPath } from '@magic/rollout';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../apps/trainer/src/args.js';
import { resolveConfig } from '../apps/trainer/src/config.js';
import { main } from '../apps/trainer/src/main.js';
import { buildCharts } from '../apps/trainer/src/report/charts.js';
import { writeRunReport } from '../apps/trainer/src/write-report.js';
import { readMetrics, TINY_E2E } from './e2e-helpers.js';

/**
 * A faulty Qwen3Guard endpoint on loopback. `mode` is read per request: 'down' answers HTTP 500 or garbage, 'up' a
 * valid verdict, 'mixed' cycles by request counter: HTTP 500, non-JSON, garbage text, valid, valid.
 */
type Mode = 'mixed' | 'down' | 'up';
const chat = (content: string): TestReply => ({
  json: { choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] },
});

async function faultyJudge(initial: Mode): Promise<{ server: TestServer; setMode(m: Mode): void }> {
  let mode = initial;
  const valid = (req: { json: unknown }, i: number) => {
    const messages = (req.json as { messages: { role: string }[] }).messages;
    const response = messages.at(-1)?.role === 'assistant';
    const safety = i % 2 === 0 ? 'safe' : 'unsafe';
    return chat(
      renderQwen3GuardReply(
        { safety, categories: [], refusal: i % 3 === 0 ? 'yes' : 'no' },
        response ? 'response' : 'prompt',
      ),
    );
  };
  const failing = (i: number): TestReply =>
    at(
      [{ status: 500, json: { error: { message: 'boom' } } }, { text: '<html>not json' }, chat('garbled')],
      i % 3,
      'scripted reply',
    );
  const server = await startOpenAICompatibleServer({
    handler: (req, i) => {
      if (mode === 'up') return valid(req, i);
      if (mode === 'down') return failing(i);
      return i % 5 < 3 ? failing(i) : valid(req, i);
    },
  });
  return { server, setMode: (m) => (mode = m) };
}

let judge: Awaited<ReturnType<typeof faultyJudge>> | undefined;
afterEach(async () => {
  await judge?.server.close();
  judge = undefined;
});

/** The tiny preset with the e2e overrides, no SFT, judged by the faulty endpoint. */
function tinyConfig(url: string, runDir: string, extra: string[]): GameConfig {
  return resolveConfig(
    parseCliArgs([
      '--preset',
      'tiny',
      '--run-dir',
      runDir,
      ...TINY_E2E,
      'phase1.sft.enable=false',
      'trainer.saveFreq=0',
      'reward.guard.kind=remote',
      `reward.guard.endpoint=${url}`,
      'reward.guard.maxRetries=0',
      'reward.guard.timeoutMs=5000',
      // every episode reaches the reward unmasked, so a failed judgement decides its status
      'rollout.stopWhenTruncated=false',
      'reward.maskUnfinishedReward=false',
      ...extra,
    ]),
    {},
  );
}

function causes(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let c = e; c !== undefined && c !== null; c = (c as { cause?: unknown }).cause) out.push(c);
  return out;
}

const meanKeys = ['reward/asr', 'reward/response_harm', 'reward/response_refusal', 'reward/attacker_score_mean'];

describe('a faulty judge on loopback', () => {
  it('default skip-episode: the run finishes, unjudged means are absent, groups masked, buffer statuses', async () => {
    judge = await faultyJudge('mixed');
    const runDir = mkdtempSync(join(tmpdir(), 'magic-judgefail-'));
    const config = tinyConfig(judge.server.url, runDir, ['trainer.totalSteps=4', 'trainer.testFreq=2']);
    expect(config.reward.onJudgeFailure).toBe('skip-episode');
    const game = await createMagicGame(config, { runDir });
    // step 1 mixed, step 2 the judge is down (a fully failed step), step 3 mixed, step 4 healthy
    const schedule: Record<number, Mode> = { 1: 'down', 2: 'mixed', 3: 'up' };
    const scheduled = judge;
    game.trainer.events.on('step-end', (e) => scheduled.setMode(schedule[e.step] ?? 'up'));
    try {
      const summary = await game.run();
      expect(summary.steps).toBe(4);
    } finally {
      await game.close();
    }
    const lines = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(lines.every((l) => !/\bNaN\b|null/.test(l))).toBe(true);
    const records = readMetrics(runDir);
    const steps = records.filter((r) => r['phase'] === 'phase2');
    expect(steps).toHaveLength(4);
    let skippedTotal = 0;
    let maskedTotal = 0;
    for (const r of steps) {
      const step = r['step'] as number;
      const buffer = readFileSync(replayBufferPath(runDir, step), 'utf8')
        .trim()
        .split('\n')
        .map((l) => ReplayBufferRecordSchema.parse(JSON.parse(l)));
      const statuses = buffer.flatMap((b) => b.status ?? []);
      const failed = statuses.filter((s) => s === 'judge_failed').length;
      expect(r['rollout/skipped_episodes'], `step ${step}`).toBe(failed);
      // a skipped episode has no made-up score
      for (const b of buffer) {
        defined(b.status, 'episode statuses').forEach((s, i) => {
          expect(s === 'judge_failed', `step ${step}`).toBe(b.score[i] === null);
        });
      }
      const masked = buffer.filter((b) => {
        const status = defined(b.status, 'episode statuses');
        return status.includes('judge_failed') && status.filter((s) => s !== 'judge_failed').length < 2;
      }).length;
      expect(r['rollout/masked_groups'], `step ${step}`).toBe(masked);
      skippedTotal += failed;
      maskedTotal += masked;
      const judged = r['reward/judged_episodes'] as number;
      for (const k of meanKeys) {
        if (judged === 0) expect(r, `step ${step} ${k}`).not.toHaveProperty(k);
        else expect(r[k], `step ${step} ${k}`).toBeTypeOf('number');
      }
      expect(r['reward/judge_failed_step']).toBe(judged === 0 ? 1 : 0);
    }
    // step 2 (judge down) is fully failed: every episode skipped, both groups masked, nothing trained
    expect(steps[1]).toMatchObject({
      'reward/judged_episodes': 0,
      'rollout/skipped_episodes': 4,
      'rollout/masked_groups': 2,
    });
    expect(at(steps, 1, 'step record')['train/skipped_update']).toBe(1);
    // step 4 (healthy) is fully judged
    expect(steps[3]).toMatchObject({ 'reward/judged_episodes': 4, 'rollout/skipped_episodes': 0 });
    expect(skippedTotal).toBeGreaterThan(4);
    expect(maskedTotal).toBeGreaterThanOrEqual(2);
    // validation (val0 and step 2 ran while the judge failed) counts its failures and reports no fake rate
    const val0 = defined(
      records.find((r) => r['phase'] === 'val0'),
      'val0 record',
    );
    expect(val0['val/judge_failures']).toBeGreaterThan(0);
    // step 2's validation ran with the judge down: every defender-side and attacker-side item failed
    expect(at(steps, 1, 'step record')['val/num_items']).toBeGreaterThan(0);
    expect(at(steps, 1, 'step record')['val/judge_failures']).toBe(at(steps, 1, 'step record')['val/num_items']);
    expect(at(steps, 1, 'step record')['val/attacker/judge_failures']).toBe(
      at(steps, 1, 'step record')['val/attacker/num'],
    );
    expect(steps[1]).not.toHaveProperty('val/asr');
    // the report skips absent points instead of drawing them as 0, and renders
    const asr = defined(
      buildCharts(records)
        .flatMap((c) => c.series)
        .find((s) => s.name === 'train ASR (batch)'),
      'train ASR (batch)',
    );
    expect(asr.points.map((p) => p.step)).not.toContain(2);
    writeRunReport(runDir, records, config, {});
    expect(readFileSync(join(runDir, 'report.png')).subarray(1, 4).toString()).toBe('PNG');
  });

  it('a judge that stays down stops the run after reward.maxConsecutiveFailedSteps steps, naming the endpoint', async () => {
    judge = await faultyJudge('down');
    const runDir = mkdtempSync(join(tmpdir(), 'magic-judgefail-'));
    const config = tinyConfig(judge.server.url, runDir, [
      'trainer.totalSteps=6',
      'trainer.testFreq=0',
      'reward.maxConsecutiveFailedSteps=2',
    ]);
    const game = await createMagicGame(config, { runDir });
    const e = await game.run().then(
      () => undefined,
      (err: unknown) => err,
    );
    await game.close();
    expect(StageError.isInstance(e) && e.step).toBe(2);
    const outage = causes(e).find(JudgeOutageError.isInstance);
    expect(defined(outage, 'JudgeOutageError cause').endpoint).toBe(judge.server.url);
    expect(defined(outage, 'JudgeOutageError cause').steps).toBe(2);
    expect((e as Error).message).toContain(judge.server.url);
    // step 1 is on record, unjudged and without fake means
    const steps = readMetrics(runDir).filter((r) => r['phase'] === 'phase2');
    expect(steps).toHaveLength(1);
    expect(steps[0]).not.toHaveProperty('reward/asr');
  });

  it('the default 3 failed steps through magic-train: exit 1 and the endpoint on stderr', async () => {
    judge = await faultyJudge('down');
    const runDir = mkdtempSync(join(tmpdir(), 'magic-judgefail-'));
    let err = '';
    const code = await main(
      [
        '--preset',
        'tiny',
        '--plain',
        '--run-dir',
        runDir,
        ...TINY_E2E,
        'phase1.sft.enable=false',
        'reward.guard.kind=remote',
        `reward.guard.endpoint=${judge.server.url}`,
        'reward.guard.maxRetries=0',
        'trainer.totalSteps=5',
        'trainer.testFreq=0',
        'trainer.saveFreq=0',
      ],
      { stdout: { isTTY: false, write: () => true }, stderr: { write: (s: string) => (err += s) }, env: {} },
    );
    expect(code).toBe(1);
    expect(err).toContain('GAME_JUDGE_OUTAGE');
    expect(err).toContain(judge.server.url);
    expect(readMetrics(runDir).filter((r) => r['phase'] === 'phase2')).toHaveLength(2);
  });

  it("'error' stops at once with JudgeFailureError naming the endpoint", async () => {
    judge = await faultyJudge('mixed');
    const runDir = mkdtempSync(join(tmpdir(), 'magic-judgefail-'));
    const config = tinyConfig(judge.server.url, runDir, [
      'trainer.totalSteps=3',
      'trainer.testFreq=0',
      'reward.onJudgeFailure=error',
    ]);
    const game = await createMagicGame(config, { runDir });
    const e = await game.run().then(
      () => undefined,
      (err: unknown) => err,
    );
    await game.close();
    const failure = causes(e).find(JudgeFailureError.isInstance);
    expect(defined(failure, 'JudgeFailureError cause').message).toContain(judge.server.url);
    // at once: the first step never reached the record, no replay buffer was written
    expect(StageError.isInstance(e) && e.step).toBe(1);
    expect(readMetrics(runDir).filter((r) => r['phase'] === 'phase2')).toHaveLength(0);
    expect(existsSync(replayBufferPath(runDir, 1))).toBe(false);
  });
});
