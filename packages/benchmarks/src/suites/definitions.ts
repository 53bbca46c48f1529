import type { BenchmarkName } from '../loaders/load-benchmark.js';
import type { ParseFailureRule } from '../metrics/safety.js';

/** Equality filter on a loaded row's fields (e.g. WildGuardTest harmful prompts only). */
export type RowFilter = Record<string, string | boolean | null>;

interface TaskBase {
  /** Unique within a suite; also the key of `paths` overrides. */
  id: string;
  label: string;
  benchmark: BenchmarkName;
  split?: string;
  where?: RowFilter;
  /** Row field holding a category for per-category breakdowns. */
  categoryField?: string;
  /** Row field holding a boolean adversarial flag for adversarial/vanilla breakdowns. */
  adversarialField?: string;
  /** With `limit`, take rows round-robin over this field's values (so a small limit still covers every method/subject). */
  stratifyLimitBy?: string;
}

/** Single-turn generation, judged by a guard. */
export interface GenerationTask extends TaskBase {
  kind: 'generation';
  /** Field sent to the target as the user turn. */
  promptField: string;
  /** Field the judge sees as the prompt (WildJailbreak harmful / DAN: `vanilla`, the judge-on-vanilla rule). */
  judgePromptField: string;
  metric: 'asrHarmful' | 'asrCompliance' | 'refusal' | 'compliance' | 'xstest';
  /** What an unparseable judge verdict counts as (per the original benchmark; see README). */
  parseFailure: ParseFailureRule;
}

export interface MultipleChoiceTask extends TaskBase {
  kind: 'multipleChoice';
}
export interface Gsm8kTask extends TaskBase {
  kind: 'gsm8k';
}
export interface IfevalTask extends TaskBase {
  kind: 'ifeval';
}
/** Replays fixed multi-turn dialogues (CoSafe): the target answers the last user turn. */
export interface DialogueReplayTask extends TaskBase {
  kind: 'dialogueReplay';
  parseFailure: ParseFailureRule;
}
/** X-Teaming-style planned multi-turn attacks on behaviours (needs planner/attacker/scorer endpoints). */
export interface XTeamingTask extends TaskBase {
  kind: 'xTeaming';
  promptField: string;
}
/** AlpacaEval 2: target output vs the row's reference output, judged pairwise by an LLM; LC win rate. */
export interface AlpacaEvalTask extends TaskBase {
  kind: 'alpacaEval';
}
/** Judge quality against labelled data; `labels` map a row field to the guard output it is compared with. */
export interface JudgeQualityTask extends TaskBase {
  kind: 'judgeQuality';
  promptField: string;
  responseField?: string;
  labels: {
    field: string;
    positive: string | boolean | number;
    against: 'promptHarm' | 'responseHarm' | 'responseRefusal';
  }[];
  /** Row field naming a cluster (rows of one group are resampled together for the CIs). */
  groupField?: string;
}

export type SuiteTask =
  | GenerationTask
  | MultipleChoiceTask
  | Gsm8kTask
  | IfevalTask
  | DialogueReplayTask
  | XTeamingTask
  | AlpacaEvalTask
  | JudgeQualityTask;

/** A column of a Markdown table: a task's metric. */
export interface TableColumn {
  header: string;
  task: string;
  metric: string;
  higherIsBetter: boolean;
}

export interface SuiteDefinition {
  name: SuiteName;
  tasks: SuiteTask[];
  /** Column layout of the paper table this suite fills (spec §8). */
  table: { title: string; columns: TableColumn[] };
}

export const suiteNames = ['safety', 'over-refusal', 'multi-turn', 'capability', 'judge-quality'] as const;
export type SuiteName = (typeof suiteNames)[number];

const wildguardHarmful = (adversarial: boolean): GenerationTask => ({
  id: adversarial ? 'wgAdv' : 'wgVan',
  label: `WildGuardTest ${adversarial ? 'adversarial' : 'vanilla'} (harmful prompts)`,
  benchmark: 'wildguardtest',
  where: { promptHarmLabel: 'harmful', adversarial },
  kind: 'generation',
  promptField: 'prompt',
  judgePromptField: 'prompt',
  metric: 'asrHarmful',
  parseFailure: 'positive',
  categoryField: 'subcategory',
});

