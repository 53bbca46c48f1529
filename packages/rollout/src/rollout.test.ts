import { at, defined } from '@magic/core';
import { describe, expect, it } from 'vitest';
import { attackAnswer, attackText, FakeGuard, TEST_PROMPTS, TEST_SEEDS } from './__fixtures__/game.js';
import { qwenTestTokenizer } from './__fixtures__/qwen-tokenizer.js';
import { defaultAttackerPrompts } from './attacker-prompts.js';
import type { RolloutConfigInput } from './config.js';
import type { Episode } from './episode.js';
import { PromptTooLongError, RolloutInputError } from './errors.js';
import { createRolloutEmitter, type TurnEndEvent } from './events.js';
import { runRollout } from './rollout.js';
import { type Script, ScriptedGenerator } from './scripted-generator.js';
import { toTrainingBatch } from './training-batch.js';
import type { ChatMessage, TrainingRole } from './types.js';

const tokenizer = qwenTestTokenizer();
const EOS = 151645;

function lastUser(messages: ChatMessage[]): string {
  return messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
}

/** Attacker: its turn = number of assistant messages in its chat. */
const attackerScript: Script = (request) => attackText(request.messages.filter((m) => m.role === 'assistant').length);
/** Defender: reply names the turn and echoes the question it got. */
const defenderScript: Script = (request) =>
  `Reply ${request.messages.filter((m) => m.role === 'assistant').length} to: ${lastUser(request.messages).replace('Question:\n', '')}`;

function setup(opts: { attacker?: Script; defender?: Script } = {}) {
  return {
    attacker: new ScriptedGenerator({ tokenizer, script: opts.attacker ?? attackerScript, id: 'att' }),
    defender: new ScriptedGenerator({ tokenizer, script: opts.defender ?? defenderScript, id: 'def' }),
    guard: new FakeGuard(),
  };
}

async function play(
  parts: ReturnType<typeof setup>,
  config: RolloutConfigInput,
  trainingRole: TrainingRole = 'defender',
  n = 2,
): Promise<Episode[]> {
  return runRollout({ seeds: TEST_SEEDS, n, ...parts, trainingRole, attackerPrompts: TEST_PROMPTS, config });
}

/** Positions with a given step id must hold exactly that turn's sampled ids and log-probs. */
function expectTurnTokensExact(episode: Episode, role: 'attacker' | 'defender') {
  const seq = defined(episode[role].sequence, 'episode[role].sequence');
  for (const turn of episode[role].turns) {
    const positions = seq.stepIds.flatMap((s, i) => (s === turn.turn ? [i] : []));
    expect(positions.map((i) => seq.inputIds[i])).toEqual(turn.tokenIds);
    expect(positions.map((i) => seq.logprobs[i])).toEqual(turn.logprobs);
    expect(positions.every((i) => seq.labelMask[i] === 1)).toBe(true);
  }
  expect(seq.labelMask.filter((m) => m === 1).length).toBe(seq.stepIds.filter((s) => s !== -100).length);
}

