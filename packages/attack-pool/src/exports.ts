import { formatAttackerOutput } from './format-check.js';
import {
  ATTACKER_SYSTEM_PROMPT_SINGLE_TURN,
  buildAttackerInstruction,
  buildAttackerUserMessage,
} from './prompts/attacker-templates.js';
import { type AlpacaRow, type AttackRecord, alpacaRowSchema, type ChatExample, chatExampleSchema } from './schemas.js';

/** The attacker's target string for a record: `<think>…</think>\n<answer>…</answer>`. */
export function attackerOutput(record: AttackRecord): string {
  return formatAttackerOutput(record.think, record.adversarial);
}

/** LLaMA-Factory alpaca row: the HARM/BENIGN template as instruction, the think/answer string as output. */
export function toAlpacaRow(record: AttackRecord, system = ATTACKER_SYSTEM_PROMPT_SINGLE_TURN): AlpacaRow {
  return alpacaRowSchema.parse({
    instruction: buildAttackerUserMessage(buildAttackerInstruction(record.vanilla, record.dataType)),
    input: '',
    output: attackerOutput(record),
    system,
  });
}

/** Chat-message example (system, user, assistant) for chat-format SFT. */
export function toChatExample(record: AttackRecord, system = ATTACKER_SYSTEM_PROMPT_SINGLE_TURN): ChatExample {
  return chatExampleSchema.parse({
    id: record.id,
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: buildAttackerUserMessage(buildAttackerInstruction(record.vanilla, record.dataType)) },
      { role: 'assistant', content: attackerOutput(record) },
    ],
  });
}

/** The alpaca JSON file content (a JSON array, as LLaMA-Factory reads it). */
export function toAlpacaJson(records: readonly AttackRecord[]): string {
  return `${JSON.stringify(
    records.map((r) => toAlpacaRow(r)),
    null,
    2,
  )}\n`;
}

/** Chat JSONL file content, one example a line. */
export function toChatJsonl(records: readonly AttackRecord[]): string {
  return records.map((r) => JSON.stringify(toChatExample(r))).join('\n') + (records.length ? '\n' : '');
}
