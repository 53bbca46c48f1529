// Peak tensor memory of one backward pass through the token log-prob (loss) path at the Qwen2.5 vocabulary
// (151,936) with a 1-layer, 16-wide model on the cpu backend, so the logits dominate: compares the autodiff path
// (differentiable entropy), the lean path with the entropy metric, and the lean path alone. One JSON line per run.
//   npx tsx bench/loss-peak-memory.ts '{"withEntropy":true,"entropyGrad":false}'   (tokenLogProbs options, JSON)
// Measured (2-core cpu machine, 4 x 256 rows): autodiff 7.63 GB, lean + entropy metric 2.20 GB (3.0 GB before the
// per-chunk tidy of its forward), lean 1.66 GB.
import { defined } from '@magic/core';

import { initBackend, initBackendOptionsFromEnv } from '@magic/tensor';
import * as tf from '@tensorflow/tfjs-core';
import { randomQwen2 } from './bench-common.js';

await initBackend({ ...initBackendOptionsFromEnv(process.env), device: 'cpu' });
const lm = randomQwen2({ hidden: 16, intermediate: 32, layers: 1, heads: 2, kvHeads: 1, vocab: 151936 }, 'peak');
const B = 4,
  T = 257;
const ids = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => ((b * 31 + t * 7) % 500) + 1));
const opts = JSON.parse(defined(process.argv[2], 'tokenLogProbs options (JSON argument)'));
const x = tf.tensor2d(ids, undefined, 'int32');
const m = tf.onesLike(x);
const t0 = performance.now();
const info = await tf.profile(() => {
  const { grads, value } = tf.variableGrads(
    () => tf.sum(lm.tokenLogProbs(x, m, opts).logProbs) as tf.Scalar,
    lm.trainableVariables,
  );
  tf.dispose([value, ...Object.values(grads)]);
});
console.log(
  JSON.stringify({
    opts,
    rows: B * (T - 1),
    peakGB: +(info.peakBytes / 1e9).toFixed(2),
    s: +((performance.now() - t0) / 1000).toFixed(1),
  }),
);
