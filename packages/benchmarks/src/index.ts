export const packageName = '@magic/benchmarks';

export { chunk, mapWithConcurrency } from './concurrency.js';
export {
  BenchmarkError,
  BenchmarkFileError,
  BenchmarkNotAvailableError,
  EvaluationError,
  UnknownBenchmarkError,
} from './errors.js';
export { GenerationCache, generationKey } from './generation-cache.js';
export {
  checkInstruction,
  countSentences,
  countWords,
  type InstructionChecker,
  type InstructionKwargs,
  instructionCheckers,
} from './ifeval/checkers.js';
export {
  aggregateIfeval,
  evaluateIfeval,
  type IfevalItemResult,
  type IfevalScores,
  looseVariants,
} from './ifeval/evaluate.js';
export { detectLanguage } from './ifeval/language.js';
export { readCsv, readDatasetFile, readJsonArray, readJsonl, readParquet } from './io.js';
export { type AlpacaEvalRow, alpacaEvalRowSchema, loadAlpacaEval } from './loaders/alpaca-eval.js';
export { arcRowSchema, loadArc } from './loaders/arc.js';
export { type CosafeDialogue, cosafeDialogueSchema, loadCosafe } from './loaders/cosafe.js';
export { type DanRow, danRowSchema, loadDan } from './loaders/dan.js';
export { gpqaCsvSchema, loadGpqa } from './loaders/gpqa.js';
export { type Gsm8kRow, gsm8kRowSchema, loadGsm8k } from './loaders/gsm8k.js';
export { type GuardLabelsRow, guardLabelsRowSchema, loadGuardLabels } from './loaders/guard-labels.js';
export {
  type HarmbenchBehavior,
  type HarmbenchPrecomputedAttack,
  harmbenchBehaviorSchema,
  harmbenchFunctionalCategories,
  harmbenchPrecomputedSchema,
  loadHarmbench,
  loadHarmbenchPrecomputed,
} from './loaders/harmbench.js';
export { type IfevalRow, ifevalRowSchema, loadIfeval } from './loaders/ifeval.js';
export { type JbbRow, jbbRowSchema, loadJbb } from './loaders/jbb.js';
export {
  type BenchmarkName,
  type BenchmarkRow,
  benchmarkLoaders,
  benchmarkNames,
  isBenchmarkName,
  loadBenchmark,
  shippedBenchmarks,
} from './loaders/load-benchmark.js';
export { choiceLetters, loadMmlu, type MultipleChoiceItem, mmluCsvSchema } from './loaders/mmlu.js';
export { loadMtBench, type MtBenchRow, mtBenchRowSchema } from './loaders/mt-bench.js';
export {
  loadOpenaiModeration,
  type OpenaiModerationRow,
  openaiModerationCategories,
  openaiModerationRowSchema,
} from './loaders/openai-moderation.js';
export { loadOrBench, type OrBenchRow, orBenchRowSchema } from './loaders/or-bench.js';
export { type LoadOptions, packageDataDir } from './loaders/paths.js';
export {
  loadSimpleSafetyTests,
  type SimpleSafetyTestsRow,
  simpleSafetyTestsRowSchema,
} from './loaders/simple-safety-tests.js';
export { loadStrongreject, type StrongrejectRow, strongrejectRowSchema } from './loaders/strongreject.js';
export { loadTruthfulqa, type TruthfulqaRow, truthfulqaRowSchema } from './loaders/truthfulqa.js';
export { loadWildguardtest, type WildguardtestRow, wildguardtestRowSchema } from './loaders/wildguardtest.js';
export { loadWildjailbreak, type WildjailbreakRow, wildjailbreakRowSchema } from './loaders/wildjailbreak.js';
export { loadXstest, type XstestRow, xstestCsvSchema, xstestJsonSchema } from './loaders/xstest.js';
export {
  type BootstrapOptions,
  bootstrapCi,
  type ConfidenceInterval,
  mulberry32,
  type Rng,
} from './metrics/bootstrap.js';
export { extractFinalNumber, gsm8kExactMatch } from './metrics/gsm8k.js';
export {
  type BinaryClassificationMetrics,
  binaryClassificationMetrics,
  type LabelledPrediction,
} from './metrics/judge-quality.js';
export {
  fitSoftLogistic,
  type LengthControlledResult,
  lengthControlledWinRate,
  type PairwisePreference,
} from './metrics/length-controlled.js';
export {
  type ChoiceScorer,
  formatMultipleChoicePrompt,
  parseAnswerLetter,
  predictByLogLikelihood,
} from './metrics/multiple-choice.js';
export { type Rate, rateWithCi } from './metrics/rate.js';
export {
  type AsrMode,
  attackSuccessRate,
  breakdown,
  complianceRate,
  type JudgedSample,
  type ParseFailureRule,
  refusalRate,
  xstestMetrics,
} from './metrics/safety.js';
export {
  incompleteBeta,
  type PairedDifference,
  pairedMeanDifference,
  studentTCdf,
  studentTQuantile,
} from './metrics/student-t.js';
export { erfc, normalCdf, type TwoProportionTest, twoProportionZTest } from './metrics/two-proportion.js';
export { normalQuantile, wilsonInterval } from './metrics/wilson.js';
export { replayChat, runDialogueReplayTask, runXTeamingTask } from './multi-turn/run-multi-turn-tasks.js';
export {
  attackerPrompt,
  type BehaviorOutcome,
  type GenerateOne,
  type PlanOutcome,
  parsePlans,
  parseScore,
  plannerPrompt,
  runXTeamingBehavior,
  scorerPrompt,
  type XTeamingAgents,
  type XTeamingConfig,
  xTeamingConfigSchema,
} from './multi-turn/x-teaming.js';
export {
  approximateTruncator,
  extractAnswer,
  type GenerationBudgetName,
  generationBudgets,
  type JudgeInputOptions,
  type JudgeInputOptionsInput,
  judgeInputSchema,
  judgeText,
  resolveGenerationBudget,
  type TokenTruncator,
  tokenizerTruncator,
} from './protocol/judge-input.js';
export { compare, compareToMarkdown, type MetricDelta, proportionDeltaCi } from './report/compare.js';
export { formatFraction, formatSuiteTable, resultsToMarkdown } from './report/markdown.js';
export {
  type MetricValue,
  metricValueSchema,
  parseRunResults,
  type RunResults,
  runResultsSchema,
  type SampleRecord,
  sampleRecordSchema,
  type TaskResult,
  taskResultSchema,
  toMetricValue,
} from './results.js';
export { defaultIsParseFailure, type EvalContext, type ProgressEvent, readVerdict } from './suites/context.js';
export {
  type AlpacaEvalTask,
  capabilitySuite,
  type DialogueReplayTask,
  type GenerationTask,
  type Gsm8kTask,
  type IfevalTask,
  type JudgeQualityTask,
  judgeQualitySuite,
  type MultipleChoiceTask,
  multiTurnSuite,
  overRefusalSuite,
  type RowFilter,
  type SuiteDefinition,
  type SuiteName,
  type SuiteTask,
  safetySuite,
  suiteNames,
  suites,
  type TableColumn,
  type XTeamingTask,
} from './suites/definitions.js';
export { pairwiseJudgePrompt, parsePairwiseVerdict, runAlpacaEvalTask } from './suites/run-alpaca-eval-task.js';
export { gsm8kInstruction } from './suites/run-capability-task.js';
export { type RunSuiteConfigInput, type RunSuiteOptions, runSuite, runSuiteConfigSchema } from './suites/run-suite.js';
export {
  type ChatMessage,
  type ChatTarget,
  type GenerationParams,
  type GenerationParamsInput,
  type GuardLike,
  type GuardLikeVerdict,
  generationParamsSchema,
} from './types.js';
