#!/usr/bin/env node
import { resolve } from 'node:path';
import { AttackPoolError } from '@magic/attack-pool';
import { trainTokenizerFromCorpus } from './bpe/train-from-corpus.js';
import { numberArg, parseArgs } from './cli-args.js';
import { buildCorpus } from './corpus/build.js';
import { OrganismError, OrganismUsageError } from './errors.js';
import { EVAL_COMMANDS, EVAL_COMMANDS_HELP } from './eval-commands-help.js';

const HELP = `magic-organism: build the model organisms (issue 22)

usage:
  magic-organism corpus [options]      build the corpus, its manifest and PROVENANCE.md
    --self-instruct DIR   bare git mirror of yizhongw/self-instruct   (default /work/.mirror/yizhongw+self-instruct/repo)
    --hh-rlhf DIR         folder with harmless-base/test.jsonl.gz     (default ../shared/datasets/hh_rlhf)
    --python-docs DIR     'dpkg -x' root of python3.X-doc, or its html dir (required)
    --seeds FILE          attack-pool split seeds jsonl (default its data/seeds/clean/seeds.jsonl; train split used)
    --eval-data DIR       eval sets to keep out (default packages/benchmarks/data)
    --out DIR             corpus jsonl (default .organism/corpus)
    --manifest-dir DIR    manifest, Bloom filter, PROVENANCE.md (default apps/organism/data)
    --max-chars-per-dataset N   cap per T0 dataset (default 2500000)
  magic-organism tokenizer [options]   train a byte-level BPE tokenizer on the corpus
    --corpus DIR          corpus jsonl dir (default .organism/corpus)
    --vocab N             vocabulary size incl. 256 bytes and 3 special tokens (default 4096)
    --max-chars N         characters of corpus sampled for training (default 20000000)
    --out DIR             output dir (default apps/organism/data/tokenizer-s)
${EVAL_COMMANDS_HELP}  magic-organism --help
`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h') {
    process.stdout.write(HELP);
    return cmd === undefined ? 2 : 0;
  }
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  if (cmd === 'corpus') {
    const a = parseArgs(rest, {
      'self-instruct': 'string',
      'hh-rlhf': 'string',
      'python-docs': 'string',
      seeds: 'string',
      'eval-data': 'string',
      out: 'string',
      'manifest-dir': 'string',
      'max-chars-per-dataset': 'string',
    });
    if (typeof a['python-docs'] !== 'string')
      throw new OrganismUsageError('--python-docs DIR is required (see --help)');
    const str = (k: string, d: string): string => resolve((a[k] as string | undefined) ?? d);
    const t = Date.now();
    const r = await buildCorpus({
      selfInstructDir: str('self-instruct', '/work/.mirror/yizhongw+self-instruct/repo'),
      hhRlhfDir: str('hh-rlhf', '../shared/datasets/hh_rlhf'),
      pythonDocsDir: str('python-docs', ''),
      ...(typeof a.seeds === 'string' ? { seedsFile: resolve(a.seeds) } : {}),
      evalDataDir: str('eval-data', 'packages/benchmarks/data'),
      outDir: str('out', '.organism/corpus'),
      manifestDir: str('manifest-dir', 'apps/organism/data'),
      maxCharsPerT0Dataset: numberArg(a, 'max-chars-per-dataset', 2_500_000),
      log,
    });
    log(
      `corpus: ${r.counts.sftTrain} sft train, ${r.counts.sftHeldout} held out, ${r.counts.pretrain} prose; ` +
        `${(r.bytes / 1e6).toFixed(1)} MB jsonl; manifest ${(r.manifestBytes / 1e6).toFixed(2)} MB + bloom ` +
        `${(r.bloomBytes / 1e6).toFixed(2)} MB (fp ${r.manifest.ngrams8.falsePositiveRate}); ${((Date.now() - t) / 1000).toFixed(0)} s`,
    );
    log(`dropped: ${JSON.stringify(r.dropped)}`);
    return 0;
  }
  if (cmd === 'tokenizer') {
    const a = parseArgs(rest, { corpus: 'string', vocab: 'string', 'max-chars': 'string', out: 'string' });
    const r = await trainTokenizerFromCorpus({
      corpusDir: resolve((a.corpus as string | undefined) ?? '.organism/corpus'),
      vocabSize: numberArg(a, 'vocab', 4096),
      maxChars: numberArg(a, 'max-chars', 20_000_000),
      outDir: resolve((a.out as string | undefined) ?? 'apps/organism/data/tokenizer-s'),
      log,
    });
    log(
      `tokenizer: vocab ${r.vocabSize}, ${r.merges} merges, ${r.chars} chars, ${(r.seconds).toFixed(1)} s -> ${r.outDir}`,
    );
    return 0;
  }
  if (EVAL_COMMANDS.includes(cmd)) return (await import('./eval-commands.js')).runEvalCommand(cmd, rest, log);
  throw new OrganismUsageError(`unknown command '${cmd}' (see --help)`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // attack-pool's typed errors (bad seeds file, bad eval file) name the file: a message, not a stack.
    if (e instanceof OrganismError || AttackPoolError.isInstance(e)) {
      process.stderr.write(`magic-organism: ${e.message}\n`);
      process.exitCode = e instanceof OrganismUsageError ? 2 : 1;
    } else {
      process.stderr.write(`magic-organism: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
