import {
  bootstrapCi,
  type MetricValue,
  proportionDeltaCi,
  type RunResults,
  type TwoProportionTest,
  twoProportionZTest,
} from '@magic/benchmarks';
import { matchRefusal } from '@magic/judges';
import { z } from 'zod';
import type { OrganismEval, Rate as OrganismRate } from '../eval/eval-report.js';

/** The three models of the evidence: the defender before the game, after MAGIC, after the fixed-attacker ablation. */
export const EVIDENCE_ROLES = ['before', 'after', 'fixedAttacker'] as const;
export type EvidenceRole = (typeof EVIDENCE_ROLES)[number];
export const ROLE_LABELS: Record<EvidenceRole, string> = {
  before: 'before',
  after: 'MAGIC (co-evolved)',
  fixedAttacker: 'fixed attacker',
};

/** Judges of the Table 1 columns: the refusal rules (organism ASR = non-refusal) and the local guard. */
export const EVIDENCE_JUDGES = ['rules', 'guard'] as const;
export type EvidenceJudge = (typeof EVIDENCE_JUDGES)[number];

/** Significance level of the ablation's two-proportion test. */
export const ABLATION_ALPHA = 0.05;
/** The ablation's headline test: WildJailbreak adversarial harmful, organism ASR (refusal rules), never tuned on. */
export const PRIMARY_ABLATION = { source: 'table1', judge: 'rules', task: 'wjbAdv', metric: 'asr' } as const;

const proportion = z.object({
  value: z.number().nullable(),
  k: z.number().int().nonnegative().nullable(),
  n: z.number().int().nonnegative(),
  ciLow: z.number().nullable(),
  ciHigh: z.number().nullable(),
});
export type Proportion = z.output<typeof proportion>;

const delta = z.object({
  /** Model − before. */
  delta: z.number().nullable(),
  ciLow: z.number().nullable(),
  ciHigh: z.number().nullable(),
  /** The 95% CI excludes 0. */
  significant: z.boolean().nullable(),
});
export type Delta = z.output<typeof delta>;

const perRole = <T extends z.ZodType>(s: T) =>
  z.object({ before: s, after: s, fixedAttacker: s.optional() }) as z.ZodObject<{
    before: T;
    after: T;
    fixedAttacker: z.ZodOptional<T>;
  }>;

const row = z.object({
  header: z.string(),
  task: z.string(),
  metric: z.string(),
  higherIsBetter: z.boolean(),
  values: perRole(proportion),
  /** Against `before`: proportions resampled independently from their counts (@magic/benchmarks' compare). */
  deltas: z.object({ after: delta, fixedAttacker: delta.optional() }),
});

const ablationTest = z.object({
  name: z.string(),
  source: z.enum(['table1', 'organism']),
  judge: z.enum(['rules', 'guard']),
  task: z.string(),
  metric: z.string(),
  higherIsBetter: z.boolean(),
  primary: z.boolean(),
  coEvolved: z.object({ k: z.number().int(), n: z.number().int() }),
  fixedAttacker: z.object({ k: z.number().int(), n: z.number().int() }),
  /** Co-evolved − fixed attacker. */
  difference: z.number(),
  z: z.number(),
  pValue: z.number(),
  /** p < ABLATION_ALPHA and the difference points the good way (lower ASR, higher compliance). */
  coEvolvedBetter: z.boolean(),
});
export type AblationTest = z.output<typeof ablationTest>;

const rougeValue = z.object({ mean: z.number(), ciLow: z.number(), ciHigh: z.number(), n: z.number().int() });

/** CI null without per-item scores; relative null when the before mean is 0. */
const rougeDelta = z.object({
  delta: z.number(),
  ciLow: z.number().nullable(),
  ciHigh: z.number().nullable(),
  relative: z.number().nullable(),
  /** Items paired. */
  n: z.number().int().nonnegative(),
});

export const EVIDENCE_FORMAT = 'magic-organism-evidence/v1';

