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
export { buildModelCard, defaultProvenanceFile, type ModelCardOptions, writeModelCard } from './card/model-card.js';
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
  EvalInputError,
  OrganismError,
  OrganismUsageError,
  TokenizerTrainError,
  TrainLogError,
} from './errors.js';
export {
  EVAL_FORMAT,
  type OrganismEval,
  organismEvalSchema,
  type Rate,
  rate,
  readOrganismEval,
  type SetResult,
} from './eval/eval-report.js';
export {
  buildOrganismSets,
  DEFAULT_ORGANISM_SETS,
  ORGANISM_SET_NAMES,
  type OrganismEvalItem,
  type OrganismEvalSet,
  type OrganismSetName,
} from './eval/eval-sets.js';
export {
  EVAL_DEFINITIONS,
  type EvaluateOrganismOptions,
  evaluateOrganism,
  ROUGE_L_FLOOR,
  writeOrganismEval,
} from './eval/evaluate.js';
export { defaultHeldoutFile, type HeldoutExample, readHeldout, writeHeldoutCopy } from './eval/heldout.js';
export { buildLexicon, defaultLexiconFile, loadLexicon } from './eval/lexicon.js';
export { parameterCount, readModelConfig } from './eval/model-info.js';
export { lcsLength, type RougeScore, rougeL, rougeTokens } from './eval/rouge.js';
export { lexicalSanity, SANITY_RULES, type SanityResult } from './eval/sanity.js';
export { EvalOverlapFilter } from './eval-filter.js';
export { buildOrganismReport, type WriteOrganismReportOptions, writeOrganismReport } from './report/report.js';
export { parseTrainLog, readTrainLog, type TrainLogRecord, trainLogRecordSchema } from './report/train-log.js';
export { selectTrainHarmfulSeeds } from './sources/harmful-seeds.js';
export { refusalStyles } from './sources/refusal-styles.js';
export { t0DatasetLicences } from './sources/t0-licences.js';
