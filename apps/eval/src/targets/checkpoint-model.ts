import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { applyLmRuntimeOptions, CausalLM, type LmRuntimeOptions } from '@magic/lm';
import type { ServableModel } from '../model-server.js';

/** Runs async jobs one at a time (the model is not re-entrant: one generate/score call at a time). */
export function serializer(): <T>(job: () => Promise<T>) => Promise<T> {
  let chain: Promise<unknown> = Promise.resolve();
  return <T>(job: () => Promise<T>) => {
    const run = chain.then(job, job);
    chain = run.catch(() => undefined);
    return run;
  };
}

/**
 * Fits a prompt into the context window: the reply keeps at most half the window, and a prompt longer
 * than what is left is cut from the left (its end, with the generation prompt, is kept).
 */
export function fitPrompt(
  ids: readonly number[],
  maxPositions: number,
  maxNewTokens: number,
): { ids: number[]; maxNewTokens: number; truncated: boolean } {
  const maxNew = Math.max(1, Math.min(maxNewTokens, Math.floor(maxPositions / 2)));
  const room = maxPositions - maxNew;
  if (ids.length <= room) return { ids: [...ids], maxNewTokens: maxNew, truncated: false };
  return { ids: ids.slice(ids.length - room), maxNewTokens: maxNew, truncated: true };
}

/** sha256 over the names, sizes and mtimes of a checkpoint folder's files (first 12 hex): a cheap identity. */
export async function checkpointFingerprint(dir: string): Promise<string> {
  const names = (await readdir(dir)).sort();
  const hash = createHash('sha256');
  for (const name of names) {
    const s = await stat(join(dir, name));
    if (s.isFile()) hash.update(`${name}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 12);
}

export interface LoadedCheckpoint {
  model: CausalLM;
  fingerprint: string;
}

/** CausalLM.fromPretrained plus the folder fingerprint (LmCheckpointError / LmConfigError propagate). */
export async function loadCheckpoint(dir: string, lm: LmRuntimeOptions = {}): Promise<LoadedCheckpoint> {
  // the model first: a missing or malformed folder fails with its typed error (run side by side, the folder
  // listing could reject first with a bare ENOENT)
  const model = await CausalLM.fromPretrained(dir);
  applyLmRuntimeOptions(model, lm);
  try {
    return { model, fingerprint: await checkpointFingerprint(dir) };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

export interface CheckpointServable extends ServableModel {
  /** Prompts cut from the left to fit the context window so far. */
  readonly stats: { truncatedPrompts: number; generateCalls: number };
  /** Runs a job in the model's queue (after pending generate calls). */
  run<T>(job: () => Promise<T>): Promise<T>;
}

/** A CausalLM as magic-serve's ServableModel: prompts fitted to the window, one generate call at a time. */
export function servableCheckpoint(model: CausalLM): CheckpointServable {
  const run = serializer();
  const stats = { truncatedPrompts: 0, generateCalls: 0 };
  const maxPositions = model.config.maxPositionEmbeddings;
  return {
    stats,
    run,
    tokenizer: model.tokenizer,
    generate: (prompts, options) =>
      run(async () => {
        stats.generateCalls += 1;
        const fitted = prompts.map((p) => fitPrompt(p, maxPositions, options.maxNewTokens));
        stats.truncatedPrompts += fitted.filter((f) => f.truncated).length;
        const outputs = await model.generate(
          fitted.map((f) => f.ids),
          {
            maxNewTokens: fitted[0]?.maxNewTokens ?? options.maxNewTokens,
            temperature: options.temperature,
            topP: options.topP,
            topK: options.topK ?? 0,
            stopStrings: options.stopStrings ?? [],
            seed: options.seed ?? 0,
          },
        );
        return outputs.map((o) => ({ tokenIds: o.tokenIds, text: o.text, finishReason: o.finishReason }));
      }),
  };
}
