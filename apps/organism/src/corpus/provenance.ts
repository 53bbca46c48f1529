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
    `- Held-out rule: split by passage, not by row. T0 prompts that share any word 8-gram (normalised) other than`,
    `  template wording (an 8-gram in ≥ half of one template's rows) form one group (union-find). Groups of ≤ 50 prompts`,
    `  are taken whole, ordered by unitHash("heldout:" + the group's first prompt, normalised), until 2% of the T0`,
    '  prompts are held out. No held-out prompt shares a passage 8-gram with a train prompt.',
    `  ${r.heldoutGroups.groups} groups; the largest holds ${r.heldoutGroups.largestGroup} prompts (ROPES backgrounds reused across`,
    '  situations, QuaRTz sharing their sentences, stories linked by common phrases): such rows stay in train, so the',
    `  held-out set leans to short-prompt datasets: ${Object.entries(r.heldoutByDataset)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    `- Everyday-task chats (task-instructions) in SFT train: ${Object.values(r.taskChatsByFamily).reduce((a, b) => a + b, 0)} (${Object.entries(
      r.taskChatsByFamily,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})`,
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
    '## Not used: Natural Instructions v1',
    '',
    '`allenai/natural-instructions-v1` (Apache-2.0) at commit e64650dbff6a15bcc2df67dd75e945f0584a506a holds no task',
    'files: its task JSONs (`Dataset_Jsons/`) were only on instructions.apps.allenai.org. The repository has the',
    "GPT-3 and BART predictions of 12 tasks; those are model outputs, not references (and GPT-3's under OpenAI's",
    'terms), so none are used. Super-NaturalInstructions (allenai/natural-instructions, 3.2 GB) could not be mirrored.',
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
