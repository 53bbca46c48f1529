import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type ChatTarget,
  GenerationCache,
  type GuardLike,
  type RunResults,
  resultsToMarkdown,
  runSuite,
  type TokenTruncator,
  tokenizerTruncator,
  type XTeamingAgents,
} from '@magic/benchmarks';
import { defined } from '@magic/core';
import { lmRuntimeOptionsFromEnv, Tokenizer } from '@magic/lm';
import { initBackend, initBackendOptionsFromEnv } from '@magic/tensor';
import type { EvalArgs } from './args.js';
import { buildJudge } from './build-judge.js';
import { resolveDataPaths } from './data-paths.js';
import { type EvalResults, evalResultsSchema } from './eval-results.js';
import { checkDataPaths, probeJudge, probeJudgeLlm } from './precheck.js';
import type { EvalProgress } from './progress.js';
import { buildEvalReportHtml } from './report/eval-report.js';
import { type BuiltTarget, buildTarget } from './targets/build-target.js';
import { openaiChatTarget } from './targets/openai-target.js';

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
 * Start-up checks, before any model is loaded or anything generated: every data file parses with its loader, the
 * judge endpoint answers one probe with a parsable verdict, and so does the AlpacaEval judge LLM when it will be used.
 */
async function checkInputs(
  args: EvalArgs,
  paths: Record<string, string>,
  context: { env: Readonly<Record<string, string | undefined>>; progress: EvalProgress },
): Promise<void> {
  context.progress.line(
    `checking inputs: ${Object.keys(paths).length} data paths, judge ${args.judge?.kind ?? 'none'}`,
  );
  await checkDataPaths(paths, args.suites, args.seed);
  const timeoutMs = args.judgeTimeout * 1000;
  if (args.judge) await probeJudge(args.judge, { apiKey: context.env['WILDGUARD_API_KEY'], timeoutMs });
  if (args.judgeLlm?.kind === 'openai' && args.suites.includes('capability')) {
    const spec = args.judgeLlm;
    const probe = openaiChatTarget({
      id: `openai:${spec.baseURL}#${spec.model}`,
      baseURL: spec.baseURL,
      model: spec.model,
      apiKey: context.env['JUDGE_LLM_API_KEY'] ?? context.env['OPENAI_API_KEY'],
      timeoutMs,
      maxRetries: 0,
    });
    await probeJudgeLlm(probe, timeoutMs);
  }
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
  await checkInputs(args, paths, context);
  const judgeTruncator: TokenTruncator | undefined =
    args.judgeTokenizer === undefined
      ? undefined
      : tokenizerTruncator(`tokenizer:${args.judgeTokenizer}`, await Tokenizer.fromDir(args.judgeTokenizer));
  const out = resolve(args.out);
  mkdirSync(out, { recursive: true });
  const cacheFile = resolve(args.cache ?? join(out, 'generations.jsonl'));
  const cache = await GenerationCache.open(cacheFile);
  const specs = [args.target, args.planner, args.attacker, args.scorer];
  let backend: string | null = null;
  if (specs.some((s) => s?.kind === 'local')) {
    const info = await initBackend({ ...initBackendOptionsFromEnv(context.env, args.device), device: args.device });
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
    lm: lmRuntimeOptionsFromEnv(context.env),
  };
  const built: BuiltTarget[] = [];
  const build = async (spec: NonNullable<EvalArgs['planner']>) => {
    const b = await buildTarget(spec, targetOptions);
    if (!built.includes(b)) built.push(b);
    return b.target;
  };
  try {
    const target = args.target === undefined ? undefined : await build(args.target);
    const judge: GuardLike | undefined = args.judge
      ? buildJudge(args.judge, { apiKey: context.env['WILDGUARD_API_KEY'] })
      : undefined;
    const judgeLlm: ChatTarget | undefined = args.judgeLlm
      ? (
          await buildTarget(args.judgeLlm, {
            ...targetOptions,
            apiKey: context.env['JUDGE_LLM_API_KEY'] ?? context.env['OPENAI_API_KEY'],
          })
        ).target
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
        judgeLlm,
        judgeInput: { extractAnswer: args.extractAnswer, maxTokens: args.judgeMaxTokens },
        ...(judgeTruncator ? { judgeTruncator } : {}),
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
          target: target?.id ?? 'none',
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
    return { results: defined(results, 'results'), files: defined(files, 'files') };
  } finally {
    for (const b of built) b.dispose();
  }
}
