// Peak tensor memory of one backward pass through a decoder stack (the activations and gradients, not the logits:
// small vocabulary) on the cpu backend, with tfjs' own backward pass or @magic/tensor's lean one
// (installLeanBackprop), with and without gradient checkpointing. One JSON line per combination.
//   npx tsx bench/backward-peak-memory.ts [layers=4] [hidden=256] [batch=4] [seq=128]
import { initBackend, initBackendOptionsFromEnv } from '@magic/tensor';
import { installLeanBackprop, uninstallLeanBackprop } from '@magic/tensor/kernels';
import * as tf from '@tensorflow/tfjs-core';
import { randomQwen2 } from './bench-common.js';

const [layers = 4, hidden = 256, B = 4, T = 128] = process.argv.slice(2).map(Number);
await initBackend({ ...initBackendOptionsFromEnv(process.env), device: 'cpu' });
const lm = randomQwen2(
  { hidden, intermediate: hidden * 4, layers, heads: hidden / 64, kvHeads: 1, vocab: 512 },
  'peak',
);
const ids = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => ((b * 31 + t * 7) % 500) + 1));
const x = tf.tensor2d(ids, undefined, 'int32');
const m = tf.onesLike(x);
for (const lean of [false, true]) {
  for (const checkpoint of [false, true]) {
    if (lean) installLeanBackprop();
    else uninstallLeanBackprop();
    const t0 = performance.now();
    const info = await tf.profile(() => {
      const { grads, value } = tf.variableGrads(
        () => tf.sum(lm.tokenLogProbs(x, m, { checkpoint }).logProbs) as tf.Scalar,
        lm.trainableVariables,
      );
      tf.dispose([value, ...Object.values(grads)]);
    });
    console.log(
      JSON.stringify({
        bench: 'backward-peak-memory',
        leanBackprop: lean,
        checkpoint,
        shape: { layers, hidden, batch: B, seq: T },
        peakMB: +(info.peakBytes / 1e6).toFixed(1),
        s: +((performance.now() - t0) / 1000).toFixed(2),
      }),
    );
  }
}
installLeanBackprop();
