export { decodeAscii, encodeAscii } from './ascii.js';
export { decodeAtbash, encodeAtbash } from './atbash.js';
export { decodeCaesar, encodeCaesar } from './caesar.js';
export {
  type MisspellEdit,
  type MisspellOptions,
  type MisspellResult,
  misspell,
  mulberry32,
  unmisspell,
} from './misspell.js';
export { decodeMorse, encodeMorse } from './morse.js';
