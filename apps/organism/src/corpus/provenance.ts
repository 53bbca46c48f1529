import { writeFileSync } from 'node:fs';
import { t0DatasetLicences } from '../sources/t0-licences.js';
import type { BuildCorpusResult } from './build.js';
import { RESERVED_SELF_INSTRUCT_FILES } from './build.js';
import type { GitMirror } from './git-mirror.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Writes PROVENANCE.md: sources, revisions, licences, counts and every skip reason with its count. */
export function writeProvenance(file: string, r: BuildCorpusResult, mirror: GitMirror): void {
  const lines: string[] = [
    '# Organism corpus: provenance',
    '',
    'Written by `magic-organism corpus` (apps/organism/src/corpus/build.ts); do not edit by hand.',
    'The corpus itself (`.organism/corpus/*.jsonl`) is not committed; `corpus-manifest.json` and',
    '`corpus-ngrams.bloom` describe it for the eval-overlap test.',
    '',
    '## Output',
    '',
    `- SFT train examples: ${r.counts.sftTrain}`,
    `- SFT held-out examples (T0 only, for ROUGE-L): ${r.counts.sftHeldout}`,
    `- Pretraining prose items: ${r.counts.pretrain}`,
    `- Text: ${r.chars} characters, ${r.bytes} bytes of jsonl`,
    `- Manifest: ${r.manifest.texts.length} text hashes (${r.manifestBytes} bytes); 8-gram Bloom filter ${r.bloomBytes} bytes, ${r.manifest.ngrams8.inserted} distinct 8-grams, ${r.manifest.ngrams8.hashes} hashes, false-positive rate ${r.manifest.ngrams8.falsePositiveRate} per 8-gram`,
    '',
    '## Sources',
    '',
    '| source | origin | revision | licence | items read | skipped (reason: count) |',
    '|---|---|---|---|---|---|',
  ];
  for (const s of r.reports) {
    const skipped = Object.entries(s.skipped)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ');
    lines.push(
      `| ${cell(s.name)} | ${cell(s.origin)} | ${cell(s.revision)} | ${cell(s.licence)} | ${s.items} | ${cell(skipped || 'none')} |`,
    );
  }
  lines.push('', '### Source notes', '');
  for (const s of r.reports) for (const n of s.notes) lines.push(`- ${s.name}: ${n}`);
  lines.push(
    '',
    '## Dropped after reading',
    '',
    'Duplicates, eval-set overlap (packages/benchmarks/data, by the issue 19 method: exact normalised match, an',
    "example holding ≥ 50% of one eval text's 8-grams, or examples that together hold ≥ 90% of them) and the game's",
    'reserved Self-Instruct seeds (same method).',
    '',
  );
  const drops = Object.entries(r.dropped);
  if (drops.length === 0) lines.push('- none');
  for (const [k, v] of drops) lines.push(`- ${k}: ${v}`);
  lines.push(
    '',
    "## Excluded on purpose: the game's benign seeds",
    '',
    `From yizhongw/self-instruct@${mirror.commit}, ${RESERVED_SELF_INSTRUCT_FILES.map((f) => `\`${f}\``).join(' and ')}`,
    "are the game's benign RL and validation seeds. They are never read as corpus sources, and any corpus example",
    'that matches one of their texts is dropped (counted above).',
    '',
    '## T0 datasets: licence decisions',
    '',
    '| prefix | dataset | licence | used | reason |',
    '|---|---|---|---|---|',
  );
  for (const l of t0DatasetLicences)
    lines.push(
      `| \`${l.prefix}\` | ${cell(l.dataset)} | ${cell(l.licence)} | ${l.keep ? 'yes' : 'no'} | ${cell(l.reason)} |`,
    );
  lines.push('');
  writeFileSync(file, lines.join('\n'));
}
