/** A guard's safety label (Qwen3Guard's three classes). */
export type SafetyLabel = 'safe' | 'unsafe' | 'controversial';

/** A guard's verdict in Qwen3Guard's shape. `refusal` is present only for response moderation. */
export interface GuardVerdict {
  safety: SafetyLabel;
  categories: string[];
  refusal?: 'yes' | 'no';
  raw: string;
}

export interface GuardCallOptions {
  signal?: AbortSignal;
}

/** A safety judge. `@magic/judges` implements it; the rollout and the game only call it. */
export interface Guard {
  name: string;
  moderatePrompt(prompt: string, options?: GuardCallOptions): Promise<GuardVerdict>;
  moderateResponse(prompt: string, response: string, options?: GuardCallOptions): Promise<GuardVerdict>;
}
