import { parseArgs } from 'node:util';
import { ConfigError } from '@magic/game';

export interface CliArgs {
  preset?: string;
  configFiles: string[];
  overrides: string[];
  device?: string;
  resume: boolean;
  runDir?: string;
  help: boolean;
  /** Force plain-line progress even on a TTY. */
  plain: boolean;
}

export const USAGE = `magic-train: MAGIC co-evolution training (phase 1 SFT + phase 2 alternating GRPO)

Usage: magic-train [--preset NAME] [--config FILE]... [--set KEY=VALUE]... [KEY=VALUE]...
                   [--device auto|webgpu|tensorflow|wasm|cpu] [--run-dir DIR] [--resume] [--plain]

  --preset NAME    tiny, organism-s (npm start), organism-s-fixed-attacker, organism-m,
                   organism-m-fixed-attacker, gpu-small, qwen2.5-0.5b, qwen2.5-7b
  --config FILE    YAML config (repeatable; later files win); original MAGIC/verl key names accepted
  --set KEY=VALUE  dotted override, e.g. --set trainer.totalSteps=20 or algorithm.switch_agent.freq=5
  --device D       backend (trainer.device)
  --run-dir DIR    run directory (trainer.runDir; the presets use runs/<preset>/{timestamp}, a fresh one per run)
  --resume         continue a run from its latest checkpoint: the one in --run-dir, else the newest
                   runs/<preset>/<timestamp> that has a checkpoint
  --plain          plain progress lines even on a terminal
Environment: REWARD_HARM, REWARD_REFUSAL, REWARD_LABEL, USE_Q_SAFE_LABEL_FOR_REFUSAL,
  REWARD_MODEL_USE_ANSWER_TAGS, SAFETY_SCORE_MODE, WILDGUARD_API_ENDPOINT (the original's names);
  MAGIC_QWEN_TOKENIZER_DIR (Qwen tokenizer folder of the non-tiny presets); MAGIC_PACKED_MLP=0,
  MAGIC_PACKED_DECODE=0, MAGIC_DECODE_GRAPH=0 (turn a fast WebGPU path of @magic/lm off, for comparisons);
  backend start-up: MAGIC_ALLOW_SOFTWARE_WEBGPU=1, MAGIC_FAST_MATMUL=0|all, MAGIC_GEMM_DEEPK_WORKGROUPS,
  MAGIC_LEAN_BACKPROP=0, MAGIC_WEBGPU_POOL_GB, MAGIC_WEBGPU_ERROR_CAPTURE=0, MAGIC_DAWN_ENABLE/DISABLE,
  MAGIC_MAX_BINDING_BYTES, MAGIC_WASM_DIR, MAGIC_WASM_MATMUL=tfjs (@magic/tensor's README).`;

/** Parses the command line; bare `a.b=c` positionals are overrides like `--set a.b=c`. */
export function parseCliArgs(argv: string[]): CliArgs {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new ConfigError('', 'command line', (e as Error).message);
  }
  const { values, positionals } = parsed;
  for (const p of positionals) {
    if (!p.includes('=')) throw new ConfigError(p, 'command line', "expected 'key=value' (or use --set)");
  }
  return {
    preset: values.preset,
    configFiles: values.config ?? [],
    overrides: [...(values.set ?? []), ...positionals],
    device: values.device,
    resume: values.resume ?? false,
    runDir: values['run-dir'],
    help: values.help ?? false,
    plain: values.plain ?? false,
  };
}

const OPTIONS = {
  preset: { type: 'string' },
  config: { type: 'string', multiple: true },
  set: { type: 'string', multiple: true },
  device: { type: 'string' },
  resume: { type: 'boolean' },
  'run-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  plain: { type: 'boolean' },
} as const;