export const evidenceSchema = z.object({
  format: z.literal(EVIDENCE_FORMAT),
  createdAt: z.string(),
  models: perRole(z.object({ label: z.string(), dir: z.string() })),
  options: z.record(z.string(), z.unknown()),
  /** Table 1 columns the data allows, per judge. */
  table1: z.object({ rules: z.array(row), guard: z.array(row) }),
  /** Table 1 columns without data (not shipped), with magic-eval's reason. */
  skipped: z.array(z.object({ header: z.string(), task: z.string(), reason: z.string() })),
  /** magic-organism eval sets: refusal-based rates and the guard's harm rate (Wilson CIs). */
  organism: z.array(row.extend({ set: z.string() })),
  /** Capability preservation (the analogue of the paper's Table 2): ROUGE-L F on held-out corpus instructions. */
  rougeL: z
    .object({
      values: perRole(rougeValue),
      /** Paired by item against `before` (percentile bootstrap of the mean item difference), and relative to it. */
      deltas: z.object({ after: rougeDelta, fixedAttacker: rougeDelta.optional() }),
    })
    .optional(),
  /**
   * Which refusal-rule phrase made each refusal under `--judge rules`, per Table 1 task and model (most frequent
   * first): a trained defender can open with a listed phrase ("As an assistant") without refusing.
   */
  refusalPhrases: z.array(
    z.object({
      task: z.string(),
      phrases: z.object({
        before: z.array(z.tuple([z.string(), z.number().int()])),
        after: z.array(z.tuple([z.string(), z.number().int()])),
        fixedAttacker: z.array(z.tuple([z.string(), z.number().int()])).optional(),
      }),
    }),
  ),
  /** The paper's ablation: co-evolved vs fixed-attacker defender, two-proportion z-test per rate. */
  ablation: z
    .object({ alpha: z.number(), primary: z.string(), tests: z.array(ablationTest), coEvolvedWins: z.boolean() })
    .optional(),
});
export type Evidence = z.output<typeof evidenceSchema>;
type Row = z.output<typeof row>;

/** One model's measurements: magic-eval's safety suite under both judges, and magic-organism eval. */
export interface ModelMeasurements {
  dir: string;
  label?: string;
  /** magic-eval safety-suite run judged by the refusal rules (`--judge rules`). */
  rules: RunResults;
  /** The same generations judged by the guard (`--judge local`). */
  guard: RunResults;
  organism: OrganismEval;
  /** Held-out item id → ROUGE-L F (from the eval's answers file), for the paired difference. */
  rougeByItem?: ReadonlyMap<string, number>;
}

export type EvidenceInput = { before: ModelMeasurements; after: ModelMeasurements; fixedAttacker?: ModelMeasurements };

const fromMetric = (m: MetricValue | undefined): Proportion =>
  m === undefined
    ? { value: null, k: null, n: 0, ciLow: null, ciHigh: null }
    : { value: m.value, k: m.count, n: m.n, ciLow: m.ci?.lower ?? null, ciHigh: m.ci?.upper ?? null };

const fromOrganism = (r: OrganismRate): Proportion => ({
  value: r.value,
  k: r.k,
  n: r.n,
  ciLow: r.ciLow,
  ciHigh: r.ciHigh,
});

function deltaOf(a: Proportion, b: Proportion, seed: number): Delta {
  if (a.value === null || b.value === null || a.k === null || b.k === null || a.n === 0 || b.n === 0) {
    return { delta: null, ciLow: null, ciHigh: null, significant: null };
  }
  const ci = proportionDeltaCi({ count: a.k, n: a.n }, { count: b.k, n: b.n }, { seed });
  return { delta: b.value - a.value, ciLow: ci.lower, ciHigh: ci.upper, significant: ci.lower > 0 || ci.upper < 0 };
}

function rowOf(
  base: Omit<Row, 'values' | 'deltas'>,
  values: { before: Proportion; after: Proportion; fixedAttacker?: Proportion | undefined },
  seed: number,
): Row {
  return {
    ...base,
    values: {
      before: values.before,
      after: values.after,
      ...(values.fixedAttacker === undefined ? {} : { fixedAttacker: values.fixedAttacker }),
    },
    deltas: {
      after: deltaOf(values.before, values.after, seed),
      ...(values.fixedAttacker === undefined
        ? {}
        : { fixedAttacker: deltaOf(values.before, values.fixedAttacker, seed) }),
    },
  };
}

const taskMetric = (run: RunResults, task: string, metric: string): MetricValue | undefined => {
  const t = run.tasks.find((x) => x.id === task);
  return t?.status === 'ok' ? t.metrics[metric] : undefined;
};

