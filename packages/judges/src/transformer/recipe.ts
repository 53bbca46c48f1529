import type { CausalLM } from '@magic/lm';
import type { GuardRecipe } from '../eval/recipe.js';
import { type TrainTransformerGuardOptions, type TransformerGuardLog, trainTransformerGuard } from './train.js';
import type { TransformerGuard } from './transformer-guard.js';

export interface TransformerGuardRecipeOptions {
  /** A fresh backbone per training (e.g. `() => CausalLM.fromPretrained(dir)`); the trained guard owns it. */
  loadBackbone: () => Promise<CausalLM>;
  train?: Omit<TrainTransformerGuardOptions, 'seed'>;
  /**
   * Dispose the previous guard when the next one is trained (default true): cross-validation uses each fold's
   * guard only until the next fold, and a backbone per fold would otherwise stay in (GPU) memory.
   */
  disposePrevious?: boolean;
  onLog?: (log: TransformerGuardLog) => void;
}

/** Fine-tunes the backbone with three classification heads on each fold's rows (`magic-guard cv --guard transformer`). */
export function transformerGuardRecipe(options: TransformerGuardRecipeOptions): GuardRecipe {
  let previous: TransformerGuard | undefined;
  // Folds train on overlapping rows: tokenize each input once (the backbone's tokenizer is the same every fold).
  const tokenCache = new Map<string, number[]>();
  return {
    name: 'transformer',
    async train(rows, { seed }) {
      if (options.disposePrevious !== false) previous?.dispose();
      previous = undefined;
      const guard = await trainTransformerGuard(
        await options.loadBackbone(),
        rows,
        { ...options.train, seed },
        options.onLog,
        tokenCache,
      );
      previous = guard;
      return guard;
    },
  };
}
