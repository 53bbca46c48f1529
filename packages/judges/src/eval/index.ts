export {
  GUARD_CV_FORMAT,
  type GuardCvReport,
  guardCvReportToMarkdown,
  guardCvTargets,
  writeGuardCvReport,
} from './cv-report.js';
export {
  assignFamilies,
  FAMILY_MAP_FORMAT,
  type FamilyMap,
  familyMapSchema,
  loadFamilyMap,
  parseFamilyMap,
  rowTexts,
} from './families.js';
export {
  capRowsPerFamily,
  dropNearDuplicates,
  type FamilyCvOptions,
  type FamilyCvResult,
  type FamilyScore,
  type FoldSummary,
  runFamilyCv,
} from './family-cv.js';
export {
  type LosoOptions,
  type LosoResult,
  rewriteSeed,
  runLoso,
  type StrategyScore,
  splitProbeSeeds,
} from './loso.js';
export {
  confusionOf,
  type LabelMetrics,
  type LabelMetricsOptions,
  labelMetrics,
  ratesOf,
  type ScoredItem,
} from './metrics.js';
export { type ControversialAs, type PredictOptions, predictExamples } from './predict.js';
export { type GuardRecipe, ngramGuardRecipe } from './recipe.js';
export { seedRewriteRows } from './rewrite-rows.js';
export { capSeeds, loadGuardCorpus, type RunGuardCvOptions, runGuardCv, scoreReference } from './run-guard-cv.js';
