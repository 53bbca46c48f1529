import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defined } from '@magic/core';
import { afterEach, describe, expect, it } from 'vitest';
import { EvidenceError } from '../errors.js';
import { readDeviceMeasurements } from './device-evidence.js';
import { buildEvidence } from './evidence.js';
import { organismEval, safetyRun } from './evidence.test-helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** The files device-game.sh writes for one run, with counts only. */
function writeRun(dir: string, name: string, wjbAdvAsr: number, asr: [number, number]) {
  for (const [judge, folder] of [
    ['rules', 'rules'],
    ['local', 'local'],
  ] as const) {
    mkdirSync(join(dir, `magic-eval-${name}-${folder}`), { recursive: true });
    const run = safetyRun(judge, `local:/m/${name}`, { wjbAdv: { asr: [wjbAdvAsr, 100] } });
    writeFileSync(join(dir, `magic-eval-${name}-${folder}`, 'results.json'), JSON.stringify({ runs: [run] }));
  }
  writeFileSync(join(dir, `eval-${name}.json`), JSON.stringify(organismEval(`/m/${name}`, asr, 0.4)));
  const answers = [0.3, 0.5].map((r, i) => JSON.stringify({ set: 'heldout_instructions', id: String(i), rougeL: r }));
  writeFileSync(join(dir, `answers-${name}.jsonl`), `${answers.join('\n')}\n`);
}

describe('readDeviceMeasurements', () => {
  it("reads a device-game run's evaluations into the evidence builder's measurements", () => {
    const dir = mkdtempSync(join(tmpdir(), 'device-evidence-'));
    dirs.push(dir);
    writeRun(dir, 'start', 90, [90, 100]);
    writeRun(dir, 'magic-lr5e-4', 30, [29, 100]);
    writeRun(dir, 'fixed-attacker-lr5e-4', 50, [30, 100]);
    const before = readDeviceMeasurements(dir, 'start', 'start');
    expect(before.dir).toBe('/m/start');
    expect(before.rougeByItem?.get('heldout_instructions/1')).toBe(0.5);
    const e = buildEvidence({
      before,
      after: readDeviceMeasurements(dir, 'magic-lr5e-4'),
      fixedAttacker: readDeviceMeasurements(dir, 'fixed-attacker-lr5e-4'),
    });
    const primary = defined(
      defined(e.ablation, 'ablation').tests.find((t) => t.primary),
      'primary test',
    );
    expect(primary).toMatchObject({ coEvolved: { k: 30, n: 100 }, fixedAttacker: { k: 50, n: 100 } });
    expect(primary.pValue).toBeLessThan(0.05);
    expect(primary.coEvolvedBetter).toBe(true);
  });

  it('names the missing file and the run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'device-evidence-'));
    dirs.push(dir);
    writeRun(dir, 'start', 90, [90, 100]);
    rmSync(join(dir, 'answers-start.jsonl'));
    let e: unknown;
    try {
      readDeviceMeasurements(dir, 'start');
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(EvidenceError);
    expect((e as Error).message).toContain('answers-start.jsonl');
    expect((e as Error).message).toContain("run 'start'");
  });
});
