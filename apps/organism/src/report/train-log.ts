import { readFileSync } from 'node:fs';
import { at } from '@magic/core';
import { z } from 'zod';
import { TrainLogError } from '../errors.js';

/** The build's training stages, in order (run-stage.ts writes them; the report and the model card read them). */
export const ORGANISM_STAGES = ['pretrain', 'sft', 'attacker-sft'] as const;

/** One line of `<run>/train-log.jsonl`, as the pretrain and SFT commands write it (extra fields are kept). */
export const trainLogRecordSchema = z
  .object({
    stage: z.enum(ORGANISM_STAGES),
    step: z.number().int().nonnegative(),
    loss: z.number(),
    lr: z.number().nonnegative(),
    tokens: z.number().nonnegative(),
    elapsedS: z.number().nonnegative(),
    evalLoss: z.number().optional(),
  })
  .loose();
export type TrainLogRecord = z.output<typeof trainLogRecordSchema>;

/** Parses train-log.jsonl text; a bad line throws TrainLogError with the file and 1-based line. */
export function parseTrainLog(text: string, file: string): TrainLogRecord[] {
  const out: TrainLogRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (e) {
      throw new TrainLogError(file, i + 1, `invalid JSON (${(e as Error).message})`, { cause: e });
    }
    const r = trainLogRecordSchema.safeParse(raw);
    if (!r.success) {
      const issue = at(r.error.issues, 0, 'zod issue');
      throw new TrainLogError(file, i + 1, `${issue.path.join('.') || '(line)'}: ${issue.message}`);
    }
    out.push(r.data);
  });
  return out;
}

/** Reads `file` (train-log.jsonl); missing or empty files are TrainLogErrors too. */
export function readTrainLog(file: string): TrainLogRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new TrainLogError(file, undefined, `cannot read (${(e as Error).message})`, { cause: e });
  }
  const records = parseTrainLog(text, file);
  if (records.length === 0) throw new TrainLogError(file, undefined, 'no log records');
  return records;
}
