import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at, defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import type { Role } from '../config/schema.js';
import { StageError } from '../errors.js';
import type { GameAgent } from './agent.js';
import { CoEvolutionTrainer } from './co-evolution-trainer.js';
import { SeedSampler } from './data-cursor.js';
import { deriveSeed, SeededRng } from './rng.js';
import type { StageMap } from './stages.js';

/** A one-parameter "model": state is a number; checkpoints are JSON files. */
class FakeAgent implements GameAgent {
  w = 0;
  momentum = 0;
  constructor(readonly role: Role) {}
  async saveCheckpoint(dir: string): Promise<void> {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'weights.json'), JSON.stringify({ w: this.w, momentum: this.momentum }));
  }
  async loadCheckpoint(dir: string): Promise<void> {
    const s = JSON.parse(readFileSync(join(dir, 'weights.json'), 'utf8')) as { w: number; momentum: number };
    this.w = s.w;
    this.momentum = s.momentum;
  }
  async parameterFingerprint(): Promise<number> {
    return this.w;
  }
}

interface Data {
  seeds: number[];
  rewards: number[];
}

function makeTrainer(
  runDir: string,
  overrides: string[],
  opts: { resume?: boolean; failAt?: number; scopes?: string[] } = {},
) {
  const config = loadConfig({ overrides: ['data.trainBatchSize=3', 'trainer.seed=7', ...overrides] });
  const agents = { attacker: new FakeAgent('attacker'), defender: new FakeAgent('defender') };
  const stages: StageMap<Data> = {
    generate: (ctx) => {
      if (ctx.step === opts.failAt) throw new Error('simulated crash');
      ctx.generatedTokens = ctx.data.seeds.length * 10;
    },
    judge: () => {},
    reward: (ctx) => {
      const rng = new SeededRng(deriveSeed(7, ctx.step));
      ctx.data.rewards = ctx.data.seeds.map((s) => s * 0.01 + rng.next() + agents.defender.w - agents.attacker.w);
      const mean = ctx.data.rewards.reduce((a, b) => a + b, 0) / ctx.data.rewards.length;
      ctx.metrics['reward/response_harm'] = Math.tanh(mean);
    },
    oldLogProbs: () => {},
    advantages: () => {},
    update: (ctx) => {
      const a = agents[ctx.role];
      a.momentum = 0.9 * a.momentum + 0.1 * (ctx.metrics['reward/response_harm'] ?? 0);
      a.w += 0.1 * a.momentum;
    },
  };
  const trainer = new CoEvolutionTrainer<number, Data>({
    config,
    agents,
    trainSeeds: Array.from({ length: 10 }, (_, i) => i),
    createData: (seeds) => ({ seeds, rewards: [] }),
    stages,
    phase1: async () => {
      agents.attacker.w = 0.5;
      return { 'sft/loss': 1.25 };
    },
    validate: async (step, scope): Promise<Record<string, number>> => {
      opts.scopes?.push(`${step}:${scope}`);
      return scope === 'full' ? { 'val/asr': (agents.defender.w * 7 + step) % 1 } : { 'val/attacker/asr': step / 10 };
    },
    runDir,
    resume: opts.resume,
  });
  return { trainer, agents };
}

const stripTimings = (text: string) =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .map((r) =>
      Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('timing/') && !k.startsWith('perf/'))),
    );

