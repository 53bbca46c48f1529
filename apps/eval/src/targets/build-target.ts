import { resolve } from 'node:path';
import type { ChatTarget } from '@magic/benchmarks';
import type { CausalLM, LmRuntimeOptions } from '@magic/lm';
import type { TargetSpec } from '../specs.js';
import { loadCheckpoint } from './checkpoint-model.js';
import { localChatTarget } from './local-target.js';
import { openaiChatTarget } from './openai-target.js';
import { replayChatTarget } from './replay-target.js';

export interface BuiltTarget {
  target: ChatTarget;
  /** Prompts cut to fit a local model's window (0 for endpoints). */
  truncatedPrompts(): number;
  dispose(): void;
}

/**
 * A ChatTarget for a spec. Its id (part of every generation-cache key) is the spec itself, plus a
 * fingerprint of the checkpoint files for local models, so a changed checkpoint never reuses old texts.
 * Models loaded for one spec are shared through `models` (target and planner may be the same checkpoint).
 */
export async function buildTarget(
  spec: TargetSpec,
  /** concurrency: endpoint requests in flight. */
  options: {
    apiKey?: string | undefined;
    concurrency: number;
    seed: number;
    models?: Map<string, Promise<BuiltTarget>>;
    /** @magic/lm's switches for local models (the CLI maps MAGIC_* variables to them). */
    lm?: LmRuntimeOptions;
  },
): Promise<BuiltTarget> {
  if (spec.kind === 'replay')
    return { target: replayChatTarget(spec.id), truncatedPrompts: () => 0, dispose: () => {} };
  const key = spec.kind === 'local' ? `local:${resolve(spec.dir)}` : `openai:${spec.baseURL}#${spec.model}`;
  const cached = options.models?.get(key);
  if (cached) return cached;
  const built = (async (): Promise<BuiltTarget> => {
    if (spec.kind === 'openai') {
      return {
        target: openaiChatTarget({
          id: key,
          baseURL: spec.baseURL,
          model: spec.model,
          apiKey: options.apiKey,
          concurrency: options.concurrency,
        }),
        truncatedPrompts: () => 0,
        dispose: () => {},
      };
    }
    const { model, fingerprint } = await loadCheckpoint(spec.dir, options.lm);
    const target = localChatTarget(model as CausalLM, { id: `local:${spec.dir}@${fingerprint}`, seed: options.seed });
    return { target, truncatedPrompts: () => target.servable.stats.truncatedPrompts, dispose: () => model.dispose() };
  })();
  options.models?.set(key, built);
  return built;
}
