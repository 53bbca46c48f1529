// Behaviour before and after a refactor (issue 20, "Done when"): the same `magic-train` run in two trees, compared
// step by step on metrics.jsonl with timings left out. Two ways:
//   npx tsx bench/compare-metrics.ts --old A/metrics.jsonl --new B/metrics.jsonl [--explained FILE] [--out FILE]
//   npx tsx bench/compare-metrics.ts --old-tree DIR [--new-tree .] [--work /tmp/cmp] [--out FILE] -- <magic-train args>
// The second runs `nice -n 5 npx tsx apps/trainer/src/cli.ts <args> --run-dir <work>/{old,new}` in each tree, one
// after the other, then compares. --explained names keys (or /regex/) that a documented default change explains
// (JSON object key -> changeset). Prints one JSON object; exit 1 when a value differs without an explanation.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { diffMetrics, parseMetricsJsonl } from './metrics-diff.js';

const dash = process.argv.indexOf('--');
const own = dash < 0 ? process.argv.slice(2) : process.argv.slice(2, dash);
const trainArgs = dash < 0 ? [] : process.argv.slice(dash + 1);
const { values } = parseArgs({
  args: own,
  options: {
    old: { type: 'string' },
    new: { type: 'string' },
    'old-tree': { type: 'string' },
    'new-tree': { type: 'string', default: '.' },
    work: { type: 'string', default: '/tmp/magic-compare-metrics' },
    explained: { type: 'string' },
    tolerance: { type: 'string', default: '0' },
    out: { type: 'string' },
  },
});

const commitOf = (tree: string): string => {
  try {
    const head = execFileSync('git', ['-C', tree, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['-C', tree, 'status', '--porcelain', '--', 'packages', 'apps'], {
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head}+uncommitted` : head;
  } catch {
    return 'unknown';
  }
};

/** Runs the trainer in `tree` with a fixed run dir; returns the run's metrics.jsonl path and wall seconds. */
function train(tree: string, runDir: string): { metrics: string; seconds: number } {
  const t0 = Date.now();
  const r = spawnSync(
    'nice',
    ['-n', '5', 'npx', 'tsx', 'apps/trainer/src/cli.ts', ...trainArgs, '--run-dir', runDir, '--plain'],
    { cwd: tree, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (r.status !== 0) throw new Error(`magic-train in ${tree} exited with ${r.status ?? r.signal}`);
  return { metrics: join(runDir, 'metrics.jsonl'), seconds: (Date.now() - t0) / 1000 };
}

let oldFile = values.old;
let newFile = values.new;
const meta: Record<string, unknown> = {};
if (values['old-tree']) {
  if (trainArgs.length === 0) throw new Error('--old-tree needs the magic-train arguments after --');
  const work = resolve(values.work);
  mkdirSync(work, { recursive: true });
  const oldTree = resolve(values['old-tree']);
  const newTree = resolve(values['new-tree']);
  const o = train(oldTree, join(work, 'old'));
  const n = train(newTree, join(work, 'new'));
  oldFile = o.metrics;
  newFile = n.metrics;
  // MAGIC_* variables reach both trainers (e.g. MAGIC_WASM_MATMUL=tfjs); a tree that does not know one ignores it
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('MAGIC_')));
  Object.assign(meta, {
    command: `npx tsx apps/trainer/src/cli.ts ${trainArgs.join(' ')} --run-dir <work>/{old,new} --plain`,
    ...(Object.keys(env).length > 0 ? { env } : {}),
    old: { tree: oldTree, commit: commitOf(oldTree), wallSeconds: o.seconds },
    new: { tree: newTree, commit: commitOf(newTree), wallSeconds: n.seconds },
  });
}
if (!oldFile || !newFile)
  throw new Error('give --old and --new metrics files, or --old-tree DIR -- <magic-train args>');

const explained = values.explained
  ? (JSON.parse(readFileSync(values.explained, 'utf8')) as Record<string, string>)
  : undefined;
const comparison = diffMetrics(
  parseMetricsJsonl(readFileSync(oldFile, 'utf8'), oldFile),
  parseMetricsJsonl(readFileSync(newFile, 'utf8'), newFile),
  { ...(explained ? { explained } : {}), tolerance: Number(values.tolerance) },
);
const result = { ...meta, oldFile, newFile, ...comparison };
const text = `${JSON.stringify(result, null, 2)}\n`;
if (values.out) writeFileSync(values.out, text);
process.stdout.write(text);
process.exitCode = comparison.same ? 0 : 1;