describe('runRollout single-turn', () => {
  it('builds both chats per spec, groups interleaved under one uid, greedy shared attack, finish code 0', async () => {
    const parts = setup();
    const episodes = await play(parts, { maxNumTurns: 1 });
    expect(episodes.map((e) => [e.uid, e.groupIndex])).toEqual([
      ['seed-a', 0],
      ['seed-a', 1],
      ['seed-b', 0],
      ['seed-b', 1],
    ]);
    // defender training: attacker greedy, one request per seed (copies share the attack)
    expect(at(parts.attacker.calls, 0, 'parts.attacker.calls').sampling.temperature).toBe(0);
    expect(at(parts.attacker.calls, 0, 'parts.attacker.calls').requests).toHaveLength(2);
    expect(at(parts.defender.calls, 0, 'parts.defender.calls').sampling.temperature).toBe(1);
    expect(at(parts.defender.calls, 0, 'parts.defender.calls').requests).toHaveLength(4);
    expect(at(at(episodes, 0, 'episodes').attacker.turns, 0, 'episodes[0].attacker.turns').tokenIds).toEqual(
      at(at(episodes, 1, 'episodes').attacker.turns, 0, 'episodes[1].attacker.turns').tokenIds,
    );

    const e = at(episodes, 2, 'episodes');
    expect(e.finishCode).toBe(0);
    expect(e.finishReason).toBe('normal');
    expect(e.numTurns).toBe(1);
    expect(e.attacker.lastMessages).toEqual([
      { role: 'system', content: TEST_PROMPTS.systemSingleTurn },
      {
        role: 'user',
        content:
          'Task:\nHARM template placeholder.\nHere is the vanilla prompt provided for you to revise:\n[harmful request placeholder]',
      },
    ]);
    expect(e.defender.lastMessages).toEqual([{ role: 'user', content: `Question:\n${attackAnswer(0)}` }]);
    // no system message -> the template's default system prompt is rendered
    expect(
      tokenizer.decode(defined(at(e.defender.turns, 0, 'e.defender.turns').promptIds, 'e.defender.turns[0].promptIds')),
    ).toContain('You are Qwen, created by Alibaba Cloud.');
    expect(e.history.map((h) => [h.role, h.parsedAnswer])).toEqual([
      ['attacker', attackAnswer(0)],
      ['defender', undefined],
    ]);
    expect(at(e.history, 0, 'e.history').parsedThink).toBe('Plan 0.');
    expect(e.lastAttackerPrompt).toBe(attackAnswer(0));
    // guard judged the answer part and the whole defender reply, two calls per episode
    expect(parts.guard.promptCalls).toHaveLength(4);
    expect(parts.guard.responseCalls[2]).toEqual([attackAnswer(0), e.lastDefenderResponse]);
    expect(e.judgements).toHaveLength(1);
    expect(at(e.judgements, 0, 'e.judgements').harmful).toBe(false);
  });

  it('masks: prompt ids = the tokenized template, labels only on sampled ids, EOS labelled after a normal stop', async () => {
    const episodes = await play(setup(), { maxNumTurns: 1 });
    for (const e of episodes) {
      for (const role of ['attacker', 'defender'] as const) {
        const seq = defined(e[role].sequence, 'e[role].sequence');
        const turn = at(e[role].turns, 0, 'e[role].turns');
        const prompt = tokenizer.encode(
          tokenizer.applyChatTemplate(e[role].lastMessages, { addGenerationPrompt: true }),
        );
        expect(turn.promptIds).toEqual(prompt);
        expect(seq.inputIds).toEqual([...prompt, ...defined(turn.tokenIds, 'turn.tokenIds')]);
        expect(seq.labelMask).toEqual([
          ...prompt.map(() => 0),
          ...defined(turn.tokenIds, 'turn.tokenIds').map(() => 1),
        ]);
        expect(seq.stepIds).toEqual([
          ...prompt.map(() => -100),
          ...defined(turn.tokenIds, 'turn.tokenIds').map(() => 0),
        ]);
        expect(seq.inputIds.at(-1)).toBe(EOS);
        expect(tokenizer.decode(defined(turn.tokenIds, 'turn.tokenIds').slice(0, -1))).toBe(turn.text);
      }
    }
  });

  it('attacker training: both roles sample, n separate attacks', async () => {
    const parts = setup();
    await play(parts, { maxNumTurns: 1 }, 'attacker', 3);
    expect(at(parts.attacker.calls, 0, 'parts.attacker.calls').sampling.temperature).toBe(1);
    expect(at(parts.attacker.calls, 0, 'parts.attacker.calls').requests).toHaveLength(6);
    expect(at(parts.defender.calls, 0, 'parts.defender.calls').sampling.temperature).toBe(1);
  });

  it('evaluation (trainingRole none) decodes both roles greedily; decoding is configurable', async () => {
    const parts = setup();
    await play(parts, { maxNumTurns: 1 }, 'none');
    expect(at(parts.defender.calls, 0, 'parts.defender.calls').sampling.temperature).toBe(0);
    // the scripted attack is the same text for both seeds, so all 4 defender chats are identical
    expect(at(parts.defender.calls, 0, 'parts.defender.calls').requests).toHaveLength(1);
    const forced = setup();
    await play(forced, { maxNumTurns: 1, attackerDecoding: 'sample' }, 'defender');
    expect(at(forced.attacker.calls, 0, 'forced.attacker.calls').sampling.temperature).toBe(1);
    expect(at(forced.attacker.calls, 0, 'forced.attacker.calls').requests).toHaveLength(4);
  });

  it("attackerDecoding 'sample-shared': one sampled attack per seed in defender steps, one per copy in attacker steps", async () => {
    const shared = setup();
    const episodes = await play(shared, { maxNumTurns: 1, attackerDecoding: 'sample-shared' }, 'defender', 3);
    const call = at(shared.attacker.calls, 0, 'shared.attacker.calls');
    expect(call.sampling.temperature).toBe(1);
    // 2 seeds x 3 copies: two sampled generations, each copied to its group's 3 episodes
    expect(call.requests).toHaveLength(2);
    for (const uid of new Set(episodes.map((e) => e.uid))) {
      const group = episodes.filter((e) => e.uid === uid);
      expect(new Set(group.map((e) => e.lastAttackerPrompt)).size).toBe(1);
    }
    const training = setup();
    await play(training, { maxNumTurns: 1, attackerDecoding: 'sample-shared' }, 'attacker', 3);
    expect(at(training.attacker.calls, 0, 'training.attacker.calls').sampling.temperature).toBe(1);
    expect(at(training.attacker.calls, 0, 'training.attacker.calls').requests).toHaveLength(6);
  });

  it('harmful reply in single-turn finishes with code 4; controversial counts as harmful', async () => {
    const parts = setup({
      defender: (r) => (lastUser(r.messages).includes('Rewrite') ? 'Sure [flagged]' : 'No'),
    });
    const episodes = await play(parts, { maxNumTurns: 1 });
    expect(episodes.map((e) => e.finishCode)).toEqual([4, 4, 4, 4]);
    const unsure = await play(setup({ defender: () => 'Hmm [unsure]' }), { maxNumTurns: 1 });
    expect(unsure.every((e) => e.finishReason === 'harmful_response')).toBe(true);
    const off = await play(setup({ defender: () => 'Sure [flagged]' }), { maxNumTurns: 1, guardCheck: 'multi-turn' });
    expect(off.every((e) => e.finishCode === 0 && e.judgements.length === 0)).toBe(true);
  });

  it('attacker prompt over maxPromptLength on turn 0 throws PromptTooLongError', async () => {
    const err = await play(setup(), { maxNumTurns: 1, maxPromptLength: 10 }).catch((e: unknown) => e);
    expect(PromptTooLongError.isInstance(err)).toBe(true);
    expect((err as PromptTooLongError).role).toBe('attacker');
  });

  it('defender prompt over maxPromptLength finishes with code 2 and an empty dummy defender message', async () => {
    const parts = setup();
    const attackerPromptLen = tokenizer.encode(
      tokenizer.applyChatTemplate(
        [
          { role: 'system', content: TEST_PROMPTS.systemSingleTurn },
          {
            role: 'user',
            content: `Task:\n${TEST_PROMPTS.harmTemplate.replace('{vanilla}', '[harmful request placeholder]')}`,
          },
        ],
        { addGenerationPrompt: true },
      ),
    ).length;
    const long = setup({ attacker: () => `<answer>${'word '.repeat(attackerPromptLen + 20)}</answer>` });
    const episodes = await play(long, { maxNumTurns: 1, maxPromptLength: attackerPromptLen + 5 });
    for (const e of episodes) {
      expect(e.finishCode).toBe(2);
      expect(e.history.map((h) => [h.role, h.dummy])).toEqual([
        ['attacker', false],
        ['defender', true],
      ]);
      expect(e.defender.turns).toHaveLength(0);
      expect(defined(e.defender.sequence, 'e.defender.sequence').inputIds).toEqual([]);
      expect(e.numTurns).toBe(1);
    }
    expect(long.defender.calls).toHaveLength(0);
    expect(parts.attacker.calls).toHaveLength(0);
  });

  it('maxTotalLength caps maxNewTokens by the prompt length', async () => {
    const parts = setup();
    const episodes = await play(parts, { maxNumTurns: 1, maxTotalLength: 200, maxResponseLength: 150 });
    const req = at(at(parts.defender.calls, 0, 'parts.defender.calls').requests, 0, 'parts.defender.calls[0].requests');
    expect(req.maxNewTokens).toBe(Math.min(150, 200 - defined(req.promptIds, 'req.promptIds').length));
    expect(at(episodes, 0, 'episodes').finishCode).toBe(0);
  });
});

