import { readFileSync } from 'node:fs';
import {
  ATTACKER_SYSTEM_PROMPT_MULTI_TURN,
  ATTACKER_SYSTEM_PROMPT_SINGLE_TURN,
  alpacaRowSchema,
  BENIGN_TEMPLATE,
  HARM_TEMPLATE,
  loadAttackPool,
  loadSeedSplit,
  readAttackRecords,
  type SeedRecord,
  toChatExample,
} from '@magic/attack-pool';
import { at } from '@magic/core';
import type { AttackerPrompts, ChatMessage, Seed } from '@magic/rollout';
import { z } from 'zod';
import { ConfigError } from '../errors.js';

/** Where the game's data comes from (shipped by @magic/attack-pool unless replaced). */
export interface PoolSource {
  /** RL seeds (harmful + benign). */
  seeds: () => Seed[];
  /** Phase-1 SFT chats (system, attacker task, think/answer reply). */
  attackPool: (prompts: AttackerPrompts) => ChatMessage[][];
  attackerPrompts: () => AttackerPrompts;
}

/** The attacker prompts shipped with @magic/attack-pool (spec §2.5). */
export function shippedAttackerPrompts(): AttackerPrompts {
  return {
    systemSingleTurn: ATTACKER_SYSTEM_PROMPT_SINGLE_TURN,
    systemMultiTurn: ATTACKER_SYSTEM_PROMPT_MULTI_TURN,
    harmTemplate: HARM_TEMPLATE,
    benignTemplate: BENIGN_TEMPLATE,
  };
}

const toSeed = (r: SeedRecord): Seed => ({ question: r.text, dataType: r.dataType });

/**
 * The shipped RL seeds: the train split of @magic/attack-pool's clean seeds (AdvBench harmful
 * behaviours, MIT, and Self-Instruct human-written tasks, Apache-2.0, minus every row that hits eval text).
 */
export function shippedSeeds(): Seed[] {
  return loadSeedSplit({ split: 'train' }).map(toSeed);
}

/** The held-out validation seeds: the val split of the same clean seeds (never trained on). */
export function shippedValidationSeeds(): Seed[] {
  return loadSeedSplit({ split: 'val' }).map(toSeed);
}

/**
 * Attacker SFT chats: the train split of the shipped pool (rewrites of train-split seeds only); or `file`, either a LLaMA-Factory alpaca
 * export (`.json`: `[{instruction, input, output, system}]`, as MAGIC's game_cot_*.json) or attack
 * records (`.jsonl[.gz]`).
 */
export function shippedAttackPool(prompts: AttackerPrompts, file?: string): ChatMessage[][] {
  if (file?.endsWith('.json')) return readAlpacaChats(file);
  const records = file === undefined ? loadAttackPool({ split: 'train' }) : readAttackRecords(file);
  return records.map((r) => toChatExample(r, prompts.systemSingleTurn).messages);
}

/** Reads an alpaca json file into (system, user, assistant) chats; errors name the file and row. */
export function readAlpacaChats(file: string): ChatMessage[][] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError('phase1.sft.dataFile', file, `cannot read alpaca JSON: ${(e as Error).message}`);
  }
  const rows = z.array(alpacaRowSchema).safeParse(raw);
  if (!rows.success) {
    const issue = at(rows.error.issues, 0, 'issues of a failed parse');
    throw new ConfigError(`row ${issue.path.join('.')}`, file, issue.message);
  }
  return rows.data.map((r) => {
    const chat: ChatMessage[] = [];
    if (r.system) chat.push({ role: 'system', content: r.system });
    chat.push({ role: 'user', content: r.input ? `${r.instruction}\n${r.input}` : r.instruction });
    chat.push({ role: 'assistant', content: r.output });
    return chat;
  });
}
