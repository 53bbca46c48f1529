// Writes our side of the HF tokenizer comparison: npx tsx apps/organism/scripts/write-tokenizer-ids.ts DIR OUT.json
import { writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { Tokenizer } from '@magic/lm';
import { tokenizerIds } from '../src/bpe/tokenizer-ids.js';

async function main(): Promise<void> {
  const [dir, out] = process.argv.slice(2);
  if (dir === undefined || out === undefined) {
    process.stderr.write('usage: write-tokenizer-ids.ts TOKENIZER_DIR OUT.json\n');
    process.exitCode = 2;
    return;
  }
  const tok = await Tokenizer.fromDir(resolve(dir));
  writeFileSync(out, `${JSON.stringify(tokenizerIds(tok, basename(resolve(dir))), null, 1)}\n`);
}

void main();
