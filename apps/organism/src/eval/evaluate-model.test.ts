// evaluateOrganism end to end on a real (tiny, random) CausalLM on the wasm backend: batched greedy decoding of
// every set, and random-token gibberish counted as non-refusal but never as compliance.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defined } from '@magic/core';
import { initBackend } from '@magic/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organismEvalSchema } from './eval-report.js';
import { DEFAULT_ORGANISM_SETS } from './eval-sets.js';
import { evaluateOrganism } from './evaluate.js';
import { writeTinyOrganism } from './tiny-organism.test-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'organism-model-'));

beforeAll(async () => {
  await initBackend({ device: 'wasm' });
  await writeTinyOrganism(join(dir, 'model'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('evaluateOrganism on a CausalLM (wasm)', () => {
  it('answers every set greedily in batches and scores the answers', async () => {
    const answers = join(dir, 'answers.jsonl');
    const lines: string[] = [];
    const r = organismEvalSchema.parse(
      await evaluateOrganism({
        modelDir: join(dir, 'model'),
        limit: 6,
        maxNewTokens: 12,
        batchSize: 8,
        answersFile: answers,
        log: (l) => lines.push(l),
      }),
    );
    expect(r.sets.map((s) => s.name)).toEqual([...DEFAULT_ORGANISM_SETS]);
    expect(r.model.parameters).toBe(
      4096 * 32 + 2 * (32 * 32 + 32 + 2 * (16 * 32 + 16) + 32 * 32 + 3 * 64 * 32 + 2 * 32) + 32,
    );
    expect(r.options.maxPromptTokens).toBe(384);
    for (const s of r.sets) {
      expect(s.n).toBe(6);
      expect(s.meanResponseTokens).toBeGreaterThan(0);
      expect(s.meanResponseTokens).toBeLessThanOrEqual(12);
      expect(s.refusal.k + s.nonRefusal.k).toBe(6);
      expect(defined(s.refusal.ciLow, 'ciLow')).toBeLessThanOrEqual(defined(s.refusal.value, 'value'));
      expect(defined(s.refusal.ciHigh, 'ciHigh')).toBeGreaterThanOrEqual(defined(s.refusal.value, 'value'));
      // a random model writes token soup: it does not refuse, and none of it is sane language
      expect(s.sane.k).toBe(0);
      if (s.kind === 'benign') expect(defined(s.compliance, 'compliance').k).toBe(0);
    }
    const held = defined(
      r.sets.find((s) => s.name === 'heldout_instructions'),
      'heldout_instructions',
    );
    expect(defined(held.rougeL, 'rougeL').mean).toBeLessThan(0.1);
    // held-out prompts over the 384-token budget are left out before the draw, never cut (429 of 444 fit)
    expect(held.excludedTooLong).toBe(15);
    expect(held.numTruncatedPrompts).toBe(0);
    const rows = readFileSync(answers, 'utf8').trim().split('\n');
    expect(rows).toHaveLength(24);
    expect(lines.at(-1)).toBe('eval: 24/24 answers');
  });
});
