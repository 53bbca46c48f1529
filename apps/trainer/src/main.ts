import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createMagicGame, type GameConfig, MagicError } from '@magic/game';
import { lmRuntimeOptionsFromEnv } from '@magic/lm';
import { initBackendOptionsFromEnv } from '@magic/tensor';
import { stringify } from 'yaml';
import { parseCliArgs, USAGE } from './args.js';
import { resolveConfig } from './config.js';
import { Progress } from './progress.js';
import { newRunDir, resumeRunDir } from './run-dir.js';
import { writeRunReport } from './write-report.js';

export interface MainIo {
  stdout: { isTTY?: boolean; write(s: string): unknown };
  stderr: { write(s: string): unknown };
  env: Readonly<Record<string, string | undefined>>;
}

/** magic-train: resolves the config, runs phase 1 + phase 2, writes the report. Returns the exit code. */
export async function main(argv: string[], io: MainIo): Promise<number> {
  const t0 = performance.now();
  let config: GameConfig;
  let args: ReturnType<typeof parseCliArgs>;
  try {
    args = parseCliArgs(argv);
    if (args.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    config = resolveConfig(args, io.env);
    // `{timestamp}` in runDir: a fresh folder per run; --resume continues the newest one
    const template = config.trainer.runDir;
    const dir = resolve(args.resume ? resumeRunDir(template) : newRunDir(template));
    config = { ...config, trainer: { ...config.trainer, runDir: dir } };
  } catch (e) {
    io.stderr.write(`magic-train: ${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const runDir = config.trainer.runDir;
  mkdirSync(runDir, { recursive: true });
  writeFileSync(join(runDir, 'config.yaml'), stringify(config));
  const log = (s: string) => io.stdout.write(`${s}\n`);
  const progress = new Progress({ isTTY: io.stdout.isTTY === true && !args.plain, write: (s) => io.stdout.write(s) });
  let game: Awaited<ReturnType<typeof createMagicGame>> | undefined;
  try {
    game = await createMagicGame(config, {
      runDir,
      resume: args.resume,
      log,
      lm: lmRuntimeOptionsFromEnv(io.env),
      backend: initBackendOptionsFromEnv(io.env, config.trainer.device),
    });
    progress.attach(game.trainer.events);
    const summary = await game.run();
    progress.close();
    const wall = (performance.now() - t0) / 1000;
    const html = writeRunReport(runDir, summary.metrics, config, {
      backend: game.backend,
      guard: game.guardWhere,
      'wall time': `${wall.toFixed(1)} s`,
    });
    log(`done: ${summary.steps} steps in ${wall.toFixed(1)} s (backend ${game.backend})`);
    log(`metrics: ${join(runDir, 'metrics.jsonl')}`);
    log(`report: ${html}`);
    log(`report (PNG): ${join(runDir, 'report.png')}`);
    return 0;
  } catch (e) {
    progress.close();
    const what = MagicError.isInstance(e) ? `${e.code}: ${e.message}` : ((e as Error).stack ?? String(e));
    io.stderr.write(`magic-train: failed: ${what}\n`);
    return 1;
  } finally {
    await game?.close();
  }
}
