// Tensor types are parameters so core needs no tfjs: `@magic/grpo` binds them to tfjs-core's
// (`Policy = CorePolicy<tf.Variable, tf.Tensor2D>`); any other tensor library can bind its own.

/** Token batch handed to a policy. Both tensors are int32 `(B, T)`; `attentionMask` is 1 for real tokens, 0 for padding. */
export interface PolicyBatch<Tensor2D = unknown> {
  inputIds: Tensor2D;
  attentionMask: Tensor2D;
  /**
   * First column whose log-prob is used (GRPO: the first column where any row's response starts). A policy may
   * skip the work for earlier columns and return 0 there (a causal LM then projects only these rows through its
   * vocabulary head); absent means every column.
   */
  fromPosition?: number;
}

/**
 * Anything GRPO can train: trainable variables plus per-token log-probs under autodiff.
 *
 * `computeLogProbs` returns `(B, T)` float32 with `logProbs[b, t] = log p(ids[b, t] | ids[b, <t])`;
 * column 0 is 0 (no context). It must be differentiable w.r.t. `trainableVariables` and must not
 * dispose its inputs. Same convention as `@magic/lm`'s `CausalLM.tokenLogProbs`.
 */
export interface Policy<Variable = unknown, Tensor2D = unknown> {
  trainableVariables: Variable[];
  computeLogProbs(batch: PolicyBatch<Tensor2D>): Tensor2D;
  /**
   * Optional: log-probs plus per-token entropy `(B, T)` of the next-token distribution that produced
   * each token (column 0 is 0). Needed when `entropyCoeff > 0`; used for the `actor/entropy` metric.
   * `opts.entropyGrad` is false when the loss does not use the entropy (`entropyCoeff` 0): a policy may then
   * return it as a metric only, without a gradient path (and save the memory that path costs).
   */
  computeLogProbsAndEntropy?(
    batch: PolicyBatch<Tensor2D>,
    opts?: { entropyGrad?: boolean },
  ): { logProbs: Tensor2D; entropy: Tensor2D };
}

/**
 * One GRPO batch of `B` sequences (prompt + response tokens, right-padded to a common length `T`).
 * All 2-D fields are `(B, T)` and aligned with `inputIds`. Rollout builds it, the game passes it on, GRPO trains on it.
 */
export interface GrpoBatch {
  /** Token ids `(B, T)`. */
  inputIds: number[][];
  /** 1 for real tokens (prompt or response), 0 for padding `(B, T)`. */
  attentionMask: number[][];
  /** 1 for tokens the policy generated and is trained on, 0 elsewhere `(B, T)`. */
  responseMask: number[][];
  /** Group key per sequence `(B)`: sequences sampled from the same prompt/seed share a uid. */
  uids: string[];
  /** Outcome reward per sequence `(B)`. Must be finite. */
  rewards: number[];
  /** Log-probs of the sampling policy `(B, T)`; recomputed with the current policy when absent. */
  oldLogProbs?: number[][];
  /** Log-probs of the reference policy `(B, T)`; required when `useKlLoss` is on. */
  refLogProbs?: number[][];
  /** Turn index per token `(B, T)` (any value where `responseMask` is 0); needed by `clipMode: 'turn'` and `lossAggMode: 'turn'`. */
  turnIds?: number[][];
}
