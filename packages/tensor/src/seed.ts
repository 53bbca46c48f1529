/**
 * tfjs' seeded random ops (`randomNormal`, `randomUniform`, ...) treat a falsy seed as no seed at all and draw from
 * `Math.random`, so seed 0 silently gives different values on every call. Seed 0 maps to this fixed value instead.
 */
export const TFJS_SEED_FOR_ZERO = 0x9e3779b9;

/** A seed for tfjs' random ops that is deterministic for every integer, 0 included (other seeds pass unchanged). */
export function tfSeed(seed: number): number {
  return seed === 0 ? TFJS_SEED_FOR_ZERO : seed;
}