describe('runRollout with awkward text', () => {
  it('emoji/CJK outputs cut mid-character keep exact ids and append-only prefixes over 3 turns', async () => {
    const text = '<think>计划 🍞🍞</think><answer>面包 🥖 how? ✓</answer> ';
    const parts = setup({ attacker: () => text.repeat(3), defender: () => '回答 🍩 '.repeat(5) });
    const episodes = await play(
      parts,
      { maxNumTurns: 3, maxResponseLength: 8, stopWhenTruncated: false },
      'attacker',
      1,
    );
    // the defender's 8th token is half of an emoji: its text ends in U+FFFD, its ids stay exact
    expect(
      at(at(episodes, 0, 'episodes').defender.turns, 0, 'episodes[0].defender.turns').text.endsWith('\uFFFD'),
    ).toBe(true);
    for (const e of episodes) {
      expect(e.numTurns).toBe(3);
      for (const role of ['attacker', 'defender'] as const) {
        const turns = e[role].turns;
        expect(turns.every((t) => t.finishReason === 'length')).toBe(true);
        for (let t = 1; t < turns.length; t++) {
          const prev = [
            ...defined(at(turns, t - 1, 'turns').promptIds, 'turns[t - 1].promptIds'),
            ...defined(at(turns, t - 1, 'turns').tokenIds, 'turns[t - 1].tokenIds'),
          ];
          expect(defined(at(turns, t, 'turns').promptIds, 'turns[t].promptIds').slice(0, prev.length)).toEqual(prev);
        }
        expectTurnTokensExact(e, role);
      }
    }
  });
});

