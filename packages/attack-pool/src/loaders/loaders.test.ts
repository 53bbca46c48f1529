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
  it('HarmBench val: 80 behaviours, contextual rows carry their context', () => {
    const rows = loadHarmBenchCsv(seeds('harmbench/harmbench_behaviors_text_val.csv'));
    expect(rows).toHaveLength(80);
    const contextual = rows.filter((r) => r.meta.contextual === 'true');
    expect(contextual.length).toBe(19);
    for (const r of contextual) expect(r.text).toContain('\n\n---\n\n');
    expect(new Set(rows.map((r) => r.id)).size).toBe(80);
    for (const r of rows) expect(seedRecordSchema.parse(r)).toEqual(r);
  });
  it('AdvBench (HarmBench-format copy): 520 harmful rows', () => {
    const rows = loadAdvBenchCsv(seeds('advbench/advbench_behaviors.csv'));
    expect(rows).toHaveLength(520);
    expect(rows.every((r) => r.dataType === 'vanilla_harmful' && r.id.startsWith('advbench:advbench_'))).toBe(true);
  });
  it('JBB-Behaviors benign and harmful: 100 each with categories', () => {
    const benign = loadJbbBehaviorsCsv(seeds('jbb-behaviors/benign-behaviors.csv'), { dataType: 'vanilla_benign' });
    const harmful = loadJbbBehaviorsCsv(seeds('jbb-behaviors/harmful-behaviors.csv'), { dataType: 'vanilla_harmful' });
    expect(benign).toHaveLength(100);
    expect(harmful).toHaveLength(100);
    expect(new Set(benign.map((r) => r.category)).size).toBe(10);
  });
  it('XSTest: 250 safe + 200 unsafe', () => {
    const all = loadXsTestCsv(seeds('xstest/xstest_prompts.csv'));
    expect(all.filter((r) => r.dataType === 'vanilla_benign')).toHaveLength(250);
    expect(all.filter((r) => r.dataType === 'vanilla_harmful')).toHaveLength(200);
    expect(loadXsTestCsv(seeds('xstest/xstest_prompts.csv'), { labels: ['safe'] })).toHaveLength(250);
  });
  it('WildJailbreak eval JSONL: 250 benign with the adversarial kept in meta', () => {
    const rows = loadWildJailbreak(seeds('wildjailbreak/benign.jsonl'), { dataType: 'vanilla_benign' });
    expect(rows).toHaveLength(250);
    expect(rows.every((r) => (r.meta.adversarial ?? '').length > 0)).toBe(true);
  });
  it('WildJailbreak train TSV: data_type column maps to dataType', () => {
    const rows = loadWildJailbreak(fixture('wildjailbreak-train-format.tsv'));
    expect(rows.map((r) => r.dataType)).toEqual(['vanilla_benign', 'vanilla_benign', 'vanilla_harmful']);
    expect(rows[1]!.text).toContain('baker');
  });
  it('refusal-direction JSON: 39 harmful val rows with categories', () => {
    const rows = loadRefusalDirectionJson(seeds('refusal-direction/harmful_val.json'));
    expect(rows).toHaveLength(39);
    expect(rows.every((r) => r.category !== 'uncategorized')).toBe(true);
  });
  it('StrongREJECT, OR-Bench and SORRY-Bench format fixtures', () => {
    const sr = loadStrongRejectCsv(fixture('strongreject-format.csv'));
    expect(sr.map((r) => r.category)).toEqual([
      'Disinformation and deception',
      'Illegal goods and services',
      'Violence',
    ]);
    expect(sr[2]!.text).toContain('\n');
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
    const csv = await loadGenericSeeds(seeds('xstest/xstest_prompts.csv'), {
      mapping: { text: 'prompt', id: 'id', category: 'type' },
      dataType: 'vanilla_benign',
    });
    expect(csv).toHaveLength(450);
    const jsonl = await loadGenericSeeds(seeds('wildjailbreak/benign.jsonl'), {
      mapping: { text: 'vanilla' },
      dataType: 'vanilla_benign',
    });
    expect(jsonl).toHaveLength(250);
  });
  it('seed specs from the CLI', async () => {
    expect(parseSeedSpec('generic:a.csv?text=prompt&dataType=vanilla_benign&limit=3')).toEqual({
      format: 'generic',
      path: 'a.csv',
      mapping: { text: 'prompt' },
      dataType: 'vanilla_benign',
      limit: 3,
    });
    expect(await loadSeedSpec(`xstest-safe:${seeds('xstest/xstest_prompts.csv')}?limit=5`)).toHaveLength(5);
    const spread = await loadSeedSpec(`xstest-safe:${seeds('xstest/xstest_prompts.csv')}?sample=50`);
    expect(spread).toHaveLength(50);
    expect(new Set(spread.map((s) => s.category)).size).toBe(10);
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
