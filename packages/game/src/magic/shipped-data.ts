import {
  ATTACKER_SYSTEM_PROMPT_MULTI_TURN,
  ATTACKER_SYSTEM_PROMPT_SINGLE_TURN,
  BENIGN_TEMPLATE,
  dataDir,
  HARM_TEMPLATE,
  loadAdvBenchCsv,
  loadAttackPool,
  loadWildJailbreak,
  readAttackRecords,
  type SeedRecord,
  toChatExample,
} from '@magic/attack-pool';
import type { AttackerPrompts, ChatMessage, Seed } from '@magic/rollout';

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
 * The shipped RL seeds: AdvBench harmful behaviours (MIT) and WildJailbreak adversarial-benign
 * vanilla prompts (ODC-BY), both redistributed by @magic/attack-pool with their provenance.
 */
export function shippedSeeds(): Seed[] {
  const harmful = loadAdvBenchCsv(dataDir('seeds/advbench/advbench_behaviors.csv')).map(toSeed);
  const benign = loadWildJailbreak(dataDir('seeds/wildjailbreak/benign.jsonl'), { dataType: 'vanilla_benign' }).map(
    toSeed,
  );
  return [...harmful, ...benign];
}

/** Attack-pool records as attacker SFT chats (the train split of the shipped pool, or `file`). */
export function shippedAttackPool(prompts: AttackerPrompts, file?: string): ChatMessage[][] {
  const records = file === undefined ? loadAttackPool({ split: 'train' }) : readAttackRecords(file);
  return records.map((r) => toChatExample(r, prompts.systemSingleTurn).messages);
}