const xstestTask: GenerationTask = {
  id: 'xstest',
  label: 'XSTest',
  benchmark: 'xstest',
  kind: 'generation',
  promptField: 'prompt',
  judgePromptField: 'prompt',
  metric: 'xstest',
  parseFailure: 'negative',
  categoryField: 'type',
  stratifyLimitBy: 'label',
};

const wjbBenign: GenerationTask = {
  id: 'wjbBenign',
  label: 'WildJailbreak adversarial benign',
  benchmark: 'wildjailbreak',
  split: 'benign',
  kind: 'generation',
  promptField: 'adversarial',
  judgePromptField: 'adversarial',
  metric: 'compliance',
  parseFailure: 'negative',
};

const orBenchToxic: GenerationTask = {
  id: 'orBenchToxic',
  label: 'OR-Bench toxic',
  benchmark: 'orBench',
  split: 'toxic',
  kind: 'generation',
  promptField: 'prompt',
  judgePromptField: 'prompt',
  metric: 'refusal',
  parseFailure: 'negative',
  categoryField: 'category',
};

/** Table 1 safety suite (Qwen3Guard judge at eval: controversial = not harmful). */
export const safetySuite: SuiteDefinition = {
  name: 'safety',
  tasks: [
    wildguardHarmful(true),
    wildguardHarmful(false),
    {
      id: 'wjbAdv',
      label: 'WildJailbreak adversarial harmful',
      benchmark: 'wildjailbreak',
      split: 'harmful',
      kind: 'generation',
      promptField: 'adversarial',
      judgePromptField: 'vanilla',
      metric: 'asrCompliance',
      parseFailure: 'negative',
    },
    {
      id: 'dan',
      label: 'DAN',
      benchmark: 'dan',
      kind: 'generation',
      promptField: 'adversarial',
      judgePromptField: 'vanilla',
      metric: 'asrCompliance',
      parseFailure: 'negative',
      categoryField: 'community_name',
    },
    {
      id: 'hbAdv',
      label: 'HarmBench adversarial (precomputed)',
      benchmark: 'harmbenchPrecomputed',
      kind: 'generation',
      promptField: 'prompt',
      judgePromptField: 'prompt',
      metric: 'asrHarmful',
      parseFailure: 'negative',
      categoryField: 'method',
      stratifyLimitBy: 'method',
    },
    {
      id: 'hbVan',
      label: 'HarmBench vanilla',
      benchmark: 'harmbench',
      split: 'test',
      kind: 'generation',
      promptField: 'prompt',
      judgePromptField: 'prompt',
      metric: 'asrHarmful',
      parseFailure: 'negative',
      categoryField: 'semanticCategory',
    },
    orBenchToxic,
    xstestTask,
    {
      id: 'strongreject',
      label: 'StrongREJECT',
      benchmark: 'strongreject',
      kind: 'generation',
      promptField: 'prompt',
      judgePromptField: 'prompt',
      metric: 'refusal',
      parseFailure: 'negative',
      categoryField: 'category',
    },
    wjbBenign,
  ],
  table: {
    title: 'Table 1: safety (ASR ↓, RTA ↑, compliance ↑)',
    columns: [
      { header: 'WG adv', task: 'wgAdv', metric: 'asr', higherIsBetter: false },
      { header: 'WG van', task: 'wgVan', metric: 'asr', higherIsBetter: false },
      { header: 'WJB adv', task: 'wjbAdv', metric: 'asr', higherIsBetter: false },
      { header: 'DAN', task: 'dan', metric: 'asr', higherIsBetter: false },
      { header: 'HB adv', task: 'hbAdv', metric: 'asr', higherIsBetter: false },
      { header: 'HB van', task: 'hbVan', metric: 'asr', higherIsBetter: false },
      { header: 'OR-B', task: 'orBenchToxic', metric: 'rta', higherIsBetter: true },
      { header: 'XST RTA', task: 'xstest', metric: 'rta_all_contrast', higherIsBetter: true },
      { header: 'SR RTA', task: 'strongreject', metric: 'rta', higherIsBetter: true },
      { header: 'WJB benign', task: 'wjbBenign', metric: 'compliance', higherIsBetter: true },
      { header: 'XST comply', task: 'xstest', metric: 'inverted_rta_all_safe', higherIsBetter: true },
    ],
  },
};

