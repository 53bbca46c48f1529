import { MagicError } from '@magic/core';

/** A config value, file or override is invalid. `key` is the dotted path, `source` where it came from. */
export class ConfigError extends MagicError {
  readonly key: string;
  readonly source: string;

  constructor(key: string, source: string, detail: string) {
    super('GAME_CONFIG', `${source}: ${key === '' ? '(root)' : key}: ${detail}`);
    this.key = key;
    this.source = source;
  }

  static override isInstance(e: unknown): e is ConfigError {
    return MagicError.isInstance(e) && e.code === 'GAME_CONFIG';
  }
}

/** A checkpoint directory is missing, incomplete or from another run. `file` names what was read. */
export class CheckpointError extends MagicError {
  readonly file: string;

  constructor(file: string, detail: string, options?: { cause?: unknown }) {
    super('GAME_CHECKPOINT', `${file}: ${detail}`, options);
    this.file = file;
  }

  static override isInstance(e: unknown): e is CheckpointError {
    return MagicError.isInstance(e) && e.code === 'GAME_CHECKPOINT';
  }
}

/** A training stage failed; `stage` and `step` say where. */
export class StageError extends MagicError {
  readonly stage: string;
  readonly step: number;

  constructor(stage: string, step: number, options?: { cause?: unknown }) {
    const cause = options?.cause;
    // a typed cause keeps its code in the message, so the CLI's one line says what kind of failure stopped the run
    const code = MagicError.isInstance(cause) ? `${cause.code}: ` : '';
    const why = cause instanceof Error ? `${code}${cause.message}` : String(cause);
    super('GAME_STAGE', `stage '${stage}' failed at step ${step}: ${why}`, options);
    this.stage = stage;
    this.step = step;
  }

  static override isInstance(e: unknown): e is StageError {
    return MagicError.isInstance(e) && e.code === 'GAME_STAGE';
  }
}

/** No episode could be judged in `steps` consecutive steps: the judge at `endpoint` is down or answers garbage. */
export class JudgeOutageError extends MagicError {
  readonly endpoint: string;
  readonly steps: number;

  constructor(endpoint: string, steps: number, options?: { cause?: unknown }) {
    const why = options?.cause instanceof Error ? ` (one of its errors: ${options.cause.message})` : '';
    super(
      'GAME_JUDGE_OUTAGE',
      `judge ${endpoint} failed on every episode of ${steps} consecutive steps${why}; check the endpoint or raise reward.maxConsecutiveFailedSteps`,
      options,
    );
    this.endpoint = endpoint;
    this.steps = steps;
  }

  static override isInstance(e: unknown): e is JudgeOutageError {
    return MagicError.isInstance(e) && e.code === 'GAME_JUDGE_OUTAGE';
  }
}

/** `grpo.useKlLoss` needs the frozen reference policy, but none was taken (phase 2 not begun, or a checkpoint without one). */
export class ReferencePolicyError extends MagicError {
  readonly role: string;

  constructor(role: string) {
    super('GAME_REFERENCE_POLICY', `${role}: grpo.useKlLoss is on but no reference policy was frozen at phase-2 start`);
    this.role = role;
  }

  static override isInstance(e: unknown): e is ReferencePolicyError {
    return MagicError.isInstance(e) && e.code === 'GAME_REFERENCE_POLICY';
  }
}
