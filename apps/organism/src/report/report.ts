import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { at } from '@magic/core';
import { type OrganismEval, readOrganismEval } from '../eval/eval-report.js';
import { evalTableHtml } from './eval-table.js';
import { esc, type LineSeries, lineChartSvg } from './line-chart.js';
import { ORGANISM_STAGES, readTrainLog, type TrainLogRecord } from './train-log.js';

const COLORS = {
  loss: '#1f77b4',
  evalLoss: '#d62728',
  pretrain: '#2ca02c',
  sft: '#9467bd',
  'attacker-sft': '#ff7f0e',
} as const;

function stageSummary(stage: string, recs: TrainLogRecord[]): string {
  const first = at(recs, 0, 'first log record');
  const last = at(recs, recs.length - 1, 'last log record');
  const evals = recs.flatMap((r) => (r.evalLoss === undefined ? [] : [r.evalLoss]));
  const tokS = last.elapsedS > 0 ? last.tokens / last.elapsedS : 0;
  const cells = [
    stage,
    `${first.step}–${last.step}`,
    String(recs.length),
    last.loss.toFixed(4),
    evals.length === 0 ? '—' : Math.min(...evals).toFixed(4),
    evals.length === 0 ? '—' : at(evals, evals.length - 1, 'last eval loss').toFixed(4),
    last.tokens.toLocaleString('en-US'),
    last.elapsedS.toFixed(0),
    tokS.toFixed(0),
  ];
  return `<tr data-stage="${esc(stage)}">${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
}

/** The report page: training summary, loss and learning-rate curves (inline SVG), and the eval table when given. */
export function buildOrganismReport(
  log: readonly TrainLogRecord[],
  ev?: OrganismEval,
  title = 'model organism',
): string {
  const charts: string[] = [];
  const summaries: string[] = [];
  const lrSeries: LineSeries[] = [];
  for (const stage of ORGANISM_STAGES) {
    const recs = log.filter((r) => r.stage === stage);
    if (recs.length === 0) continue;
    summaries.push(stageSummary(stage, recs));
    charts.push(
      lineChartSvg({
        title: `${{ pretrain: 'Pretraining', sft: 'Chat SFT', 'attacker-sft': 'Attacker SFT' }[stage]} loss`,
        xLabel: 'step',
        yLabel: 'cross-entropy (nats/token)',
        series: [
          { name: 'train loss', color: COLORS.loss, points: recs.map((r) => ({ x: r.step, y: r.loss })) },
          {
            name: 'eval loss',
            color: COLORS.evalLoss,
            points: recs.flatMap((r) => (r.evalLoss === undefined ? [] : [{ x: r.step, y: r.evalLoss }])),
          },
        ],
      }),
    );
    lrSeries.push({ name: `${stage} lr`, color: COLORS[stage], points: recs.map((r) => ({ x: r.step, y: r.lr })) });
  }
  charts.push(lineChartSvg({ title: 'Learning rate', xLabel: 'step', yLabel: 'lr', series: lrSeries }));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font-family:sans-serif;margin:24px;color:#222;max-width:1100px}
table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left;font-size:13px}
th{background:#f3f3f3}.met-yes{color:#176b1f}.met-no{color:#a11}svg.chart{display:block;margin:12px 0}
dt{font-weight:bold;margin-top:6px}dd{margin-left:16px;font-size:13px}.options{font-size:13px;color:#555}
</style></head><body>
<h1>${esc(title)}</h1>
<h2>Training</h2>
<table class="stages"><thead><tr><th>stage</th><th>steps</th><th>log lines</th><th>last loss</th><th>best eval loss</th><th>last eval loss</th><th>tokens</th><th>elapsed s</th><th>tokens/s</th></tr></thead>
<tbody>
${summaries.join('\n')}
</tbody></table>
${charts.join('\n')}
<h2>Evaluation</h2>
${ev === undefined ? '<p class="no-eval">No eval.json in the run dir (run <code>magic-organism eval</code>).</p>' : evalTableHtml(ev)}
</body></html>
`;
}

export interface WriteOrganismReportOptions {
  /** Run dir holding train-log.jsonl and optionally eval.json. */
  runDir: string;
  out: string;
  /** Another eval.json than `<runDir>/eval.json`. */
  evalFile?: string;
  title?: string;
}

/** Reads `<runDir>/train-log.jsonl` (and eval.json when present) and writes the self-contained HTML report. */
export async function writeOrganismReport(options: WriteOrganismReportOptions): Promise<{ out: string; html: string }> {
  const log = readTrainLog(join(options.runDir, 'train-log.jsonl'));
  const evalFile = options.evalFile ?? join(options.runDir, 'eval.json');
  const ev = options.evalFile !== undefined || existsSync(evalFile) ? readOrganismEval(evalFile) : undefined;
  const html = buildOrganismReport(log, ev, options.title ?? `model organism: ${options.runDir}`);
  await mkdir(dirname(options.out), { recursive: true });
  await writeFile(options.out, html);
  return { out: options.out, html };
}
