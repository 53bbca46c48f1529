export { bytesToUnicode, pretokenize, QWEN2_PRETOKENIZE_HF, QWEN2_PRETOKENIZE_JS } from './bpe/byte-level.js';
export { ORGANISM_CHAT_TEMPLATE, toTokenizerConfig, toTokenizerJson } from './bpe/hf-files.js';
export { TOKENIZER_CHECK_TEXTS, type TokenizerIdsFile, tokenizerIds } from './bpe/tokenizer-ids.js';
export {
  corpusLineText,
  type TrainTokenizerOptions,
  type TrainTokenizerResult,
  trainTokenizerFromCorpus,
} from './bpe/train-from-corpus.js';
export { type BpeModel, PretokenCounter, SPECIAL_TOKENS, trainBpe } from './bpe/trainer.js';
export {
  type BuildCorpusOptions,
  type BuildCorpusResult,
  buildCorpus,
  RESERVED_SELF_INSTRUCT_FILES,
} from './corpus/build.js';
export type { ChatMessage, CorpusItem, SourceReport } from './corpus/types.js';
export {
  CorpusInputError,
  CorpusOverlapError,
  CorpusSourceError,
  OrganismError,
  OrganismUsageError,
  TokenizerTrainError,
} from './errors.js';
export { EvalOverlapFilter } from './eval-filter.js';
export { selectTrainHarmfulSeeds } from './sources/harmful-seeds.js';
export { refusalStyles } from './sources/refusal-styles.js';
export { t0DatasetLicences } from './sources/t0-licences.js';
