import { COMPARE_USAGE, parseCompareArgs, parseEvalArgs, USAGE } from './args.js';
import { runCompare } from './compare-command.js';
import { EvalCliError } from './errors.js';
import { EvalProgress } from './progress.js';
import { runEval } from './run-eval.js';

export interface MainIo {
  stdout: { write(s: string): unknown };
  stderr: { isTTY?: boolean; write(s: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
}

function describe(error: unknown): string {
  if (typeof error === 'object' && error !== null && Symbol.for('magic.error') in error) {
    const e = error as Error & { code?: string };
    return `${e.code ?? e.name}: ${e.message}`;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** magic-eval (and `magic-eval compare`). Returns the exit code: 0 ok, 2 usage error, 1 run failure. */
export async function main(argv: string[], io: MainIo): Promise<number> {
  const isCompare = argv[0] === 'compare';
  const usage = isCompare ? COMPARE_USAGE : USAGE;
  const progress = new EvalProgress({
    isTTY: io.stderr.isTTY === true && !argv.includes('--plain'),
    write: (s) => io.stderr.write(s),
  });
  try {
    if (isCompare) {
      const args = parseCompareArgs(argv.slice(1));
      if (args.help) {
        io.stdout.write(`${COMPARE_USAGE}\n`);
        return 0;
      }
      const { markdown, files } = runCompare(args);
      io.stdout.write(markdown);
      for (const f of files) io.stdout.write(`wrote ${f}\n`);
      return 0;
    }
    const args = parseEvalArgs(argv);
    if (args.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const { results, files } = await runEval(args, { argv, env: io.env, progress });
    progress.close();
    const generated = results.runs.reduce((s, r) => s + r.stats.generated, 0);
    const cached = results.runs.reduce((s, r) => s + r.stats.cached, 0);
    io.stdout.write(
      [
        `done: ${results.runs.map((r) => r.suite).join(', ')} in ${results.meta.wallSeconds.toFixed(1)} s (generations ${generated} new, ${cached} cached)`,
        `results: ${files.json}`,
        `tables:  ${files.markdown}`,
        `report:  ${files.html}`,
        `cache:   ${files.cache}`,
        '',
      ].join('\n'),
    );
    return 0;
  } catch (error) {
    progress.close();
    if (EvalCliError.isInstance(error)) {
      io.stderr.write(`magic-eval: ${error.message}\n\n${usage}\n`);
      return 2;
    }
    io.stderr.write(`magic-eval: failed: ${describe(error)}\n`);
    return 1;
  }
}
