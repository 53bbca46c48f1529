// Writes our side of the HF tokenizer comparison (scripts/check-tokenizer-hf.py):
//   npx tsx apps/organism/scripts/write-tokenizer-ids.ts TOKENIZER_DIR OUT.json [CORPUS.jsonl [N]]
// With a corpus file, its first N lines (default 300) are added as extra cases.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Tokenizer } from '@magic/lm';
import { tokenizerIds } from '../src/bpe/tokenizer-ids.js';
import { corpusLineText } from '../src/bpe/train-from-corpus.js';

async function main(): Promise<void> {
  const [dir, out, sample, n] = process.argv.slice(2);
  if (dir === undefined || out === undefined) {
    process.stderr.write('usage: write-tokenizer-ids.ts TOKENIZER_DIR OUT.json [CORPUS.jsonl [N]]\n');
    process.exitCode = 2;
    return;
  }
  const tok = await Tokenizer.fromDir(resolve(dir));
  const ids = tokenizerIds(tok, basename(resolve(dir)));
  if (sample !== undefined) {
    const lines = readFileSync(sample, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
    lines.slice(0, Number(n ?? 300)).forEach((l, i) => {
      const text = corpusLineText(JSON.parse(l), sample, i + 1);
      ids.cases.push({ text, ids: tok.encode(text) });
    });
  }
  writeFileSync(out, `${JSON.stringify(ids, null, 1)}\n`);
}

void main();
