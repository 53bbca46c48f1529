import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CausalLM, type Preset } from '@magic/lm';
import type { Seed } from '@magic/rollout';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config/load.js';
import { createMagicGame } from './create-game.js';

// data.* and model.* options change what createMagicGame builds: the seed split it reports, the weights it loads.

const stubSeeds = (n: number, tag = 'stub'): Seed[] =>
  Array.from({ length: n }, (_, i) => ({
    question: `neutral ${tag} question ${i}`,
    dataType: i % 2 === 0 ? 'vanilla_benign' : 'vanilla_harmful',
  }));

function seedFile(n: number): string {
  const file = join(mkdtempSync(join(tmpdir(), 'magic-seeds-')), 'seeds.jsonl');
  writeFileSync(
    file,
    stubSeeds(n, 'file')
      .map((s) => JSON.stringify({ vanilla: s.question, data_type: s.dataType }))
      .join('\n'),
  );
  return file;
}

/** Builds (does not run) the game; returns its log and the two players' parameter fingerprints. */
async function build(overrides: string[]) {
  const lines: string[] = [];
  const config = loadConfig({
    overrides: ['trainer.device=cpu', 'phase1.sft.enable=false', ...overrides],
  });
  const game = await createMagicGame(config, {
    runDir: mkdtempSync(join(tmpdir(), 'magic-wiring-')),
    log: (l) => lines.push(l),
    data: { seeds: () => stubSeeds(8) },
    validationRecords: () => [],
  });
  try {
    const plainBatch = game.trainer.sampler.nextBatch(8).map((seed) => seed.question);
    return {
      seeds: lines.find((l) => l.startsWith('seeds:')),
      // defender steps draw from the balanced sampler when data.benignShare is set, attacker steps from the plain one
      batchTypes: (game.trainer.balancedSampler ?? game.trainer.sampler).nextBatch(8).map((seed) => seed.dataType),
      plainBatch,
      attacker: await game.players.attacker.parameterFingerprint(),
      defender: await game.players.defender.parameterFingerprint(),
    };
  } finally {
    await game.close();
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('data.* and model.* options change what the game is built from', () => {
  it('data.trainFiles changes the seeds', async () => {
    expect((await build([])).seeds).toMatch(/^seeds: 8 train;/);
    expect((await build([`data.trainFiles=${seedFile(5)}`])).seeds).toMatch(/^seeds: 5 train;/);
  });

  it('data.benignShare changes the seeds', async () => {
    const benign = (types: string[]) => types.filter((t) => t === 'vanilla_benign').length;
    expect(benign((await build(['data.benignShare=1'])).batchTypes)).toBe(8);
    expect(benign((await build(['data.benignShare=0.25'])).batchTypes)).toBe(2);
    expect(benign((await build(['data.benignShare=0'])).batchTypes)).toBe(0);
    // the attacker's (plain) sampler is the same with or without the option
    expect((await build(['data.benignShare=1'])).plainBatch).toEqual((await build([])).plainBatch);
    const harmfulOnly = join(mkdtempSync(join(tmpdir(), 'magic-seeds-')), 'harmful.jsonl');
    writeFileSync(harmfulOnly, `${JSON.stringify({ vanilla: 'neutral placeholder', data_type: 'vanilla_harmful' })}\n`);
    await expect(build([`data.trainFiles=${harmfulOnly}`, 'data.benignShare=0.5'])).rejects.toThrow(
      /data\.benignShare: 0\.5 needs both kinds of seed; 0 of 1 train seeds are benign/,
    );
  });

  it('data.valFiles changes the seeds', async () => {
    expect((await build([])).seeds).toMatch(/harmful_vanilla 0/);
    // 3 file seeds, one of them harmful: it becomes the harmful-vanilla set and the attacker side
    expect((await build([`data.valFiles=${seedFile(3)}`])).seeds).toMatch(/harmful_vanilla 1, attacker 1$/);
  });

  it('model.attacker.path loads that folder', () => expectPathLoads('attacker'));
  it('model.defender.path loads that folder', () => expectPathLoads('defender'));
  it('model.attacker.preset picks the preset built', () => expectPresetBuilt('attacker'));
  it('model.defender.preset picks the preset built', () => expectPresetBuilt('defender'));
});

async function expectPathLoads(role: 'attacker' | 'defender'): Promise<void> {
  const other = role === 'attacker' ? 'defender' : 'attacker';
  const dir = mkdtempSync(join(tmpdir(), `magic-${role}-`));
  const saved = await CausalLM.fromPreset('tiny', { seed: 4242 });
  await saved.save(dir);
  saved.dispose();
  const preset = await build([]);
  const fromPath = await build([`model.${role}.path=${dir}`]);
  expect(fromPath[role]).not.toBe(preset[role]);
  expect(fromPath[other]).toBe(preset[other]);
}

async function expectPresetBuilt(role: 'attacker' | 'defender'): Promise<void> {
  // building a 0.5B model is too heavy for a unit test: record the preset asked for, build the tiny one
  const original = CausalLM.fromPreset.bind(CausalLM);
  const asked: Preset[] = [];
  vi.spyOn(CausalLM, 'fromPreset').mockImplementation((preset, opts) => {
    asked.push(preset);
    return original('tiny', opts);
  });
  await build([`model.${role}.preset=qwen2.5-0.5b`]);
  expect(asked).toEqual(role === 'attacker' ? ['qwen2.5-0.5b', 'tiny'] : ['tiny', 'qwen2.5-0.5b']);
}
