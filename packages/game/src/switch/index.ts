export {
  agentAfterStep,
  agentBeforeStep,
  buildSwitchSchedule,
  initialSwitchState,
  ratioAgentForStep,
  type SwitchState,
  SwitchStateSchema,
} from './switch-schedule.js';
