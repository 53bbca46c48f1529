import { appendFile, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CausalLM, type SftConfigInput, type SftLog, SftTrainer, type TokenizedExample } from '@magic/lm';
import { z } from 'zod';
import { OrganismTrainError } from '../errors.js';
import { ORGANISM_STAGES } from '../report/train-log.js';
import { formatSeconds, ProgressBar } from './progress.js';

export type StageName = 'pretrain' | 'sft' | 'attacker-sft';

/** One line of `<run>/train-log.jsonl`. */
export const trainLogLineSchema = z.object({
  stage: z.enum(ORGANISM_STAGES),
  step: z.number().int().positive(),
  loss: z.number(),
  lr: z.number(),
  gradNorm: z.number(),
  /** Tokens trained on in this stage so far. */
  tokens: z.number().int().min(0),
  /** Training seconds in this stage so far, summed over resumed runs. */
  elapsedS: z.number().min(0),
  evalLoss: z.number().optional(),
});
export type TrainLogLine = z.infer<typeof trainLogLineSchema>;

const progressSchema = z.object({ tokens: z.number().int().min(0), elapsedS: z.number().min(0) });
const PROGRESS_FILE = 'organism-progress.json';

export interface StageOptions {
  stage: StageName;
  /** The run folder: `<runDir>/<stage>/{checkpoint,model}` and `<runDir>/train-log.jsonl`. */
  runDir: string;
  /** The model to start from when the stage has no checkpoint yet. */
  init: () => Promise<CausalLM>;
  examples: TokenizedExample[];
  evalExamples?: TokenizedExample[];
  trainer: SftConfigInput;
  /** Stop (after a checkpoint) once this many seconds have passed; the next call resumes. */
  maxSeconds?: number;
  /** Optimizer steps between checkpoints. */
  checkpointEvery: number;
  /** Keep AdamW moments in checkpoints (false: bf16 weights only, a warm restart on resume — GPU transfers). */
  checkpointOptimizer: boolean;
  progress?: { write(s: string): unknown; isTTY?: boolean };
  log?: (line: string) => void;
}

export interface StageResult {
  done: boolean;
  step: number;
  totalSteps: number;
  /** The HF folder of the finished stage (`<stage>/model`), when done. */
  modelDir?: string;
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Paths of a stage inside a run folder. */
export function stagePaths(runDir: string, stage: StageName) {
  const dir = join(runDir, stage);
  return { dir, checkpoint: join(dir, 'checkpoint'), model: join(dir, 'model'), log: join(runDir, 'train-log.jsonl') };
}

/**
 * Writes a checkpoint through a rename, so that a kill -9 at any moment leaves either the previous checkpoint or
 * the new one (`checkpoint.old` covers the instant between the two renames).
 */
async function saveAtomically(
  trainer: SftTrainer,
  dir: string,
  progress: z.infer<typeof progressSchema>,
  withOptimizer: boolean,
): Promise<void> {
  const tmp = `${dir}.tmp`;
  const old = `${dir}.old`;
  await rm(tmp, { recursive: true, force: true });
  await trainer.saveCheckpoint(tmp, withOptimizer ? {} : { optimizer: false, dtype: 'BF16' });
  await writeFile(join(tmp, PROGRESS_FILE), JSON.stringify(progress));
  await rm(old, { recursive: true, force: true });
  if (await exists(dir)) await rename(dir, old);
  await rename(tmp, dir);
  await rm(old, { recursive: true, force: true });
}

/** After a kill, steps past the checkpoint were logged but will be trained again: drop their lines. */
async function dropLogLinesAfter(file: string, stage: StageName, step: number): Promise<void> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return;
  const kept = text.split('\n').filter((line) => {
    if (line.trim() === '') return false;
    try {
      const l = JSON.parse(line) as { stage?: string; step?: number };
      return !(l.stage === stage && (l.step ?? 0) > step);
    } catch {
      return false; // a line cut by the kill
    }
  });
  await writeFile(file, kept.length > 0 ? `${kept.join('\n')}\n` : '');
}

async function latestCheckpoint(dir: string): Promise<string | undefined> {
  for (const d of [dir, `${dir}.old`]) if (await exists(join(d, 'trainer_state.json'))) return d;
  return undefined;
}

