import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadSeedSplit, strategyIds } from '@magic/attack-pool';
import { CausalLM } from '@magic/lm';
import { initBackend } from '@magic/tensor';
import { GuardModelError } from '../errors.js';
import { seedRewriteRows } from '../eval/rewrite-rows.js';
import { loadTrainingExamples } from '../local/train.js';
import type { TransformerGuardRecipeOptions } from './recipe.js';
import { measureGuardSpeed } from './speed.js';
import { type TrainTransformerGuardOptions, type TransformerGuardLog, trainTransformerGuard } from './train.js';

/** Flags shared by `train`, `cv` and `serve --guard transformer` (strings as parseArgs gives them). */
export interface TransformerFlags {
  device?: string;
  backbone?: string;
  epochs?: string;
  batch?: string;
  lr?: string;
  'max-length'?: string;
  'max-seconds'?: string;
}

const devices = ['auto', 'webgpu', 'wasm', 'cpu'] as const;

/** Starts the tensor backend `--device` names (auto: webgpu > wasm > cpu); returns a line saying which. */
export async function startBackend(device = 'auto'): Promise<string> {
  if (!(devices as readonly string[]).includes(device))
    throw new Error(`--device must be one of ${devices.join(', ')}, got '${device}'`);
  const info = await initBackend({ device: device as (typeof devices)[number] });
  return `backend ${info.name}${info.adapter ? ` (${info.adapter.description})` : ''}`;
}

function num(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${flag} must be a positive number, got '${value}'`);
  return n;
}

/** Training settings from the flags (unset flags keep the defaults of `trainTransformerGuardOptionsSchema`). */
export function trainSettings(f: TransformerFlags): Omit<TrainTransformerGuardOptions, 'seed'> {
  const out: Omit<TrainTransformerGuardOptions, 'seed'> = {};
  const set = <K extends keyof typeof out>(k: K, v: (typeof out)[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('epochs', num('epochs', f.epochs));
  set('batchSize', num('batch', f.batch));
  set('learningRate', num('lr', f.lr));
  set('maxLength', num('max-length', f['max-length']));
  set('maxSeconds', num('max-seconds', f['max-seconds']));
  return out;
}

/** A backbone loader for an HF folder; a missing folder is a GuardModelError naming its config.json. */
export function backboneLoader(dir: string | undefined): () => Promise<CausalLM> {
  if (dir === undefined) throw new Error('--guard transformer needs --backbone <HF model folder>');
  const config = join(dir, 'config.json');
  if (!existsSync(config)) throw new GuardModelError(config, 'missing (the backbone must be an HF model folder)');
  return () => CausalLM.fromPretrained(dir);
}

const logLine = (l: TransformerGuardLog) =>
  console.error(
    `step ${l.step}/${l.totalSteps} loss ${l.loss.toFixed(4)} grad ${l.gradNorm.toFixed(2)} lr ${l.lr.toExponential(2)} ${l.seconds.toFixed(1)} s`,
  );

/** The options `transformerGuardRecipe` gets from `magic-guard cv --guard transformer`. */
export function recipeOptions(f: TransformerFlags): TransformerGuardRecipeOptions {
  return { loadBackbone: backboneLoader(f.backbone), train: trainSettings(f), onLog: logLine };
}

/**
 * `magic-guard train --guard transformer`: the training data plus `rewrites` attack-pool rewrites per train seed,
 * fine-tuned from the backbone, saved to `out` (HF folder + heads + guard.json); a JSON report to `report`.
 */
export async function trainTransformerCommand(o: {
  flags: TransformerFlags;
  dataDir: string;
  out: string;
  seed: number;
  rewritesPerSeed: number;
  report?: string;
  /** Requests of the in-process speed check after training (0: none). */
  speedRequests?: number;
}): Promise<void> {
  const backend = await startBackend(o.flags.device);
  console.error(backend);
  const load = backboneLoader(o.flags.backbone);
  const base = loadTrainingExamples(o.dataDir);
  const rewrites =
    o.rewritesPerSeed > 0
      ? await seedRewriteRows(loadSeedSplit({ split: 'train' }), strategyIds, {
          perSeed: o.rewritesPerSeed,
          seed: o.seed,
        })
      : [];
  const rows = [...base, ...rewrites];
  const started = performance.now();
  const guard = await trainTransformerGuard(await load(), rows, { ...trainSettings(o.flags), seed: o.seed }, logLine);
  guard.settings.training = {
    ...guard.settings.training,
    backbone: o.flags.backbone,
    data: o.dataDir,
    rewritesPerSeed: o.rewritesPerSeed,
    rewriteRows: rewrites.length,
  };
  await guard.save(o.out);
  const seconds = (performance.now() - started) / 1000;
  const speed = o.speedRequests ? await measureGuardSpeed(guard, rows, o.speedRequests) : undefined;
  const report = { backend, out: o.out, seconds, training: guard.settings.training, ...(speed ? { speed } : {}) };
  if (o.report) {
    await mkdir(dirname(o.report), { recursive: true });
    await writeFile(o.report, `${JSON.stringify(report, null, 2)}\n`);
  }
  console.log(JSON.stringify(report));
  guard.dispose();
}
