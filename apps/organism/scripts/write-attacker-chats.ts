// The attacker organism's phase-1 SFT chats: the game's own phase-1 data (the attack pool's train split with the
// shipped attacker system prompt), one {"messages": [...]} per line, for `magic-organism tokenize --chats`.
//   npx tsx apps/organism/scripts/write-attacker-chats.ts OUT.jsonl [--limit N]
import { writeFile } from 'node:fs/promises';
import { shippedAttackerPrompts, shippedAttackPool } from '@magic/game';

const [out, flag, value] = process.argv.slice(2);
if (!out) throw new Error('usage: write-attacker-chats.ts OUT.jsonl [--limit N]');
const limit = flag === '--limit' ? Number(value) : Number.POSITIVE_INFINITY;
const chats = shippedAttackPool(shippedAttackerPrompts()).slice(0, limit);
await writeFile(out, chats.map((messages) => JSON.stringify({ messages })).join('\n') + '\n');
console.log(`wrote ${chats.length} attacker chats to ${out}`);
