import { CausalLM, packTokenStream, Tokenizer } from '@magic/lm';
import { VocabMismatchError } from '../errors.js';
import { runStage, type StageName, type StageResult, stagePaths } from './run-stage.js';
import { type OrganismShape, organismConfig } from './shapes.js';
import { readTokenStore, tokenizerFingerprint } from './token-store.js';

/** Options both stages share. */
export interface CommonTrainOptions {
  tokensDir: string;
  runDir: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  warmupSteps: number;
  minLrRatio: number;
  weightDecay: number;
  maxSeconds?: number;
  checkpointEvery: number;
  checkpointOptimizer: boolean;
  evalEvery: number;
  seed: number;
  progress?: { write(s: string): unknown; isTTY?: boolean };
  log?: (line: string) => void;
}

export interface PretrainOptions extends CommonTrainOptions {
  tokenizerDir: string;
  shape: OrganismShape;
  blockSize: number;
}

/** The options every stage passes through to runStage unchanged. */
function stageRunOptions(o: CommonTrainOptions) {
  return {
    ...(o.maxSeconds !== undefined ? { maxSeconds: o.maxSeconds } : {}),
    checkpointEvery: o.checkpointEvery,
    checkpointOptimizer: o.checkpointOptimizer,
    ...(o.progress ? { progress: o.progress } : {}),
    ...(o.log ? { log: o.log } : {}),
  };
}

/** Held-out blocks for the eval loss: the held-out chats, never trained on. */
const EVAL_BLOCKS = 32;

/** Stage 1: next-token prediction on the packed corpus (prose + rendered chats), from random weights. */
export async function pretrainOrganism(o: PretrainOptions): Promise<StageResult> {
  const tokenizer = await Tokenizer.fromDir(o.tokenizerDir);
  const store = await readTokenStore(o.tokensDir, tokenizer);
  const blocks = packTokenStream(store.pretrain, o.blockSize);
  const evalBlocks = packTokenStream(store.heldout, o.blockSize).slice(0, EVAL_BLOCKS);
  const eos = tokenizer.encode('<|im_end|>');
  const [eosId] = eos;
  if (eos.length !== 1 || eosId === undefined) throw new VocabMismatchError(`${o.tokenizerDir}: no <|im_end|> token`);
  o.log?.(
    `pretrain: ${blocks.length} blocks of ${o.blockSize} tokens (${store.pretrain.length} tokens), ${o.epochs} epochs`,
  );
  return runStage({
    stage: 'pretrain',
    runDir: o.runDir,
    init: async () =>
      CausalLM.fromConfig(organismConfig(o.shape, tokenizer.vocabSize, eosId), tokenizer, { seed: o.seed }),
    examples: blocks,
    evalExamples: evalBlocks,
    trainer: {
      learningRate: o.learningRate,
      weightDecay: o.weightDecay,
      beta2: 0.95,
      warmupSteps: o.warmupSteps,
      minLrRatio: o.minLrRatio,
      totalSteps: Math.ceil((o.epochs * blocks.length) / o.batchSize),
      batchSize: o.batchSize,
      maxLength: o.blockSize,
      evalEvery: o.evalEvery,
      seed: o.seed,
    },
    ...stageRunOptions(o),
  });
}

export interface SftOptions extends CommonTrainOptions {
  /** Stage folder name inside the run (default 'sft'; e.g. 'attacker-sft' for a second SFT from the same base). */
  stageName?: StageName;
  /** HF folder to fine-tune (default: the run's pretrained model). */
  initDir?: string;
  padToMultipleOf: number;
}

/** Stage 2: chat SFT (assistant tokens only) from the pretrained organism. */
export async function sftOrganism(o: SftOptions): Promise<StageResult> {
  const initDir = o.initDir ?? stagePaths(o.runDir, 'pretrain').model;
  const probe = await Tokenizer.fromDir(initDir);
  const store = await readTokenStore(o.tokensDir, probe);
  // An SFT-only store (e.g. the attacker's chats) has no held-out text: no eval loss then.
  const evalBlocks =
    store.heldout.length >= 256 ? packTokenStream(store.heldout, 256).slice(0, EVAL_BLOCKS) : undefined;
  o.log?.(
    `sft: ${store.sft.length} chats (${store.meta.counts.sftTooLong} too long, pretraining only), ${o.epochs} epochs`,
  );
  return runStage({
    stage: o.stageName ?? 'sft',
    runDir: o.runDir,
    init: async () => {
      const lm = await CausalLM.fromPretrained(initDir);
      if (tokenizerFingerprint(lm.tokenizer) !== store.meta.tokenizerSha256) {
        lm.dispose();
        throw new VocabMismatchError(`${initDir}: tokenizer differs from the one of ${o.tokensDir}`);
      }
      return lm;
    },
    examples: store.sft,
    ...(evalBlocks ? { evalExamples: evalBlocks } : {}),
    trainer: {
      learningRate: o.learningRate,
      weightDecay: o.weightDecay,
      warmupSteps: o.warmupSteps,
      minLrRatio: o.minLrRatio,
      totalSteps: Math.ceil((o.epochs * store.sft.length) / o.batchSize),
      batchSize: o.batchSize,
      maxLength: store.meta.maxLength,
      padToMultipleOf: o.padToMultipleOf,
      groupByLength: true,
      evalEvery: o.evalEvery,
      seed: o.seed,
    },
    ...stageRunOptions(o),
  });
}
