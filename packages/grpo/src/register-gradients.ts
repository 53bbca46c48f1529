// Side-effect entry: registers every tfjs-core gradient. Node's tfjs-core build ships none, and the
// per-op files it would need cannot be imported by Node's ESM loader; the build bundles them here.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
