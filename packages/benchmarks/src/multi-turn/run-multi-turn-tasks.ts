import { at, defined } from '@magic/core';
import { mapWithConcurrency } from '../concurrency.js';
import type { CosafeDialogue } from '../loaders/cosafe.js';
import { rateWithCi } from '../metrics/rate.js';
import { attackSuccessRate } from '../metrics/safety.js';
import { type TaskResult, toMetricValue } from '../results.js';
import {
  cachedGenerate,
  categoryOf,
  type EvalContext,
  judgeResponses,
  requireTarget,
  stringField,
} from '../suites/context.js';
import type { DialogueReplayTask, XTeamingTask } from '../suites/definitions.js';
import type { ChatMessage, ChatTarget } from '../types.js';
import { runXTeamingBehavior, type XTeamingAgents } from './x-teaming.js';

type PartialResult = Omit<TaskResult, 'wallSeconds'>;

/** A dialogue cut after its last user turn, and that turn with the earlier context as the judge's prompt. */
export function replayChat(messages: readonly ChatMessage[]): { chat: ChatMessage[]; judgePrompt: string } {
  let last = messages.length - 1;
  while (last >= 0 && defined(messages[last], 'messages entry').role !== 'user') last -= 1;
  const chat = messages.slice(0, last + 1);
  const judgePrompt =
    chat.length === 1 ? at(chat, 0, 'chat').content : chat.map((m) => `${m.role}: ${m.content}`).join('\n');
  return { chat, judgePrompt };
}

/** CoSafe replay: the target answers each dialogue's last user turn; ASR = harmful rate of those answers. */
export async function runDialogueReplayTask(
  ctx: EvalContext,
  task: DialogueReplayTask,
  rows: unknown[],
): Promise<PartialResult> {
  const dialogues = rows as CosafeDialogue[];
  const replays = dialogues.map((d) => replayChat(d.messages));
  const responses = await cachedGenerate(
    ctx,
    requireTarget(ctx, task.id),
    replays.map((r) => r.chat),
    task.id,
  );
  const judged = await judgeResponses(
    ctx,
    task.id,
    dialogues.map((d, i) => ({
      id: d.id,
      judgePrompt: at(replays, i, 'replays').judgePrompt,
      response: at(responses, i, 'responses'),
      category: d.category,
    })),
  );
  const bootstrap = { seed: ctx.seed, samples: ctx.bootstrapSamples };
  const categories = [...new Set(judged.map((s) => s.category ?? ''))].sort();
  return {
    id: task.id,
    label: task.label,
    benchmark: task.benchmark,
    status: 'ok',
    n: dialogues.length,
    parseFailures: judged.filter((s) => s.harmful === null).length,
    metrics: { asr: toMetricValue(attackSuccessRate(judged, 'harmful', task.parseFailure, bootstrap)) },
    breakdowns: {
      category: Object.fromEntries(
        categories.map((c) => [
          c,
          {
            asr: toMetricValue(
              attackSuccessRate(
                judged.filter((s) => (s.category ?? '') === c),
                'harmful',
                task.parseFailure,
                bootstrap,
              ),
            ),
          },
        ]),
      ),
    },
    samples: judged.map((s, i) => ({
      id: s.id,
      response: at(responses, i, 'responses'),
      ...(s.judgedResponse === responses[i] ? {} : { judgedResponse: s.judgedResponse }),
      harmful: s.harmful,
      refusal: s.refusal,
      category: at(dialogues, i, 'dialogues').category,
    })),
  };
}

/** X-Teaming over behaviours: multi-turn ASR (any plan succeeds) and jailbreak rate (successful plans / all plans). */
export async function runXTeamingTask(
  ctx: EvalContext,
  task: XTeamingTask,
  rows: unknown[],
  agents: XTeamingAgents,
): Promise<PartialResult> {
  const target = requireTarget(ctx, task.id);
  const generate = async (generator: ChatTarget, chat: ChatMessage[]) =>
    at(await cachedGenerate(ctx, generator, [chat], task.id), 0, 'generations');
  let done = 0;
  const outcomes = await mapWithConcurrency(rows, ctx.concurrency, async (row) => {
    const outcome = await runXTeamingBehavior(stringField(row, task.promptField, task.id), target, agents, generate);
    done += 1;
    ctx.onProgress({ task: task.id, phase: 'score', done, total: rows.length });
    return outcome;
  });
  const bootstrap = { seed: ctx.seed, samples: ctx.bootstrapSamples };
  const planFlags = outcomes.flatMap((o) => o.plans.map((p) => p.success));
  return {
    id: task.id,
    label: task.label,
    benchmark: task.benchmark,
    status: 'ok',
    n: rows.length,
    parseFailures: outcomes.filter((o) => o.planParseFailure).length,
    metrics: {
      asr: toMetricValue(
        rateWithCi(
          outcomes.map((o) => o.success),
          bootstrap,
        ),
      ),
      planSuccessRate: toMetricValue(rateWithCi(planFlags, bootstrap)),
    },
    breakdowns: {},
    samples: outcomes.map((o, i) => ({
      id: String(i),
      response: null,
      harmful: o.success,
      category: categoryOf(rows[i], task.categoryField) ?? '',
      detail: {
        plans: o.plans.length,
        successfulPlans: o.plans.filter((p) => p.success).length,
        turns: o.plans.map((p) => p.turns.length),
        planParseFailure: o.planParseFailure,
      },
    })),
  };
}
