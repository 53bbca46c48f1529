import { at } from '@magic/core';
import { z } from 'zod';
import { type Role, RoleSchema, type SwitchAgentConfig } from '../config/schema.js';
import { ConfigError } from '../errors.js';

/**
 * Ratio-mode schedule (spec §5, `_build_switch_schedule`): each trainable role repeated
 * `updateRatio[role]` times in `agentRoles` order, rotated to begin at `startAgent`.
 */
export function buildSwitchSchedule(cfg: SwitchAgentConfig): Role[] {
  const schedule: Role[] = [];
  for (const role of cfg.agentRoles) {
    if (!cfg.trainRoles.includes(role)) continue;
    for (let i = 0; i < cfg.updateRatio[role]; i++) schedule.push(role);
  }
  const start = schedule.indexOf(cfg.startAgent);
  if (start <= 0) return schedule;
  return [...schedule.slice(start), ...schedule.slice(0, start)];
}

/**
 * The role trained at global step `step` (from 1) in ratio mode: `schedule[(s // freq) % len]`
 * ('original', first block one step short) or `schedule[((s - 1) // freq) % len]` ('full').
 */
export function ratioAgentForStep(step: number, cfg: SwitchAgentConfig, schedule = buildSwitchSchedule(cfg)): Role {
  if (schedule.length === 0) throw new ConfigError('switchAgent.trainRoles', 'config', 'no trainable role');
  const s = cfg.firstBlock === 'original' ? step : step - 1;
  return at(schedule, Math.floor(s / cfg.freq) % schedule.length, 'switch schedule');
}

/** Serialisable switch state (part of every checkpoint). */
export const SwitchStateSchema = z.object({
  currentAgent: RoleSchema,
  /** Metric mode: the last `metricWindow` values of `metricName`; not cleared on a switch. */
  window: z.array(z.number()),
  switches: z.array(z.object({ step: z.number().int(), from: RoleSchema, to: RoleSchema, reason: z.string() })),
});
export type SwitchState = z.output<typeof SwitchStateSchema>;

/** The starting state: `startAgent` if trainable, else the first trainable role. */
export function initialSwitchState(cfg: SwitchAgentConfig): SwitchState {
  const start = cfg.trainRoles.includes(cfg.startAgent)
    ? cfg.startAgent
    : at(cfg.trainRoles, 0, 'trainRoles (the schema asks for one)');
  return { currentAgent: start, window: [], switches: [] };
}

/**
 * Sets the agent for the coming step (ratio mode: from the schedule; metric mode and a disabled
 * switch: unchanged). Returns the new state (input untouched).
 */
export function agentBeforeStep(state: SwitchState, step: number, cfg: SwitchAgentConfig): SwitchState {
  if (!cfg.enable || cfg.mode !== 'ratio') return state;
  const next = ratioAgentForStep(step, cfg);
  if (next === state.currentAgent) return state;
  return withSwitch(state, step, next, `ratio schedule (freq ${cfg.freq})`);
}

/**
 * Metric mode, after a step's metrics (`_maybe_switch_by_metric`): push the metric, average the
 * window, and switch per `metricSwitchMap` when the average is ≥ metricHigh (`above`) or
 * ≤ metricLow (`below`). Ratio mode: returns the state unchanged.
 */
export function agentAfterStep(
  state: SwitchState,
  step: number,
  metrics: Readonly<Record<string, number>>,
  cfg: SwitchAgentConfig,
): SwitchState {
  if (!cfg.enable || cfg.mode !== 'metric') return state;
  const value = metrics[cfg.metricName];
  if (value === undefined || !Number.isFinite(value)) return state;
  const window = [...state.window, value].slice(-cfg.metricWindow);
  const avg = window.reduce((a, b) => a + b, 0) / window.length;
  const rule = cfg.metricSwitchMap[state.currentAgent];
  let target: Role | undefined;
  let reason = '';
  if (rule?.above !== undefined && avg >= cfg.metricHigh) {
    target = rule.above;
    reason = `${cfg.metricName} avg ${avg.toFixed(4)} >= ${cfg.metricHigh}`;
  } else if (rule?.below !== undefined && avg <= cfg.metricLow) {
    target = rule.below;
    reason = `${cfg.metricName} avg ${avg.toFixed(4)} <= ${cfg.metricLow}`;
  }
  const kept = { ...state, window };
  if (target === undefined || target === state.currentAgent || !cfg.trainRoles.includes(target)) return kept;
  return withSwitch(kept, step, target, reason);
}

function withSwitch(state: SwitchState, step: number, to: Role, reason: string): SwitchState {
  return {
    currentAgent: to,
    window: state.window,
    switches: [...state.switches, { step, from: state.currentAgent, to, reason }],
  };
}
