import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { at } from '@magic/core';
import { z } from 'zod';
import type { Role } from '../config/schema.js';
import { CheckpointError } from '../errors.js';
import { SwitchStateSchema } from '../switch/switch-schedule.js';
import type { GameAgent } from './agent.js';
import { DataCursorSchema } from './data-cursor.js';

export const TrainerStateSchema = z.object({
  version: z.literal(1),
  /** Last completed phase-2 step (0 = right after phase 1). */
  step: z.number().int().nonnegative(),
  phase1Done: z.boolean(),
  switchState: SwitchStateSchema,
  rngState: z.number().int().nonnegative(),
  dataCursor: DataCursorSchema,
  /** The balanced sampler's cursor (`balance` option: the steps of its roles draw from it). */
  balancedDataCursor: DataCursorSchema.optional(),
  /** metrics.jsonl up to and including `step`. */
  metrics: z.array(z.record(z.string(), z.union([z.number(), z.string()]))),
  /** JSON of the resolved config the run started with (resume refuses a different one). */
  configDigest: z.string(),
});
export type TrainerState = z.output<typeof TrainerStateSchema>;

const LatestSchema = z.object({ step: z.number().int().nonnegative(), dir: z.string() });

export function checkpointDir(runDir: string, step: number): string {
  return join(runDir, 'checkpoints', `global_step_${step}`);
}

/** Writes both agents and the trainer state, then points `checkpoints/latest.json` at it. */
export async function saveTrainerCheckpoint(
  runDir: string,
  state: TrainerState,
  agents: Record<Role, GameAgent>,
  keep: number,
): Promise<string> {
  const dir = checkpointDir(runDir, state.step);
  const tmp = `${dir}.tmp`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  for (const role of ['attacker', 'defender'] as const) await agents[role].saveCheckpoint(join(tmp, role));
  await writeFile(join(tmp, 'trainer-state.json'), JSON.stringify(state));
  await rm(dir, { recursive: true, force: true });
  await rename(tmp, dir);
  const latest = join(runDir, 'checkpoints', 'latest.json');
  await writeFile(`${latest}.tmp`, JSON.stringify({ step: state.step, dir: `global_step_${state.step}` }));
  await rename(`${latest}.tmp`, latest);
  await pruneCheckpoints(runDir, state.step, keep);
  return dir;
}

async function pruneCheckpoints(runDir: string, newest: number, keep: number): Promise<void> {
  if (keep <= 0) return;
  const { readdir } = await import('node:fs/promises');
  const steps = (await readdir(join(runDir, 'checkpoints')))
    .map((n) => /^global_step_(\d+)$/.exec(n)?.[1])
    .filter((s): s is string => s !== undefined)
    .map(Number)
    .filter((s) => s <= newest)
    .sort((a, b) => b - a);
  for (const s of steps.slice(keep)) await rm(checkpointDir(runDir, s), { recursive: true, force: true });
}

/** Reads `checkpoints/latest.json` and that checkpoint's trainer state; null when the run has none. */
export async function readLatestCheckpoint(runDir: string): Promise<{ dir: string; state: TrainerState } | null> {
  const latestFile = join(runDir, 'checkpoints', 'latest.json');
  if (!existsSync(latestFile)) return null;
  const latest = parseJsonFile(latestFile, await readFile(latestFile, 'utf8'), LatestSchema);
  const dir = join(runDir, 'checkpoints', latest.dir);
  const stateFile = join(dir, 'trainer-state.json');
  if (!existsSync(stateFile)) throw new CheckpointError(stateFile, 'missing (checkpoint incomplete)');
  const state = parseJsonFile(stateFile, await readFile(stateFile, 'utf8'), TrainerStateSchema);
  return { dir, state };
}

function parseJsonFile<T>(file: string, text: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(file, `invalid JSON: ${(e as Error).message}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = at(r.error.issues, 0, 'issues of a failed parse');
    throw new CheckpointError(file, `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return r.data;
}