describe('CoEvolutionTrainer', () => {
  it('validation.attackerBlockEdges validates the attacker side before and after each attacker block', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'game-trainer-'));
    const scopes: string[] = [];
    const { trainer } = makeTrainer(
      dir,
      [
        'trainer.totalSteps=12',
        'trainer.testFreq=12',
        'switchAgent.freq=3',
        'switchAgent.firstBlock=full',
        'switchAgent.updateRatio.defender=2',
        'validation.attackerBlockEdges=true',
      ],
      { scopes },
    );
    const roles: Role[] = [];
    trainer.events.on('step-end', (e) => roles.push(e.role));
    await trainer.run();
    expect(roles.join(',')).toBe(
      'defender,defender,defender,defender,defender,defender,attacker,attacker,attacker,defender,defender,defender',
    );
    // step 6 ends the defender block before the attacker's (its start state), step 9 ends the attacker block
    expect(scopes).toEqual(['0:full', '6:attacker-side', '9:attacker-side', '12:full']);
    const lines = stripTimings(readFileSync(join(dir, 'metrics.jsonl'), 'utf8'));
    expect(
      defined(
        lines.find((l) => l['step'] === 6 && l['phase'] === 'phase2'),
        'phase2 record of step 6',
      )['val/attacker/asr'],
    ).toBe(0.6);
    expect(
      defined(
        lines.find((l) => l['step'] === 9),
        "lines.find((l) => l['step'] === 9)",
      )['val/attacker/asr'],
    ).toBe(0.9);
    expect(
      defined(
        lines.find((l) => l['step'] === 7),
        "lines.find((l) => l['step'] === 7)",
      )['val/attacker/asr'],
    ).toBeUndefined();
  });

  it('balance draws the steps of its roles from a balanced sampler and resumes both cursors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'game-trainer-'));
    const config = loadConfig({
      overrides: ['data.trainBatchSize=4', 'trainer.totalSteps=4', 'trainer.saveFreq=2', 'switchAgent.freq=2'],
    });
    const make = (resume: boolean) => {
      const batches: [Role, number[]][] = [];
      const agents = { attacker: new FakeAgent('attacker'), defender: new FakeAgent('defender') };
      const noop = () => {};
      const trainer = new CoEvolutionTrainer<number, number[]>({
        config,
        agents,
        // 0-6 "harmful", 100-102 "benign"
        trainSeeds: [0, 1, 2, 3, 4, 5, 6, 100, 101, 102],
        balance: { share: 0.5, isMember: (x) => x >= 100, roles: ['defender'] },
        createData: (seeds) => seeds,
        stages: {
          generate: (ctx) => {
            batches.push([ctx.role, ctx.data]);
          },
          judge: noop,
          reward: noop,
          oldLogProbs: noop,
          advantages: noop,
          update: noop,
        },
        runDir: dir,
        resume,
      });
      return { trainer, batches };
    };
    const first = make(false);
    await first.trainer.run();
    // freq 2, original first block: defender 1, attacker 2-3, defender 4
    expect(first.batches.map(([r]) => r)).toEqual(['defender', 'attacker', 'attacker', 'defender']);
    for (const [role, seeds] of first.batches) {
      if (role === 'defender') expect(seeds.filter((x) => x >= 100)).toHaveLength(2);
    }
    // attacker steps get the plain sampler's first two batches
    const plain = new SeedSampler([0, 1, 2, 3, 4, 5, 6, 100, 101, 102], { seed: config.trainer.seed, shuffle: true });
    expect([at(first.batches, 1, 'first.batches')[1], at(first.batches, 2, 'first.batches')[1]]).toEqual([
      plain.nextBatch(4),
      plain.nextBatch(4),
    ]);
    // resume from step 2: steps 3-4 draw the same seeds again
    rmSync(join(dir, 'checkpoints', 'global_step_4'), { recursive: true, force: true });
    writeFileSync(join(dir, 'checkpoints', 'latest.json'), JSON.stringify({ step: 2, dir: 'global_step_2' }));
    const again = make(true);
    await again.trainer.run();
    expect(again.batches).toEqual(first.batches.slice(2));
  });

  it('without validation.attackerBlockEdges only testFreq validates (full)', async () => {
    const scopes: string[] = [];
    const { trainer } = makeTrainer(
      mkdtempSync(join(tmpdir(), 'game-trainer-')),
      ['trainer.totalSteps=6', 'trainer.testFreq=6', 'switchAgent.freq=2'],
      { scopes },
    );
    await trainer.run();
    expect(scopes).toEqual(['0:full', '6:full']);
  });

  it('runs phase 1 then named, timed stages; only the current agent moves; events fire', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'game-trainer-'));
    const { trainer, agents } = makeTrainer(dir, [
      'trainer.totalSteps=6',
      'trainer.testFreq=3',
      'trainer.saveFreq=2',
      'switchAgent.freq=2',
    ]);
    const seen: string[] = [];
    const stagesSeen: string[] = [];
    trainer.events.on('phase-end', (e) => seen.push(`phase-end:${e.phase}`));
    trainer.events.on('agent-switch', (e) => seen.push(`switch:${e.step}:${e.to}`));
    trainer.events.on('validation-end', (e) => seen.push(`val:${e.step}`));
    trainer.events.on('checkpoint-saved', (e) => seen.push(`ckpt:${e.step}`));
    trainer.events.on('stage-end', (e) => e.step === 1 && stagesSeen.push(e.stage));
    const roles: Role[] = [];
    trainer.events.on('step-end', (e) => roles.push(e.role));
    const summary = await trainer.run();
    expect(summary.steps).toBe(6);
    expect(stagesSeen).toEqual([
      'generate',
      'judge',
      'reward',
      'oldLogProbs',
      'advantages',
      'update',
      'switch',
      'validate',
      'checkpoint',
    ]);
    // freq 2, original first block: step 1 defender, 2-3 attacker, 4-5 defender, 6 attacker
    expect(roles).toEqual(['defender', 'attacker', 'attacker', 'defender', 'defender', 'attacker']);
    expect(seen).toEqual([
      'phase-end:phase1',
      'ckpt:0',
      'val:0',
      'switch:2:attacker',
      'ckpt:2',
      // the switch stage of step 3 (before validate) sets the agent of step 4
      'switch:4:defender',
      'val:3',
      'ckpt:4',
      'switch:6:attacker',
      'val:6',
      'ckpt:6',
      'phase-end:phase2',
    ]);
    const lines = stripTimings(readFileSync(join(dir, 'metrics.jsonl'), 'utf8'));
    expect(lines.map((l) => l['phase'])).toEqual(['phase1', 'val0', ...Array(6).fill('phase2')]);
    expect(lines[2]).toMatchObject({ step: 1, 'train/current_agent': 1 });
    expect(lines[3]).toMatchObject({ step: 2, 'train/current_agent': 0 });
    expect(at(lines, 4, 'lines')['val/asr']).toBeTypeOf('number');
    const raw = JSON.parse(
      at(readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n'), 2, 'metrics.jsonl lines'),
    ) as Record<string, number>;
    for (const s of ['generate', 'update', 'switch', 'validate']) expect(raw[`timing/${s}`]).toBeTypeOf('number');
    expect(raw['perf/tokens_per_s']).toBeGreaterThanOrEqual(0);
    expect(agents.attacker.w).not.toBe(0.5);
    expect(agents.defender.w).not.toBe(0);
    // maxCheckpoints 2 keeps the newest two
    expect(existsSync(join(dir, 'checkpoints', 'global_step_6', 'attacker', 'weights.json'))).toBe(true);
    expect(existsSync(join(dir, 'checkpoints', 'global_step_4', 'trainer-state.json'))).toBe(true);
    expect(existsSync(join(dir, 'checkpoints', 'global_step_2'))).toBe(false);
  });

  it('metric mode switches on the windowed metric', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'game-trainer-'));
    const { trainer } = makeTrainer(dir, [
      'trainer.totalSteps=8',
      'trainer.testFreq=0',
      'trainer.saveFreq=0',
      'switchAgent.mode=metric',
      'switchAgent.metricLow=-0.5',
      'switchAgent.metricHigh=0.5',
    ]);
    const res = await trainer.run();
    const harm = res.metrics.filter((m) => m['phase'] === 'phase2').map((m) => m['reward/response_harm'] as number);
    expect(harm.length).toBe(8);
    expect(res.switchState.window.length).toBe(3);
    // replay the rule by hand
    let agent: Role = 'defender';
    const win: number[] = [];
    const agents: Role[] = [];
    for (const h of harm) {
      agents.push(agent);
      win.push(h);
      if (win.length > 3) win.shift();
      const avg = win.reduce((a, b) => a + b, 0) / win.length;
      if (agent === 'defender' && avg >= 0.5) agent = 'attacker';
      else if (agent === 'attacker' && avg <= -0.5) agent = 'defender';
    }
    expect(res.metrics.filter((m) => m['phase'] === 'phase2').map((m) => m['train/current_agent_name'])).toEqual(
      agents,
    );
  });

  it('resume after a crash reproduces the uninterrupted metrics', async () => {
    const common = ['trainer.totalSteps=7', 'trainer.testFreq=3', 'trainer.saveFreq=2', 'switchAgent.freq=2'];
    const full = mkdtempSync(join(tmpdir(), 'game-full-'));
    await makeTrainer(full, common).trainer.run();

    const cut = mkdtempSync(join(tmpdir(), 'game-cut-'));
    const crashing = makeTrainer(cut, common, { failAt: 5 }).trainer;
    const err = await crashing.run().catch((e: unknown) => e);
    expect(StageError.isInstance(err)).toBe(true);
    expect((err as StageError).stage).toBe('generate');
    expect((err as StageError).step).toBe(5);

    const resumed = makeTrainer(cut, common, { resume: true });
    let phase1Ran = false;
    resumed.trainer.events.on('phase-end', (e) => {
      if (e.phase === 'phase1') phase1Ran = true;
    });
    const resumedFrom: { step: number; dir: string }[] = [];
    resumed.trainer.events.on('resumed', (e) => resumedFrom.push(e));
    await resumed.trainer.run();
    expect(phase1Ran).toBe(false);
    expect(resumedFrom).toEqual([{ step: 4, dir: join(cut, 'checkpoints', 'global_step_4') }]);
    expect(stripTimings(readFileSync(join(cut, 'metrics.jsonl'), 'utf8'))).toEqual(
      stripTimings(readFileSync(join(full, 'metrics.jsonl'), 'utf8')),
    );
  });

  it('refuses to resume with a different config or without a checkpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'game-trainer-'));
    await expect(makeTrainer(dir, ['trainer.totalSteps=1'], { resume: true }).trainer.run()).rejects.toThrow(
      /no checkpoint/,
    );
    await makeTrainer(dir, ['trainer.totalSteps=2']).trainer.run();
    await expect(
      makeTrainer(dir, ['trainer.totalSteps=3', 'rollout.n=9'], { resume: true }).trainer.run(),
    ).rejects.toThrow(/config differs/);
  });
});
