import { MagicError } from '@magic/core';

/** Base of every typed error in @magic/attack-pool (a MagicError: a stable `code` and the workspace-wide marker). */
export class AttackPoolError extends MagicError {}

/** A dataset file (seeds or a benchmark format) could not be read, or one of its rows is malformed. Names file and line. */
export class SeedLoadError extends AttackPoolError {
  readonly file: string;
  readonly line: number | undefined;
  readonly field: string | undefined;
  /** What is wrong, without the file and line (consumers that re-wrap the error reuse it). */
  readonly reason: string;

  constructor(init: {
    file: string;
    line?: number | undefined;
    field?: string | undefined;
    reason: string;
    cause?: unknown;
  }) {
    const where = init.line === undefined ? init.file : `${init.file}:${init.line}`;
    const field = init.field ? ` (field '${init.field}')` : '';
    super('SEED_LOAD', `${where}${field}: ${init.reason}`, { cause: init.cause });
    this.file = init.file;
    this.line = init.line;
    this.field = init.field;
    this.reason = init.reason;
  }

  static override isInstance(e: unknown): e is SeedLoadError {
    return AttackPoolError.isInstance(e) && e.code === 'SEED_LOAD';
  }
}

/** An encoded text could not be decoded (unknown token, bad number, map mismatch). */
export class TransformDecodeError extends AttackPoolError {
  readonly transform: string;
  readonly position: number;

  constructor(transform: string, position: number, reason: string) {
    super('TRANSFORM_DECODE', `${transform} decode failed at token ${position}: ${reason}`);
    this.transform = transform;
    this.position = position;
  }

  static override isInstance(e: unknown): e is TransformDecodeError {
    return AttackPoolError.isInstance(e) && e.code === 'TRANSFORM_DECODE';
  }
}

/** An LLM reply (rewrite, CoT or taxonomy label) was empty or could not be parsed. */
export class LlmReplyError extends AttackPoolError {
  readonly task: 'rewrite' | 'think' | 'classify';
  readonly url: string;
  readonly replyExcerpt: string;

  constructor(init: { task: 'rewrite' | 'think' | 'classify'; url: string; reply: string; reason: string }) {
    super('LLM_REPLY', `${init.task} reply from ${init.url} unusable: ${init.reason}`);
    this.task = init.task;
    this.url = init.url;
    this.replyExcerpt = init.reply.slice(0, 200);
  }

  static override isInstance(e: unknown): e is LlmReplyError {
    return AttackPoolError.isInstance(e) && e.code === 'LLM_REPLY';
  }
}

/** A pool file (records, split) is unreadable or a record does not match the schema. */
export class PoolFileError extends AttackPoolError {
  readonly file: string;
  readonly line: number | undefined;

  constructor(file: string, line: number | undefined, reason: string, options?: { cause?: unknown }) {
    super('POOL_FILE', `${line === undefined ? file : `${file}:${line}`}: ${reason}`, options);
    this.file = file;
    this.line = line;
  }

  static override isInstance(e: unknown): e is PoolFileError {
    return AttackPoolError.isInstance(e) && e.code === 'POOL_FILE';
  }
}

/** Bad builder / CLI configuration (unknown strategy, missing endpoint, unknown seed format). */
export class AttackPoolConfigError extends AttackPoolError {
  readonly field: string;

  constructor(field: string, reason: string) {
    super('CONFIG', `${field}: ${reason}`);
    this.field = field;
  }

  static override isInstance(e: unknown): e is AttackPoolConfigError {
    return AttackPoolError.isInstance(e) && e.code === 'CONFIG';
  }
}
