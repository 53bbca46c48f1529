import {
  type ChatMessage,
  type ChatTarget,
  type GenerationParams,
  type TokenTruncator,
  tokenizerTruncator,
} from '@magic/benchmarks';
import { at } from '@magic/core';
import type { CausalLM } from '@magic/lm';
import * as tf from '@tensorflow/tfjs-core';
import { type CheckpointServable, servableCheckpoint } from './checkpoint-model.js';

export interface LocalChatTarget extends ChatTarget {
  readonly servable: CheckpointServable;
  readonly truncator: TokenTruncator;
  scoreContinuations(prompt: string, continuations: readonly string[]): Promise<number[]>;
}

/**
 * A loaded checkpoint as a benchmark ChatTarget: chats rendered with the model's chat template,
 * batched greedy/sampled generation (seeded), and log-likelihood scoring of continuations after
 * the assistant header (multiple choice: " A" is scored as "A", the header already ends the line).
 */
export function localChatTarget(model: CausalLM, options: { id: string; seed?: number }): LocalChatTarget {
  const servable = servableCheckpoint(model);
  const tokenizer = model.tokenizer;
  const maxPositions = model.config.maxPositionEmbeddings;
  const render = (chat: readonly ChatMessage[]) =>
    tokenizer.encode(tokenizer.applyChatTemplate([...chat], { addGenerationPrompt: true }));
  const score = async (prompt: string, continuations: readonly string[]): Promise<number[]> => {
    const context = render([{ role: 'user', content: prompt }]);
    const conts = continuations.map((c) => tokenizer.encode(c.trimStart()));
    const longest = Math.max(...conts.map((c) => c.length));
    const ctx = context.slice(Math.max(0, context.length + longest - maxPositions));
    const rows = conts.map((c) => [...ctx, ...c]);
    const width = ctx.length + longest;
    const ids = rows.map((r) => [...r, ...Array(width - r.length).fill(tokenizer.padTokenId)]);
    const mask = rows.map((r) => [...Array(r.length).fill(1), ...Array(width - r.length).fill(0)]);
    const idsT = tf.tensor2d(ids, undefined, 'int32');
    const maskT = tf.tensor2d(mask, undefined, 'int32');
    try {
      const { logProbs, entropy } = model.tokenLogProbs(idsT, maskT);
      entropy?.dispose();
      const values = (await logProbs.array()) as number[][];
      logProbs.dispose();
      return conts.map((c, i) => {
        const row = at(values, i, 'log-prob rows');
        let sum = 0;
        for (let t = ctx.length; t < ctx.length + c.length; t += 1) sum += at(row, t, 'log-probs');
        return sum;
      });
    } finally {
      idsT.dispose();
      maskT.dispose();
    }
  };
  return {
    id: options.id,
    servable,
    // the defender's own tokenizer cuts its replies before judging (spec §7: 512 tokens)
    truncator: tokenizerTruncator(`checkpoint:${options.id}`, tokenizer),
    async generate(chats: ChatMessage[][], params: GenerationParams): Promise<string[]> {
      const outputs = await servable.generate(chats.map(render), {
        maxNewTokens: params.maxTokens,
        temperature: params.temperature,
        topP: params.topP,
        seed: options.seed ?? 0,
      });
      return outputs.map((o) => o.text);
    },
    scoreContinuations: (prompt, continuations) => servable.run(() => score(prompt, continuations)),
  };
}