/** Runs (or resumes) one training stage through SftTrainer until it is done or the time budget is spent. */
export async function runStage(o: StageOptions): Promise<StageResult> {
  const paths = stagePaths(o.runDir, o.stage);
  await mkdir(paths.dir, { recursive: true });
  const log = o.log ?? (() => {});
  if (await exists(join(paths.model, 'config.json'))) {
    const state = JSON.parse(await readFile(join(paths.checkpoint, 'trainer_state.json'), 'utf8').catch(() => '{}'));
    log(`${o.stage}: already done (${paths.model})`);
    return { done: true, step: state.step ?? 0, totalSteps: state.step ?? 0, modelDir: paths.model };
  }
  const resumeFrom = await latestCheckpoint(paths.checkpoint);
  let trainer: SftTrainer;
  let progress = { tokens: 0, elapsedS: 0 };
  if (resumeFrom) {
    trainer = await SftTrainer.fromCheckpoint(resumeFrom, { warmRestart: true });
    const p = progressSchema.safeParse(
      JSON.parse(await readFile(join(resumeFrom, PROGRESS_FILE), 'utf8').catch(() => '{"tokens":0,"elapsedS":0}')),
    );
    if (p.success) progress = p.data;
    await dropLogLinesAfter(paths.log, o.stage, trainer.step);
    log(`${o.stage}: resuming at step ${trainer.step}/${trainer.config.totalSteps} from ${resumeFrom}`);
  } else {
    trainer = new SftTrainer(await o.init(), o.trainer);
  }
  const total = trainer.config.totalSteps;
  if (trainer.config.batchSize * trainer.config.gradAccumSteps > o.examples.length) {
    throw new OrganismTrainError(
      `${o.stage}: one step needs ${trainer.config.batchSize * trainer.config.gradAccumSteps} examples, only ${o.examples.length} given`,
    );
  }
  const bar = o.progress ? new ProgressBar(o.progress, o.stage, total) : undefined;
  const start = Date.now();
  const startElapsed = progress.elapsedS;
  const startStep = trainer.step;
  const onLog = async (l: SftLog): Promise<void> => {
    progress.tokens += l.tokens;
    progress.elapsedS = startElapsed + (Date.now() - start) / 1000;
    const line: TrainLogLine = {
      stage: o.stage,
      step: l.step,
      loss: l.loss,
      lr: l.lr,
      gradNorm: l.gradNorm,
      tokens: progress.tokens,
      elapsedS: Number(progress.elapsedS.toFixed(2)),
      ...(l.evalLoss !== undefined ? { evalLoss: l.evalLoss } : {}),
    };
    await appendFile(paths.log, `${JSON.stringify(line)}\n`);
    const rate = progress.tokens / Math.max(1e-9, progress.elapsedS);
    const eta = ((total - l.step) * (Date.now() - start)) / 1000 / Math.max(1, l.step - startStep);
    bar?.update(
      l.step,
      `loss ${l.loss.toFixed(3)}${l.evalLoss !== undefined ? ` eval ${l.evalLoss.toFixed(3)}` : ''} ` +
        `${(rate / 1000).toFixed(1)}k tok/s ETA ${formatSeconds(eta)}`,
      l.evalLoss !== undefined,
    );
  };
  try {
    while (trainer.step < total) {
      // One append at a time, in step order (concurrent appends can land out of order).
      let written = Promise.resolve();
      await trainer.trainTokenized(o.examples, {
        steps: Math.min(o.checkpointEvery, total - trainer.step),
        ...(o.evalExamples ? { evalTokenized: o.evalExamples } : {}),
        onLog: (l) => {
          written = written.then(() => onLog(l));
        },
      });
      await written;
      await saveAtomically(trainer, paths.checkpoint, progress, o.checkpointOptimizer);
      if (o.maxSeconds !== undefined && (Date.now() - start) / 1000 >= o.maxSeconds && trainer.step < total) {
        bar?.finish();
        log(`${o.stage}: time budget spent at step ${trainer.step}/${total}; run the same command again to resume`);
        return { done: false, step: trainer.step, totalSteps: total };
      }
    }
    bar?.finish();
    await trainer.model.save(paths.model);
    log(
      `${o.stage}: done, ${total} steps, ${progress.tokens} tokens in ${formatSeconds(progress.elapsedS)} -> ${paths.model}`,
    );
    return { done: true, step: total, totalSteps: total, modelDir: paths.model };
  } finally {
    trainer.dispose();
    trainer.model.dispose();
  }
}