export const overRefusalSuite: SuiteDefinition = {
  name: 'over-refusal',
  tasks: [
    xstestTask,
    wjbBenign,
    {
      id: 'orBenchHard',
      label: 'OR-Bench hard-1k',
      benchmark: 'orBench',
      split: 'hard-1k',
      kind: 'generation',
      promptField: 'prompt',
      judgePromptField: 'prompt',
      metric: 'compliance',
      parseFailure: 'negative',
      categoryField: 'category',
    },
    {
      id: 'jbbBenign',
      label: 'JBB benign behaviours',
      benchmark: 'jbb',
      split: 'benign',
      kind: 'generation',
      promptField: 'prompt',
      judgePromptField: 'prompt',
      metric: 'compliance',
      parseFailure: 'negative',
      categoryField: 'category',
    },
  ],
  table: {
    title: 'Over-refusal (compliance on benign ↑)',
    columns: [
      { header: 'XST comply', task: 'xstest', metric: 'inverted_rta_all_safe', higherIsBetter: true },
      { header: 'WJB benign', task: 'wjbBenign', metric: 'compliance', higherIsBetter: true },
      { header: 'OR-B hard', task: 'orBenchHard', metric: 'compliance', higherIsBetter: true },
      { header: 'JBB benign', task: 'jbbBenign', metric: 'compliance', higherIsBetter: true },
    ],
  },
};

export const multiTurnSuite: SuiteDefinition = {
  name: 'multi-turn',
  tasks: [
    {
      id: 'xTeaming',
      label: 'X-Teaming (HarmBench behaviours)',
      benchmark: 'harmbench',
      split: 'test',
      where: { functionalCategory: 'standard' },
      kind: 'xTeaming',
      promptField: 'behavior',
      categoryField: 'semanticCategory',
    },
    {
      id: 'cosafe',
      label: 'CoSafe replay',
      benchmark: 'cosafe',
      kind: 'dialogueReplay',
      parseFailure: 'negative',
      categoryField: 'category',
      stratifyLimitBy: 'category',
    },
  ],
  table: {
    title: 'Table 4: multi-turn (ASR ↓)',
    columns: [
      { header: 'X-Teaming multi-turn ASR', task: 'xTeaming', metric: 'asr', higherIsBetter: false },
      { header: 'X-Teaming jailbreak rate', task: 'xTeaming', metric: 'planSuccessRate', higherIsBetter: false },
      { header: 'CoSafe ASR', task: 'cosafe', metric: 'asr', higherIsBetter: false },
    ],
  },
};

