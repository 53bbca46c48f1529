import { describe, expect, it } from 'vitest';
import { type SwitchAgentConfig, SwitchAgentSchema } from '../config/schema.js';
import {
  agentAfterStep,
  agentBeforeStep,
  buildSwitchSchedule,
  initialSwitchState,
  ratioAgentForStep,
  SwitchStateSchema,
} from './switch-schedule.js';

const cfg = (o: Record<string, unknown> = {}): SwitchAgentConfig => SwitchAgentSchema.parse(o);

describe('ratio mode (spec §5)', () => {
  it('freq 15, 1:1, start defender: defender 1-14, attacker 15-29, defender 30-44 (original first block)', () => {
    const c = cfg({ freq: 15 });
    expect(buildSwitchSchedule(c)).toEqual(['defender', 'attacker']);
    const agents = Array.from({ length: 60 }, (_, i) => ratioAgentForStep(i + 1, c));
    for (let s = 1; s <= 14; s++) expect(agents[s - 1]).toBe('defender');
    for (let s = 15; s <= 29; s++) expect(agents[s - 1]).toBe('attacker');
    for (let s = 30; s <= 44; s++) expect(agents[s - 1]).toBe('defender');
    for (let s = 45; s <= 59; s++) expect(agents[s - 1]).toBe('attacker');
  });

  it("firstBlock 'full' gives every block exactly freq steps", () => {
    const c = cfg({ freq: 15, firstBlock: 'full' });
    expect(ratioAgentForStep(15, c)).toBe('defender');
    expect(ratioAgentForStep(16, c)).toBe('attacker');
    expect(ratioAgentForStep(30, c)).toBe('attacker');
    expect(ratioAgentForStep(31, c)).toBe('defender');
  });

  it('update ratio 2:1 starting at attacker repeats the attacker twice', () => {
    const c = cfg({ freq: 1, updateRatio: { attacker: 2, defender: 1 }, startAgent: 'attacker' });
    expect(buildSwitchSchedule(c)).toEqual(['attacker', 'attacker', 'defender']);
    expect([1, 2, 3, 4, 5, 6].map((s) => ratioAgentForStep(s, c))).toEqual([
      'attacker',
      'defender',
      'attacker',
      'attacker',
      'defender',
      'attacker',
    ]);
  });

  it('trainRoles [defender] is defender-only whatever the step', () => {
    const c = cfg({ freq: 2, trainRoles: ['defender'] });
    let st = initialSwitchState(c);
    for (let s = 1; s <= 10; s++) {
      st = agentBeforeStep(st, s, c);
      expect(st.currentAgent).toBe('defender');
    }
    expect(st.switches).toEqual([]);
  });

  it('trainRoles [attacker] with startAgent defender starts on the attacker', () => {
    const c = cfg({ trainRoles: ['attacker'] });
    expect(initialSwitchState(c).currentAgent).toBe('attacker');
    expect(agentBeforeStep(initialSwitchState(c), 1, c).currentAgent).toBe('attacker');
  });

  it('records switches with their step', () => {
    const c = cfg({ freq: 3 });
    let st = initialSwitchState(c);
    for (let s = 1; s <= 7; s++) st = agentBeforeStep(st, s, c);
    expect(st.switches.map((x) => [x.step, x.to])).toEqual([
      [3, 'attacker'],
      [6, 'defender'],
    ]);
    expect(SwitchStateSchema.parse(JSON.parse(JSON.stringify(st)))).toEqual(st);
  });
});

describe('metric mode (spec §5)', () => {
  const c = cfg({ mode: 'metric', metricLow: 0.8, metricHigh: 0.9, metricWindow: 3 });

  it('averages a partly filled window (no warm-up), so one high value already switches', () => {
    let st = initialSwitchState(c);
    expect(st.currentAgent).toBe('defender');
    st = agentAfterStep(st, 1, { 'reward/response_harm': 1.0 }, c);
    expect(st.currentAgent).toBe('attacker');
    expect(st.window).toEqual([1]);
  });

  it('golden sequence', () => {
    let st = initialSwitchState(c);
    const seq = [0.7, 0.95, 0.95, 0.95, 0.6, 0.6, 0.9];
    const agents: string[] = [];
    seq.forEach((v, i) => {
      st = agentAfterStep(st, i + 1, { 'reward/response_harm': v }, c);
      agents.push(st.currentAgent);
    });
    // windows: [.7] .7 ; [.7,.95] .825 ; [.7,.95,.95] .8667 ; [.95,.95,.95] .95 -> attacker
    // [.95,.95,.6] .8333 (attacker, > low) ; [.95,.6,.6] .7167 <= .8 -> defender ; [.6,.6,.9] .7 stays
    expect(agents).toEqual(['defender', 'defender', 'defender', 'attacker', 'attacker', 'defender', 'defender']);
    expect(st.window).toEqual([0.6, 0.6, 0.9]);
    expect(st.switches.map((s) => s.step)).toEqual([4, 6]);
  });

  it('ignores a missing metric and never switches to an untrained role', () => {
    const only = cfg({ mode: 'metric', trainRoles: ['defender'] });
    let st = initialSwitchState(only);
    st = agentAfterStep(st, 1, {}, only);
    expect(st.window).toEqual([]);
    st = agentAfterStep(st, 2, { 'reward/response_harm': 1 }, only);
    expect(st.currentAgent).toBe('defender');
  });

  it('ratio-mode helpers leave metric mode alone and vice versa', () => {
    const st = initialSwitchState(c);
    expect(agentBeforeStep(st, 15, c)).toBe(st);
    const r = cfg();
    expect(agentAfterStep(initialSwitchState(r), 1, { 'reward/response_harm': 1 }, r).window).toEqual([]);
  });
});
