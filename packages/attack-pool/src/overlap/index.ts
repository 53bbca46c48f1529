export { BloomFilter } from './bloom.js';
export {
  BLOOM_PROBE,
  CORPUS_MANIFEST_FORMAT,
  type CorpusManifest,
  corpusManifestSchema,
  type LoadedCorpusManifest,
  loadCorpusManifest,
} from './corpus-manifest.js';
export { OverlapInputError } from './errors.js';
export { extractTexts, isDataFile, stringValues } from './extract.js';
export { listDataFiles, readDataTexts } from './files.js';
export { type DropReason, dropEvalOverlap, type OverlapFilterResult } from './filter.js';
export {
  CONTAINED_SHARE,
  MIN_EVAL_CHARS,
  NGRAM_WORDS,
  normaliseText,
  overlapHash,
  wordNgrams,
} from './normalise.js';
export {
  distinctEvalTexts,
  type EvalText,
  findOverlap,
  type OverlapHit,
  type OverlapKind,
  type OverlapManifest,
  type OverlapReport,
  overlapManifestSchema,
  parseOverlapManifest,
  TrainingIndex,
} from './training-index.js';
