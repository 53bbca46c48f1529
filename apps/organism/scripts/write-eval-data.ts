// Writes the committed evaluation data of the organism after 'magic-organism corpus':
//   npx tsx apps/organism/scripts/write-eval-data.ts [CORPUS_DIR] [DATA_DIR] [SELF_INSTRUCT_MIRROR]
// - DATA_DIR/heldout/{sft.heldout.jsonl,README.md}: the held-out T0 set with its licences;
// - DATA_DIR/lexicon.txt: corpus words seen >= 5 times (the lexical sanity check's word list).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeHeldoutCopy } from '../src/eval/heldout.js';
import { buildLexicon } from '../src/eval/lexicon.js';

async function main(): Promise<void> {
  const [
    corpus = '.organism/corpus',
    data = 'apps/organism/data',
    mirror = '/work/.mirror/yizhongw+self-instruct/repo',
  ] = process.argv.slice(2);
  const commit = execFileSync('git', ['--git-dir', resolve(mirror), 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  const n = await writeHeldoutCopy(join(resolve(corpus), 'sft.heldout.jsonl'), join(resolve(data), 'heldout'), commit);
  const words = buildLexicon(resolve(corpus));
  writeFileSync(join(resolve(data), 'lexicon.txt'), `${words.join('\n')}\n`);
  process.stderr.write(`held-out: ${n} rows; lexicon: ${words.length} words\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`write-eval-data: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
