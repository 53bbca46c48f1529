import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { CompareArgs } from './args.js';
import { readEvalResults } from './eval-results.js';
import { compareEvalResults, comparisonHtml, comparisonMarkdown } from './report/compare-report.js';

/** A run's display name: its folder name (the parent folder for a results.json path). */
function runName(path: string): string {
  const abs = resolve(path);
  return abs.endsWith('.json') ? basename(dirname(abs)) : basename(abs);
}

/** `magic-eval compare`: reads both runs (zod-validated), returns the Markdown, and writes compare.md/.html with --out. */
export function runCompare(args: CompareArgs): { markdown: string; files: string[] } {
  const a = readEvalResults(args.runA);
  const b = readEvalResults(args.runB);
  let names = { a: args.nameA ?? runName(args.runA), b: args.nameB ?? runName(args.runB) };
  if (names.a === names.b) names = { a: `A: ${names.a}`, b: `B: ${names.b}` };
  const comparisons = compareEvalResults(a, b);
  const markdown = comparisonMarkdown(comparisons, names);
  const files: string[] = [];
  if (args.out !== undefined) {
    mkdirSync(args.out, { recursive: true });
    const md = join(args.out, 'compare.md');
    const html = join(args.out, 'compare.html');
    writeFileSync(md, markdown);
    writeFileSync(html, comparisonHtml(comparisons, { a, b }, names));
    files.push(md, html);
  }
  return { markdown, files };
}
