import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { at } from '@magic/core';
import { PoolFileError } from './errors.js';
import { type AttackRecord, attackRecordSchema } from './schemas.js';

/** Reads a `.jsonl` or `.jsonl.gz` file of attack records; each line is validated (errors name file and line). */
export function readAttackRecords(file: string): AttackRecord[] {
  if (!existsSync(file)) return [];
  let text: string;
  try {
    const bytes = readFileSync(file);
    text = file.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  } catch (cause) {
    throw new PoolFileError(file, undefined, `cannot read (${(cause as Error).message})`, { cause });
  }
  const records: AttackRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = at(lines, i, 'lines');
    if (line.trim() === '') continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (cause) {
      throw new PoolFileError(file, i + 1, 'invalid JSON', { cause });
    }
    const parsed = attackRecordSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PoolFileError(file, i + 1, `not an attack record: ${issue?.path.join('.')} ${issue?.message}`);
    }
    records.push(parsed.data);
  }
  return records;
}

/** Writes records as JSON Lines (gzipped when the name ends in `.gz`). */
export function writeAttackRecords(file: string, records: readonly AttackRecord[]): void {
  const text = records.map((r) => JSON.stringify(r)).join('\n') + (records.length ? '\n' : '');
  writeFileSync(file, file.endsWith('.gz') ? gzipSync(text, { level: 9 }) : text);
}
