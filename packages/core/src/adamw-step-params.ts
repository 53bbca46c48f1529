/**
 * One AdamW update's hyper-parameters (torch `AdamW` semantics, decoupled weight decay): what @magic/grpo's AdamW
 * passes to an accelerated update and what @magic/tensor's fused kernel takes.
 */
export interface AdamWStepParams {
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  /** 1-based step number (bias corrections 1 − β^step). */
  step: number;
}
