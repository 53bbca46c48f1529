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

/** The guard for a --judge spec (endpoint key from `apiKey`, e.g. $WILDGUARD_API_KEY). */
export function buildJudge(spec: JudgeSpec, options: { apiKey?: string | undefined } = {}): GuardLike {
  switch (spec.kind) {
    case 'local':
      return LocalGuard.load();
    case 'rules':
      return new RulesGuard();
    case 'harmbench-cls':
      return harmBenchGuard({ baseURL: spec.baseURL, model: spec.model, apiKey: options.apiKey });
    case 'qwen3guard':
    case 'wildguard':
      return new EndpointGuard({
        client: createJudgeClient({ baseURL: spec.baseURL, apiKey: options.apiKey }),
        protocol: spec.kind === 'qwen3guard' ? qwen3GuardProtocol : wildGuardProtocol,
        model: spec.model,
      });
  }
}
