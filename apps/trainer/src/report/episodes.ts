import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { at } from '@magic/core';
import { z } from 'zod';
import type { AgentSpan } from './charts.js';

/**
 * What the report needs of a `replay_buffer/train_step_<k>.jsonl` line. Lenient on purpose: a report of an older or
 * newer run still shows what it can (unknown fields are ignored, optional ones may be missing).
 */
const HistoryEntrySchema = z.object({
  role: z.enum(['attacker', 'defender']),
  turn: z.number(),
  content: z.string(),
  parsedThink: z.string().optional(),
  parsedAnswer: z.string().optional(),
});
const VerdictsSchema = z.object({
  q: z.string().nullable(),
  qa: z.string().nullable(),
  qaRefusal: z.string().nullable(),
});
const ReplayLineSchema = z.object({
  uid: z.string(),
  question: z.string(),
  data_type: z.string(),
  history: z.array(z.array(HistoryEntrySchema)),
  score: z.array(z.number().nullable()),
  role_scores: z.array(z.record(z.string(), z.number().nullable()).nullable()).optional(),
  reward_components: z.array(z.record(z.string(), z.unknown()).nullable()).optional(),
  finish_reason: z.array(z.string()).optional(),
  guard_verdicts: z.array(VerdictsSchema.nullable()).optional(),
  /** Why a copy was not scored (e.g. skipped after a judge failure); any shape is shown as text. */
  status: z.array(z.unknown()).optional(),
});
type ReplayLine = z.output<typeof ReplayLineSchema>;

export interface ExampleTurn {
  role: 'attacker' | 'defender';
  turn: number;
  /** The attacker's chain of thought (`<think>`), when it wrote one. */
  think?: string;
  /** The attacker's rewrite (its `<answer>`, else its whole output) or the defender's reply. */
  text: string;
}

export interface EpisodeExample {
  step: number;
  uid: string;
  dataType: string;
  question: string;
  turns: ExampleTurn[];
  /** Reward of the trained role; null when the episode was not scored. */
  score: number | null;
  roleScores: Record<string, number | null> | null;
  components: Record<string, unknown> | null;
  verdicts: z.output<typeof VerdictsSchema> | null;
  finishReason: string | null;
  status: string | null;
}

export interface EpisodeBlock {
  span: AgentSpan;
  examples: EpisodeExample[];
}

function readStep(runDir: string, step: number): ReplayLine[] {
  const file = join(runDir, 'replay_buffer', `train_step_${step}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .flatMap((l) => {
      // one unreadable line costs that example, not the report
      try {
        const r = ReplayLineSchema.safeParse(JSON.parse(l));
        return r.success ? [r.data] : [];
      } catch {
        return [];
      }
    });
}

function toExample(step: number, line: ReplayLine, copy: number): EpisodeExample {
  const turns = (line.history[copy] ?? []).map((e) =>
    e.role === 'attacker'
      ? {
          role: e.role,
          turn: e.turn,
          ...(e.parsedThink !== undefined ? { think: e.parsedThink } : {}),
          text: e.parsedAnswer ?? e.content,
        }
      : { role: e.role, turn: e.turn, text: e.content },
  );
  return {
    step,
    uid: line.uid,
    dataType: line.data_type,
    question: line.question,
    turns,
    score: line.score[copy] ?? null,
    roleScores: line.role_scores?.[copy] ?? null,
    components: line.reward_components?.[copy] ?? null,
    verdicts: line.guard_verdicts?.[copy] ?? null,
    finishReason: line.finish_reason?.[copy] ?? null,
    status: statusText(line.status?.[copy]),
  };
}

function statusText(s: unknown): string | null {
  if (s === undefined || s === null) return null;
  return typeof s === 'string' ? s : JSON.stringify(s);
}

/** Up to `n` indices spread evenly over 0..length-1 (first and last included). */
function spread(length: number, n: number): number[] {
  if (length <= n) return Array.from({ length }, (_, i) => i);
  return Array.from({ length: n }, (_, i) => Math.round((i * (length - 1)) / (n - 1 || 1)));
}

/**
 * A few example episodes per switch block, from the replay buffers the run wrote: taken from steps spread over
 * the block (its start and its end), a different seed at each pick, the first of the seed's copies.
 */
export function readEpisodeBlocks(runDir: string, spans: AgentSpan[], perBlock = 3): EpisodeBlock[] {
  return spans.map((span) => {
    const steps: { step: number; lines: ReplayLine[] }[] = [];
    for (let s = span.from; s <= span.to; s++) {
      const lines = readStep(runDir, s);
      if (lines.length > 0) steps.push({ step: s, lines });
    }
    const chosen = spread(steps.length, perBlock).map((i) => at(steps, i, 'steps of the block'));
    const examples: EpisodeExample[] = [];
    for (let pick = 0; examples.length < perBlock && chosen.length > 0 && pick < perBlock * 4; pick++) {
      const { step, lines } = at(chosen, pick % chosen.length, 'chosen steps');
      const line = lines[Math.floor(pick / chosen.length)];
      if (line) examples.push(toExample(step, line, 0));
    }
    return { span, examples };
  });
}
