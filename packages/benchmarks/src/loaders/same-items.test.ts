// The one loader stack (the dataset formats parsed once in @magic/attack-pool) gives exactly the items the two
// separate stacks gave before: one SHA-256 per (loader, committed file), recorded with the old code at 103a0cd.
// A failing load is part of the behaviour too, recorded as its code, line and field.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  dataDir,
  loadAdvBenchCsv,
  loadGenericSeeds,
  loadHarmBenchCsv,
  loadJbbBehaviorsCsv,
  loadOrBenchCsv,
  loadRefusalDirectionJson,
  loadSelfInstructJsonl,
  loadSorryBenchJsonl,
  loadStrongRejectCsv,
  loadWildJailbreak,
  loadXsTestCsv,
} from '@magic/attack-pool';
import { describe, expect, it } from 'vitest';
import { loadHarmbench } from './harmbench.js';
import { loadJbb } from './jbb.js';
import { loadOrBench } from './or-bench.js';
import { packageDataDir } from './paths.js';
import { loadStrongreject } from './strongreject.js';
import { loadWildjailbreak } from './wildjailbreak.js';
import { loadXstest } from './xstest.js';

const fixture = (p: string) => dataDir('fixtures', p);
const malformed = (p: string) => dataDir('fixtures', 'malformed', p);
const seeds = (p: string) => dataDir('seeds', p);
const shipped = (p: string) => join(packageDataDir(), p);
const benchFixture = (p: string) => join(import.meta.dirname, '..', '__fixtures__', p);

/** The outcome of one load: its items, or the typed error's code, line and field (the message names the path). */
async function outcome(load: () => unknown): Promise<unknown> {
  try {
    return await load();
  } catch (e) {
    const err = e as { code?: string; line?: number; field?: string };
    return { error: err.code, line: err.line ?? null, field: err.field ?? null };
  }
}

const sha = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);

