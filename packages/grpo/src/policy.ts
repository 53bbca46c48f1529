import type { Policy as CorePolicy, PolicyBatch as CorePolicyBatch, GrpoBatch } from '@magic/core';
import type * as tf from '@tensorflow/tfjs-core';

// The contracts live in @magic/core (tensor-library agnostic); here they are bound to tfjs-core's tensors.
export type { GrpoBatch };

/** `@magic/core`'s PolicyBatch with tfjs-core int32 `(B, T)` tensors. */
export type PolicyBatch = CorePolicyBatch<tf.Tensor2D>;

/** `@magic/core`'s Policy over tfjs-core variables and tensors: anything GRPO can train. */
export type Policy = CorePolicy<tf.Variable, tf.Tensor2D>;
