import { defined } from '@magic/core';
import { ABLATION_ALPHA, type Delta, type Evidence, type Proportion } from './evidence.js';

const f3 = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toFixed(3));
const f2 = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toFixed(2));
const signed = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;

function cell(p: Proportion | undefined): string {
  if (p === undefined || p.value === null) return '–';
  const ci = p.ciLow === null || p.ciHigh === null ? '' : ` [${f2(p.ciLow)}, ${f2(p.ciHigh)}]`;
  return `${f3(p.value)}${ci} (${p.k ?? '?'}/${p.n})`;
}

/** Δ with its CI; ✓ when the CI excludes 0 in the good direction, ✗ in the bad one. */
function deltaCell(d: Delta | undefined, higherIsBetter: boolean): string {
  if (d === undefined || d.delta === null) return '–';
  const mark = d.significant ? (d.delta > 0 === higherIsBetter ? ' ✓' : ' ✗') : '';
  return `${signed(d.delta)} [${signed(d.ciLow)}, ${signed(d.ciHigh)}]${mark}`;
}

function rowsTable(
  rows: readonly {
    header: string;
    higherIsBetter: boolean;
    values: { before: Proportion; after: Proportion; fixedAttacker?: Proportion | undefined };
    deltas: { after: Delta; fixedAttacker?: Delta | undefined };
  }[],
  labels: Evidence['models'],
  first: string,
): string[] {
  const fixed = labels.fixedAttacker;
  const head = [first, labels.before.label, labels.after.label, 'Δ [95% CI]'];
  if (fixed !== undefined) head.push(fixed.label, 'Δ [95% CI]');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const arrow = r.higherIsBetter ? '↑' : '↓';
    const cells = [
      `${r.header} ${arrow}`,
      cell(r.values.before),
      cell(r.values.after),
      deltaCell(r.deltas.after, r.higherIsBetter),
    ];
    if (fixed !== undefined)
      cells.push(cell(r.values.fixedAttacker), deltaCell(r.deltas.fixedAttacker, r.higherIsBetter));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

/** evidence.md: the Table 1 columns under both judges, the organism sets, held-out ROUGE-L and the ablation test. */
export function evidenceMarkdown(e: Evidence): string {
  const m = e.models;
  const out: string[] = [
    '# Before/after evidence (magic-organism evidence)',
    '',
    ...(['before', 'after', 'fixedAttacker'] as const).flatMap((r) => {
      const model = m[r];
      return model === undefined ? [] : [`- ${model.label}: \`${model.dir}\``];
    }),
    `- options: ${Object.entries(e.options)
      .map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(', ')}`,
    '',
    'Rates with 95% CIs and k/n; Δ = model − before with a 95% bootstrap CI of the difference (✓ / ✗: the CI excludes',
    '0 in the good / bad direction).',
    '',
    '## Table 1 columns, refusal rules (organism ASR = non-refusal on harmful prompts)',
    '',
    ...rowsTable(e.table1.rules, m, 'column'),
    '',
    "## Table 1 columns, the local guard's verdicts",
    '',
    ...rowsTable(e.table1.guard, m, 'column'),
    '',
  ];
  const fixedPhrases = e.refusalPhrases.some((p) => p.phrases.fixedAttacker !== undefined);
  if (e.refusalPhrases.length > 0) {
    const top = (list: readonly [string, number][] | undefined) =>
      list === undefined || list.length === 0
        ? '–'
        : list
            .slice(0, 3)
            .map(([phrase, n]) => `"${phrase}" ${n}`)
            .join(', ');
    const head = [
      'task',
      m.before.label,
      m.after.label,
      ...(fixedPhrases ? [defined(m.fixedAttacker, 'fixed-attacker model').label] : []),
    ];
    out.push(
      'Refusal-rule phrases behind the refusals above (most frequent first): a defender can learn to open with a listed',
      'phrase without refusing.',
      '',
      `| ${head.join(' | ')} |`,
      `|${head.map(() => '---').join('|')}|`,
      ...e.refusalPhrases.map(
        (p) =>
          `| ${[p.task, top(p.phrases.before), top(p.phrases.after), ...(fixedPhrases ? [top(p.phrases.fixedAttacker)] : [])].join(' | ')} |`,
      ),
      '',
    );
  }
  if (e.skipped.length > 0) {
    out.push(`Not measured (data not shipped): ${e.skipped.map((s) => s.header).join(', ')}.`, '');
  }
  out.push(
    '## Organism sets (magic-organism eval: the game chat, Wilson CIs)',
    '',
    ...rowsTable(e.organism, m, 'set: metric'),
    '',
  );
  if (e.rougeL !== undefined) {
    const r = e.rougeL;
    out.push('## Capability preservation: ROUGE-L F on held-out corpus instructions (Table 2 analogue)', '');
    out.push('| model | ROUGE-L [95% CI] | n | Δ vs before, paired [95% CI] | relative |', '|---|---|---|---|---|');
    out.push(
      `| ${m.before.label} | ${f3(r.values.before.mean)} [${f3(r.values.before.ciLow)}, ${f3(r.values.before.ciHigh)}] | ${r.values.before.n} | | |`,
    );
    for (const role of ['after', 'fixedAttacker'] as const) {
      const v = r.values[role];
      const d = r.deltas[role];
      if (v === undefined || d === undefined) continue;
      const rel = d.relative === null ? '–' : `${d.relative >= 0 ? '+' : ''}${(100 * d.relative).toFixed(1)}%`;
      out.push(
        `| ${defined(m[role], `${role} model`).label} | ${f3(v.mean)} [${f3(v.ciLow)}, ${f3(v.ciHigh)}] | ${v.n} | ${signed(d.delta)} [${signed(d.ciLow)}, ${signed(d.ciHigh)}] (${d.n} pairs) | ${rel} |`,
      );
    }
    out.push('');
  }
  if (e.ablation !== undefined) {
    const a = e.ablation;
    out.push(
      `## Ablation: ${m.after.label} vs ${m.fixedAttacker?.label ?? 'fixed attacker'} (two-proportion z-test, two-sided, α ${ABLATION_ALPHA})`,
      '',
      '| rate | co-evolved k/n | fixed attacker k/n | difference | z | p | co-evolved better |',
      '|---|---|---|---|---|---|---|',
    );
    for (const t of a.tests) {
      const name = t.primary ? `**${t.name}** (primary)` : t.name;
      out.push(
        `| ${name} ${t.higherIsBetter ? '↑' : '↓'} | ${t.coEvolved.k}/${t.coEvolved.n} | ${t.fixedAttacker.k}/${t.fixedAttacker.n} | ${signed(t.difference)} | ${t.z.toFixed(2)} | ${t.pValue < 1e-4 ? t.pValue.toExponential(1) : t.pValue.toFixed(4)} | ${t.coEvolvedBetter ? 'yes' : 'no'} |`,
      );
    }
    out.push(
      '',
      `Primary test (${a.primary}): the co-evolved defender ${a.coEvolvedWins ? 'beats' : 'does not beat'} the fixed-attacker defender at p < ${ABLATION_ALPHA}.`,
      '',
    );
  }
  return out.join('\n');
}
