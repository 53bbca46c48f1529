import { initBackend } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { addMany } from './add-many.js';

describe('addMany', () => {
  beforeAll(async () => {
    await initBackend({ device: 'cpu' });
  });

  it('sums 27 scalars in groups (loop-versus-direct), freeing intermediates inside tidy', () => {
    const before = tf.memory().numTensors;
    const total = tf.tidy(() => addMany(Array.from({ length: 27 }, (_, i) => tf.scalar(i + 1))));
    expect(total.dataSync()[0]).toBe((27 * 28) / 2);
    total.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => addMany([])).toThrow(RangeError);
  });
});
