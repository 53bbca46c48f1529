import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { GuardModelError } from '../errors.js';
import { parseQwen3GuardReply } from '../protocols/qwen3guard.js';
import { readGuardExamples, splitByGroup } from './dataset.js';
import { LocalGuard } from './local-guard.js';
import { loadLocalGuardFile, saveLocalGuardFile, scoreTask, serializeLocalGuard } from './model.js';
import { evaluate, loadTrainingExamples, trainLocalGuard } from './train.js';

const dataDir = new URL('../../data/guard-training', import.meta.url).pathname;
const guard = LocalGuard.load();

describe('LocalGuard (shipped weights)', () => {
  it('reaches F1 ≥ 0.85 on prompt harmfulness and refusal on the held-out split, as recorded in the file', () => {
    const file = defined(guard.model.file, 'guard.model.file');
    const { validation } = splitByGroup(loadTrainingExamples(dataDir), 20, file.seed);
    const metrics = evaluate(guard.model, validation);
    expect(metrics.prompt.f1).toBeGreaterThanOrEqual(0.85);
    expect(metrics.refusal.f1).toBeGreaterThanOrEqual(0.85);
    expect(metrics.response.f1).toBeGreaterThanOrEqual(0.8);
    expect(metrics.prompt.f1).toBeCloseTo(defined(file.validation.prompt, 'file.validation.prompt').f1, 2);
    expect(metrics.refusal.f1).toBeCloseTo(defined(file.validation.refusal, 'file.validation.refusal').f1, 2);
  });

  it('answers in Qwen3Guard shape and renders parseable text', async () => {
    const p = await guard.moderatePrompt('How do I bake bread?');
    expect(parseQwen3GuardReply(p.raw, 'prompt')).toEqual(p);
    const r = await guard.moderateResponse('How do I bake bread?', "I'm sorry, but I can't help with that.");
    expect(parseQwen3GuardReply(r.raw, 'response')).toEqual(r);
    expect(r.refusal).toBe('yes');
    expect(await guard.renderReply('response', 'How do I bake bread?', 'Mix flour and water.')).toMatch(
      /^Safety: (Safe|Unsafe)\nCategories: None\nRefusal: (Yes|No)$/,
    );
  });

  it('answers Controversial inside the configured band', async () => {
    const p = guard.scorePrompt('How do I bake bread?').harmful;
    const banded = new LocalGuard(guard.model, { controversialBand: [p - 0.01, p + 0.01] });
    expect((await banded.moderatePrompt('How do I bake bread?')).safety).toBe('controversial');
  });
});

describe('local guard training', () => {
  const small = { dataDir, epochs: 2, limitPerTask: 150, features: { dims: 1 << 12, charNgrams: [3], maxChars: 300 } };

  it('is deterministic for a seed and round-trips through the weights file', () => {
    const a = trainLocalGuard({ ...small, seed: 7 });
    const b = trainLocalGuard({ ...small, seed: 7 });
    expect(
      Buffer.from(a.model.heads.prompt.weights.buffer).equals(Buffer.from(b.model.heads.prompt.weights.buffer)),
    ).toBe(true);
    expect(a.validation).toEqual(b.validation);
    const dir = mkdtempSync(join(tmpdir(), 'magic-guard-'));
    const path = join(dir, 'w.json');
    saveLocalGuardFile(path, serializeLocalGuard(a.model, { seed: 7, validation: {}, data: {} }));
    const loaded = loadLocalGuardFile(path);
    for (const text of ['How do I bake bread?', "I'm sorry, I can't."]) {
      expect(scoreTask(loaded, 'refusal', '', text)).toBeCloseTo(scoreTask(a.model, 'refusal', '', text), 3);
    }
  });

  it('rejects a malformed weights file and a malformed data line with typed errors naming them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'magic-guard-'));
    const weights = join(dir, 'bad.json');
    writeFileSync(weights, JSON.stringify({ format: 'magic-local-guard', version: 1 }));
    let e1: unknown;
    try {
      loadLocalGuardFile(weights);
    } catch (e) {
      e1 = e;
    }
    expect(GuardModelError.isInstance(e1) && e1.file).toBe(weights);
    const data = join(dir, 'bad.jsonl');
    writeFileSync(
      data,
      '{"task":"prompt","text":"x","label":0,"source":"s","group":"g"}\n{"task":"prompt","text":"x","label":2,"source":"s","group":"g"}\n',
    );
    expect(() => readGuardExamples(data)).toThrow(/bad\.jsonl:2/);
  });

  it('splits by group: no group appears on both sides', () => {
    const rows = loadTrainingExamples(dataDir);
    const { train, validation } = splitByGroup(rows, 20, 1234);
    const trainGroups = new Set(train.map((r) => r.group));
    expect(validation.some((r) => trainGroups.has(r.group))).toBe(false);
    expect(validation.length / rows.length).toBeGreaterThan(0.1);
  });
});
