#!/usr/bin/env node
// New/old ratios of B1 and B2 from bench/ab-run.sh's tagged lines (plain JS: it runs on the GPU machine, where only
// the bundles and Node are). Per workload and build: the median of the processes' own medians (each a median of 3
// warm runs). B1's ratio is of tokens per second, B2's of seconds per update; both are "new/old speed", so > 1 is
// faster. Within ±5% passes (issue 20, "Done when"). Usage: node bench/ab-ratios.mjs ab.jsonl
import { readFileSync } from 'node:fs';

const TOLERANCE = 0.05;
/** Both must be there: a build that crashed leaves no line, and that is a failure, not a pass. */
const EXPECTED = ['B1-sampling', 'B2-grpo-update'];
const file = process.argv[2];
if (!file) {
  console.error('usage: node bench/ab-ratios.mjs <ab.jsonl>');
  process.exit(2);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Seconds of one workload run, whatever the bench's field names (B1 also reports tokens/s). */
const seconds = (r) => r.medianSeconds;

const rows = readFileSync(file, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l));
const workloads = [...new Set([...EXPECTED, ...rows.map((r) => r.result.workload)])];
const out = { tolerance: TOLERANCE, workloads: {} };
let ok = rows.length > 0;
for (const w of workloads) {
  const of = (build) => rows.filter((r) => r.result.workload === w && r.build === build).map((r) => seconds(r.result));
  const old = of('old');
  const now = of('new');
  if (old.length === 0 || now.length === 0) {
    out.workloads[w] = { old, new: now, verdict: 'missing a build' };
    ok = false;
    continue;
  }
  // speed ratio: old time / new time (> 1: the new build is faster)
  const ratio = median(old) / median(now);
  const within = Math.abs(ratio - 1) <= TOLERANCE;
  ok &&= within;
  out.workloads[w] = {
    oldSeconds: old,
    newSeconds: now,
    oldMedian: median(old),
    newMedian: median(now),
    speedRatioNewOverOld: Number(ratio.toFixed(4)),
    verdict: within ? 'within ±5%' : 'outside ±5%',
  };
}
out.verdict = ok ? 'pass' : 'fail';
console.log(JSON.stringify(out, null, 2));
process.exit(ok ? 0 : 1);