const cases: Record<string, () => unknown> = {
  'harmbench test (bench)': () => loadHarmbench({ path: shipped('harmbench/harmbench_behaviors_text_test.csv') }),
  'harmbench val (bench)': () => loadHarmbench({ path: shipped('harmbench/harmbench_behaviors_text_val.csv') }),
  'harmbench test (seeds)': () => loadHarmBenchCsv(shipped('harmbench/harmbench_behaviors_text_test.csv')),
  'harmbench val (seeds, no context)': () =>
    loadHarmBenchCsv(shipped('harmbench/harmbench_behaviors_text_val.csv'), { includeContext: false }),
  'harmbench fixture (bench)': () => loadHarmbench({ path: fixture('harmbench-format.csv') }),
  'harmbench fixture (seeds)': () => loadHarmBenchCsv(fixture('harmbench-format.csv')),
  'advbench seeds': () => loadAdvBenchCsv(seeds('advbench/advbench_behaviors.csv')),
  'xstest json (bench)': () => loadXstest({ path: shipped('xstest/exaggerated_safety.json') }),
  'xstest fixture (bench)': () => loadXstest({ path: fixture('xstest-format.csv') }),
  'xstest fixture (seeds)': () => loadXsTestCsv(fixture('xstest-format.csv')),
  'xstest fixture safe (seeds)': () => loadXsTestCsv(fixture('xstest-format.csv'), { labels: ['safe'] }),
  'jbb harmful (bench)': () => loadJbb({ path: shipped('jbb/harmful-behaviors.csv') }),
  'jbb benign (bench)': () => loadJbb({ path: shipped('jbb/benign-behaviors.csv') }),
  'jbb harmful (seeds)': () =>
    loadJbbBehaviorsCsv(shipped('jbb/harmful-behaviors.csv'), { dataType: 'vanilla_harmful' }),
  'jbb benign (seeds)': () => loadJbbBehaviorsCsv(shipped('jbb/benign-behaviors.csv'), { dataType: 'vanilla_benign' }),
  'jbb fixture (bench)': () => loadJbb({ path: fixture('jbb-behaviors-format.csv') }),
  'jbb fixture (seeds)': () => loadJbbBehaviorsCsv(fixture('jbb-behaviors-format.csv'), { dataType: 'vanilla_benign' }),
  'or-bench fixture (bench)': () => loadOrBench({ path: fixture('or-bench-format.csv') }),
  'or-bench fixture (seeds)': () => loadOrBenchCsv(fixture('or-bench-format.csv')),
  'or-bench bench fixture (bench)': () => loadOrBench({ path: benchFixture('or-bench-hard.csv') }),
  'or-bench bench fixture (seeds, toxic)': () =>
    loadOrBenchCsv(benchFixture('or-bench-hard.csv'), { dataType: 'vanilla_harmful' }),
  'strongreject fixture (bench)': () => loadStrongreject({ path: fixture('strongreject-format.csv') }),
  'strongreject fixture (seeds)': () => loadStrongRejectCsv(fixture('strongreject-format.csv')),
  'strongreject bench fixture (bench)': () => loadStrongreject({ path: benchFixture('strongreject.csv') }),
  'strongreject bench fixture (seeds)': () => loadStrongRejectCsv(benchFixture('strongreject.csv')),
  'wildjailbreak harmful (bench)': () => loadWildjailbreak({ path: shipped('wildjailbreak/harmful.jsonl') }),
  'wildjailbreak benign (bench)': () => loadWildjailbreak({ path: shipped('wildjailbreak/benign.jsonl') }),
  'wildjailbreak harmful (seeds)': () =>
    loadWildJailbreak(shipped('wildjailbreak/harmful.jsonl'), { dataType: 'vanilla_harmful' }),
  'wildjailbreak benign (seeds)': () =>
    loadWildJailbreak(shipped('wildjailbreak/benign.jsonl'), { dataType: 'vanilla_benign' }),
  'wildjailbreak parquet (bench)': () => loadWildjailbreak({ path: seeds('wildjailbreak/test_wjb.parquet') }),
  'wildjailbreak bench tsv (bench)': () => loadWildjailbreak({ path: benchFixture('wildjailbreak.tsv') }),
  'wildjailbreak bench tsv (seeds)': () =>
    loadWildJailbreak(benchFixture('wildjailbreak.tsv'), { dataType: 'vanilla_benign' }),
  'wildjailbreak eval fixture (bench)': () => loadWildjailbreak({ path: fixture('wildjailbreak-eval-format.jsonl') }),
  'wildjailbreak eval fixture (seeds)': () =>
    loadWildJailbreak(fixture('wildjailbreak-eval-format.jsonl'), { dataType: 'vanilla_benign' }),
  'wildjailbreak train fixture (seeds)': () => loadWildJailbreak(fixture('wildjailbreak-train-format.tsv')),
  'refusal-direction fixture': () => loadRefusalDirectionJson(fixture('refusal-direction-format.json')),
  'sorry-bench fixture': () => loadSorryBenchJsonl(fixture('sorry-bench-format.jsonl')),
  'self-instruct seed tasks': () => loadSelfInstructJsonl(seeds('self-instruct/seed_tasks.jsonl')),
  'self-instruct user tasks': () => loadSelfInstructJsonl(seeds('self-instruct/user_oriented_instructions.jsonl')),
  'generic parquet': () =>
    loadGenericSeeds(seeds('wildjailbreak/test_wjb.parquet'), { mapping: { text: 'question', dataType: 'data_type' } }),
  'generic csv': () =>
    loadGenericSeeds(fixture('xstest-format.csv'), {
      mapping: { text: 'prompt', id: 'id', category: 'type' },
      dataType: 'vanilla_benign',
    }),
  'malformed harmbench (seeds)': () => loadHarmBenchCsv(malformed('harmbench-empty-behavior.csv')),
  'malformed harmbench (bench)': () => loadHarmbench({ path: malformed('harmbench-empty-behavior.csv') }),
  'malformed advbench': () => loadAdvBenchCsv(malformed('advbench-bad-quote.csv')),
  'malformed jbb (seeds)': () => loadJbbBehaviorsCsv(malformed('jbb-short-row.csv'), { dataType: 'vanilla_benign' }),
  'malformed jbb (bench)': () => loadJbb({ path: malformed('jbb-short-row.csv') }),
  'malformed or-bench (seeds)': () => loadOrBenchCsv(malformed('or-bench-short-row.csv')),
  'malformed or-bench (bench)': () => loadOrBench({ path: malformed('or-bench-short-row.csv') }),
  'malformed strongreject (seeds)': () => loadStrongRejectCsv(malformed('strongreject-empty-prompt.csv')),
  'malformed strongreject (bench)': () => loadStrongreject({ path: malformed('strongreject-empty-prompt.csv') }),
  'malformed wildjailbreak json (seeds)': () =>
    loadWildJailbreak(malformed('wildjailbreak-bad-json.jsonl'), { dataType: 'vanilla_benign' }),
  'malformed wildjailbreak json (bench)': () => loadWildjailbreak({ path: malformed('wildjailbreak-bad-json.jsonl') }),
  'malformed wildjailbreak type (seeds)': () => loadWildJailbreak(malformed('wildjailbreak-bad-type.tsv')),
  'malformed xstest (seeds)': () => loadXsTestCsv(malformed('xstest-bad-label.csv')),
  'malformed xstest (bench)': () => loadXstest({ path: malformed('xstest-bad-label.csv') }),
  'malformed refusal-direction': () => loadRefusalDirectionJson(malformed('refusal-direction-bad-type.json')),
  'malformed sorry-bench': () => loadSorryBenchJsonl(malformed('sorry-bench-empty-turns.jsonl')),
};

