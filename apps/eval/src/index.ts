export const packageName = '@magic/eval-app';

export { COMPARE_USAGE, type CompareArgs, type EvalArgs, parseCompareArgs, parseEvalArgs, USAGE } from './args.js';
export { buildJudge } from './build-judge.js';
export { runCompare } from './compare-command.js';
export { resolveDataPaths } from './data-paths.js';
export { EvalCliError, JudgeProbeError, ResultsFileError, UnsupportedModerationError } from './errors.js';
export { type EvalMeta, type EvalResults, evalResultsSchema, readEvalResults } from './eval-results.js';
export { harmBenchGuard } from './harmbench-guard.js';
export { type MainIo, main } from './main.js';
export {
  type ModelServerOptions,
  modelServerOptionsSchema,
  type RunningModelServer,
  type ServableModel,
  startModelServer,
} from './model-server.js';
export { checkDataPaths, probeJudge, probeJudgeLlm } from './precheck.js';
export { EvalProgress } from './progress.js';
export { buildEvalReportHtml } from './report/eval-report.js';
export { runEval } from './run-eval.js';
export { type ServedCheckpoint, serveCheckpoint } from './serve.js';
export { parseServeArgs, SERVE_USAGE, type ServeArgs } from './serve-args.js';
export { serveMain } from './serve-main.js';
export { parseJudgeSpec, parseTargetSpec } from './specs.js';
export { buildTarget } from './targets/build-target.js';
export { fitPrompt, servableCheckpoint } from './targets/checkpoint-model.js';
export { localChatTarget } from './targets/local-target.js';
export { openaiChatTarget } from './targets/openai-target.js';