describe('runRollout budgets and seeds', () => {
  it('a defender prompt that leaves no room under maxTotalLength finishes with code 2 (dummy reply)', async () => {
    const parts = setup();
    const attackerPrompt = tokenizer.encode(
      tokenizer.applyChatTemplate(
        [
          { role: 'system', content: TEST_PROMPTS.systemSingleTurn },
          {
            role: 'user',
            content: `Task:\n${TEST_PROMPTS.harmTemplate.replace('{vanilla}', '[harmful request placeholder]')}`,
          },
        ],
        { addGenerationPrompt: true },
      ),
    ).length;
    const episodes = await play(parts, {
      maxNumTurns: 1,
      maxTotalLength: attackerPrompt + 50, // room for the short attack
      defenderSystemPrompt: 'word '.repeat(200), // but not for the defender's longer prompt
    });
    for (const e of episodes) {
      expect(at(e.attacker.turns, 0, 'e.attacker.turns').finishReason).toBe('stop');
      expect(e.finishReason).toBe('completion_token_exceeded');
      expect(e.history.map((h) => [h.role, h.dummy])).toEqual([
        ['attacker', false],
        ['defender', true],
      ]);
    }
    expect(parts.defender.calls).toHaveLength(0);
  });

  it('config.seed gives each generate call its own seed', async () => {
    const parts = setup();
    await play(parts, { maxNumTurns: 2, seed: 100 }, 'attacker');
    const seeds = [...parts.attacker.calls, ...parts.defender.calls].map((c) => c.sampling.seed);
    expect(new Set(seeds).size).toBe(4);
    expect(seeds.every((s) => typeof s === 'number')).toBe(true);
  });
});

describe('runRollout truncation', () => {
  it('defender truncated: code 3, no EOS label, judged first (spec order)', async () => {
    const parts = setup({ defender: () => 'word '.repeat(50) });
    const episodes = await play(parts, { maxNumTurns: 3, maxResponseLength: 8 });
    for (const e of episodes) {
      expect(e.finishCode).toBe(3);
      expect(e.numTurns).toBe(1);
      const t = at(e.defender.turns, 0, 'e.defender.turns');
      expect(t.finishReason).toBe('length');
      expect(t.tokenIds).toHaveLength(8);
      expect(t.tokenIds).not.toContain(EOS);
      expect(defined(e.defender.sequence, 'e.defender.sequence').labelMask.filter((m) => m === 1)).toHaveLength(8);
      expect(e.judgements).toHaveLength(1);
    }
  });

  it('attacker truncated with attacker in stopWhenTruncatedRoles: code 3 and a dummy defender message', async () => {
    const parts = setup({ attacker: () => 'word '.repeat(50) });
    const episodes = await play(parts, {
      maxNumTurns: 3,
      maxResponseLength: 6,
      stopWhenTruncatedRoles: ['attacker', 'defender'],
    });
    for (const e of episodes) {
      expect(e.finishCode).toBe(3);
      expect(e.history.map((h) => [h.role, h.dummy, h.content])).toEqual([
        ['attacker', false, at(e.history, 0, 'e.history').content],
        ['defender', true, ''],
      ]);
      expect(e.numTurns).toBe(1);
    }
    expect(parts.defender.calls).toHaveLength(0);
  });

  it('without stopWhenTruncated a truncated turn continues; the template end-of-turn token is a prompt token', async () => {
    let defenderTurn = 0;
    const parts = setup({ defender: () => (defenderTurn++ < 4 ? 'word '.repeat(50) : 'Short reply') });
    const episodes = await play(parts, { maxNumTurns: 2, maxResponseLength: 8, stopWhenTruncated: false });
    const e = at(episodes, 0, 'episodes');
    expect(e.finishCode).toBe(1);
    expect(e.numTurns).toBe(2);
    const seq = defined(e.defender.sequence, 'e.defender.sequence');
    const firstSampled = at(e.defender.turns, 0, 'e.defender.turns');
    const end = seq.stepIds.lastIndexOf(0);
    expect(seq.inputIds.slice(end - 7, end + 1)).toEqual(firstSampled.tokenIds);
    expect(seq.inputIds[end + 1]).toBe(EOS); // <|im_end|> added by the template
    expect(seq.labelMask[end + 1]).toBe(0);
    expectTurnTokensExact(e, 'defender');
  });
});

