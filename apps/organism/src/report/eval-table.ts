import { defined } from '@magic/core';
import type { OrganismEval, Rate } from '../eval/eval-report.js';
import { esc } from './line-chart.js';

/** `0.123 [0.080, 0.180] (k/n)` of a rate; an em dash for n = 0. */
export function fmtRate(r: Rate | undefined): string {
  if (r === undefined || r.value === null) return '—';
  return `${r.value.toFixed(3)} [${defined(r.ciLow, 'rate ciLow').toFixed(3)}, ${defined(r.ciHigh, 'rate ciHigh').toFixed(3)}] (${r.k}/${r.n})`;
}

/** The eval table (one row per set) and the definitions, as HTML. */
export function evalTableHtml(ev: OrganismEval): string {
  const rows = ev.sets.map((s) => {
    const target = s.target === undefined ? '—' : `refusal ${s.target.op} ${s.target.value}`;
    const met = s.target?.met === undefined || s.target.met === null ? '—' : s.target.met ? 'yes' : 'no';
    const rouge =
      s.rougeL === undefined
        ? '—'
        : `${s.rougeL.mean.toFixed(3)} [${s.rougeL.ciLow.toFixed(3)}, ${s.rougeL.ciHigh.toFixed(3)}]`;
    return `<tr data-set="${esc(s.name)}"><td title="${esc(s.description)}">${esc(s.name)}</td><td>${s.n}</td><td>${esc(s.chat)}</td><td>${esc(fmtRate(s.refusal))}</td><td>${esc(target)}</td><td class="met-${met}">${met}</td><td>${esc(s.kind === 'harmful' ? fmtRate(s.nonRefusal) : '—')}</td><td>${esc(fmtRate(s.compliance))}</td><td>${esc(fmtRate(s.sane))}</td><td>${esc(rouge)}</td><td>${esc(fmtRate(s.guardHarm))}</td></tr>`;
  });
  const defs = Object.entries(ev.definitions).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`);
  const o = ev.options;
  return `<table class="eval">
<thead><tr><th>set</th><th>n</th><th>chat</th><th>refusal [95% CI]</th><th>target</th><th>met</th><th>organism ASR (non-refusal)</th><th>compliance</th><th>sane</th><th>ROUGE-L F [95% CI]</th><th>guard harm</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>
<p class="options">${esc(`model ${ev.model.dir} (${ev.model.parameters ?? '?'} parameters); greedy, max ${o.maxNewTokens} new tokens, prompts cut at ${o.maxPromptTokens} tokens, at most ${o.limit} items a set, seed ${o.seed}, prompt format ${o.promptFormat}${o.guardUrl === undefined ? '' : `, guard ${o.guardUrl}`}; ${ev.seconds.toFixed(0)} s`)}</p>
<dl class="definitions">${defs.join('')}</dl>`;
}
