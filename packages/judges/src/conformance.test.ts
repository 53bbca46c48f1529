import { at } from '@magic/core';
import { chatCompletionBody, OpenAICompatibleClient, startOpenAICompatibleServer } from '@magic/openai-client';
import { describeGuardConformance } from './conformance.js';
import { EndpointGuard } from './endpoint-guard.js';
import { LocalGuard } from './local/local-guard.js';
import { qwen3GuardProtocol } from './protocols/qwen3guard.js';
import { extractWildGuardInput, renderWildGuardReply, wildGuardProtocol } from './protocols/wildguard.js';
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

/** A WildGuard-format endpoint backed by the local guard: checks the WildGuard builder and parser end to end. */
describeGuardConformance('EndpointGuard(wildguard) → WildGuard-format server', async () => {
  const server = await startOpenAICompatibleServer({
    handler: async (req) => {
      const body = req.json as { messages: { content: string }[] };
      const input = extractWildGuardInput(at(body.messages, 0, 'body.messages').content);
      if (!input) return { status: 400, json: { error: 'not a WildGuard input' } };
      const promptVerdict = await local.moderatePrompt(input.prompt);
      const responseVerdict = input.response ? await local.moderateResponse(input.prompt, input.response) : undefined;
      const text = renderWildGuardReply({
        harmfulRequest: promptVerdict.safety !== 'safe',
        responseRefusal: responseVerdict ? responseVerdict.refusal === 'yes' : null,
        harmfulResponse: responseVerdict ? responseVerdict.safety !== 'safe' : null,
      });
      return { json: chatCompletionBody(text) };
    },
  });
  const client = new OpenAICompatibleClient({ baseURL: server.url, ...fast });
  return { guard: new EndpointGuard({ client, protocol: wildGuardProtocol }), close: server.close };
});
