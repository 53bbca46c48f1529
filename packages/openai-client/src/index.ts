export {
  type BackoffConfig,
  type BackoffConfigInput,
  backoffDelayMs,
  backoffSchema,
  parseRetryAfterMs,
  sleep,
} from './backoff.js';
export {
  type CallOptions,
  type ErrorFactory,
  type FetchLike,
  isRetryableStatus,
  OpenAICompatibleClient,
  type OpenAICompatibleClientOptions,
} from './client.js';
export {
  type EndpointEnv,
  type EndpointKind,
  endpointEnvNames,
  endpointEnvSchema,
  endpointFromEnv,
  normalizeBaseURL,
} from './env.js';
export {
  isMagicError,
  magicErrorMarker,
  OpenAICallError,
  type OpenAICallErrorInit,
  type OpenAICallFailure,
} from './errors.js';
export { redactSecrets, safeUrl } from './redact.js';
export {
  type ChatCompletionResponse,
  type ChatMessage,
  type ChatRequest,
  type ChatResult,
  type ChatUsage,
  type ClientOptions,
  chatCompletionResponseSchema,
  chatMessageSchema,
  chatRequestSchema,
  clientOptionsSchema,
  modelListResponseSchema,
} from './schemas.js';
export {
  chatCompletionBody,
  createChatServer,
  type RecordedRequest,
  startOpenAICompatibleServer,
  type TestHandler,
  type TestReply,
  type TestServer,
} from './testing.js';

export const packageName = '@magic/openai-client';
