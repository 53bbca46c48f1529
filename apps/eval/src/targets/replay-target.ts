import type { ChatMessage, ChatTarget } from '@magic/benchmarks';

const MARKER = Symbol.for('magic.error');

/** A replay target was asked for a generation its cache does not hold. */
export class ReplayMissError extends Error {
  readonly [MARKER] = true;
  readonly code = 'EVAL_REPLAY_MISS';

  constructor(
    readonly targetId: string,
    readonly missing: number,
  ) {
    super(
      `replay target '${targetId}': ${missing} chat(s) have no cached generation; run the model itself with the same ` +
        '--cache, --max-tokens, --temperature and --limit first',
    );
    this.name = 'ReplayMissError';
  }

  static isInstance(error: unknown): error is ReplayMissError {
    return (
      typeof error === 'object' &&
      error !== null &&
      MARKER in error &&
      (error as { name?: string }).name === 'ReplayMissError'
    );
  }
}

/**
 * A target that only replays a generation cache under another run's target id (results.json `meta.target`): it lets
 * a finished run's answers be judged again, e.g. by another judge, without the model. It never makes a text up: a
 * chat the cache lacks is a {@link ReplayMissError}.
 */
export function replayChatTarget(id: string): ChatTarget {
  return {
    id,
    async generate(chats: ChatMessage[][]): Promise<string[]> {
      throw new ReplayMissError(id, chats.length);
    },
  };
}