function table1Rows(input: EvidenceInput, judge: EvidenceJudge, seed: number): Row[] {
  const columns = input.before[judge].table.columns;
  return columns
    .filter((c) => input.before[judge].tasks.find((t) => t.id === c.task)?.status === 'ok')
    .map((c) =>
      rowOf(
        { header: c.header, task: c.task, metric: c.metric, higherIsBetter: c.higherIsBetter },
        {
          before: fromMetric(taskMetric(input.before[judge], c.task, c.metric)),
          after: fromMetric(taskMetric(input.after[judge], c.task, c.metric)),
          fixedAttacker:
            input.fixedAttacker === undefined
              ? undefined
              : fromMetric(taskMetric(input.fixedAttacker[judge], c.task, c.metric)),
        },
        seed,
      ),
    );
}

/** The organism-eval rates reported per set: ASR and guard harm on harmful sets, compliance and refusal on benign. */
const ORGANISM_METRICS = [
  { metric: 'nonRefusal', header: 'organism ASR (non-refusal)', kind: 'harmful', higherIsBetter: false },
  { metric: 'guardHarm', header: 'guard harm rate', kind: 'harmful', higherIsBetter: false },
  { metric: 'compliance', header: 'compliance', kind: 'benign', higherIsBetter: true },
  { metric: 'refusal', header: 'refusal', kind: 'benign', higherIsBetter: false },
  // lexical sanity on every set: a defender that games the refusal rules with a keyword opener, or loops, shows here
  { metric: 'sane', header: 'sane answers', kind: 'any', higherIsBetter: true },
] as const;

function organismRows(input: EvidenceInput, seed: number): Evidence['organism'] {
  const out: Evidence['organism'] = [];
  for (const set of input.before.organism.sets) {
    for (const m of ORGANISM_METRICS) {
      if (m.kind !== 'any' && m.kind !== set.kind) continue;
      const pick = (e: OrganismEval | undefined): Proportion | undefined => {
        const s = e?.sets.find((x) => x.name === set.name);
        const r = s?.[m.metric];
        return r === undefined ? undefined : fromOrganism(r);
      };
      const before = pick(input.before.organism);
      const after = pick(input.after.organism);
      if (before === undefined || after === undefined) continue;
      out.push({
        set: set.name,
        ...rowOf(
          { header: `${set.name}: ${m.header}`, task: set.name, metric: m.metric, higherIsBetter: m.higherIsBetter },
          { before, after, fixedAttacker: pick(input.fixedAttacker?.organism) },
          seed,
        ),
      });
    }
  }
  return out;
}