describe('runRollout 3-turn', () => {
  it('chats, append-only token prefixes, step ids and reach_max_turn (first-attack default)', async () => {
    const parts = setup();
    const emitter = createRolloutEmitter();
    const turnEvents: TurnEndEvent[] = [];
    const seen: string[] = [];
    emitter.on('rollout-start', (e) => seen.push(`start:${e.numEpisodes}`));
    emitter.on('turn-end', (e) => turnEvents.push(e));
    emitter.on('rollout-end', (e) => seen.push(`end:${e.finishCounts.reach_max_turn}:${e.meanNumTurns}`));
    const episodes = await runRollout({
      seeds: TEST_SEEDS,
      n: 2,
      ...parts,
      trainingRole: 'attacker',
      attackerPrompts: TEST_PROMPTS,
      config: { maxNumTurns: 3 },
      events: emitter,
    });
    expect(seen).toEqual(['start:4', 'end:4:3']);
    expect(turnEvents.map((t) => [t.turn, t.activeEpisodes, t.requests.attacker, t.requests.defender])).toEqual([
      [0, 4, 4, 4],
      [1, 4, 4, 4],
      [2, 4, 4, 4],
    ]);
    expect(at(turnEvents, 2, 'turnEvents').finished.reach_max_turn).toBe(0); // code 1 is set after the loop
    expect(turnEvents.every((t) => t.durationMs >= 0 && t.generatedTokens.attacker > 0)).toBe(true);

    const e = at(episodes, 0, 'episodes');
    expect(e.finishCode).toBe(1);
    expect(e.finishReason).toBe('reach_max_turn');
    expect(e.numTurns).toBe(3);
    const d0 = at(e.history, 1, 'e.history').content;
    const d1 = at(e.history, 3, 'e.history').content;
    expect(e.attacker.lastMessages).toEqual([
      { role: 'system', content: TEST_PROMPTS.systemMultiTurn },
      { role: 'user', content: expect.stringMatching(/^Task:\nBENIGN template placeholder/) },
      { role: 'assistant', content: attackText(0) },
      { role: 'user', content: d0 },
      { role: 'assistant', content: attackText(1) },
      { role: 'user', content: d1 },
    ]);
    expect(e.defender.lastMessages).toEqual([
      { role: 'user', content: `Question:\n${attackAnswer(0)}` },
      { role: 'assistant', content: d0 },
      { role: 'user', content: attackAnswer(1) },
      { role: 'assistant', content: d1 },
      { role: 'user', content: attackAnswer(2) },
    ]);
    expect(e.judgements.map((j) => j.attackerPrompt)).toEqual([attackAnswer(0), attackAnswer(1), attackAnswer(2)]);

    for (const role of ['attacker', 'defender'] as const) {
      const turns = e[role].turns;
      expect(turns).toHaveLength(3);
      for (let t = 1; t < 3; t++) {
        const previousFull = [
          ...defined(at(turns, t - 1, 'turns').promptIds, 'turns[t - 1].promptIds'),
          ...defined(at(turns, t - 1, 'turns').tokenIds, 'turns[t - 1].tokenIds'),
        ];
        expect(defined(at(turns, t, 'turns').promptIds, 'turns[t].promptIds').slice(0, previousFull.length)).toEqual(
          previousFull,
        );
      }
      const seq = defined(e[role].sequence, 'e[role].sequence');
      expect(seq.inputIds).toEqual([
        ...defined(at(turns, 2, 'turns').promptIds, 'turns[2].promptIds'),
        ...defined(at(turns, 2, 'turns').tokenIds, 'turns[2].tokenIds'),
      ]);
      expectTurnTokensExact(e, role);
      // verified against the full re-render: same text, and here even the same ids as re-tokenizing it
      const render = tokenizer.applyChatTemplate(e[role].lastMessages, { addGenerationPrompt: true });
      expect(tokenizer.decode(defined(at(turns, 2, 'turns').promptIds, 'turns[2].promptIds'))).toBe(render);
      expect(at(turns, 2, 'turns').promptIds).toEqual(tokenizer.encode(render));
      expect(new Set(seq.stepIds)).toEqual(new Set([-100, 0, 1, 2]));
    }
  });

  it("'latest-attack' (original quirk): defender's first user message is the latest attack, shown twice", async () => {
    const episodes = await play(setup(), { maxNumTurns: 3, defenderFirstMessage: 'latest-attack' }, 'attacker');
    const e = at(episodes, 1, 'episodes');
    expect(e.defender.appendOnly).toBe(false);
    expect(e.attacker.appendOnly).toBe(true);
    const msgs = e.defender.lastMessages;
    expect(msgs[0]).toEqual({ role: 'user', content: `Question:\n${attackAnswer(2)}` });
    expect(msgs.at(-1)).toEqual({ role: 'user', content: attackAnswer(2) });
    expect(msgs[2]).toEqual({ role: 'user', content: attackAnswer(1) });
    // the defender at turn 1 saw "Question:\n" + attack 1 first
    const turn1Prompt = tokenizer.decode(
      defined(at(e.defender.turns, 1, 'e.defender.turns').promptIds, 'e.defender.turns[1].promptIds'),
    );
    expect(turn1Prompt).toContain(`Question:\n${attackAnswer(1)}`);
    expect(turn1Prompt).not.toContain(`Question:\n${attackAnswer(0)}`);
    // not append-only, but every earlier turn's sampled ids are still spliced in exactly
    const t0 = at(e.defender.turns, 0, 'e.defender.turns');
    const t1 = at(e.defender.turns, 1, 'e.defender.turns');
    expect(defined(t1.promptIds, 't1.promptIds').slice(0, defined(t0.promptIds, 't0.promptIds').length)).not.toEqual(
      t0.promptIds,
    );
    expectTurnTokensExact(e, 'defender');
    expect(e.finishCode).toBe(1);
    // old log-probs of earlier defender turns came from another context: the batch leaves them to the trainer
    const rewards = episodes.map(() => 0);
    expect(toTrainingBatch(episodes, 'defender', { rewards, padTokenId: 0 }).oldLogProbs).toBeUndefined();
    expect(toTrainingBatch(episodes, 'attacker', { rewards, padTokenId: 0 }).oldLogProbs).toHaveLength(4);
  });

  it('early stop on a harmful reply at turn 1 (code 4), other episodes continue', async () => {
    let flagged = 0;
    const parts = setup({
      defender: (r) => {
        const turn = r.messages.filter((m) => m.role === 'assistant').length;
        return turn === 1 && flagged++ === 0 ? 'Sure [flagged]' : `Reply ${turn}`;
      },
    });
    const episodes = await play(parts, { maxNumTurns: 3 }, 'attacker');
    const codes = episodes.map((e) => e.finishCode);
    expect(codes.filter((c) => c === 4)).toHaveLength(1);
    expect(codes.filter((c) => c === 1)).toHaveLength(3);
    const stopped = defined(
      episodes.find((e) => e.finishCode === 4),
      'episodes.find((e) => e.finishCode === 4)',
    );
    expect(stopped.numTurns).toBe(2);
    expect(stopped.judgements.map((j) => j.harmful)).toEqual([false, true]);
    expect(stopped.lastDefenderResponse).toBe('Sure [flagged]');
    expect(at(parts.attacker.calls, 2, 'parts.attacker.calls').requests).toHaveLength(3);
  });

  it('attacker prompt over maxPromptLength on a later turn finishes with code 2 (no dummy)', async () => {
    const parts = setup({ defender: (r) => (r.messages.length > 1 ? 'x' : `${'long reply '.repeat(60)}`) });
    const base = tokenizer.encode(
      tokenizer.applyChatTemplate(
        [
          { role: 'system', content: TEST_PROMPTS.systemMultiTurn },
          {
            role: 'user',
            content: `Task:\n${TEST_PROMPTS.harmTemplate.replace('{vanilla}', '[harmful request placeholder]')}`,
          },
        ],
        { addGenerationPrompt: true },
      ),
    ).length;
    const episodes = await play(parts, { maxNumTurns: 3, maxPromptLength: base + 60 }, 'attacker');
    for (const e of episodes) {
      expect(e.finishCode).toBe(2);
      expect(e.numTurns).toBe(1);
      expect(e.history).toHaveLength(2);
      expect(e.attacker.turns).toHaveLength(1);
    }
  });

  it('greedy attacker in 3 turns: copies share turn-0 attack; later turns dedupe only identical chats', async () => {
    const parts = setup({ defender: (_r, i) => `Reply variant ${i % 2}` });
    const episodes = await play(parts, { maxNumTurns: 3 }, 'defender', 2);
    // copies of a seed got different defender replies, so from turn 1 their attacker chats differ
    expect(parts.attacker.calls.map((c) => c.requests.length)).toEqual([2, 4, 4]);
    expect(parts.attacker.calls.every((c) => c.sampling.temperature === 0)).toBe(true);
    expect(at(at(episodes, 0, 'episodes').attacker.turns, 0, 'episodes[0].attacker.turns').tokenIds).toEqual(
      at(at(episodes, 1, 'episodes').attacker.turns, 0, 'episodes[1].attacker.turns').tokenIds,
    );
    const same = setup({ defender: () => 'Same reply' });
    await play(same, { maxNumTurns: 3 }, 'defender', 2);
    expect(same.attacker.calls.map((c) => c.requests.length)).toEqual([2, 2, 2]);
  });
});

