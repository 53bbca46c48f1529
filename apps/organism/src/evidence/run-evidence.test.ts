// runEvidence end to end on tiny random organisms (wasm): magic-eval replaced by a recorder that writes results.json
// as magic-eval does, the organism sets measured for real, evidence.{json,md} written, --reuse measuring nothing again.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at, defined } from '@magic/core';
import { RulesGuard } from '@magic/judges';
import { initBackend } from '@magic/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvidenceError } from '../errors.js';
import { writeTinyOrganism } from '../eval/tiny-organism.test-helpers.js';
import { evidenceSchema } from './evidence.js';
import { safetyRun } from './evidence.test-helpers.js';
import { defaultMagicEval, readRougeByItem, readSafetyRun, runEvidence } from './run-evidence.js';

const root = mkdtempSync(join(tmpdir(), 'organism-evidence-'));
const dirs = { before: join(root, 'before'), after: join(root, 'after'), fixed: join(root, 'fixed') };

beforeAll(async () => {
  await initBackend({ device: 'wasm' });
  await writeTinyOrganism(dirs.before, 1);
  await writeTinyOrganism(dirs.after, 2);
  await writeTinyOrganism(dirs.fixed, 3);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Records magic-eval's arguments and writes a results.json whose WJB adv ASR depends on the model. */
function recorder(calls: string[][]) {
  return async (args: string[]) => {
    calls.push(args);
    const flag = (name: string) => at(args, args.indexOf(name) + 1, 'args');
    const target = flag('--target');
    const k = target.endsWith('after') ? 20 : target.endsWith('fixed') ? 40 : 60;
    const run = safetyRun(flag('--judge'), target, { wjbAdv: { asr: [k, 100] } });
    mkdirSync(flag('--out'), { recursive: true });
    writeFileSync(join(flag('--out'), 'results.json'), JSON.stringify({ schemaVersion: 1, meta: {}, runs: [run] }));
  };
}

describe('runEvidence', () => {
  it('measures every model under both judges from one cache, writes evidence.{json,md}, and reuses on request', async () => {
    const calls: string[][] = [];
    const out = join(root, 'out');
    const options = {
      models: { before: { dir: dirs.before }, after: { dir: dirs.after }, fixedAttacker: { dir: dirs.fixed } },
      out,
      device: 'wasm',
      limit: 7,
      organismLimit: 2,
      maxTokens: 4,
      batchSize: 4,
      organismSets: ['heldout_instructions', 'harmful_adversarial'] as const,
      guard: new RulesGuard(),
      magicEval: recorder(calls),
    };
    const { evidence, files } = await runEvidence(options);
    expect(calls).toHaveLength(6);
    for (const [i, role] of ['before', 'before', 'after', 'after', 'fixedAttacker', 'fixedAttacker'].entries()) {
      const args = at(calls, i, 'calls');
      const flag = (name: string) => args[args.indexOf(name) + 1];
      expect(flag('--judge')).toBe(i % 2 === 0 ? 'rules' : 'local');
      expect(flag('--suite')).toBe('safety');
      expect(flag('--limit')).toBe('7');
      expect(flag('--max-tokens')).toBe('4');
      expect(flag('--device')).toBe('wasm');
      expect([flag('--batch-size'), flag('--concurrency')]).toEqual(['4', '1']);
      expect(flag('--cache')).toBe(join(out, role, 'generations.jsonl'));
    }
    expect(evidenceSchema.parse(JSON.parse(readFileSync(at(files, 0, 'files'), 'utf8')))).toEqual(evidence);
    expect(readFileSync(at(files, 1, 'files'), 'utf8')).toContain('## Ablation');
    expect(at(evidence.table1.rules, 0, 'rules').values).toMatchObject({
      before: { k: 60 },
      after: { k: 20 },
      fixedAttacker: { k: 40 },
    });
    expect(defined(evidence.ablation, 'ablation').coEvolvedWins).toBe(true);
    // the organism sets were answered by the tiny models: 2 items each, per-item ROUGE-L paired by id
    expect(
      defined(
        evidence.organism.find((r) => r.set === 'harmful_adversarial'),
        'harmful_adversarial',
      ).values.before.n,
    ).toBe(2);
    expect(defined(evidence.rougeL, 'rougeL').deltas.after.n).toBe(2);
    expect(readRougeByItem(join(out, 'after', 'organism-answers.jsonl')).size).toBe(2);

    const evalFile = join(out, 'after', 'organism-eval.json');
    const mtime = statSync(evalFile).mtimeMs;
    const again: string[][] = [];
    await runEvidence({ ...options, reuse: true, magicEval: recorder(again) });
    expect(again).toHaveLength(0);
    expect(statSync(evalFile).mtimeMs).toBe(mtime);
  });

  it('names a folder that is not a model, and a results file without a safety run', async () => {
    await expect(
      runEvidence({
        models: { before: { dir: root }, after: { dir: dirs.after } },
        out: join(root, 'bad'),
        device: 'wasm',
        guard: new RulesGuard(),
        magicEval: async () => {},
      }),
    ).rejects.toThrow(EvidenceError);
    const file = join(root, 'no-safety.json');
    writeFileSync(file, JSON.stringify({ runs: [] }));
    expect(() => readSafetyRun(file)).toThrow(/no-safety\.json: no safety-suite run/);
    writeFileSync(file, JSON.stringify({ runs: [{ suite: 'safety' }] }));
    expect(() => readSafetyRun(file)).toThrow(/no-safety\.json: runs\.0\./);
  });
});

describe('defaultMagicEval', () => {
  it("runs @magic/eval-app's magic-eval as a child process and turns a failed exit into an EvidenceError", async () => {
    const run = defaultMagicEval();
    await expect(run(['--help'])).resolves.toBeUndefined();
    await expect(run(['--no-such-flag'])).rejects.toThrow(/magic-eval --no-such-flag exited with 2/);
  }, 120_000);
});