/** Refusal-rule phrase → count over a rules-judged task's samples (the judged text, as the judge saw it). */
function phrasesOf(run: RunResults, task: string): [string, number][] {
  const counts = new Map<string, number>();
  for (const s of run.tasks.find((t) => t.id === task)?.samples ?? []) {
    const phrase = matchRefusal(s.judgedResponse ?? s.response ?? '');
    if (phrase !== undefined) counts.set(phrase, (counts.get(phrase) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function refusalPhrases(input: EvidenceInput, rows: readonly Row[]): Evidence['refusalPhrases'] {
  return [...new Set(rows.map((r) => r.task))].map((task) => ({
    task,
    phrases: {
      before: phrasesOf(input.before.rules, task),
      after: phrasesOf(input.after.rules, task),
      ...(input.fixedAttacker === undefined ? {} : { fixedAttacker: phrasesOf(input.fixedAttacker.rules, task) }),
    },
  }));
}

function rougeOf(e: OrganismEval) {
  const s = e.sets.find((x) => x.rougeL !== undefined);
  return s?.rougeL === undefined ? undefined : { ...s.rougeL, n: s.rougeL.aboveFloor.n };
}

/** Mean paired difference model − before over the items both answered, its bootstrap CI, and the relative change. */
function pairedRouge(before: ModelMeasurements, model: ModelMeasurements, seed: number) {
  const b = rougeOf(before.organism);
  const m = rougeOf(model.organism);
  if (b === undefined || m === undefined) return undefined;
  const diffs: number[] = [];
  if (before.rougeByItem !== undefined && model.rougeByItem !== undefined) {
    for (const [id, score] of before.rougeByItem) {
      const other = model.rougeByItem.get(id);
      if (other !== undefined) diffs.push(other - score);
    }
  }
  const d = m.mean - b.mean;
  const ci = diffs.length > 0 ? bootstrapCi(diffs, { seed }) : undefined;
  return {
    delta: d,
    ciLow: ci?.lower ?? null,
    ciHigh: ci?.upper ?? null,
    relative: b.mean === 0 ? null : d / b.mean,
    n: diffs.length,
  };
}

function ablationTests(ev: Omit<Evidence, 'ablation'>): Evidence['ablation'] {
  if (ev.models.fixedAttacker === undefined) return undefined;
  const tests: AblationTest[] = [];
  const add = (source: 'table1' | 'organism', judge: EvidenceJudge, r: Row) => {
    const co = r.values.after;
    const fx = r.values.fixedAttacker;
    if (fx === undefined || co.k === null || fx.k === null || co.n === 0 || fx.n === 0) return;
    const t: TwoProportionTest = twoProportionZTest(co.k, co.n, fx.k, fx.n);
    const primary =
      source === PRIMARY_ABLATION.source &&
      judge === PRIMARY_ABLATION.judge &&
      r.task === PRIMARY_ABLATION.task &&
      r.metric === PRIMARY_ABLATION.metric;
    tests.push({
      name: source === 'table1' ? `${r.header} (${judge === 'rules' ? 'refusal rules' : 'guard'})` : r.header,
      source,
      judge,
      task: r.task,
      metric: r.metric,
      higherIsBetter: r.higherIsBetter,
      primary,
      coEvolved: { k: co.k, n: co.n },
      fixedAttacker: { k: fx.k, n: fx.n },
      difference: t.difference,
      z: t.z,
      pValue: t.pValue,
      coEvolvedBetter: t.pValue < ABLATION_ALPHA && (r.higherIsBetter ? t.difference > 0 : t.difference < 0),
    });
  };
  for (const judge of EVIDENCE_JUDGES) for (const r of ev.table1[judge]) add('table1', judge, r);
  for (const r of ev.organism) add('organism', r.metric === 'guardHarm' ? 'guard' : 'rules', r);
  const primary = tests.find((t) => t.primary);
  return {
    alpha: ABLATION_ALPHA,
    primary: primary?.name ?? 'WJB adv (refusal rules): not measured',
    tests,
    coEvolvedWins: primary?.coEvolvedBetter ?? false,
  };
}

/**
 * The evidence of issue 22 §6 from the measurements of two or three models: Table 1 columns under both judges, the
 * organism sets, held-out ROUGE-L, each against `before` with a 95% CI, and with a fixed-attacker model the
 * ablation's two-proportion tests against the co-evolved one.
 */
export function buildEvidence(input: EvidenceInput, options: Record<string, unknown> = {}, seed = 0): Evidence {
  const model = (role: EvidenceRole, m: ModelMeasurements) => ({ label: m.label ?? ROLE_LABELS[role], dir: m.dir });
  const skipped = input.before.guard.tasks
    .filter((t) => t.status === 'skipped')
    .flatMap((t) =>
      input.before.guard.table.columns
        .filter((c) => c.task === t.id)
        .map((c) => ({ header: c.header, task: t.id, reason: t.skipReason ?? 'skipped' })),
    );
  const afterRouge = pairedRouge(input.before, input.after, seed);
  const fixedRouge =
    input.fixedAttacker === undefined ? undefined : pairedRouge(input.before, input.fixedAttacker, seed);
  const rouge = (m: ModelMeasurements) => {
    const r = rougeOf(m.organism);
    return r === undefined ? undefined : { mean: r.mean, ciLow: r.ciLow, ciHigh: r.ciHigh, n: r.n };
  };
  const rb = rouge(input.before);
  const ra = rouge(input.after);
  const rf = input.fixedAttacker === undefined ? undefined : rouge(input.fixedAttacker);
  const base: Omit<Evidence, 'ablation'> = {
    format: EVIDENCE_FORMAT,
    createdAt: new Date().toISOString(),
    models: {
      before: model('before', input.before),
      after: model('after', input.after),
      ...(input.fixedAttacker === undefined ? {} : { fixedAttacker: model('fixedAttacker', input.fixedAttacker) }),
    },
    options,
    table1: { rules: table1Rows(input, 'rules', seed), guard: table1Rows(input, 'guard', seed) },
    refusalPhrases: refusalPhrases(input, table1Rows(input, 'rules', seed)),
    skipped,
    organism: organismRows(input, seed),
    ...(rb === undefined || ra === undefined || afterRouge === undefined
      ? {}
      : {
          rougeL: {
            values: { before: rb, after: ra, ...(rf === undefined ? {} : { fixedAttacker: rf }) },
            deltas: { after: afterRouge, ...(fixedRouge === undefined ? {} : { fixedAttacker: fixedRouge }) },
          },
        }),
  };
  const ablation = ablationTests(base);
  return evidenceSchema.parse({ ...base, ...(ablation === undefined ? {} : { ablation }) });
}
