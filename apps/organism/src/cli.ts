#!/usr/bin/env node
import { resolve } from 'node:path';
import { AttackPoolError } from '@magic/attack-pool';
import { LmCheckpointError, LmConfigError, LmInputError, Tokenizer } from '@magic/lm';
import { initBackend, initBackendOptionsFromEnv } from '@magic/tensor';
import { trainTokenizerFromCorpus } from './bpe/train-from-corpus.js';
import { numberArg, parseArgs } from './cli-args.js';
import { buildCorpus } from './corpus/build.js';
import { OrganismError, OrganismUsageError } from './errors.js';
import { EVAL_COMMANDS, EVAL_COMMANDS_HELP } from './eval-commands-help.js';
import { pretrainOrganism, sftOrganism } from './train/organism-train.js';
import type { OrganismShape } from './train/shapes.js';
import { writeChatTokenStore, writeTokenStore } from './train/token-store.js';

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
    --wrapped-share X     share of benign requests also trained wrapped in an attack-pool template (default 0.3)
    --wrapped-harmful-share X   share of train-split harmful refusals also trained wrapped in an attack-pool
                          template, answered with the same refusal (default 0 = none; src/sources/wrapped-refusals.ts)
    --wrapped-harmful-strategies A,B   template strategies for those (default: the 7 of HARMFUL_WRAP_STRATEGIES)
    --task-chats N        everyday-task chats (lists, poems, emails, rewrites, …) written over each T0 passage and
                          Python-docs section (src/sources/task-instructions.ts; default 2)
  magic-organism tokenizer [options]   train a byte-level BPE tokenizer on the corpus
    --corpus DIR          corpus jsonl dir (default .organism/corpus)
    --vocab N             vocabulary size incl. 256 bytes and 3 special tokens (default 4096)
    --max-chars N         characters of corpus sampled for training (default 20000000)
    --out DIR             output dir (default apps/organism/data/tokenizer-s)
  magic-organism tokenize [options]    tokenize the corpus once (uint16 ids, gzip) for training machines
    --tokenizer DIR       tokenizer (default apps/organism/data/tokenizer-s)
    --corpus DIR          corpus jsonl dir (default .organism/corpus)
    --max-length N        SFT chats longer than this go to pretraining only (default 512)
    --chats FILE          instead of --corpus: one jsonl of {"messages"} chats -> an SFT-only store
                          (e.g. apps/organism/scripts/write-attacker-chats.ts's attacker chats)
    --out DIR             (default .organism/tokens-s)
  magic-organism pretrain [options]    stage 1: next-token prediction from random weights (resumable)
    --tokens DIR          tokenized corpus (default .organism/tokens-s)
    --tokenizer DIR       the tokenizer the store was written with (default apps/organism/data/tokenizer-s)
    --shape s|m           organism-s (~1.3M params) or organism-m (~6.8M with an 8k vocab) (default s)
    --run DIR             run folder: <run>/pretrain/{checkpoint,model}, <run>/train-log.jsonl (default .organism/run-s)
    --epochs N (3)  --block N (256)  --batch N (64)  --lr X (3e-3)  --warmup N (100)  --min-lr-ratio X (0.1)
    --weight-decay X (0.1)  --eval-every N (100)  --seed N (0)
  magic-organism sft [options]         stage 2: chat SFT on assistant tokens (resumable)
    --tokens DIR  --run DIR  as above; --init DIR (default <run>/pretrain/model)
    --stage sft|attacker-sft   stage folder in the run (default sft; attacker-sft: the attacker organism,
                          SFT on the attack pool's chats from --init, e.g. <run>/sft/model)
    --epochs N (1)  --batch N (32)  --lr X (1e-3)  --warmup N (20)  --min-lr-ratio X (0.1)  --weight-decay X (0.01)
    --pad-multiple N (64)  --eval-every N (100)  --seed N (0)
  Options of pretrain and sft:
    --device auto|webgpu|wasm|cpu   backend (default auto)
    --max-minutes X       stop after a checkpoint once X minutes have passed; the same command resumes
    --checkpoint-every N  optimizer steps between checkpoints (default 100)
    --weights-only        checkpoints hold bf16 weights only (small, for GPU transfers); a resume is then a
                          warm restart of AdamW (fresh moments)
${EVAL_COMMANDS_HELP}  magic-organism --help
`;

const TRAIN_FLAGS = {
  tokens: 'string',
  run: 'string',
  epochs: 'string',
  batch: 'string',
  lr: 'string',
  warmup: 'string',
  'min-lr-ratio': 'string',
  'weight-decay': 'string',
  'eval-every': 'string',
  seed: 'string',
  device: 'string',
  'max-minutes': 'string',
  'checkpoint-every': 'string',
  'weights-only': 'boolean',
} as const;

async function runTrainingCommand(cmd: 'pretrain' | 'sft', rest: string[], log: (l: string) => void): Promise<number> {
  const a =
    cmd === 'pretrain'
      ? parseArgs(rest, { ...TRAIN_FLAGS, tokenizer: 'string', shape: 'string', block: 'string' })
      : parseArgs(rest, { ...TRAIN_FLAGS, init: 'string', 'pad-multiple': 'string', stage: 'string' });
  const device = (a.device as string | undefined) ?? 'auto';
  if (!['auto', 'webgpu', 'wasm', 'cpu'].includes(device))
    throw new OrganismUsageError('--device must be auto, webgpu, wasm or cpu');
  const info = await initBackend({
    ...initBackendOptionsFromEnv(process.env, device as 'auto'),
    device: device as 'auto',
  });
  log(`${cmd}: backend ${info.name}${info.adapter ? ` (${info.adapter.description})` : ''}`);
  const isPre = cmd === 'pretrain';
  const seed = a.seed === undefined ? 0 : Number(a.seed);
  if (!Number.isInteger(seed)) throw new OrganismUsageError('--seed must be an integer');
  const common = {
    tokensDir: resolve((a.tokens as string | undefined) ?? '.organism/tokens-s'),
    runDir: resolve((a.run as string | undefined) ?? '.organism/run-s'),
    epochs: numberArg(a, 'epochs', isPre ? 3 : 1),
    batchSize: numberArg(a, 'batch', isPre ? 64 : 32),
    learningRate: numberArg(a, 'lr', isPre ? 3e-3 : 1e-3),
    warmupSteps: a.warmup === '0' ? 0 : numberArg(a, 'warmup', isPre ? 100 : 20),
    minLrRatio: numberArg(a, 'min-lr-ratio', 0.1),
    weightDecay: numberArg(a, 'weight-decay', isPre ? 0.1 : 0.01),
    ...(a['max-minutes'] !== undefined ? { maxSeconds: numberArg(a, 'max-minutes', 1) * 60 } : {}),
    checkpointEvery: numberArg(a, 'checkpoint-every', 100),
    checkpointOptimizer: a['weights-only'] !== true,
    evalEvery: numberArg(a, 'eval-every', 100),
    seed,
    progress: process.stderr,
    log,
  };
  const r = isPre
    ? await pretrainOrganism({
        ...common,
        tokenizerDir: resolve((a.tokenizer as string | undefined) ?? 'apps/organism/data/tokenizer-s'),
        shape: parseShape(a.shape),
        blockSize: numberArg(a, 'block', 256),
      })
    : await sftOrganism({
        ...common,
        ...(typeof a.init === 'string' ? { initDir: resolve(a.init) } : {}),
        padToMultipleOf: numberArg(a, 'pad-multiple', 64),
        stageName: parseSftStage(a.stage),
      });
  log(`${cmd}: ${r.done ? `done -> ${r.modelDir}` : `paused at step ${r.step}/${r.totalSteps}`}`);
  // 3: stopped on the time budget; the same command resumes (scripts loop on it).
  return r.done ? 0 : 3;
}

function parseSftStage(v: string | boolean | undefined): 'sft' | 'attacker-sft' {
  if (v === undefined) return 'sft';
  if (v === 'sft' || v === 'attacker-sft') return v;
  throw new OrganismUsageError('--stage must be sft or attacker-sft');
}

function parseShape(v: string | boolean | undefined): OrganismShape {
  if (v === undefined) return 's';
  if (v === 's' || v === 'm') return v;
  throw new OrganismUsageError('--shape must be s or m');
}

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
      'wrapped-share': 'string',
      'wrapped-harmful-share': 'string',
      'wrapped-harmful-strategies': 'string',
      'task-chats': 'string',
    });
    if (typeof a['python-docs'] !== 'string')
      throw new OrganismUsageError('--python-docs DIR is required (see --help)');
    const str = (k: string, d: string): string => resolve((a[k] as string | undefined) ?? d);
    const taskChats = numberArg(a, 'task-chats', 2);
    if (!Number.isInteger(taskChats) || taskChats > 12)
      throw new OrganismUsageError('--task-chats must be a whole number from 1 to 12 (one per task family)');
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
      wrappedShare: numberArg(a, 'wrapped-share', 0.3),
      wrappedHarmfulShare: numberArg(a, 'wrapped-harmful-share', 0),
      ...(typeof a['wrapped-harmful-strategies'] === 'string'
        ? { wrappedHarmfulStrategies: a['wrapped-harmful-strategies'].split(',').map((x) => x.trim()) }
        : {}),
      taskChats,
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
  if (cmd === 'tokenize') {
    const a = parseArgs(rest, {
      tokenizer: 'string',
      corpus: 'string',
      chats: 'string',
      'max-length': 'string',
      out: 'string',
    });
    const tokenizer = await Tokenizer.fromDir(
      resolve((a.tokenizer as string | undefined) ?? 'apps/organism/data/tokenizer-s'),
    );
    const t = Date.now();
    const outDir = resolve((a.out as string | undefined) ?? '.organism/tokens-s');
    const maxLength = numberArg(a, 'max-length', 512);
    const meta =
      typeof a.chats === 'string'
        ? await writeChatTokenStore({ tokenizer, chatsFile: resolve(a.chats), outDir, maxLength, log })
        : await writeTokenStore({
            tokenizer,
            corpusDir: resolve((a.corpus as string | undefined) ?? '.organism/corpus'),
            outDir,
            maxLength,
            log,
          });
    log(`tokenize: ${JSON.stringify(meta.counts)} in ${((Date.now() - t) / 1000).toFixed(0)} s`);
    return 0;
  }
  if (cmd === 'pretrain' || cmd === 'sft') return runTrainingCommand(cmd, rest, log);
  if (EVAL_COMMANDS.includes(cmd))
    return (await import('./eval-commands.js')).runEvalCommand(cmd, rest, log, process.env);
  throw new OrganismUsageError(`unknown command '${cmd}' (see --help)`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // attack-pool's typed errors (bad seeds file, bad eval file) name the file: a message, not a stack.
    if (
      e instanceof OrganismError ||
      AttackPoolError.isInstance(e) ||
      e instanceof LmInputError ||
      e instanceof LmConfigError ||
      e instanceof LmCheckpointError
    ) {
      process.stderr.write(`magic-organism: ${e.message}\n`);
      process.exitCode = e instanceof OrganismUsageError ? 2 : 1;
    } else {
      process.stderr.write(`magic-organism: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    }
  },
);
