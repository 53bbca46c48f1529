import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import type { Role } from '../config/schema.js';
import { agentAfterStep, agentBeforeStep, initialSwitchState } from './switch-schedule.js';

// Every switchAgent.* option changes which agent is trained at which step, driven as the trainer drives it.
const STEPS = 30;
/** High for 6 steps, low for 6, ... (reward/response_harm); the reverse for a second metric. */
const harm = (step: number) => (Math.floor((step - 1) / 6) % 2 === 0 ? 0.95 : 0.05);
const other = (step: number) => 1 - harm(step);

function agents(overrides: string[]): Role[] {
  const cfg = loadConfig({ overrides }).switchAgent;
  let state = agentBeforeStep(initialSwitchState(cfg), 1, cfg);
  const out: Role[] = [];
  for (let step = 1; step <= STEPS; step++) {
    out.push(state.currentAgent);
    const metrics = { 'reward/response_harm': harm(step), 'custom/other': other(step) };
    state = agentBeforeStep(agentAfterStep(state, step, metrics, cfg), step + 1, cfg);
  }
  return out;
}

function expectScheduleChanges(override: string, context: string[] = []): void {
  expect(agents([...context, override]), `${override} had no effect`).not.toEqual(agents(context));
}

const METRIC = [
  'switchAgent.mode=metric',
  'switchAgent.metricSwitchMap.defender.above=attacker',
  'switchAgent.metricSwitchMap.attacker.below=defender',
];

describe('switchAgent.* options change the schedule', () => {
  it('switchAgent.enable changes the schedule', () => expectScheduleChanges('switchAgent.enable=false'));
  it('switchAgent.mode changes the schedule', () => expectScheduleChanges('switchAgent.mode=metric'));
  it('switchAgent.freq changes the schedule', () => expectScheduleChanges('switchAgent.freq=4'));
  it('switchAgent.trainRoles changes the schedule', () => expectScheduleChanges('switchAgent.trainRoles=[attacker]'));
  it('switchAgent.startAgent changes the schedule', () => expectScheduleChanges('switchAgent.startAgent=attacker'));
  it('switchAgent.updateRatio.attacker changes the schedule', () =>
    expectScheduleChanges('switchAgent.updateRatio.attacker=2'));
  it('switchAgent.updateRatio.defender changes the schedule', () =>
    expectScheduleChanges('switchAgent.updateRatio.defender=2'));
  it('switchAgent.firstBlock changes the schedule', () => expectScheduleChanges('switchAgent.firstBlock=full'));
  it('switchAgent.metricName changes the schedule', () =>
    expectScheduleChanges('switchAgent.metricName=custom/other', METRIC));
  it('switchAgent.metricLow changes the schedule', () => expectScheduleChanges('switchAgent.metricLow=0.01', METRIC));
  it('switchAgent.metricHigh changes the schedule', () => expectScheduleChanges('switchAgent.metricHigh=0.99', METRIC));
  it('switchAgent.metricWindow changes the schedule', () =>
    expectScheduleChanges('switchAgent.metricWindow=10', METRIC));
  it('switchAgent.metricSwitchMap.defender.above changes the schedule', () =>
    expectScheduleChanges('switchAgent.metricSwitchMap.defender.above=defender', METRIC));
  it('switchAgent.metricSwitchMap.attacker.below changes the schedule', () =>
    expectScheduleChanges('switchAgent.metricSwitchMap.attacker.below=attacker', METRIC));
  it('switchAgent.metricSwitchMap.attacker.above changes the schedule', () =>
    expectScheduleChanges('switchAgent.metricSwitchMap.attacker.above=defender', [
      ...METRIC,
      'switchAgent.metricSwitchMap.attacker.below=attacker',
    ]));
  it('switchAgent.metricSwitchMap.defender.below changes the schedule', () =>
    expectScheduleChanges('switchAgent.metricSwitchMap.defender.below=attacker', [
      ...METRIC,
      'switchAgent.metricSwitchMap.defender.above=defender',
    ]));

  it('switchAgent.agentRoles bounds trainRoles (the only effect: both agents always play)', () => {
    expect(() => loadConfig({ overrides: ['switchAgent.agentRoles=[defender]'] })).toThrow(/trainRoles/);
    expect(agents(['switchAgent.agentRoles=[defender]', 'switchAgent.trainRoles=[defender]'])).toEqual(
      new Array(STEPS).fill('defender'),
    );
  });
});