const expected: Record<string, string> = {
  'harmbench test (bench)': 'c064c706a3a8eab1',
  'harmbench val (bench)': 'fae006441e326508',
  'harmbench test (seeds)': '77f92af662e204b7',
  'harmbench val (seeds, no context)': '43c74efd95af2507',
  'harmbench fixture (bench)': 'c282fdce603641ad',
  'harmbench fixture (seeds)': '959c40262879af48',
  'advbench seeds': '40898bf62320c2da',
  'xstest json (bench)': '438e3c1f6e417c45',
  'xstest fixture (bench)': '31abf3e69d5aba54',
  'xstest fixture (seeds)': 'c750e9b59e3da75f',
  'xstest fixture safe (seeds)': '27965ea196726204',
  'jbb harmful (bench)': 'b4d92d1616d3fb78',
  'jbb benign (bench)': 'fb4232ce03c2a970',
  'jbb harmful (seeds)': 'b48b3a95f9a62eae',
  'jbb benign (seeds)': 'daaad2ab2150d6b6',
  'jbb fixture (bench)': 'aafe7c67b00b2fe2',
  'jbb fixture (seeds)': 'f39dafcc423bd66b',
  'or-bench fixture (bench)': 'f9114f8c38530600',
  'or-bench fixture (seeds)': 'a2854d6481b0b3f4',
  'or-bench bench fixture (bench)': '4ecf170f332e1f34',
  'or-bench bench fixture (seeds, toxic)': 'a693acd869270281',
  'strongreject fixture (bench)': 'fa1e96d2ac35f4ab',
  'strongreject fixture (seeds)': '4de967606b46a878',
  'strongreject bench fixture (bench)': '0e59ea9a6810523c',
  'strongreject bench fixture (seeds)': 'ad8fbdd65b3b067d',
  'wildjailbreak harmful (bench)': 'b71f819bb6f96c60',
  'wildjailbreak benign (bench)': 'dc84f02235aab386',
  'wildjailbreak harmful (seeds)': 'ed142a2d65721f00',
  'wildjailbreak benign (seeds)': '10a4e07c8ee072c5',
  'wildjailbreak parquet (bench)': 'dc84f02235aab386',
  'wildjailbreak bench tsv (bench)': 'b820837bae432549',
  'wildjailbreak bench tsv (seeds)': '50329292a64dc33e',
  'wildjailbreak eval fixture (bench)': '7e4198df974b2315',
  'wildjailbreak eval fixture (seeds)': '95283b939764bd33',
  'wildjailbreak train fixture (seeds)': '048fc90ae53a124d',
  'refusal-direction fixture': 'ad33f0a611f0c213',
  'sorry-bench fixture': '39c7e4fcfb908f6b',
  'self-instruct seed tasks': '178679652e887dfd',
  'self-instruct user tasks': 'b3d67ad2a629c3f2',
  'generic parquet': '7560fa3b73633070',
  'generic csv': 'fc343be973219327',
  'malformed harmbench (seeds)': '9d7494486f58ddce',
  'malformed harmbench (bench)': '76458cc4700d09f0',
  'malformed advbench': '74ed9f2e53174cb1',
  'malformed jbb (seeds)': '74ed9f2e53174cb1',
  'malformed jbb (bench)': 'f9d5796d5e646538',
  'malformed or-bench (seeds)': '74ed9f2e53174cb1',
  'malformed or-bench (bench)': 'f9d5796d5e646538',
  'malformed strongreject (seeds)': 'de378530489abc5d',
  'malformed strongreject (bench)': '30c33644977a1c4b',
  'malformed wildjailbreak json (seeds)': 'b74b74a0e0b6087d',
  'malformed wildjailbreak json (bench)': '828d435f13cb9c7c',
  'malformed wildjailbreak type (seeds)': 'f64cc27af4704e29',
  'malformed xstest (seeds)': 'b3dbd8939f726147',
  'malformed xstest (bench)': 'acdbdd4e50562964',
  'malformed refusal-direction': '71aee3232759d2e8',
  'malformed sorry-bench': 'ee9e771739255f7d',
};

describe('one loader stack, same items as the two stacks before', () => {
  for (const [name, load] of Object.entries(cases)) {
    it(name, async () => {
      expect(sha(await outcome(load))).toBe(expected[name]);
    });
  }

  // The one intended difference: the train TSV is read unquoted (its tactics hold quotes), so the eval loader now
  // names the first row that lacks a request (line 2, no adversarial) instead of a quote error on line 3.
  it('wildjailbreak train fixture (bench): the first row without both requests is named', async () => {
    expect(await outcome(() => loadWildjailbreak({ path: fixture('wildjailbreak-train-format.tsv') }))).toEqual({
      error: 'BENCHMARK_FILE_INVALID',
      line: 2,
      field: 'adversarial',
    });
  });
});
