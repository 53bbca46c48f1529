import { at } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';

/** Most inputs per addN: WebGPU allows 16 storage buffers per shader stage (inputs + output). */
const GROUP = 8;

/** Sum of same-shape tensors through small addN groups (one big addN exceeds WebGPU's per-stage buffer limit). */
export function addMany(tensors: tf.Tensor[]): tf.Tensor {
  if (tensors.length === 0) throw new RangeError('addMany: no tensors');
  let level = tensors;
  while (level.length > 1) {
    const next: tf.Tensor[] = [];
    for (let i = 0; i < level.length; i += GROUP) {
      const group = level.slice(i, i + GROUP);
      next.push(group.length === 1 ? at(group, 0, 'group') : tf.addN(group));
    }
    level = next;
  }
  return at(level, 0, 'sums');
}
