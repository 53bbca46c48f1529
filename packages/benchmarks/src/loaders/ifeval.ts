import { z } from 'zod';
import { readJsonl } from '../io.js';
import { type LoadOptions, shippedFile } from './paths.js';

/** An IFEval prompt: one kwargs object per instruction id (nulls dropped, as in the reference code). */
export const ifevalRowSchema = z
  .object({
    key: z.number().int(),
    prompt: z.string().min(1),
    instruction_id_list: z.array(z.string().min(1)).min(1),
    kwargs: z.array(z.record(z.string(), z.unknown())),
  })
  .refine((r) => r.kwargs.length === r.instruction_id_list.length, {
    message: 'kwargs and instruction_id_list differ in length',
    path: ['kwargs'],
  })
  .transform((r) => ({
    key: r.key,
    prompt: r.prompt,
    instructionIdList: r.instruction_id_list,
    kwargs: r.kwargs.map((k) => Object.fromEntries(Object.entries(k).filter(([, v]) => v !== null))),
  }));
export type IfevalRow = z.output<typeof ifevalRowSchema>;

/** IFEval input_data.jsonl (541). */
export function loadIfeval(options: LoadOptions = {}): Promise<IfevalRow[]> {
  return readJsonl(options.path ?? shippedFile('ifeval/input_data.jsonl'), ifevalRowSchema);
}
