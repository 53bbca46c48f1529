import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  GenerationCache,
  type GuardLike,
  type RunResults,
  resultsToMarkdown,
  runSuite,
  type XTeamingAgents,
} from '@magic/benchmarks';
import { initBackend } from '@magic/tensor';
import type { EvalArgs } from './args.js';
import { buildJudge } from './build-judge.js';
import { resolveDataPaths } from './data-paths.js';
import { type EvalResults, evalResultsSchema } from './eval-results.js';
import type { EvalProgress } from './progress.js';
import { buildEvalReportHtml } from './report/eval-report.js';
import { type BuiltTarget, buildTarget } from './targets/build-target.js';

export interface EvalOutputs {
  results: EvalResults;
  files: { json: string; markdown: string; html: string; cache: string };
}

/** results.md: run facts, then every suite's paper table and task sections (the benchmarks Markdown writer). */
export function evalMarkdown(results: EvalResults): string {
  const m = results.meta;
  const head = [
    `# magic-eval: ${m.target}`,
    '',
    `judge \`${m.judge ?? 'none'}\`, suites ${m.suites.join(', ')}, backend ${m.backend ?? 'n/a'}, wall time ${m.wallSeconds.toFixed(1)} s, ${m.startedAt}`,
    '',
  ];
  return [
    ...head,
    ...results.runs.map((r) =>
      resultsToMarkdown(r)
        .replace(/^# /, '## ')
        .replace(/\n## Tasks/, '\n### Tasks'),
    ),
  ].join('\n');
}

function writeOutputs(out: string, results: EvalResults): EvalOutputs['files'] & { cache: string } {
  const valid = evalResultsSchema.parse(results);
  const json = join(out, 'results.json');
  const markdown = join(out, 'results.md');
  const html = join(out, 'report.html');
  writeFileSync(json, `${JSON.stringify(valid, null, 2)}\n`);
  writeFileSync(markdown, evalMarkdown(valid));
  writeFileSync(html, buildEvalReportHtml(valid));
  return { json, markdown, html, cache: results.meta.cacheFile };
}

/**
 * Runs every requested suite against the target through one generation cache, writing results.json,
 * results.md and report.html into `args.out` after each suite (so an interrupted run keeps what it has).
 */
export async function runEval(
  args: EvalArgs,
  context: { argv: string[]; env: Readonly<Record<string, string | undefined>>; progress: EvalProgress },
): Promise<EvalOutputs> {
  const startedAt = new Date();
  const t0 = performance.now();
  const paths = resolveDataPaths(args.dataDir, args.paths);
  const out = resolve(args.out);
  mkdirSync(out, { recursive: true });
  const cacheFile = resolve(args.cache ?? join(out, 'generations.jsonl'));
  const cache = await GenerationCache.open(cacheFile);
  const specs = [args.target, args.planner, args.attacker, args.scorer];
  let backend: string | null = null;
  if (specs.some((s) => s?.kind === 'local')) {
    const info = await initBackend({ device: args.device });
    backend = info.name;
    context.progress.line(
      `backend: ${info.name}${info.skipped.length > 0 ? ` (skipped ${info.skipped.map((s) => s.device).join(', ')})` : ''}`,
    );
  }
  const models = new Map<string, Promise<BuiltTarget>>();
  const targetOptions = {
    apiKey: context.env['OPENAI_API_KEY'],
    concurrency: args.concurrency * args.batchSize,
    seed: args.seed,
    models,
  };
  const built: BuiltTarget[] = [];
  const build = async (spec: NonNullable<EvalArgs['planner']>) => {
    const b = await buildTarget(spec, targetOptions);
    if (!built.includes(b)) built.push(b);
    return b.target;
  };
  try {
    const target = await build(args.target);
    const judge: GuardLike | undefined = args.judge
      ? buildJudge(args.judge, { apiKey: context.env['WILDGUARD_API_KEY'] })
      : undefined;
    const multiTurn: XTeamingAgents | undefined =
      args.planner && args.attacker
        ? {
            planner: await build(args.planner),
            attacker: await build(args.attacker),
            scorer: await build(args.scorer ?? args.planner),
            config: { plansPerBehavior: args.xteamingPlans, maxTurns: args.xteamingTurns },
          }
        : undefined;
    const runs: RunResults[] = [];
    let files: EvalOutputs['files'] | undefined;
    let results: EvalResults | undefined;
    for (const suite of args.suites) {
      context.progress.line(`suite ${suite}: starting`);
      const run = await runSuite({
        suite,
        target,
        judge,
        cache,
        paths,
        multiTurn,
        limit: args.limit,
        concurrency: args.concurrency,
        batchSize: args.batchSize,
        seed: args.seed,
        bootstrapSamples: args.bootstrapSamples,
        generation: { temperature: args.temperature, maxTokens: args.maxTokens, topP: 1 },
        onProgress: (event) => context.progress.update(suite, event),
      });
      runs.push(run);
      const skipped = run.tasks.filter((t) => t.status === 'skipped').map((t) => t.id);
      context.progress.line(
        `suite ${suite}: ${run.tasks.length - skipped.length} tasks done${skipped.length > 0 ? `, skipped ${skipped.join(', ')}` : ''} (generations ${run.stats.generated} new, ${run.stats.cached} cached)`,
      );
      results = {
        schemaVersion: 1,
        tool: 'magic-eval',
        meta: {
          target: target.id,
          judge: judge?.name ?? null,
          suites: runs.map((r) => r.suite),
          backend,
          startedAt: startedAt.toISOString(),
          wallSeconds: (performance.now() - t0) / 1000,
          argv: context.argv,
          node: process.version,
          limit: args.limit ?? null,
          seed: args.seed,
          cacheFile,
          truncatedPrompts: built.reduce((s, b) => s + b.truncatedPrompts(), 0),
          paths,
        },
        runs: [...runs],
      };
      files = writeOutputs(out, results);
    }
    await cache.flush();
    return { results: results!, files: files! };
  } finally {
    for (const b of built) b.dispose();
  }
}