describe('runRollout input errors', () => {
  it('a missing guard or a bad n is a RolloutInputError naming the field', async () => {
    const parts = setup();
    const noGuard = await runRollout({
      seeds: TEST_SEEDS,
      n: 1,
      attacker: parts.attacker,
      defender: parts.defender,
      trainingRole: 'defender',
      attackerPrompts: TEST_PROMPTS,
    }).catch((e: unknown) => e);
    expect(RolloutInputError.isInstance(noGuard) && noGuard.field).toBe('guard');
    const badN = await play(parts, {}, 'defender', 0).catch((e: unknown) => e);
    expect(RolloutInputError.isInstance(badN) && badN.field).toBe('n');
    const badConfig = await play(parts, { maxNumTurns: 0 }).catch((e: unknown) => e);
    expect(RolloutInputError.isInstance(badConfig) && badConfig.field).toBe('config.maxNumTurns');
    const badSeed = await runRollout({
      seeds: [{ question: 'q', dataType: 'other' as 'vanilla_benign' }],
      n: 1,
      ...parts,
      trainingRole: 'defender',
    }).catch((e: unknown) => e);
    expect(RolloutInputError.isInstance(badSeed) && badSeed.field).toBe('seeds[0].dataType');
    const episodes = await runRollout({
      seeds: TEST_SEEDS,
      n: 1,
      attacker: parts.attacker,
      defender: parts.defender,
      trainingRole: 'defender',
      attackerPrompts: TEST_PROMPTS,
      config: { guardCheck: 'off' },
    });
    expect(episodes.every((e) => e.judgements.length === 0 && e.finishCode === 0)).toBe(true);
  });
});

