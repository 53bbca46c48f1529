import type { SeedRecord } from '../schemas.js';
import type { Strategy } from '../strategies.js';

export interface RewriteRequest {
  seed: SeedRecord;
  strategy: Strategy;
}

export interface RewriteResult {
  /** The rewritten (adversarial) prompt. */
  text: string;
  generator: 'template' | 'llm';
  model?: string;
}

/** Rewrites a seed with one (non-transform) strategy. */
export interface Rewriter {
  readonly kind: 'template' | 'llm';
  rewrite(request: RewriteRequest, options?: { signal?: AbortSignal }): Promise<RewriteResult>;
}
