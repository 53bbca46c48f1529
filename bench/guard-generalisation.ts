/**
 * How a trained, fixed guard does on upstream families it never saw (issue 23 §1): the rows of
 * packages/judges/data/guard-cv whose family has no source in data/guard-training, pooled and per family, with
 * cluster-bootstrap CIs. The guard is asked over HTTP: `magic-guard serve` runs as its own process on loopback
 * port 0 (as users run it) and this process is a Qwen3Guard-protocol client (`EndpointGuard`, the same client
 * as `magic-eval --judge qwen3guard:`). This is not family-fold CV: the guard was trained once, on all of
 * guard-training. Optionally also prompt-harm recall on attack-pool rewrites of *validation-split* seeds, per
 * strategy (the guard trained on rewrites of train-split seeds by every strategy, so the seeds are unseen but the
 * strategies are not). Writes JSON lines (bench/results format) to --out.
 *   npx tsx bench/guard-generalisation.ts [--guard ngram | --guard transformer --model-dir DIR [--device wasm]]
 *     [--per-family 100] [--loso-seeds 40] [--bootstrap 1000] [--seed 1234] [--concurrency 8] [--out file.jsonl]
 */
import { appendFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadSeedSplit, strategyIds } from '@magic/attack-pool';
import { at } from '@magic/core';
import {
  assignFamilies,
  capRowsPerFamily,
  capSeeds,
  createJudgeClient,
  EndpointGuard,
  type GuardRecipe,
  loadFamilyMap,
  loadGuardCorpus,
  qwen3GuardProtocol,
  runLoso,
  scoreReference,
} from '@magic/judges';
import { startGuardServer } from './start-guard-server.js';

const { values } = parseArgs({
  options: {
    guard: { type: 'string' },
    'model-dir': { type: 'string' },
    device: { type: 'string' },
    'per-family': { type: 'string' },
    'loso-seeds': { type: 'string' },
    bootstrap: { type: 'string' },
    seed: { type: 'string' },
    concurrency: { type: 'string' },
    out: { type: 'string' },
  },
});
const guardName = values.guard ?? 'ngram';
if (guardName !== 'ngram' && guardName !== 'transformer') throw new Error('--guard must be ngram or transformer');
const seed = Number(values.seed ?? 1234);
const bootstrap = Number(values.bootstrap ?? 1000);
const concurrency = Number(values.concurrency ?? 8);
const perFamily = values['per-family'] === undefined ? undefined : Number(values['per-family']);
const losoSeeds = Number(values['loso-seeds'] ?? 0);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const data = (name: string) => join(root, 'packages/judges/data', name);
const serveArgs =
  guardName === 'transformer'
    ? ['--guard', 'transformer', '--model-dir', values['model-dir'] ?? data('transformer-guard')]
    : ['--guard', 'ngram'];
if (guardName === 'transformer') serveArgs.push('--device', values.device ?? 'wasm');

const lines: Record<string, unknown>[] = [];
const emit = (line: Record<string, unknown>) => {
  lines.push(line);
  console.log(JSON.stringify(line));
  if (values.out) appendFileSync(values.out, `${JSON.stringify(line)}\n`);
};

const dataDirs = [data('guard-training'), data('guard-cv')];
const corpus = loadGuardCorpus(dataDirs);
let rows = corpus;
let families = assignFamilies(corpus, loadFamilyMap(data('guard-cv/families.json')));
if (perFamily !== undefined) ({ rows, families } = capRowsPerFamily(corpus, families, perFamily, seed));

const server = await startGuardServer(serveArgs);
try {
  const guard = new EndpointGuard({
    client: createJudgeClient({ baseURL: server.url, concurrency, maxRetries: 0, timeoutMs: 600_000 }),
    protocol: qwen3GuardProtocol,
    name: `magic-guard serve --guard ${guardName}`,
  });
  const load = at(loadavg(), 0, '1-minute load average');
  const started = performance.now();
  const unseen = await scoreReference(
    { name: guardName, guard },
    rows,
    families,
    { dataDirs, concurrency },
    {
      seed,
      bootstrap,
    },
  );
  emit({
    workload: 'guard-unseen-families',
    guard: guardName,
    transport: 'magic-guard serve (separate process), HTTP loopback',
    families: unseen.families,
    maxRowsPerFamilyAndLabel: perFamily ?? null,
    seed,
    bootstrap,
    pooled: unseen.pooled,
    perFamily: unseen.perFamily,
    wallSeconds: (performance.now() - started) / 1000,
    cores: availableParallelism(),
    loadAverage1m: [load, loadavg()[0]],
  });
  if (losoSeeds > 0) {
    // A recipe that ignores its rows: the fixed guard scores every strategy's rewrites of the held-out seeds.
    const fixed: GuardRecipe = { name: guardName, train: async () => guard };
    const trainGroups = new Set(corpus.map((r) => r.group));
    const val = loadSeedSplit({ split: 'val' }).filter((s) => !trainGroups.has(`seed:${s.id}`));
    const seeds = capSeeds(val, losoSeeds, seed);
    const t = performance.now();
    const loso = await runLoso({
      baseRows: [],
      seeds,
      strategies: strategyIds,
      recipe: fixed,
      probeShare: 1,
      seed,
      bootstrap,
      concurrency,
      onStrategy: (s) => console.error(`strategy ${s.strategy}: recall ${s.harmful.recall.toFixed(3)}`),
    });
    emit({
      workload: 'guard-val-rewrites',
      guard: guardName,
      seeds: seeds.length,
      harmfulSeeds: seeds.filter((s) => s.dataType === 'vanilla_harmful').length,
      strategies: loso.strategies.map((s) => ({
        strategy: s.strategy,
        recall: s.harmful.recall,
        n: s.harmful.n,
        benignFlaggedRate: s.benignFlagged.rate,
      })),
      pooled: loso.pooled,
      wallSeconds: (performance.now() - t) / 1000,
      loadAverage1m: loadavg()[0],
    });
  }
} finally {
  server.stop();
}
