import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defined } from '@magic/core';
import { CausalLM } from '@magic/lm';
import type { ChatMessage, Seed } from '@magic/rollout';
import { initBackend } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config/load.js';
import { createMagicGame } from './create-game.js';
import { runSft, type SftResult } from './sft.js';

// Every phase1.sft.* / phase1.defenderSft.* option changes the SFT run: its losses, steps, examples or peak memory.

type Section = 'sft' | 'defenderSft';

const chat = (i: number): ChatMessage[] => [
  { role: 'user', content: `q${i}` },
  { role: 'assistant', content: `<answer>a${i} fine</answer>` },
];
const CHATS = Array.from({ length: 4 }, (_, i) => chat(i));
const BASE = (s: Section) => [`phase1.${s}.batchSize=2`, `phase1.${s}.maxLength=64`, `phase1.${s}.lr=0.01`];

// each case trains a model twice: slow on a busy CPU
vi.setConfig({ testTimeout: 600_000 });

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
});

const baselines = new Map<Section, Promise<SftResult>>();

async function sftRun(section: Section, overrides: string[], profile = false) {
  const config = loadConfig({ overrides: [...BASE(section), ...overrides] });
  const model = await CausalLM.fromPreset('tiny', { seed: 31 });
  try {
    let result: SftResult | undefined;
    const run = async () => {
      result = await runSft(model, CHATS, config.phase1[section], { seed: 5 });
      return [];
    };
    // profiling records every kernel: only the memory test pays for it
    if (!profile) {
      await run();
      return { result: defined(result, 'result'), peakBytes: 0 };
    }
    const { peakBytes } = await tf.profile(run);
    return { result: defined(result, 'result'), peakBytes };
  } finally {
    model.dispose();
  }
}

async function expectSftChanges(section: Section, override: string): Promise<void> {
  if (!baselines.has(section))
    baselines.set(
      section,
      sftRun(section, []).then((r) => r.result),
    );
  const before = await defined(baselines.get(section), 'baselines.get(section)');
  const after = (await sftRun(section, [override])).result;
  expect(after, `${override} had no effect`).not.toEqual(before);
}

/** Phase 1 of a real (tiny) game with no phase-2 steps; returns its phase-1 metrics record. */
async function phase1Record(overrides: string[]): Promise<Record<string, unknown> | undefined> {
  const runDir = mkdtempSync(join(tmpdir(), 'magic-sft-opts-'));
  const seeds: Seed[] = Array.from({ length: 6 }, (_, i) => ({
    question: `neutral placeholder question ${i}`,
    dataType: i % 2 === 0 ? 'vanilla_benign' : 'vanilla_harmful',
  }));
  const config = loadConfig({
    overrides: [
      'trainer.device=cpu',
      'trainer.totalSteps=0',
      'trainer.valBeforeTrain=false',
      'trainer.saveFreq=0',
      ...BASE('sft'),
      ...BASE('defenderSft'),
      'phase1.sft.maxExamples=4',
      'phase1.defenderSft.maxExamples=4',
      ...overrides,
    ],
  });
  // the stub pool stands in for the shipped one, unless a file is configured (then that file is the point)
  const stubPool = overrides.some((o) => o.startsWith('phase1.sft.dataFile=')) ? {} : { attackPool: () => CHATS };
  const game = await createMagicGame(config, { runDir, data: { seeds: () => seeds, ...stubPool } });
  try {
    await game.run();
  } finally {
    await game.close();
  }
  const lines = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').filter(Boolean);
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r['phase'] === 'phase1');
}

function alpacaFile(n: number): string {
  const file = join(mkdtempSync(join(tmpdir(), 'magic-alpaca-')), 'chats.json');
  const rows = Array.from({ length: n }, (_, i) => ({
    instruction: `Other neutral instruction ${i} with more words than the default chats`,
    input: '',
    output: `A different neutral reply ${i}.`,
    system: '',
  }));
  writeFileSync(file, JSON.stringify(rows));
  return file;
}

