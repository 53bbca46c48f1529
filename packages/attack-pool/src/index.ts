export {
  type BuildConfig,
  type BuildConfigInput,
  type BuildFailure,
  type BuildInput,
  type BuildReport,
  buildAttackPool,
  buildConfigSchema,
  dedupRecords,
  dedupSeeds,
  dropTornTail,
  llamaFactoryDatasetInfo,
} from './builder.js';
export { type CliIo, parseCliArgs, parseStrategies, runCli, USAGE } from './cli-run.js';
export {
  buildThinkPrompt,
  LlmThinkWriter,
  TemplateThinkWriter,
  THINK_SYSTEM_PROMPT,
  type ThinkRequest,
  type ThinkResult,
  type ThinkWriter,
  templateThink,
} from './cot.js';
export { dataDir } from './data-dir.js';
export * from './datasets/index.js';
export {
  AttackPoolConfigError,
  AttackPoolError,
  LlmReplyError,
  PoolFileError,
  SeedLoadError,
  TransformDecodeError,
} from './errors.js';
export { attackerOutput, toAlpacaJson, toAlpacaRow, toChatExample, toChatJsonl } from './exports.js';
export { checkAttackerFormat, type FormatCheckResult, formatAttackerOutput, stripFormatTags } from './format-check.js';
export * from './loaders/index.js';
export { type LoadAttackPoolOptions, loadAttackPool, shippedPoolStats } from './pool.js';
export { readAttackRecords, writeAttackRecords } from './pool-file.js';
export * from './prompts/attacker-templates.js';
export { attackRecordId, BUILT_WITH, type MakeRecordOptions, makeAttackRecord, recordOutput } from './record.js';
export {
  buildRewritePrompt,
  LlmRewriter,
  type LlmRewriterOptions,
  REWRITE_SYSTEM_PROMPT,
} from './rewriter/llm-rewriter.js';
export { looksLikeRefusal, targetScriptShare } from './rewriter/reply-checks.js';
export type { RewriteRequest, RewriteResult, Rewriter } from './rewriter/rewriter.js';
export { TemplateRewriter } from './rewriter/template-rewriter.js';
export * from './schemas.js';
export { defaultSplitRatios, type SplitRatios, splitOfSeed, splitRecords } from './split.js';
export { computePoolStats, type PoolStats } from './stats.js';
export * from './strategies.js';
export {
  attackTaxonomy,
  buildClassifierPrompt,
  classificationStandards,
  combinedStrategyCode,
  parseTaxonomyAnswer,
  resolveTaxonomyId,
  type TaxonomyClass,
  TaxonomyClassifier,
  type TaxonomyLabel,
  type TaxonomyParent,
  taxonomyAnswerSchema,
  taxonomyParents,
} from './taxonomy.js';
export {
  applyTransformStrategy,
  isTransformStrategy,
  type TransformOutput,
  transformStrategyIds,
} from './transform-strategy.js';
export * from './transforms/index.js';

export const packageName = '@magic/attack-pool';
export { unitHash } from './hash.js';
export * from './overlap/index.js';
export { nearDuplicateClusters } from './seed-clusters.js';
export {
  cleanSeedsFile,
  clusterSeedSplits,
  type LoadSeedSplitOptions,
  loadSeedSplit,
  type SeedSplit,
  type SplitSeedRecord,
  seedSplitNames,
  seedSplitOf,
  seedSplitSchema,
  seedSplitsByType,
  splitSeedRecordSchema,
  VAL_SEED_SHARE,
  VAL_SEED_SHARES,
} from './seed-split.js';
