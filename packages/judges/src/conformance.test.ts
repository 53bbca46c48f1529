import { chatCompletionBody, OpenAICompatibleClient, startOpenAICompatibleServer } from '@magic/openai-client';
import { describeGuardConformance } from './conformance.js';
import { EndpointGuard } from './endpoint-guard.js';
import { LocalGuard } from './local/local-guard.js';
import { qwen3GuardProtocol } from './protocols/qwen3guard.js';
import { RulesGuard } from './rules-guard.js';
import { startGuardServer } from './server/guard-server.js';

const local = LocalGuard.load();
const fast = { maxRetries: 1, backoff: { initialMs: 5, maxMs: 10 }, timeoutMs: 5_000 };

describeGuardConformance('LocalGuard', async () => ({ guard: local }));

describeGuardConformance('RulesGuard', async () => ({ guard: new RulesGuard() }));

describeGuardConformance(
  'EndpointGuard(qwen3guard) → guard server',
  async () => {
    const server = await startGuardServer({ guard: local, apiKey: 'conformance-key' });
    const client = new OpenAICompatibleClient({ baseURL: server.url, apiKey: 'conformance-key', ...fast });
    return { guard: new EndpointGuard({ client, protocol: qwen3GuardProtocol }), close: server.close };
  },
  {
    failing: async () => {
      const server = await startOpenAICompatibleServer({ handler: () => ({ status: 500, text: 'down' }) });
      const client = new OpenAICompatibleClient({ baseURL: server.url, ...fast });
      return {
        guard: new EndpointGuard({ client, protocol: qwen3GuardProtocol }),
        close: server.close,
        expected: 'call',
      };
    },
  },
);

describeGuardConformance(
  'EndpointGuard(qwen3guard) with a malformed reply',
  async () => {
    const server = await startGuardServer({ guard: local });
    const client = new OpenAICompatibleClient({ baseURL: server.url, ...fast });
    return { guard: new EndpointGuard({ client, protocol: qwen3GuardProtocol }), close: server.close };
  },
  {
    failing: async () => {
      const server = await startOpenAICompatibleServer({
        handler: () => ({ json: chatCompletionBody('I am not sure.') }),
      });
      const client = new OpenAICompatibleClient({ baseURL: server.url, ...fast });
      return {
        guard: new EndpointGuard({ client, protocol: qwen3GuardProtocol }),
        close: server.close,
        expected: 'parse',
      };
    },
  },
);
