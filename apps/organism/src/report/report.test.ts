import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at } from '@magic/core';
import { afterAll, describe, expect, it } from 'vitest';
import { TrainLogError } from '../errors.js';
import { buildOrganismReport, writeOrganismReport } from './report.js';
import { fixtureLog, writeFixtureRun } from './report-fixture.test-helpers.js';
import { parseTrainLog, readTrainLog } from './train-log.js';

const dir = mkdtempSync(join(tmpdir(), 'organism-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('train-log.jsonl', () => {
  it('reads every record, extra fields kept', () => {
    const text = fixtureLog()
      .map((l) => JSON.stringify({ ...l, gradNorm: 1 }))
      .join('\n');
    const log = parseTrainLog(`${text}\n\n`, 'x.jsonl');
    expect(log).toHaveLength(60);
    expect(at(log, 9, 'log').evalLoss).toBeCloseTo(8 * Math.exp(-10 / 12) + 2.2, 12);
    expect(log[0]).toMatchObject({ gradNorm: 1 });
  });

  it('names the file and line of a bad record', () => {
    const good = JSON.stringify(fixtureLog()[0]);
    const cases: [string, string][] = [
      [`${good}\n{not json`, 'f.jsonl:2: invalid JSON'],
      [`${good}\n${good}\n${JSON.stringify({ ...fixtureLog()[0], stage: 'rl' })}`, 'f.jsonl:3: stage:'],
      [JSON.stringify({ ...fixtureLog()[0], loss: 'x' }), 'f.jsonl:1: loss:'],
      [JSON.stringify({ ...fixtureLog()[0], step: 1.5 }), 'f.jsonl:1: step:'],
    ];
    for (const [text, msg] of cases) {
      expect(() => parseTrainLog(text, 'f.jsonl')).toThrow(TrainLogError);
      expect(() => parseTrainLog(text, 'f.jsonl')).toThrow(msg);
    }
    expect(() => readTrainLog(join(dir, 'missing.jsonl'))).toThrow(/missing\.jsonl: cannot read/);
    writeFileSync(join(dir, 'empty.jsonl'), '\n');
    expect(() => readTrainLog(join(dir, 'empty.jsonl'))).toThrow('no log records');
  });
});

describe('the organism report', () => {
  it('draws a loss chart per stage with train and eval series, the lr chart, and escapes all text', () => {
    const html = buildOrganismReport(
      parseTrainLog(
        fixtureLog()
          .map((l) => JSON.stringify(l))
          .join('\n'),
        'f',
      ),
    );
    expect(html.match(/<svg /g)).toHaveLength(3);
    expect(html).toContain('Pretraining loss');
    expect(html).toContain('Chat SFT loss');
    expect(html.match(/class="series" data-series="eval loss"/g)).toHaveLength(2);
    expect(html).toContain('No eval.json');
    expect(html).not.toMatch(/<script|<link|\s(src|href)=/);
  });

  it('writes the page from a run dir, with the eval table when eval.json is there', async () => {
    writeFixtureRun(dir);
    const { html } = await writeOrganismReport({ runDir: dir, out: join(dir, 'out', 'report.html') });
    expect(readFileSync(join(dir, 'out', 'report.html'), 'utf8')).toBe(html);
    expect(html).toContain('<tr data-set="harmful_heldout_source">');
    expect(html).toContain('0.710 [');
    expect(html).toContain('(71/100)');
    expect(html).toContain('class="met-no"');
    expect(html).not.toContain('<script>');
  });

  it('fails on a broken eval.json with the file and field', async () => {
    writeFileSync(join(dir, 'bad-eval.json'), JSON.stringify({ format: 'magic-organism-eval/v1' }));
    await expect(
      writeOrganismReport({ runDir: dir, out: join(dir, 'r.html'), evalFile: join(dir, 'bad-eval.json') }),
    ).rejects.toThrow(/bad-eval\.json: createdAt/);
  });
});
