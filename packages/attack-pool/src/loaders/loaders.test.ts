import { at } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { dataDir } from '../data-dir.js';
import { SeedLoadError } from '../errors.js';
import { seedRecordSchema } from '../schemas.js';
import {
  loadAdvBenchCsv,
  loadGenericSeeds,
  loadHarmBenchCsv,
  loadJbbBehaviorsCsv,
  loadOrBenchCsv,
  loadRefusalDirectionJson,
  loadSeedSpec,
  loadSelfInstructJsonl,
  loadSorryBenchJsonl,
  loadStrongRejectCsv,
  loadWildJailbreak,
  loadXsTestCsv,
  parseSeedSpec,
} from './index.js';
import { evenSample } from './seed-spec.js';

const seeds = (p: string) => dataDir('seeds', p);
const fixture = (p: string) => dataDir('fixtures', p);
const bad = (p: string) => dataDir('fixtures', 'malformed', p);

function expectSeedError(fn: () => unknown, file: string, line: number | undefined, field?: string) {
  try {
    fn();
  } catch (e) {
    expect(SeedLoadError.isInstance(e)).toBe(true);
    const err = e as SeedLoadError;
    expect(err.file).toBe(file);
    expect(err.line).toBe(line);
    if (field) expect(err.field).toBe(field);
    expect(err.message).toContain(file);
    return;
  }
  throw new Error('expected a SeedLoadError');
}

async function expectSeedErrorAsync(fn: () => Promise<unknown>, file: string) {
  await expect(fn()).rejects.toSatisfy(
    (e: unknown) => SeedLoadError.isInstance(e) && (e as SeedLoadError).file === file,
  );
}