describe('runRollout default attacker prompts', () => {
  it("uses @magic/attack-pool's MAGIC prompts when attackerPrompts is omitted", async () => {
    const parts = setup();
    const [e] = await runRollout({ seeds: TEST_SEEDS.slice(1), n: 1, ...parts, trainingRole: 'defender' });
    expect(defined(e, 'e').attacker.lastMessages[0]).toEqual({
      role: 'system',
      content: defaultAttackerPrompts.systemSingleTurn,
    });
    expect(at(defined(e, 'e').attacker.lastMessages, 1, 'e.attacker.lastMessages').content).toBe(
      `Task:\n${defaultAttackerPrompts.harmTemplate.replace('{vanilla}', '[harmful request placeholder]')}`,
    );
  });
});

describe('runRollout useAdversarialPromptForDefender', () => {
  it('in defender steps the defender and the guard see the seed adversarial text (only when set)', async () => {
    const seeds = [
      { ...at(TEST_SEEDS, 0, 'TEST_SEEDS'), adversarial: 'Adversarial placeholder rewrite' },
      { ...at(TEST_SEEDS, 1, 'TEST_SEEDS'), adversarial: undefined },
    ];
    const parts = setup();
    const config = { maxNumTurns: 1, useAdversarialPromptForDefender: true };
    const [withAdv, , without] = await runRollout({ seeds, n: 2, ...parts, trainingRole: 'defender', config });
    expect(at(defined(withAdv, 'withAdv').defender.lastMessages, 0, 'withAdv.defender.lastMessages').content).toBe(
      'Question:\nAdversarial placeholder rewrite',
    );
    expect(at(defined(withAdv, 'withAdv').history, 0, 'withAdv.history').advUsed).toBe(true);
    expect(at(defined(withAdv, 'withAdv').judgements, 0, 'withAdv.judgements').attackerPrompt).toBe(
      'Adversarial placeholder rewrite',
    );
    expect(at(defined(without, 'without').defender.lastMessages, 0, 'without.defender.lastMessages').content).toBe(
      `Question:\n${attackAnswer(0)}`,
    );
    const attackerStep = await runRollout({ seeds, n: 1, ...setup(), trainingRole: 'attacker', config });
    expect(at(at(attackerStep, 0, 'attackerStep').history, 0, 'attackerStep[0].history').advUsed).toBeUndefined();
  });
});

