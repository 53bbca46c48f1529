// The eval, report and model-card commands (in process, as the dispatcher calls them) on a tiny random model.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@magic/tensor';
import { getBackend } from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalInputError, OrganismUsageError, TrainLogError } from './errors.js';
import { organismEvalSchema } from './eval/eval-report.js';
import { writeTinyOrganism } from './eval/tiny-organism.test-helpers.js';
import { runEvalCommand } from './eval-commands.js';
import { writeFixtureRun } from './report/report-fixture.test-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'organism-cli-eval-'));
const model = join(dir, 'model');
const lines: string[] = [];
const cmd = (name: string, args: string[]) => runEvalCommand(name, args, (l) => lines.push(l));

beforeAll(async () => {
  await initBackend({ device: 'cpu' });
  await writeTinyOrganism(model);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('magic-organism eval / report / model-card', () => {
  it('evaluates a model dir into eval.json on wasm, then reports and writes the model card from it', async () => {
    const out = join(dir, 'run', 'eval.json');
    const args = ['--model', model, '--out', out, '--limit', '3', '--max-new-tokens', '4'];
    expect(await cmd('eval', [...args, '--sets', 'benign_seeds,heldout_instructions,harmful_heldout_source'])).toBe(0);
    expect(getBackend()).toBe('wasm');
    expect(lines).toContain('eval: backend wasm');
    expect(lines.some((l) => /^harmful_heldout_source: refusal \d\.\d{3} \[.*target >= 0\.8/.test(l))).toBe(true);
    const parsed = organismEvalSchema.parse(JSON.parse(readFileSync(out, 'utf8')));
    expect(parsed.sets.map((s) => [s.name, s.n])).toEqual([
      ['benign_seeds', 3],
      ['heldout_instructions', 3],
      ['harmful_heldout_source', 3],
    ]);
    writeFixtureRun(join(dir, 'run'), false);
    expect(await cmd('report', ['--run', join(dir, 'run'), '--out', join(dir, 'run', 'report.html')])).toBe(0);
    expect(readFileSync(join(dir, 'run', 'report.html'), 'utf8')).toContain('<tr data-set="heldout_instructions">');
    expect(await cmd('model-card', ['--model', model, '--eval', out, '--name', 'organism-test'])).toBe(0);
    expect(readFileSync(join(model, 'README.md'), 'utf8')).toContain('# organism-test\n');
  });

  it('throws usage errors for bad options and typed input errors naming the file', async () => {
    const out = join(dir, 'x.json');
    await expect(cmd('eval', ['--out', out])).rejects.toThrow(OrganismUsageError);
    await expect(cmd('eval', ['--model', model, '--out', out, '--sets', 'nope'])).rejects.toThrow("unknown set 'nope'");
    await expect(cmd('eval', ['--model', model, '--out', out, '--prompt-format', 'x'])).rejects.toThrow(
      OrganismUsageError,
    );
    await expect(cmd('eval', ['--model', model, '--out', out, '--device', 'tpu'])).rejects.toThrow(OrganismUsageError);
    const none = cmd('eval', ['--model', join(dir, 'none'), '--out', out, '--device', 'cpu']);
    await expect(none).rejects.toThrow(EvalInputError);
    await expect(none).rejects.toThrow(`${join(dir, 'none', 'config.json')}: cannot read the model config`);
    expect(existsSync(out)).toBe(false);
    await expect(cmd('report', ['--run', join(dir, 'nothing'), '--out', join(dir, 'r.html')])).rejects.toThrow(
      TrainLogError,
    );
    await expect(cmd('model-card', [])).rejects.toThrow('model-card needs --model DIR');
  });
});