describe('real seed files', () => {
  it('AdvBench (HarmBench-format copy, eval-overlap rows removed): 506 harmful rows', () => {
    const rows = loadAdvBenchCsv(seeds('advbench/advbench_behaviors.csv'));
    expect(rows).toHaveLength(506);
    expect(rows.every((r) => r.dataType === 'vanilla_harmful' && r.id.startsWith('advbench:advbench_'))).toBe(true);
  });
  it('Self-Instruct: 175 seed tasks + 252 user-oriented tasks, benign, input appended when present', () => {
    const seedTasks = loadSelfInstructJsonl(seeds('self-instruct/seed_tasks.jsonl'));
    const userTasks = loadSelfInstructJsonl(seeds('self-instruct/user_oriented_instructions.jsonl'));
    expect(seedTasks).toHaveLength(175);
    expect(userTasks).toHaveLength(252);
    const all = [...seedTasks, ...userTasks];
    expect(all.every((r) => r.dataType === 'vanilla_benign' && r.source === 'self-instruct')).toBe(true);
    expect(new Set(all.map((r) => r.id)).size).toBe(427);
    // user-oriented tasks mostly carry an input, which is appended after a blank line
    expect(userTasks.filter((r) => r.text.includes('\n\n')).length).toBeGreaterThan(100);
  });
  it('HarmBench format: contextual rows carry their context', () => {
    const rows = loadHarmBenchCsv(fixture('harmbench-format.csv'));
    expect(rows.map((r) => r.id)).toEqual([
      'harmbench:placeholder_one',
      'harmbench:placeholder_two',
      'harmbench:placeholder_three',
    ]);
    const contextual = rows.filter((r) => r.meta.contextual === 'true');
    expect(contextual).toHaveLength(1);
    expect(at(contextual, 0, 'contextual').text).toBe(
      '[context placeholder, with a comma]\n\n---\n\n[harmful request placeholder 3 about the context]',
    );
    for (const r of rows) expect(seedRecordSchema.parse(r)).toEqual(r);
  });
  it('JBB-Behaviors format: ids and categories', () => {
    const benign = loadJbbBehaviorsCsv(fixture('jbb-behaviors-format.csv'), { dataType: 'vanilla_benign' });
    expect(benign.map((r) => r.id)).toEqual(['jbb-benign:1', 'jbb-benign:2', 'jbb-benign:3']);
    expect(new Set(benign.map((r) => r.category))).toEqual(new Set(['Cooking', 'Science']));
    const harmful = loadJbbBehaviorsCsv(fixture('jbb-behaviors-format.csv'), { dataType: 'vanilla_harmful' });
    expect(harmful.every((r) => r.id.startsWith('jbb-harmful:') && r.dataType === 'vanilla_harmful')).toBe(true);
  });
  it('XSTest format: label safe/unsafe sets the data type', () => {
    const all = loadXsTestCsv(fixture('xstest-format.csv'));
    expect(all.map((r) => r.dataType)).toEqual([
      'vanilla_benign',
      'vanilla_benign',
      'vanilla_harmful',
      'vanilla_harmful',
    ]);
    expect(loadXsTestCsv(fixture('xstest-format.csv'), { labels: ['safe'] }).map((r) => r.category)).toEqual([
      'homonyms',
      'definitions',
    ]);
  });
  it('WildJailbreak eval JSONL format: the adversarial is kept in meta', () => {
    const rows = loadWildJailbreak(fixture('wildjailbreak-eval-format.jsonl'), { dataType: 'vanilla_benign' });
    expect(rows).toHaveLength(2);
    expect(rows.every((r) => (r.meta.adversarial ?? '').length > 0)).toBe(true);
  });
  it('WildJailbreak train TSV: data_type column maps to dataType', () => {
    const rows = loadWildJailbreak(fixture('wildjailbreak-train-format.tsv'));
    expect(rows.map((r) => r.dataType)).toEqual(['vanilla_benign', 'vanilla_benign', 'vanilla_harmful']);
    expect(at(rows, 1, 'rows').text).toContain('baker');
  });
  it('refusal-direction JSON format: harmful rows with categories', () => {
    const rows = loadRefusalDirectionJson(fixture('refusal-direction-format.json'));
    expect(rows.map((r) => r.category)).toEqual(['placeholder_category_a', 'placeholder_category_b']);
    expect(rows.every((r) => r.dataType === 'vanilla_harmful')).toBe(true);
  });
  it('StrongREJECT, OR-Bench and SORRY-Bench format fixtures', () => {
    const sr = loadStrongRejectCsv(fixture('strongreject-format.csv'));
    expect(sr.map((r) => r.category)).toEqual([
      'Disinformation and deception',
      'Illegal goods and services',
      'Violence',
    ]);
    expect(at(sr, 2, 'sr').text).toContain('\n');
    expect(loadOrBenchCsv(fixture('or-bench-format.csv')).every((r) => r.dataType === 'vanilla_benign')).toBe(true);
    const sorry = loadSorryBenchJsonl(fixture('sorry-bench-format.jsonl'));
    expect(sorry.map((r) => r.id)).toEqual(['sorry-bench:1:base', 'sorry-bench:2:base', 'sorry-bench:2:slang']);
    expect(loadSorryBenchJsonl(fixture('sorry-bench-format.jsonl'), { promptStyles: ['base'] })).toHaveLength(2);
  });
  it('generic Parquet with a field mapping (MAGIC test_wjb.parquet)', async () => {
    const rows = await loadGenericSeeds(seeds('wildjailbreak/test_wjb.parquet'), {
      mapping: { text: 'question', dataType: 'data_type' },
      source: 'test_wjb',
    });
    expect(rows).toHaveLength(250);
    expect(rows.every((r) => r.dataType === 'vanilla_benign')).toBe(true);
  });
  it('generic CSV and JSONL with a field mapping', async () => {
    const csv = await loadGenericSeeds(fixture('xstest-format.csv'), {
      mapping: { text: 'prompt', id: 'id', category: 'type' },
      dataType: 'vanilla_benign',
    });
    expect(csv.map((r) => r.id)).toEqual([
      'xstest-format.csv:1',
      'xstest-format.csv:2',
      'xstest-format.csv:3',
      'xstest-format.csv:4',
    ]);
    const jsonl = await loadGenericSeeds(seeds('self-instruct/seed_tasks.jsonl'), {
      mapping: { text: 'instruction', id: 'id' },
      dataType: 'vanilla_benign',
    });
    expect(jsonl).toHaveLength(175);
  });
  it('seed specs from the CLI', async () => {
    expect(parseSeedSpec('generic:a.csv?text=prompt&dataType=vanilla_benign&limit=3')).toEqual({
      format: 'generic',
      path: 'a.csv',
      mapping: { text: 'prompt' },
      dataType: 'vanilla_benign',
      limit: 3,
    });
    expect(await loadSeedSpec(`advbench:${seeds('advbench/advbench_behaviors.csv')}?limit=5`)).toHaveLength(5);
    const spread = await loadSeedSpec(`self-instruct:${seeds('self-instruct/seed_tasks.jsonl')}?sample=50`);
    expect(spread).toHaveLength(50);
    expect(at(spread, 1, 'spread').id).toBe('self-instruct:seed_task_3');
    const split = await loadSeedSpec(`seed-split:${seeds('clean/seeds.jsonl')}`);
    expect(new Set(split.map((s) => s.meta.split))).toEqual(new Set(['train', 'val']));
    expect(evenSample([1, 2, 3, 4], 2)).toEqual([1, 3]);
    expect(() => parseSeedSpec('nope:x.csv')).toThrow(/unknown format/);
  });
});

