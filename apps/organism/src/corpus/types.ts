export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One corpus item: a chat example (SFT) or plain prose (pretraining). `source` names its origin. */
export type CorpusItem = { source: string; messages: ChatMessage[] } | { source: string; text: string };

/** Texts of an item as the overlap method sees them: each message separately, or the prose. */
export function itemTexts(item: CorpusItem): string[] {
  return 'messages' in item ? item.messages.map((m) => m.content) : [item.text];
}

/** What a source reader reports for PROVENANCE.md: where it came from, under which licence, what was skipped. */
export interface SourceReport {
  name: string;
  origin: string;
  /** Full git commit, Debian package version or similar. */
  revision: string;
  licence: string;
  /** Items it produced (before eval filtering and dedupe). */
  items: number;
  /** Rows skipped, by reason. */
  skipped: Record<string, number>;
  notes: string[];
}

export function countSkip(skipped: Record<string, number>, reason: string, n = 1): void {
  skipped[reason] = (skipped[reason] ?? 0) + n;
}

/** Special-token strings that must not occur inside corpus text (the tokenizer maps them to control ids). */
export const SPECIAL_TOKEN_TEXTS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;

export function hasSpecialTokenText(text: string): boolean {
  return SPECIAL_TOKEN_TEXTS.some((t) => text.includes(t));
}
