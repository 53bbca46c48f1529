import { z } from 'zod';
import { readJsonArray } from '../io.js';
import { type LoadOptions, requirePath } from './paths.js';

/** An AlpacaEval instruction (the model_outputs.json / alpaca_eval.json layout). */
export const alpacaEvalRowSchema = z.object({
  dataset: z.string().min(1),
  instruction: z.string().min(1),
  output: z.string().optional(),
  generator: z.string().optional(),
  /** alpaca_eval's per-instruction difficulty (instruction_difficulty.csv merged in by the user), for the LC GLM. */
  instruction_difficulty: z.number().optional(),
});
export type AlpacaEvalRow = z.output<typeof alpacaEvalRowSchema>;

/** AlpacaEval (CC BY-NC 4.0, not shipped): `path` to a JSON array of {dataset, instruction, output?, generator?}. */
export function loadAlpacaEval(options: LoadOptions = {}): Promise<AlpacaEvalRow[]> {
  const file = requirePath(
    'alpacaEval',
    options.path,
    'download alpaca_eval.json from HF tatsu-lab/alpaca_eval (CC BY-NC 4.0)',
  );
  return readJsonArray(file, alpacaEvalRowSchema);
}