describe('phase1.* options change the SFT run', () => {
  it('phase1.sft.epochs changes the SFT run', () => expectSftChanges('sft', 'phase1.sft.epochs=2'));
  it('phase1.sft.lr changes the SFT run', () => expectSftChanges('sft', 'phase1.sft.lr=0.001'));
  it('phase1.sft.batchSize changes the SFT run', () => expectSftChanges('sft', 'phase1.sft.batchSize=3'));
  it('phase1.sft.maxLength changes the SFT run', () => expectSftChanges('sft', 'phase1.sft.maxLength=8'));
  it('phase1.sft.warmupRatio changes the SFT run', () => expectSftChanges('sft', 'phase1.sft.warmupRatio=0.9'));
  it('phase1.sft.lrScheduler changes the SFT run', () => expectSftChanges('sft', 'phase1.sft.lrScheduler=constant'));
  it('phase1.sft.maxExamples changes the SFT run', () => expectSftChanges('sft', 'phase1.sft.maxExamples=2'));
  it('phase1.sft.microBatchSize changes the SFT run', () => expectMicroBatchLowersPeak('sft'));
  it('phase1.sft.warmup changes the SFT run', () => expectWarmupChanges('sft'));
  it('phase1.sft.decayEnd changes the SFT run', () => expectSftChanges('sft', 'phase1.sft.decayEnd=after-last-step'));
  it('phase1.sft.weightDecay changes the SFT run', () => expectSftChanges('sft', 'phase1.sft.weightDecay=0.5'));
  it('phase1.sft.adamEpsilon changes the SFT run', () => expectSftChanges('sft', 'phase1.sft.adamEpsilon=0.1'));
  it('phase1.sft.adamFormula changes the SFT run', () => expectSftChanges('sft', 'phase1.sft.adamFormula=torch'));
  it('phase1.defenderSft.epochs changes the SFT run', () =>
    expectSftChanges('defenderSft', 'phase1.defenderSft.epochs=2'));
  it('phase1.defenderSft.lr changes the SFT run', () => expectSftChanges('defenderSft', 'phase1.defenderSft.lr=0.001'));
  it('phase1.defenderSft.batchSize changes the SFT run', () =>
    expectSftChanges('defenderSft', 'phase1.defenderSft.batchSize=3'));
  it('phase1.defenderSft.maxLength changes the SFT run', () =>
    expectSftChanges('defenderSft', 'phase1.defenderSft.maxLength=8'));
  it('phase1.defenderSft.warmupRatio changes the SFT run', () =>
    expectSftChanges('defenderSft', 'phase1.defenderSft.warmupRatio=0.9'));
  it('phase1.defenderSft.lrScheduler changes the SFT run', () =>
    expectSftChanges('defenderSft', 'phase1.defenderSft.lrScheduler=constant'));
  it('phase1.defenderSft.maxExamples changes the SFT run', () =>
    expectSftChanges('defenderSft', 'phase1.defenderSft.maxExamples=2'));
  it('phase1.defenderSft.microBatchSize changes the SFT run', () => expectMicroBatchLowersPeak('defenderSft'));
  it('phase1.defenderSft.warmup changes the SFT run', () => expectWarmupChanges('defenderSft'));
  it('phase1.defenderSft.decayEnd changes the SFT run', () =>
    expectSftChanges('defenderSft', 'phase1.defenderSft.decayEnd=after-last-step'));
  it('phase1.defenderSft.weightDecay changes the SFT run', () =>
    expectSftChanges('defenderSft', 'phase1.defenderSft.weightDecay=0.5'));
  it('phase1.defenderSft.adamEpsilon changes the SFT run', () =>
    expectSftChanges('defenderSft', 'phase1.defenderSft.adamEpsilon=0.1'));
  it('phase1.defenderSft.adamFormula changes the SFT run', () =>
    expectSftChanges('defenderSft', 'phase1.defenderSft.adamFormula=torch'));

  it('phase1.sft.enable changes the SFT run', async () => {
    expect((await phase1Record([]))?.['sft/steps']).toBeGreaterThan(0);
    expect((await phase1Record(['phase1.sft.enable=false']))?.['sft/steps']).toBeUndefined();
  });

  it('phase1.defenderSft.enable changes the SFT run', async () => {
    expect((await phase1Record([]))?.['sft_defender/steps']).toBeUndefined();
    expect((await phase1Record(['phase1.defenderSft.enable=true']))?.['sft_defender/steps']).toBeGreaterThan(0);
  });

  it('phase1.sft.dataFile changes the SFT run', async () => {
    const file = alpacaFile(3);
    const before = await phase1Record(['phase1.sft.maxExamples=0']);
    const after = await phase1Record(['phase1.sft.maxExamples=0', `phase1.sft.dataFile=${file}`]);
    expect(before?.['sft/examples']).toBe(CHATS.length);
    expect(after?.['sft/examples']).toBe(3);
  });

  it('phase1.defenderSft.dataFile changes the SFT run', async () => {
    const on = ['phase1.defenderSft.enable=true', 'phase1.defenderSft.maxExamples=0'];
    const templates = await phase1Record(on);
    const fromFile = await phase1Record([...on, `phase1.defenderSft.dataFile=${alpacaFile(3)}`]);
    expect(fromFile?.['sft_defender/examples']).toBe(3);
    expect(fromFile?.['sft_defender/examples']).not.toBe(templates?.['sft_defender/examples']);
  });
});

async function expectMicroBatchLowersPeak(section: Section): Promise<void> {
  const whole = await sftRun(section, [], true);
  const micro = await sftRun(section, [`phase1.${section}.microBatchSize=1`], true);
  // gradient accumulation gives the same steps; the observable effect is a smaller peak of memory
  expect(micro.result.steps).toBe(whole.result.steps);
  expect(micro.peakBytes).toBeLessThan(whole.peakBytes);
}

/** The warm-up formula matters only with warm-up steps: both runs warm up over half the run. */
async function expectWarmupChanges(section: Section): Promise<void> {
  const warm = `phase1.${section}.warmupRatio=0.5`;
  const fromFirst = (await sftRun(section, [warm])).result;
  const fromZero = (await sftRun(section, [warm, `phase1.${section}.warmup=from-zero`])).result;
  expect(fromZero.steps).toBe(fromFirst.steps);
  expect(fromZero).not.toEqual(fromFirst);
}
