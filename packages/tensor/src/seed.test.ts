import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, expect, it } from 'vitest';
import { initBackend } from './backend/init-backend.js';
import { tfSeed } from './seed.js';

beforeAll(() => initBackend({ device: 'cpu' }));

const draw = (seed: number) => tf.tidy(() => Array.from(tf.randomNormal([8], 0, 1, 'float32', seed).dataSync()));

it('tfSeed makes seed 0 deterministic and leaves other seeds unchanged', () => {
  expect(draw(tfSeed(0))).toEqual(draw(tfSeed(0)));
  expect(draw(tfSeed(7))).toEqual(draw(7));
  expect(draw(tfSeed(0))).not.toEqual(draw(tfSeed(1)));
});
