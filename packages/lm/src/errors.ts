import { MagicError } from '@magic/core';

/** A config.json / generation_config.json / tokenizer_config.json field is missing, malformed or unsupported. */
export class LmConfigError extends MagicError {
  readonly file: string;
  readonly field: string;
  constructor(file: string, field: string, detail: string) {
    super('LM_CONFIG', `${file}: ${field}: ${detail}`);
    this.file = file;
    this.field = field;
  }
  static override isInstance(e: unknown): e is LmConfigError {
    return MagicError.isInstance(e) && e.code === 'LM_CONFIG';
  }
}

/** A checkpoint file is missing, or a weight has the wrong name, shape or dtype. */
export class LmCheckpointError extends MagicError {
  readonly file: string;
  readonly field: string;
  constructor(file: string, field: string, detail: string, options?: { cause?: unknown }) {
    super('LM_CHECKPOINT', `${file}: ${field}: ${detail}`, options);
    this.file = file;
    this.field = field;
  }
  static override isInstance(e: unknown): e is LmCheckpointError {
    return MagicError.isInstance(e) && e.code === 'LM_CHECKPOINT';
  }
}

/** Bad call input: empty batch, prompt longer than the context, mismatched shapes, bad option values. */
export class LmInputError extends MagicError {
  readonly field: string;
  constructor(field: string, detail: string) {
    super('LM_INPUT', `${field}: ${detail}`);
    this.field = field;
  }
  static override isInstance(e: unknown): e is LmInputError {
    return MagicError.isInstance(e) && e.code === 'LM_INPUT';
  }
}
