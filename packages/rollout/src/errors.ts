import { MagicError } from '@magic/core';
import type { Role } from './types.js';

/** An over-long prompt where the protocol has no finish code for it (the attacker's first turn). */
export class PromptTooLongError extends MagicError {
  readonly role: Role;
  readonly uid: string;
  readonly turn: number;
  readonly promptLength: number;
  readonly maxPromptLength: number;

  constructor(args: { role: Role; uid: string; turn: number; promptLength: number; maxPromptLength: number }) {
    super(
      'ROLLOUT_PROMPT_TOO_LONG',
      `${args.role} prompt of episode uid=${args.uid} at turn ${args.turn} has ${args.promptLength} tokens, ` +
        `over config field maxPromptLength=${args.maxPromptLength}`,
    );
    this.role = args.role;
    this.uid = args.uid;
    this.turn = args.turn;
    this.promptLength = args.promptLength;
    this.maxPromptLength = args.maxPromptLength;
  }

  static override isInstance(e: unknown): e is PromptTooLongError {
    return MagicError.isInstance(e) && e.code === 'ROLLOUT_PROMPT_TOO_LONG';
  }
}

/**
 * The chat template is not append-only for this conversation: either it rewrites an earlier
 * assistant message (e.g. strips `<think>`), or a turn's prompt ids do not start with the previous
 * turn's ids. `reason` says which; `index` is the first differing token (prefix case) or message.
 */
export class TemplateDriftError extends MagicError {
  readonly role: Role;
  readonly turn: number;
  readonly reason: 'assistant-content-rewritten' | 'sentinel-missing' | 'prefix-mismatch';
  readonly index: number;

  constructor(args: {
    role: Role;
    turn: number;
    reason: 'assistant-content-rewritten' | 'sentinel-missing' | 'prefix-mismatch';
    index: number;
    detail: string;
  }) {
    super(
      'ROLLOUT_TEMPLATE_DRIFT',
      `${args.role} chat at turn ${args.turn}: ${args.reason} at ${args.index}: ${args.detail}`,
    );
    this.role = args.role;
    this.turn = args.turn;
    this.reason = args.reason;
    this.index = args.index;
  }

  static override isInstance(e: unknown): e is TemplateDriftError {
    return MagicError.isInstance(e) && e.code === 'ROLLOUT_TEMPLATE_DRIFT';
  }
}

/** A generator that cannot return exact token ids (remote, text only) was given the role being trained. */
export class RemoteTrainedRoleError extends MagicError {
  readonly role: Role;
  readonly generatorId: string;

  constructor(role: Role, generatorId: string) {
    super(
      'ROLLOUT_REMOTE_TRAINED_ROLE',
      `generator '${generatorId}' for role '${role}' is not trainable (text only), but trainingRole is '${role}': ` +
        'the trained role needs a local generator that keeps token ids and log-probs',
    );
    this.role = role;
    this.generatorId = generatorId;
  }

  static override isInstance(e: unknown): e is RemoteTrainedRoleError {
    return MagicError.isInstance(e) && e.code === 'ROLLOUT_REMOTE_TRAINED_ROLE';
  }
}

/** A generator returned something that breaks its contract (count, missing ids, length mismatch). */
export class GeneratorOutputError extends MagicError {
  readonly generatorId: string;
  readonly field: string;

  constructor(generatorId: string, field: string, detail: string) {
    super('ROLLOUT_GENERATOR_OUTPUT', `generator '${generatorId}': field ${field}: ${detail}`);
    this.generatorId = generatorId;
    this.field = field;
  }

  static override isInstance(e: unknown): e is GeneratorOutputError {
    return MagicError.isInstance(e) && e.code === 'ROLLOUT_GENERATOR_OUTPUT';
  }
}

/** runRollout input that cannot work (missing guard, bad group size). `field` names the input field. */
export class RolloutInputError extends MagicError {
  readonly field: string;

  constructor(field: string, detail: string) {
    super('ROLLOUT_INPUT', `runRollout input field ${field}: ${detail}`);
    this.field = field;
  }

  static override isInstance(e: unknown): e is RolloutInputError {
    return MagicError.isInstance(e) && e.code === 'ROLLOUT_INPUT';
  }
}