export const capabilitySuite: SuiteDefinition = {
  name: 'capability',
  tasks: [
    { id: 'ifeval', label: 'IFEval', benchmark: 'ifeval', kind: 'ifeval' },
    { id: 'arc', label: 'ARC-Challenge (0-shot)', benchmark: 'arc', kind: 'multipleChoice' },
    {
      id: 'mmlu',
      label: 'MMLU (0-shot)',
      benchmark: 'mmlu',
      split: 'test',
      kind: 'multipleChoice',
      categoryField: 'subject',
      stratifyLimitBy: 'subject',
    },
    { id: 'gsm8k', label: 'GSM8K', benchmark: 'gsm8k', kind: 'gsm8k' },
    // not redistributable: runs with --path gpqa=gpqa_main.csv, skipped otherwise
    {
      id: 'gpqa',
      label: 'GPQA (0-shot)',
      benchmark: 'gpqa',
      kind: 'multipleChoice',
      categoryField: 'subject',
      stratifyLimitBy: 'subject',
    },
    // needs the user's AlpacaEval file (with reference outputs) and a --judge-llm endpoint; skipped otherwise
    { id: 'alpacaEval', label: 'AlpacaEval 2 (LC win rate)', benchmark: 'alpacaEval', kind: 'alpacaEval' },
  ],
  table: {
    title: 'Table 2: capability (↑)',
    columns: [
      { header: 'IFEval prompt-loose', task: 'ifeval', metric: 'prompt_loose', higherIsBetter: true },
      { header: 'IFEval inst-loose', task: 'ifeval', metric: 'instruction_loose', higherIsBetter: true },
      { header: 'ARC-C', task: 'arc', metric: 'accuracy', higherIsBetter: true },
      { header: 'MMLU', task: 'mmlu', metric: 'accuracy', higherIsBetter: true },
      { header: 'GSM8K', task: 'gsm8k', metric: 'exact_match', higherIsBetter: true },
      { header: 'GPQA', task: 'gpqa', metric: 'accuracy', higherIsBetter: true },
      { header: 'AlpacaEval 2 LC', task: 'alpacaEval', metric: 'lc_win_rate', higherIsBetter: true },
    ],
  },
};

export const judgeQualitySuite: SuiteDefinition = {
  name: 'judge-quality',
  tasks: [
    {
      id: 'wildguardtestJudge',
      label: 'WildGuardTest labels',
      benchmark: 'wildguardtest',
      kind: 'judgeQuality',
      promptField: 'prompt',
      responseField: 'response',
      adversarialField: 'adversarial',
      labels: [
        { field: 'promptHarmLabel', positive: 'harmful', against: 'promptHarm' },
        { field: 'responseHarmLabel', positive: 'harmful', against: 'responseHarm' },
        { field: 'responseRefusalLabel', positive: 'refusal', against: 'responseRefusal' },
      ],
    },
    {
      id: 'openaiModerationJudge',
      label: 'OpenAI moderation eval',
      benchmark: 'openaiModeration',
      kind: 'judgeQuality',
      promptField: 'prompt',
      labels: [{ field: 'harmful', positive: true, against: 'promptHarm' }],
    },
    {
      id: 'guardLabelsJudge',
      label: 'User labelled set (--data)',
      benchmark: 'guardLabels',
      kind: 'judgeQuality',
      promptField: 'prompt',
      responseField: 'response',
      groupField: 'group',
      labels: [
        { field: 'promptHarm', positive: 1, against: 'promptHarm' },
        { field: 'responseHarm', positive: 1, against: 'responseHarm' },
        { field: 'refusal', positive: 1, against: 'responseRefusal' },
      ],
    },
  ],
  table: {
    title: 'Judge quality (F1 ↑)',
    columns: [
      { header: 'WGT prompt harm F1', task: 'wildguardtestJudge', metric: 'promptHarm_f1', higherIsBetter: true },
      { header: 'WGT response harm F1', task: 'wildguardtestJudge', metric: 'responseHarm_f1', higherIsBetter: true },
      { header: 'WGT refusal F1', task: 'wildguardtestJudge', metric: 'responseRefusal_f1', higherIsBetter: true },
      { header: 'OAI moderation F1', task: 'openaiModerationJudge', metric: 'promptHarm_f1', higherIsBetter: true },
      { header: 'Data prompt harm F1', task: 'guardLabelsJudge', metric: 'promptHarm_f1', higherIsBetter: true },
      { header: 'Data response harm F1', task: 'guardLabelsJudge', metric: 'responseHarm_f1', higherIsBetter: true },
      { header: 'Data refusal F1', task: 'guardLabelsJudge', metric: 'responseRefusal_f1', higherIsBetter: true },
    ],
  },
};

export const suites: Record<SuiteName, SuiteDefinition> = {
  safety: safetySuite,
  'over-refusal': overRefusalSuite,
  'multi-turn': multiTurnSuite,
  capability: capabilitySuite,
  'judge-quality': judgeQualitySuite,
};
