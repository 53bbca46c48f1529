import { at, mulberry32 } from '@magic/core';
import type { SparseVector } from './features.js';

export interface LogisticHead {
  weights: Float32Array;
  bias: number;
}

export interface TrainOptions {
  dims: number;
  epochs: number;
  learningRate: number;
  l2: number;
  seed: number;
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** P(label = 1 | x). */
export function predictProbability(head: LogisticHead, x: SparseVector): number {
  let z = head.bias;
  for (let k = 0; k < x.indices.length; k++) {
    z += at(head.weights, at(x.indices, k, 'feature indices'), 'weights') * at(x.values, k, 'feature values');
  }
  return sigmoid(z);
}

function shuffle(order: number[], random: () => number) {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swapped = at(order, i, 'order');
    order[i] = at(order, j, 'order');
    order[j] = swapped;
  }
}

/**
 * Class-balanced logistic regression by AdaGrad SGD on sparse vectors, with lazy-free L2 applied to touched weights.
 * Deterministic for a given seed and input order.
 */
export function trainLogistic(xs: SparseVector[], ys: (0 | 1)[], options: TrainOptions): LogisticHead {
  const weights = new Float32Array(options.dims);
  const g2 = new Float32Array(options.dims).fill(1e-8);
  let bias = 0;
  let biasG2 = 1e-8;
  const positives = ys.filter((y) => y === 1).length;
  const negatives = ys.length - positives;
  const classWeight: [number, number] = [
    ys.length / (2 * Math.max(1, negatives)),
    ys.length / (2 * Math.max(1, positives)),
  ];
  const random = mulberry32(options.seed);
  const order = xs.map((_, i) => i);
  const head: LogisticHead = { weights, bias };
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffle(order, random);
    for (const i of order) {
      const x = at(xs, i, 'feature vectors');
      const y = at(ys, i, 'labels');
      head.bias = bias;
      const error = (predictProbability(head, x) - y) * classWeight[y];
      for (let k = 0; k < x.indices.length; k++) {
        const j = at(x.indices, k, 'feature indices');
        const w = at(weights, j, 'weights');
        const g = error * at(x.values, k, 'feature values') + options.l2 * w;
        g2[j] = at(g2, j, 'squared gradients') + g * g;
        // read back: the update divides by the float32-rounded sum, as stored
        weights[j] = w - (options.learningRate * g) / Math.sqrt(at(g2, j, 'squared gradients'));
      }
      biasG2 += error * error;
      bias -= (options.learningRate * error) / Math.sqrt(biasG2);
    }
  }
  head.bias = bias;
  return head;
}

export interface BinaryMetrics {
  n: number;
  positives: number;
  precision: number;
  recall: number;
  f1: number;
  accuracy: number;
}

export function binaryMetrics(predicted: (0 | 1)[], actual: (0 | 1)[]): BinaryMetrics {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let correct = 0;
  predicted.forEach((p, i) => {
    const a = actual[i];
    if (p === 1 && a === 1) tp++;
    if (p === 1 && a === 0) fp++;
    if (p === 0 && a === 1) fn++;
    if (p === a) correct++;
  });
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    n: actual.length,
    positives: tp + fn,
    precision,
    recall,
    f1,
    accuracy: actual.length === 0 ? 0 : correct / actual.length,
  };
}
