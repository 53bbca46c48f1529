import type { GuardLike } from '@magic/benchmarks';
import {
  createJudgeClient,
  EndpointGuard,
  LocalGuard,
  qwen3GuardProtocol,
  RulesGuard,
  wildGuardProtocol,
} from '@magic/judges';
import { harmBenchGuard } from './harmbench-guard.js';
import type { JudgeSpec } from './specs.js';

/** Client settings of an endpoint judge; the start-up probe uses one try and a short timeout. */
export interface JudgeClientOptions {
  apiKey?: string | undefined;
  timeoutMs?: number;
  maxRetries?: number;
}

/** The guard for a --judge spec (endpoint key from `apiKey`, e.g. $WILDGUARD_API_KEY). */
export function buildJudge(spec: JudgeSpec, options: JudgeClientOptions = {}): GuardLike {
  const client = (baseURL: string) => ({
    baseURL,
    apiKey: options.apiKey,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.maxRetries === undefined ? {} : { maxRetries: options.maxRetries }),
  });
  switch (spec.kind) {
    case 'local':
      return LocalGuard.load();
    case 'rules':
      return new RulesGuard();
    case 'harmbench-cls':
      return harmBenchGuard({ ...client(spec.baseURL), model: spec.model });
    case 'qwen3guard':
    case 'wildguard':
      return new EndpointGuard({
        client: createJudgeClient(client(spec.baseURL)),
        protocol: spec.kind === 'qwen3guard' ? qwen3GuardProtocol : wildGuardProtocol,
        model: spec.model,
      });
  }
}