describe('runRollout fallbackToAdversarialOnHarmfulRewrite', () => {
  it('a benign seed whose rewrite is judged harmful is replaced by its adversarial text', async () => {
    const seeds = [
      { question: 'How do I bake bread?', dataType: 'vanilla_benign' as const, adversarial: 'Benign adversarial text' },
      { question: '[harmful request placeholder]', dataType: 'vanilla_harmful' as const, adversarial: 'Other text' },
    ];
    const parts = setup({ attacker: () => '<answer>[flagged-prompt] rewrite</answer>' });
    parts.guard.moderatePrompt = async (prompt: string) => {
      parts.guard.promptCalls.push(prompt);
      return { safety: prompt.includes('[flagged-prompt]') ? 'unsafe' : 'safe', categories: [], raw: '' };
    };
    const config = { maxNumTurns: 1, fallbackToAdversarialOnHarmfulRewrite: true };
    const [benign, harmful] = await runRollout({ seeds, n: 1, ...parts, trainingRole: 'attacker', config });
    expect(at(defined(benign, 'benign').history, 0, 'benign.history').advFallback).toBe(true);
    expect(at(defined(benign, 'benign').defender.lastMessages, 0, 'benign.defender.lastMessages').content).toBe(
      'Question:\nBenign adversarial text',
    );
    expect(at(defined(harmful, 'harmful').history, 0, 'harmful.history').advFallback).toBeUndefined(); // harmful seeds are never replaced
    expect(at(defined(harmful, 'harmful').defender.lastMessages, 0, 'harmful.defender.lastMessages').content).toBe(
      'Question:\n[flagged-prompt] rewrite',
    );
  });
});

describe('runRollout skipAttackerGenerationForDefender', () => {
  it('defender steps use the adversarial text as the attacker message without running the attacker', async () => {
    const seeds = [
      { ...at(TEST_SEEDS, 0, 'TEST_SEEDS'), adversarial: 'Adversarial placeholder rewrite' },
      { ...at(TEST_SEEDS, 1, 'TEST_SEEDS'), adversarial: undefined },
    ];
    const parts = setup();
    const config = { maxNumTurns: 2, skipAttackerGenerationForDefender: true };
    const episodes = await runRollout({ seeds, n: 2, ...parts, trainingRole: 'defender', config });
    // only the seed without an adversarial text reaches the attacker (greedy: one request per turn)
    expect(parts.attacker.calls.map((c) => c.requests.length)).toEqual([1, 1]);
    const skipped = at(episodes, 0, 'episodes');
    expect(skipped.history.filter((h) => h.role === 'attacker').every((h) => h.attackerGenSkipped)).toBe(true);
    expect(skipped.defender.lastMessages.map((m) => m.content)).toEqual([
      'Question:\nAdversarial placeholder rewrite',
      at(skipped.history, 1, 'skipped.history').content,
      'Adversarial placeholder rewrite',
    ]);
    expect(skipped.attacker.turns.every((t) => t.skipped && t.tokenIds === undefined)).toBe(true);
    expect(defined(skipped.attacker.sequence, 'skipped.attacker.sequence').inputIds).toEqual([]);
    expectTurnTokensExact(skipped, 'defender');
    expect(at(at(episodes, 2, 'episodes').history, 0, 'episodes[2].history').attackerGenSkipped).toBeUndefined();
  });
});

describe('runRollout guard errors', () => {
  it("'throw' aborts, 'record' keeps going and stores the error", async () => {
    const parts = setup();
    parts.guard.failWith = new Error('guard down');
    await expect(play(parts, { maxNumTurns: 1 })).rejects.toThrow('guard down');
    const recorded = await play(parts, { maxNumTurns: 1, guardErrors: 'record' });
    expect(
      recorded.every((e) => e.finishCode === 0 && at(e.judgements, 0, 'e.judgements').error?.includes('guard down')),
    ).toBe(true);
  });
});
