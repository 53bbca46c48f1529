// One seeded PRNG for the workspace: @magic/core's mulberry32 `SeededRng` (with `normal()`), under lm's old name.
export { SeededRng as Rng } from '@magic/core';
