import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@magic/tensor';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import type { Role } from '../config/schema.js';
import type { GameAgent } from './agent.js';
import { CoEvolutionTrainer } from './co-evolution-trainer.js';

// Every trainer.* option (and the data.* options the trainer itself consumes) changes the files a run writes.

class FileAgent implements GameAgent {
  w = 0;
  constructor(readonly role: Role) {}
  async saveCheckpoint(dir: string): Promise<void> {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'w.json'), JSON.stringify(this.w));
  }
  async loadCheckpoint(dir: string): Promise<void> {
    this.w = JSON.parse(readFileSync(join(dir, 'w.json'), 'utf8')) as number;
  }
  async parameterFingerprint(): Promise<number> {
    return this.w;
  }
}

/** Runs a fake game whose step metrics record the seed batch; returns what it wrote under its run dir. */
async function written(
  overrides: string[],
  useConfigRunDir = false,
): Promise<{ metrics: string; checkpoints: string[] }> {
  const base = mkdtempSync(join(tmpdir(), 'magic-trainer-opts-'));
  const config = loadConfig({
    overrides: [
      `trainer.runDir=${join(base, 'from-config')}`,
      'trainer.totalSteps=4',
      'data.trainBatchSize=3',
      ...overrides,
    ],
  });
  const agents = { attacker: new FileAgent('attacker'), defender: new FileAgent('defender') };
  const trainer = new CoEvolutionTrainer<number, { seeds: number[] }>({
    config,
    agents,
    trainSeeds: Array.from({ length: 10 }, (_, i) => i),
    createData: (seeds) => ({ seeds }),
    stages: {
      generate: (ctx) => {
        ctx.metrics['test/seeds'] = Number(ctx.data.seeds.join(''));
        ctx.metrics['test/batch'] = ctx.data.seeds.length;
      },
      judge: () => {},
      reward: () => {},
      oldLogProbs: () => {},
      advantages: () => {},
      update: (ctx) => {
        agents[ctx.role].w += 1;
      },
    },
    validate: async (step) => ({ 'val/asr': step / 10 }),
    ...(useConfigRunDir ? {} : { runDir: join(base, 'run') }),
  });
  await trainer.run();
  const dir = trainer.runDir;
  const clean = readFileSync(join(dir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .map((r) =>
      Object.fromEntries(Object.entries(r).filter(([k]) => !k.startsWith('timing/') && !k.startsWith('perf/'))),
    );
  const ck = join(dir, 'checkpoints');
  return { metrics: JSON.stringify(clean), checkpoints: existsSync(ck) ? readdirSync(ck).sort() : [] };
}

async function expectFilesChange(override: string, context: string[] = []): Promise<void> {
  expect(await written([...context, override]), `${override} had no effect`).not.toEqual(await written(context));
}

describe('trainer.* options change what a run writes', () => {
  it('trainer.totalSteps changes the metrics file', () => expectFilesChange('trainer.totalSteps=2'));
  it('trainer.testFreq changes the metrics file', () => expectFilesChange('trainer.testFreq=2'));
  it('trainer.saveFreq changes the checkpoints written', () => expectFilesChange('trainer.saveFreq=1'));
  it('trainer.valBeforeTrain changes the metrics file', () => expectFilesChange('trainer.valBeforeTrain=false'));
  it('trainer.seed changes the metrics file', () => expectFilesChange('trainer.seed=1'));
  it('trainer.maxCheckpoints changes the checkpoints kept', () =>
    expectFilesChange('trainer.maxCheckpoints=1', ['trainer.saveFreq=1']));
  it('data.trainBatchSize changes the metrics file', () => expectFilesChange('data.trainBatchSize=2'));
  it('data.shuffle changes the metrics file', () => expectFilesChange('data.shuffle=false'));

  it('trainer.runDir is where the run writes', async () => {
    const base = mkdtempSync(join(tmpdir(), 'magic-rundir-'));
    const target = join(base, 'chosen');
    await written([`trainer.runDir=${target}`], true);
    expect(existsSync(join(target, 'metrics.jsonl'))).toBe(true);
    expect(existsSync(join(target, 'resolved-config.json'))).toBe(true);
  });

  it('trainer.device picks the backend', async () => {
    const names = [];
    for (const device of ['cpu', 'wasm'] as const) {
      const config = loadConfig({ overrides: [`trainer.device=${device}`] });
      names.push((await initBackend({ device: config.trainer.device })).name);
    }
    expect(names).toEqual(['cpu', 'wasm']);
  });
});
