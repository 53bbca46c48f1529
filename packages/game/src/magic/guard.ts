import {
  createJudgeClient,
  EndpointGuard,
  type Guard,
  LocalGuard,
  qwen3GuardProtocol,
  startGuardServer,
} from '@magic/judges';
import type { GameConfig } from '../config/schema.js';
import { ConfigError } from '../errors.js';

export interface GuardHandle {
  guard: Guard;
  /** Where the guard lives: 'in-process', a loopback URL, or the remote endpoint. */
  where: string;
  close(): Promise<void>;
}

/**
 * The training judge per `reward.guard.kind`: the shipped local guard in process; the same guard
 * behind the OpenAI-compatible guard server on loopback (started here, stopped by `close`); or a
 * remote Qwen3Guard endpoint (WILDGUARD_API_ENDPOINT).
 */
export async function openGuard(config: GameConfig): Promise<GuardHandle> {
  const g = config.reward.guard;
  if (g.kind === 'local') return { guard: LocalGuard.load(), where: 'in-process', close: async () => {} };
  if (g.kind === 'server') {
    const server = await startGuardServer({ port: 0, guard: LocalGuard.load() });
    return { guard: endpointGuard(server.url, config), where: server.url, close: () => server.close() };
  }
  if (g.endpoint === undefined) {
    throw new ConfigError('reward.guard.endpoint', 'config', "required when reward.guard.kind is 'remote'");
  }
  return { guard: endpointGuard(g.endpoint, config), where: g.endpoint, close: async () => {} };
}

function endpointGuard(baseURL: string, config: GameConfig): Guard {
  const g = config.reward.guard;
  const client = createJudgeClient({ baseURL, apiKey: g.apiKey, timeoutMs: g.timeoutMs, maxRetries: g.maxRetries });
  return new EndpointGuard({ client, protocol: qwen3GuardProtocol, model: g.model });
}
