import { at } from '@magic/core';
import * as tf from '@tensorflow/tfjs-core';

/** WebGPU allows few storage buffers per shader stage (16 on many adapters): addN over at most this many inputs. */
const MAX_ADD_INPUTS = 8;

/** Sum of same-shape tensors, as a tree of small addN calls (one big addN fails WebGPU validation). */
export function sumTensors(xs: tf.Tensor[]): tf.Tensor {
  if (xs.length === 0) throw new Error('sumTensors: no tensors');
  let level = xs;
  while (level.length > 1) {
    const next: tf.Tensor[] = [];
    for (let i = 0; i < level.length; i += MAX_ADD_INPUTS) {
      const group = level.slice(i, i + MAX_ADD_INPUTS);
      next.push(group.length === 1 ? at(group, 0, 'group') : tf.addN(group));
    }
    level = next;
  }
  return at(level, 0, 'level');
}
