import type { GrpoUpdater, GrpoUpdaterStateDict, HostTensor } from '@magic/grpo';
import { CheckpointError } from '../errors.js';

/**
 * A GrpoUpdater's state (`stateDict()`) as safetensors entries: moments per trainable-variable position
 * (`optim.m.<i>`, `optim.v.<i>`) and the step counts as metadata, the layout earlier checkpoints have.
 */
export async function readOptimizerState(
  updater: GrpoUpdater,
): Promise<{ tensors: Record<string, HostTensor>; metadata: Record<string, string> }> {
  const state = await updater.stateDict();
  const tensors: Record<string, HostTensor> = {};
  state.optimizer.state.forEach((slot, i) => {
    if (!slot) return;
    tensors[`optim.m.${i}`] = slot.expAvg;
    tensors[`optim.v.${i}`] = slot.expAvgSq;
  });
  return {
    tensors,
    metadata: { 'optim.step': String(state.optimizer.step), 'optim.schedulerStep': String(state.schedulerStep) },
  };
}

/** Restores what `readOptimizerState` wrote (`file` names the checkpoint in errors). */
export function writeOptimizerState(
  updater: GrpoUpdater,
  variableCount: number,
  tensors: ReadonlyMap<string, HostTensor>,
  metadata: Readonly<Record<string, string>>,
  file: string,
): void {
  const step = Number(metadata['optim.step'] ?? 'NaN');
  const schedulerStep = Number(metadata['optim.schedulerStep'] ?? 'NaN');
  if (!Number.isInteger(step) || !Number.isInteger(schedulerStep)) {
    throw new CheckpointError(file, 'metadata optim.step / optim.schedulerStep missing');
  }
  const state: GrpoUpdaterStateDict['optimizer']['state'] = Array.from({ length: variableCount }, (_, i) => {
    const m = tensors.get(`optim.m.${i}`);
    const v = tensors.get(`optim.v.${i}`);
    return m && v ? { expAvg: m, expAvgSq: v } : null;
  });
  try {
    updater.loadStateDict({ schedulerStep, optimizer: { step, state } });
  } catch (e) {
    throw new CheckpointError(file, `optimizer state: ${(e as Error).message}`, { cause: e });
  }
}
