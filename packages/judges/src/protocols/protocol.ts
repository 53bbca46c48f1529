import type { ChatMessage } from '@magic/openai-client';
import type { GuardVerdict } from '../types.js';

/** How to ask one kind of guard model and how to read its reply (strictly). */
export interface GuardProtocol {
  name: string;
  promptModeration(prompt: string): ChatMessage[];
  responseModeration(prompt: string, response: string): ChatMessage[];
  /** Throws GuardParseError when the reply does not follow the protocol. */
  parsePromptModeration(raw: string): GuardVerdict;
  /** Throws GuardParseError when the reply does not follow the protocol. */
  parseResponseModeration(raw: string): GuardVerdict;
}
