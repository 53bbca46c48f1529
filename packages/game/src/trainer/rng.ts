// The seeded RNG lives in @magic/core (one mulberry32 for every package); re-exported under the game's names.
export { deriveSeed, SeededRng } from '@magic/core';
