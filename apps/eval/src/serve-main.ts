import { lmRuntimeOptionsFromEnv } from '@magic/lm';
import { initBackendOptionsFromEnv } from '@magic/tensor';
import { EvalCliError } from './errors.js';
import type { MainIo } from './main.js';
import { serveCheckpoint } from './serve.js';
import { parseServeArgs, SERVE_USAGE } from './serve-args.js';

/** Resolves with the signal name on the first SIGINT or SIGTERM. */
export function shutdownSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/**
 * magic-serve: serves until `stop` resolves (SIGINT/SIGTERM by default), then shuts down gracefully.
 * Returns the exit code: 0 after a clean shutdown, 2 usage error, 1 failure.
 */
export async function serveMain(
  argv: string[],
  io: MainIo,
  stop: () => Promise<string> = shutdownSignal,
): Promise<number> {
  let args: ReturnType<typeof parseServeArgs>;
  try {
    args = parseServeArgs(argv, io.env);
  } catch (e) {
    if (!EvalCliError.isInstance(e)) throw e;
    io.stderr.write(`magic-serve: ${e.message}\n\n${SERVE_USAGE}\n`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(`${SERVE_USAGE}\n`);
    return 0;
  }
  try {
    const served = await serveCheckpoint(
      args,
      lmRuntimeOptionsFromEnv(io.env),
      initBackendOptionsFromEnv(io.env, args.device),
    );
    io.stdout.write(
      `magic-serve: ${args.modelName} on ${served.server.url} (backend ${served.backend}${args.apiKey ? ', bearer token required' : ''})\n`,
    );
    const signal = await stop();
    io.stderr.write(`magic-serve: ${signal}: shutting down\n`);
    await served.close();
    io.stderr.write(
      `magic-serve: stopped after ${served.server.stats.chatRequests} requests (${served.servable.stats.truncatedPrompts} prompts truncated to fit)\n`,
    );
    return 0;
  } catch (e) {
    const err = e as Error & { code?: string };
    io.stderr.write(`magic-serve: failed: ${err.code ? `${err.code}: ` : ''}${err.message}\n`);
    return 1;
  }
}