describe('malformed rows are typed errors naming file and line', () => {
  it('HarmBench empty Behavior', () => {
    const f = bad('harmbench-empty-behavior.csv');
    expectSeedError(() => loadHarmBenchCsv(f), f, 3, 'Behavior');
  });
  it('AdvBench unterminated quote', () => {
    const f = bad('advbench-bad-quote.csv');
    expectSeedError(() => loadAdvBenchCsv(f), f, 3);
  });
  it('JBB short row', () => {
    const f = bad('jbb-short-row.csv');
    expectSeedError(() => loadJbbBehaviorsCsv(f, { dataType: 'vanilla_benign' }), f, 3);
  });
  it('WildJailbreak bad JSON line and unknown data_type', () => {
    const f = bad('wildjailbreak-bad-json.jsonl');
    expectSeedError(() => loadWildJailbreak(f, { dataType: 'vanilla_benign' }), f, 2);
    const t = bad('wildjailbreak-bad-type.tsv');
    expectSeedError(() => loadWildJailbreak(t), t, 3, 'data_type');
  });
  it('refusal-direction non-string instruction', () => {
    const f = bad('refusal-direction-bad-type.json');
    expectSeedError(() => loadRefusalDirectionJson(f), f, 6, 'instruction');
  });
  it('StrongREJECT empty prompt', () => {
    const f = bad('strongreject-empty-prompt.csv');
    expectSeedError(() => loadStrongRejectCsv(f), f, 3, 'forbidden_prompt');
  });
  it('OR-Bench short row', () => {
    const f = bad('or-bench-short-row.csv');
    expectSeedError(() => loadOrBenchCsv(f), f, 3);
  });
  it('SORRY-Bench empty turns', () => {
    const f = bad('sorry-bench-empty-turns.jsonl');
    expectSeedError(() => loadSorryBenchJsonl(f), f, 2, 'turns');
  });
  it('XSTest bad label', () => {
    const f = bad('xstest-bad-label.csv');
    expectSeedError(() => loadXsTestCsv(f), f, 3, 'label');
  });
  it('generic Parquet that is not Parquet, and a missing file', async () => {
    const f = bad('generic-bad.parquet');
    await expectSeedErrorAsync(() => loadGenericSeeds(f, { mapping: { text: 'q' }, dataType: 'vanilla_benign' }), f);
    const missing = bad('does-not-exist.csv');
    expectSeedError(() => loadStrongRejectCsv(missing), missing, undefined);
  });
});
