import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { at, defined, MagicError } from '@magic/core';
import { loadSafetensorsFile, type SafetensorsSaveDtype, saveSafetensorsFile } from '@magic/tensor';
import type * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { LmCheckpointError, LmConfigError } from './errors.js';
import type { SourceTensor } from './weights.js';

const indexSchema = z.object({
  metadata: z.record(z.string(), z.unknown()).optional(),
  weight_map: z.record(z.string(), z.string()),
});

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Reads and parses a JSON file; missing or invalid files become typed errors naming the file. */
export async function readJsonFile(file: string, required: true): Promise<unknown>;
export async function readJsonFile(file: string, required: false): Promise<unknown | undefined>;
export async function readJsonFile(file: string, required: boolean): Promise<unknown | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (!required) return undefined;
    throw new LmCheckpointError(file, '(file)', 'missing or unreadable', { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new LmConfigError(file, '(root)', `invalid JSON: ${(e as Error).message}`);
  }
}

async function loadOne(file: string, into: Map<string, SourceTensor>): Promise<void> {
  let st: Awaited<ReturnType<typeof loadSafetensorsFile>>;
  try {
    st = await loadSafetensorsFile(file);
  } catch (e) {
    if (MagicError.isInstance(e)) throw e;
    throw new LmCheckpointError(file, '(file)', 'missing or unreadable', { cause: e });
  }
  for (const [name, t] of st.tensors) into.set(name, { shape: t.shape, data: t.data, file });
}

/** Reads model.safetensors, or every shard listed in model.safetensors.index.json. */
export async function readCheckpointTensors(dir: string): Promise<Map<string, SourceTensor>> {
  const tensors = new Map<string, SourceTensor>();
  const single = join(dir, 'model.safetensors');
  const indexFile = join(dir, 'model.safetensors.index.json');
  if (await exists(single)) {
    await loadOne(single, tensors);
    return tensors;
  }
  if (!(await exists(indexFile))) {
    throw new LmCheckpointError(
      dir,
      'model.safetensors',
      'neither model.safetensors nor model.safetensors.index.json found',
    );
  }
  const parsed = indexSchema.safeParse(await readJsonFile(indexFile, true));
  if (!parsed.success) {
    const issue = defined(parsed.error.issues[0], 'zod issue');
    throw new LmConfigError(indexFile, issue.path.join('.'), issue.message);
  }
  const shards = [...new Set(Object.values(parsed.data.weight_map))];
  for (const shard of shards) {
    if (shard.includes('/') || shard.includes('\\'))
      throw new LmConfigError(indexFile, 'weight_map', `shard '${shard}' is not a file name`);
    await loadOne(join(dir, shard), tensors);
  }
  for (const [name, shard] of Object.entries(parsed.data.weight_map)) {
    const t = tensors.get(name);
    if (!t || t.file !== join(dir, shard))
      throw new LmCheckpointError(join(dir, shard), name, `listed in ${indexFile} but not in that shard`);
  }
  return tensors;
}

export interface SaveWeightsOptions {
  dtype?: SafetensorsSaveDtype;
  /** Split into shards above this many bytes (default 2 GiB). */
  maxShardBytes?: number;
}

/** Writes named variables as model.safetensors (or shards + index), HF layout. */
export async function writeCheckpointTensors(
  dir: string,
  named: [string, tf.Variable][],
  opts: SaveWeightsOptions = {},
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const dtype = opts.dtype ?? 'F32';
  const bytesPer = dtype === 'F32' ? 4 : 2;
  const maxShard = opts.maxShardBytes ?? 2 * 1024 ** 3;
  const shards: [string, tf.Variable][][] = [[]];
  let size = 0;
  for (const entry of named) {
    const bytes = entry[1].size * bytesPer;
    if (size > 0 && size + bytes > maxShard) {
      shards.push([]);
      size = 0;
    }
    at(shards, shards.length - 1, 'shards').push(entry);
    size += bytes;
  }
  const total = named.reduce((a, [, v]) => a + v.size * bytesPer, 0);
  const metadata = { format: 'pt' };
  if (shards.length === 1) {
    await saveSafetensorsFile(join(dir, 'model.safetensors'), await toSave(at(shards, 0, 'shards')), {
      dtype,
      metadata,
    });
    return;
  }
  const weightMap: Record<string, string> = {};
  for (let i = 0; i < shards.length; i++) {
    const file = `model-${String(i + 1).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}.safetensors`;
    await saveSafetensorsFile(join(dir, file), await toSave(at(shards, i, 'shards')), { dtype, metadata });
    for (const [name] of at(shards, i, 'shards')) weightMap[name] = file;
  }
  const index = { metadata: { total_size: total }, weight_map: weightMap };
  await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify(index, null, 2));
}

async function toSave(
  entries: [string, tf.Variable][],
): Promise<Record<string, { shape: number[]; data: Float32Array }>> {
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, v] of entries) out[name] = { shape: v.shape, data: (await v.data()) as Float32Array };
  return out;
}
